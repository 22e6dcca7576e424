#!/usr/bin/env node
// Benchmark of soma's Bayesian samplers on the two standard functions of
// ../shared/bench/search_anchor.py (Hartmann-6 on [0,1]^6, Branin on [-5,10]x[0,15]), defined
// here exactly as there: 50 trials, 20 seeds, the median over seeds of the best value found.
// Also times a 20-trial gbdt search on synth_binary with n_jobs 1 and 2.
//
// Usage: node bench/search.js [--trials 50] [--seeds 20] [--first-seed 0] [--samplers gp,tpe,random] [--batch 1]
//        node bench/search.js --gbdt [--data F] [--gbdt-trials 20]   (the synth_binary timing;
//        data from /usr/bin/python3 ../shared/bench/make_data.py bench/data/search --rows 200000)
// Needs a build (npx tsc -p .). Prints one JSON object a line.

import { performance } from 'node:perf_hooks';
import { GpSampler } from '../dist/search/gp.js';
import { TpeSampler } from '../dist/search/tpe.js';
import { RandomSampler } from '../dist/search/random.js';
import { samplerPlan, runStudy, InlineExecutor } from '../dist/search/scheduler.js';
import { parseSpace } from '../dist/search/space.js';
import { defaultStartup } from '../dist/search/plan.js';

const arg = (name, def) => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : def);
const trials = Number(arg('--trials', 50));
const seeds = Number(arg('--seeds', 20));
const batch = Number(arg('--batch', 1));
const firstSeed = Number(arg('--first-seed', 0));
const samplers = arg('--samplers', 'gp,tpe,random').split(',');

const A = [[10, 3, 17, 3.5, 1.7, 8], [0.05, 10, 17, 0.1, 8, 14], [3, 3.5, 1.7, 10, 17, 8], [17, 8, 0.05, 10, 0.1, 14]];
const P = [[1312, 1696, 5569, 124, 8283, 5886], [2329, 4135, 8307, 3736, 1004, 9991], [2348, 1451, 3522, 2883, 3047, 6650], [4047, 8828, 8732, 5743, 1091, 381]].map((r) => r.map((v) => v * 1e-4));
const ALPHA = [1.0, 1.2, 3.0, 3.2];

function hartmann6(x) {
  let s = 0;
  for (let i = 0; i < 4; i++) {
    let e = 0;
    for (let j = 0; j < 6; j++) e += A[i][j] * (x[j] - P[i][j]) ** 2;
    s += ALPHA[i] * Math.exp(-e);
  }
  return -s;
}

function branin(x1, x2) {
  return (x2 - (5.1 / (4 * Math.PI ** 2)) * x1 ** 2 + (5 / Math.PI) * x1 - 6) ** 2 + 10 * (1 - 1 / (8 * Math.PI)) * Math.cos(x1) + 10;
}

const FUNCS = {
  hartmann6: {
    space: Object.fromEntries(Array.from({ length: 6 }, (_, i) => [`x${i}`, { uniform: [0, 1] }])),
    f: (p) => hartmann6(Array.from({ length: 6 }, (_, i) => p[`x${i}`])),
  },
  branin: { space: { x1: { uniform: [-5, 10] }, x2: { uniform: [0, 15] } }, f: (p) => branin(p.x1, p.x2) },
};

const median = (v) => {
  const s = [...v].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

async function study(name, kind, seed) {
  const fn = FUNCS[name];
  const space = parseSpace(fn.space, [], new Set());
  const startup = defaultStartup(trials);
  const sampler = kind === 'gp' ? new GpSampler(space, { startup, seed }) : kind === 'tpe' ? new TpeSampler(space, { startup, seed }) : new RandomSampler(space);
  const plan = samplerPlan(sampler, seed, trials, batch, 'minimize', kind === 'random' ? trials : startup);
  const executor = new InlineExecutor(async (job) => ({ ok: true, score: fn.f(job.params) }));
  const { records } = await runStudy({ plan, executor });
  return Math.min(...records.map((r) => r.score));
}

async function gbdtSearch() {
  // A 20-trial gbdt search on synth_binary (200k rows), 3-fold CV, with n_jobs 1 and 2.
  const { mkdirSync, writeFileSync, rmSync } = await import('node:fs');
  const path = await import('node:path');
  const { tune } = await import('../dist/pipeline/tune.js');
  const root = path.resolve(path.dirname(new URL(import.meta.url).pathname));
  const data = arg('--data', path.join(root, 'data', 'search', 'synth_binary.csv'));
  const out = path.join(root, 'out', 'search');
  mkdirSync(out, { recursive: true });
  const cfg = path.join(out, 'synth_binary_search.yaml');
  writeFileSync(
    cfg,
    [
      'name: synth_binary_search',
      'seed: 7',
      'task: classification',
      `data: {source: ${JSON.stringify(data)}, target: label, split: {train: 0.8, validation: 0.0, test: 0.2}}`,
      'model: {type: gbdt, params: {n_estimators: 50, n_jobs: 1}}',
      'search:',
      '  method: bayesian',
      `  trials: ${Number(arg('--gbdt-trials', 20))}`,
      '  metric: roc_auc',
      '  cv: {folds: 3}',
      '  space: {max_depth: {int: [3, 8]}, learning_rate: {loguniform: [0.03, 0.3]}, subsample: {uniform: [0.5, 1.0]}, min_child_weight: {loguniform: [0.1, 10]}}',
      '',
    ].join('\n'),
  );
  const results = {};
  rmSync(path.join(out, 'runs'), { recursive: true, force: true });
  for (const nJobs of [1, 2]) {
    const t0 = performance.now();
    const o = await tune({ config: cfg, runsDir: path.join(out, 'runs'), nJobs, study: `n${nJobs}` });
    const seconds = (performance.now() - t0) / 1000;
    results[nJobs] = { seconds, best: o.best.score, trials: JSON.stringify(o.trials.map((t) => [t.number, t.params, t.score])) };
    console.log(JSON.stringify({ bench: 'gbdt-search', data: path.basename(data), rows: o.cv.rows, trials: o.trials.length, folds: o.cv.folds, n_jobs: nJobs, seconds: +seconds.toFixed(1), best_roc_auc: +o.best.score.toFixed(5) }));
  }
  console.log(JSON.stringify({ bench: 'gbdt-search', speedup_2_vs_1: +(results[1].seconds / results[2].seconds).toFixed(2), same_best: results[1].best === results[2].best, same_trials: results[1].trials === results[2].trials }));
  const { closeDuckDB } = await import('../dist/data/duckdb.js');
  await closeDuckDB?.();
}

if (process.argv.includes('--gbdt')) {
  await gbdtSearch();
  process.exit(0);
}

for (const name of Object.keys(FUNCS)) {
  for (const kind of samplers) {
    const t0 = performance.now();
    const bests = [];
    for (let s = firstSeed; s < firstSeed + seeds; s++) bests.push(await study(name, kind, s));
    console.log(JSON.stringify({ function: name, system: `soma-${kind}`, trials, seeds, batch, median_best: +median(bests).toFixed(4), seconds: +((performance.now() - t0) / 1000).toFixed(1) }));
  }
}
