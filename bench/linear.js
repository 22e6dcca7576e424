#!/usr/bin/env node
// Linear-model benchmark, side by side with scikit-learn (../shared/bench/anchors.py --only linear):
// logistic (l2, alpha 1 = C 1, max_iter 200, tol 1e-4) on synth_binary (mean-imputed over all rows,
// as the anchor does) and ridge (alpha 1) on synth_regression; first 80% of rows train, the rest test.
//
//   /usr/bin/python3 ../shared/bench/make_data.py bench/data     # once, ~40 s, git-ignored
//   npm run build && node bench/linear.js [bench/data] [--no-anchor] [--repeat N]
//
// Prints one JSON line per task with soma's figure, the anchor's and the ratio (soma / anchor time).
// Not run by CI.

import { execFileSync } from 'node:child_process';
import { LogisticRegression } from '../dist/models/logistic.js';
import { LinearRegression } from '../dist/models/linear.js';
import { numericMatrix, takeRows } from '../dist/engine/matrix.js';
import { takeTarget } from '../dist/tasks/task.js';
import { readCsv } from './csv.js';

const args = process.argv.slice(2);
const dir = args.find((a, i) => !a.startsWith('--') && args[i - 1] !== '--repeat') ?? 'bench/data';
const repeat = args.includes('--repeat') ? Number(args[args.indexOf('--repeat') + 1]) : 3;

function auc(score, y) {
  const idx = Array.from(score.keys()).sort((a, b) => score[a] - score[b]);
  let pos = 0;
  let rankSum = 0;
  for (let k = 0; k < idx.length; ) {
    let e = k;
    while (e + 1 < idx.length && score[idx[e + 1]] === score[idx[k]]) e++;
    const r = (k + e) / 2 + 1;
    for (let t = k; t <= e; t++) if (y[idx[t]] === 1) {
      pos++;
      rankSum += r;
    }
    k = e + 1;
  }
  const neg = y.length - pos;
  return (rankSum - (pos * (pos + 1)) / 2) / (pos * neg);
}

async function time(f) {
  const times = [];
  let out;
  for (let r = 0; r < repeat; r++) {
    const t = performance.now();
    out = await f();
    times.push((performance.now() - t) / 1000);
  }
  times.sort((a, b) => a - b);
  return { out, seconds: times[Math.floor(times.length / 2)], all: times };
}

function split(names, columns, rows, targetName, task) {
  const ti = names.indexOf(targetName);
  const fNames = names.filter((_, j) => j !== ti);
  const fCols = columns.filter((_, j) => j !== ti);
  const X = numericMatrix(fNames, fCols);
  const y = { task, values: columns[ti], nClasses: task === 'classification' ? 2 : 0 };
  const ntr = Math.floor(rows * 0.8);
  const tr = Int32Array.from({ length: ntr }, (_, i) => i);
  const te = Int32Array.from({ length: rows - ntr }, (_, i) => ntr + i);
  return { Xtr: takeRows(X, tr), ytr: takeTarget(y, tr), Xte: takeRows(X, te), yte: takeTarget(y, te), ntr };
}

const results = [];

{
  const d = readCsv(`${dir}/synth_binary.csv`);
  // Mean-impute over all rows, as the anchor's SimpleImputer().fit_transform(Xb) does.
  for (const c of d.cols) {
    let s = 0;
    let k = 0;
    for (const v of c) if (!Number.isNaN(v)) (s += v), k++;
    const m = s / k;
    for (let i = 0; i < c.length; i++) if (Number.isNaN(c[i])) c[i] = m;
  }
  const { Xtr, ytr, Xte, yte, ntr } = split(d.names, d.cols, d.rows, 'label', 'classification');
  const { out: m, seconds, all } = await time(() => new LogisticRegression({ alpha: 1, max_iter: 200, tol: 1e-4 }).fit(Xtr, ytr));
  const proba = m.predictProba(Xte);
  const p1 = Float64Array.from({ length: Xte.rows }, (_, i) => proba[2 * i + 1]);
  const s = m.summary();
  results.push({ task: 'logistic_binary', system: 'soma-logistic-lbfgs', train_rows: ntr, train_s: +seconds.toFixed(3), runs_s: all.map((t) => +t.toFixed(3)), auc: +auc(p1, yte.values).toFixed(4), iterations: s.iterations, evaluations: s.evaluations, warm_start: s.warm_start, converged: s.converged });
}
{
  const d = readCsv(`${dir}/synth_regression.csv`);
  const { Xtr, ytr, Xte, yte, ntr } = split(d.names, d.cols, d.rows, 'target', 'regression');
  const { out: m, seconds, all } = await time(() => new LinearRegression({ penalty: 'l2', alpha: 1 }).fit(Xtr, ytr));
  const pred = m.predict(Xte);
  let se = 0;
  for (let i = 0; i < pred.length; i++) se += (pred[i] - yte.values[i]) ** 2;
  results.push({ task: 'ridge_regression', system: 'soma-linear-ridge-cholesky', train_rows: ntr, train_s: +seconds.toFixed(3), runs_s: all.map((t) => +t.toFixed(3)), rmse: +Math.sqrt(se / pred.length).toFixed(4) });
}

let anchors = [];
if (!args.includes('--no-anchor')) {
  const out = execFileSync('/usr/bin/python3', [new URL('../../shared/bench/anchors.py', import.meta.url).pathname, dir, '--only', 'linear'], { encoding: 'utf8' });
  anchors = out.trim().split('\n').map((l) => JSON.parse(l));
}
for (const r of results) {
  const a = anchors.find((x) => x.task === r.task);
  if (a) {
    r.anchor = a.system;
    r.anchor_train_s = a.train_s;
    r.ratio = +(r.train_s / a.train_s).toFixed(2);
    if ('auc' in a) r.anchor_auc = a.auc;
    if ('rmse' in a) r.anchor_rmse = a.rmse;
  }
  console.log(JSON.stringify(r));
}
