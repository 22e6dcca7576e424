#!/usr/bin/env node
// MLP benchmark, side by side with scikit-learn (../shared/bench/anchors.py --only mlp):
// 64-64 ReLU, Adam (lr 0.001), batch 256, 5 epochs on the first 200,000 rows of synth_binary
// (mean-imputed over all rows, as the anchor's SimpleImputer().fit_transform does); AUC on the
// last 20% of rows, as the anchor scores it. Only the fit is timed.
//
//   /usr/bin/python3 ../shared/bench/make_data.py bench/data     # once, if bench/data is empty
//   npm run build && node bench/mlp.js [bench/data] [--no-anchor] [--repeat N] [--dist DIR]
//
// Prints one JSON line with soma's figure, the anchor's and the ratio (soma / anchor time). Not run by CI.

import { execFileSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { readCsv } from './csv.js';

const args = process.argv.slice(2);
const opt = (name, def) => (args.includes(name) ? args[args.indexOf(name) + 1] : def);
const dir = args.find((a, i) => !a.startsWith('--') && !['--repeat', '--dist', '--seed', '--n-jobs'].includes(args[i - 1])) ?? 'bench/data';
const repeat = Number(opt('--repeat', '3'));
const seed = Number(opt('--seed', '0'));
const nJobs = Number(opt('--n-jobs', '1'));
const dist = resolve(opt('--dist', new URL('../dist', import.meta.url).pathname));
const { Mlp } = await import(pathToFileURL(`${dist}/models/mlp.js`).href);
const { numericMatrix } = await import(pathToFileURL(`${dist}/engine/matrix.js`).href);

function auc(score, y) {
  const idx = Array.from(score.keys()).sort((a, b) => score[a] - score[b]);
  let pos = 0;
  let rankSum = 0;
  for (let r = 0; r < idx.length; ) {
    let e = r;
    while (e + 1 < idx.length && score[idx[e + 1]] === score[idx[r]]) e++;
    const avg = (r + e + 2) / 2;
    for (let k = r; k <= e; k++) if (y[idx[k]] === 1) {
      pos++;
      rankSum += avg;
    }
    r = e + 1;
  }
  const neg = idx.length - pos;
  return (rankSum - (pos * (pos + 1)) / 2) / (pos * neg);
}

const { names, cols, rows } = readCsv(`${dir}/synth_binary.csv`);
const li = names.indexOf('label');
const label = cols[li];
const feats = names.filter((_, j) => j !== li);
const fcols = cols.filter((_, j) => j !== li).map((c) => {
  // Mean-impute over all rows, as the anchor does before slicing.
  let s = 0;
  let m = 0;
  for (const v of c) if (!Number.isNaN(v)) {
    s += v;
    m++;
  }
  const mean = s / m;
  return c.map((v) => (Number.isNaN(v) ? mean : v));
});
const ntrain = 200_000;
const ntr = Math.floor(rows * 0.8);
const Xtrain = numericMatrix(feats, fcols.map((c) => c.slice(0, ntrain)));
const ytrain = { task: 'classification', values: label.slice(0, ntrain), nClasses: 2 };
const Xtest = numericMatrix(feats, fcols.map((c) => c.slice(ntr)));
const ytest = label.slice(ntr);

const params = { layers: [{ units: 64, activation: 'relu' }, { units: 64, activation: 'relu' }], optimizer: 'adam', learning_rate: 0.001, batch_size: 256, epochs: 5, seed, n_jobs: nJobs };
const times = [];
let model;
for (let r = 0; r < repeat; r++) {
  model = new Mlp(params, 'classification');
  const t = performance.now();
  await model.fit(Xtrain, ytrain);
  times.push((performance.now() - t) / 1000);
}
const proba = model.predictProba(Xtest);
const p1 = new Float64Array(Xtest.rows);
for (let i = 0; i < Xtest.rows; i++) p1[i] = proba[2 * i + 1];
const sorted = [...times].sort((a, b) => a - b);
const result = {
  task: 'mlp_binary_200k_5epochs',
  system: `soma-mlp-${model.summary().backend}`,
  n_jobs: nJobs,
  threads: model.summary().threads,
  train_rows: ntrain,
  train_s: +sorted[Math.floor(sorted.length / 2)].toFixed(3),
  runs_s: times.map((t) => +t.toFixed(3)),
  auc: +auc(p1, ytest).toFixed(4),
  load_before: +loadavg()[0].toFixed(2),
  cpus: cpus().length,
};
if (!args.includes('--no-anchor')) {
  const out = execFileSync('/usr/bin/python3', [new URL('../../shared/bench/anchors.py', import.meta.url).pathname, dir, '--only', 'mlp'], { encoding: 'utf8' });
  const a = out.trim().split('\n').map((l) => JSON.parse(l)).find((x) => x.task === result.task);
  if (a) Object.assign(result, { anchor: a.system, anchor_train_s: a.train_s, anchor_auc: a.auc, ratio: +(result.train_s / a.train_s).toFixed(3) });
}
result.load_after = +loadavg()[0].toFixed(2);
console.log(JSON.stringify(result));
