#!/usr/bin/env node
// Test RMSE on synth_regression along the boosting trajectory, soma beside XGBoost-hist: one fit of
// 1000 depth-6 trees at learning rate 0.1 (256 bins) per starting score (0.5, XGBoost 1.7's default,
// and the training mean, soma's), scored with its first 100, 200, 300, 500 and 1000 trees. The
// issue's figure is the first column; the rest say whether a gap there is the engine's quality or
// where 100 trees happen to stop on a steep stretch of the curve.
//
//   npx tsc -p . && node bench/regression-curve.js [bench/data] [--threads 2] [--no-anchor]
//
// Anchor: bench/regression_curve.py (same split, params and tree counts). One JSON line per fit
// and a summary of the ratios per tree count. Not run by CI.

import { execFileSync } from 'node:child_process';
import { Gbdt } from '../dist/models/gbdt.js';
import { frame, readCsv, rowsOf } from './csv.js';

const args = process.argv.slice(2);
const opt = (name, def) => (args.includes(name) ? args[args.indexOf(name) + 1] : def);
const dir = args.find((a, i) => !a.startsWith('--') && !args[i - 1]?.startsWith('--')) ?? 'bench/data';
const threads = Number(opt('--threads', '2'));
const TREES = [100, 200, 300, 500, 1000];

const d = frame(readCsv(`${dir}/synth_regression.csv`), 'target');
const ntr = Math.floor(d.X.rows * 0.8);
const ytr = d.y.subarray(0, ntr);
const yte = d.y.subarray(ntr);
const test = rowsOf(d.X, ntr, d.X.rows);

const soma = [];
for (const base of ['0.5', 'mean']) {
  const params = { n_estimators: TREES[TREES.length - 1], max_depth: 6, learning_rate: 0.1, max_bin: 256, base_score: base === '0.5' ? 0.5 : null, n_jobs: threads };
  const m = await new Gbdt(params, 'regression').fit(rowsOf(d.X, 0, ntr), { task: 'regression', values: ytr, nClasses: 0 });
  const rmse = {};
  for (const k of TREES) {
    // The first k trees: a copy of the model that predicts with k rounds, as early stopping would.
    const json = m.toJSON();
    const short = Gbdt.fromJSON({ ...json, state: { ...json.state, bestIteration: k } });
    const pred = short.predict(test);
    let s = 0;
    for (let i = 0; i < yte.length; i++) s += (yte[i] - pred[i]) ** 2;
    rmse[k] = +Math.sqrt(s / yte.length).toFixed(4);
  }
  const row = { system: 'soma-gbdt', base_score: base, rmse };
  soma.push(row);
  console.log(JSON.stringify(row));
}

let anchor = [];
if (!args.includes('--no-anchor')) {
  const out = execFileSync('/usr/bin/python3', [new URL('regression_curve.py', import.meta.url).pathname, dir, '--threads', String(threads)], { encoding: 'utf8' });
  anchor = out.trim().split('\n').map((l) => JSON.parse(l));
  for (const a of anchor) console.log(JSON.stringify(a));
  const ratio = {};
  for (const s of soma) {
    const a = anchor.find((x) => x.base_score === s.base_score);
    ratio[s.base_score] = Object.fromEntries(TREES.map((k) => [k, +(s.rmse[k] / a.rmse[k]).toFixed(4)]));
  }
  console.log(JSON.stringify({ task: 'gbdt_regression_curve', threads, ratio }));
}
