#!/usr/bin/env node
// How much of a single test RMSE on synth_regression is the engine and how much the trajectory.
// With 100 depth-6 trees at learning rate 0.1 the model underfits this target, and trivial changes
// (one bin fewer, another starting score) move the test RMSE by several percent on both systems.
// So both run the same 12 variants, max_bin 256, 255, 254, 252, 248, 240 times base_score 0.5
// (XGBoost 1.7's default) or the training mean (what soma fits by default), and the ratio compared
// is of the medians (and means) over the variants, not of one draw.
//
//   npx tsc -p . && node bench/regression-spread.js [bench/data] [--threads 2] [--no-anchor]
//
// Anchor: bench/regression_spread.py (XGBoost-hist, same split and params). Prints one JSON line
// per variant per system, then a summary line with the medians, means and ratios. Not run by CI.

import { execFileSync } from 'node:child_process';
import { Gbdt } from '../dist/models/gbdt.js';
import { frame, readCsv, rowsOf } from './csv.js';

const args = process.argv.slice(2);
const opt = (name, def) => (args.includes(name) ? args[args.indexOf(name) + 1] : def);
const dir = args.find((a, i) => !a.startsWith('--') && !args[i - 1]?.startsWith('--')) ?? 'bench/data';
const threads = Number(opt('--threads', '2'));
const MAX_BINS = [256, 255, 254, 252, 248, 240];
const BASES = ['0.5', 'mean'];

const d = frame(readCsv(`${dir}/synth_regression.csv`), 'target');
const ntr = Math.floor(d.X.rows * 0.8);
const ytr = d.y.subarray(0, ntr);
const yte = d.y.subarray(ntr);
let mean = 0;
for (const v of ytr) mean += v;
mean /= ntr;

const soma = [];
for (const maxBin of MAX_BINS) {
  for (const base of BASES) {
    const params = { n_estimators: 100, max_depth: 6, learning_rate: 0.1, max_bin: maxBin, base_score: base === '0.5' ? 0.5 : mean, n_jobs: threads };
    const m = await new Gbdt(params, 'regression').fit(rowsOf(d.X, 0, ntr), { task: 'regression', values: ytr, nClasses: 0 });
    const pred = m.predict(rowsOf(d.X, ntr, d.X.rows));
    let s = 0;
    for (let i = 0; i < yte.length; i++) s += (yte[i] - pred[i]) ** 2;
    const row = { system: 'soma-gbdt', max_bin: maxBin, base_score: base, rmse: +Math.sqrt(s / yte.length).toFixed(4) };
    soma.push(row);
    console.log(JSON.stringify(row));
  }
}

let anchor = [];
if (!args.includes('--no-anchor')) {
  const out = execFileSync('/usr/bin/python3', [new URL('regression_spread.py', import.meta.url).pathname, dir, '--threads', String(threads)], { encoding: 'utf8' });
  anchor = out.trim().split('\n').map((l) => JSON.parse(l));
  for (const a of anchor) console.log(JSON.stringify(a));
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const meanOf = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
const stats = (rows) => {
  const r = rows.map((x) => x.rmse);
  return { median: +median(r).toFixed(4), mean: +meanOf(r).toFixed(4), min: Math.min(...r), max: Math.max(...r) };
};
const summary = { task: 'gbdt_regression_spread', variants: soma.length, threads, soma: stats(soma) };
if (anchor.length > 0) {
  summary.anchor = { system: anchor[0].system, ...stats(anchor) };
  summary.ratio = { median: +(summary.soma.median / summary.anchor.median).toFixed(4), mean: +(summary.soma.mean / summary.anchor.mean).toFixed(4) };
  // The same variant on both sides (paired): how often soma's RMSE is the lower one.
  summary.soma_lower = soma.filter((s) => anchor.find((a) => a.max_bin === s.max_bin && a.base_score === s.base_score)?.rmse > s.rmse).length;
}
console.log(JSON.stringify(summary));
