#!/usr/bin/env node
// A/A false alarms of soma drift's tests: fresh samples from one distribution on both sides, run
// through the same sketches and tests as `soma drift` (dist/monitor), for the two reference modes:
// a reference file (edges learned from its sample) and a stored profile (the training profile's
// 255 quantile edges, no in-bin offsets). Prints, per test and size, how often a column is called
// drifted when nothing changed. A quality figure, not a timing one: fine to run anywhere.
//
//   npm run build && node bench/drift-aa.js [--trials 200]

import { columnDrift } from '../dist/monitor/column-drift.js';
import { NumericSketch, CategoricalSketch, groupsOnEdges, mergeEdges, psiEdges, sampleEdges, sortedCopy } from '../dist/monitor/sketch.js';
import { learnEdges } from '../dist/monitor/reference.js';
import { Rng } from '../dist/engine/random.js';

const args = process.argv.slice(2);
const trials = Number(args.includes('--trials') ? args[args.indexOf('--trials') + 1] : 200);
const rng = new Rng(2026);

const numeric = (n, f) => Float64Array.from({ length: n }, () => f());
const normal = () => rng.normal() * 3 + 10;
const lognormal = () => Math.exp(rng.normal() * 0.6);
const rounded = () => Math.round(rng.normal() * 20) / 10;

function numericSummary(s, psiGroups, offsets = true) {
  return { kind: 'numeric', edges: s.edges, counts: s.counts, ...(offsets ? { offsets: s.offsets } : {}), n: s.n, missing: s.missing, min: s.min, max: s.max, std: s.std, distinct: s.distinct ? s.distinct.size : null, ...(psiGroups ? { psiGroups } : {}) };
}

function numericTrial(nRef, nCur, f, mode) {
  const ref = numeric(nRef, f);
  const cur = numeric(nCur, f);
  let edges;
  let groups;
  if (mode === 'file') {
    const sorted = sortedCopy(ref.subarray(0, Math.min(nRef, 50_000)));
    const deciles = psiEdges(sorted, 10, true);
    edges = mergeEdges(sampleEdges(sorted, 1024, 2048, true), deciles);
    groups = groupsOnEdges(edges, deciles);
  } else edges = learnEdges(ref, 7);
  const a = new NumericSketch(edges);
  a.add(ref);
  const b = new NumericSketch(edges);
  b.add(cur);
  return columnDrift(numericSummary(a, groups, mode === 'file'), numericSummary(b, groups, mode === 'file'));
}

function categoricalTrial(nRef, nCur, k) {
  const dict = Array.from({ length: k }, (_, i) => `c${i}`);
  const weights = Array.from({ length: k }, (_, i) => 1 / (i + 1));
  const total = weights.reduce((s, w) => s + w, 0);
  const draw = (n) => {
    const codes = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      let u = rng.next() * total;
      let c = 0;
      while (c < k - 1 && (u -= weights[c]) > 0) c++;
      codes[i] = c;
    }
    const s = new CategoricalSketch();
    s.add(codes, dict);
    return { kind: 'categorical', counts: s.counts, n: s.n, missing: 0 };
  };
  return columnDrift(draw(nRef), draw(nCur));
}

const cases = [
  ['numeric normal', 500, 500, () => numericTrial(500, 500, normal, 'file'), 'file'],
  ['numeric normal', 500, 500, () => numericTrial(500, 500, normal, 'profile'), 'profile'],
  ['numeric 1-decimal', 800, 5000, () => numericTrial(800, 5000, rounded, 'file'), 'file'],
  ['numeric normal', 20_000, 20_000, () => numericTrial(20_000, 20_000, normal, 'file'), 'file'],
  ['numeric lognormal', 20_000, 20_000, () => numericTrial(20_000, 20_000, lognormal, 'profile'), 'profile'],
  ['categorical 2', 500, 500, () => categoricalTrial(500, 500, 2), '-'],
  ['categorical 8', 500, 500, () => categoricalTrial(500, 500, 8), '-'],
  ['categorical 8', 500, 20_000, () => categoricalTrial(500, 20_000, 8), '-'],
  ['categorical 30', 20_000, 20_000, () => categoricalTrial(20_000, 20_000, 30), '-'],
];
for (const [what, nRef, nCur, run, mode] of cases) {
  let alarms = 0;
  let psiAlarms = 0;
  let method = '';
  for (let t = 0; t < trials; t++) {
    const r = run();
    method = r.method;
    if (r.drift) alarms++;
    if (r.psi_drift) psiAlarms++;
  }
  console.log(JSON.stringify({ column: what, reference: mode, ref_rows: nRef, cur_rows: nCur, test: method, trials, false_alarm_rate: alarms / trials, psi_false_alarm_rate: psiAlarms / trials }));
}
