#!/usr/bin/env node
// Tree-engine benchmark, side by side with XGBoost-hist and scikit-learn (../shared/bench/anchors.py
// --only gbdt,rf): gbdt on synth_binary / synth_regression / synth_multiclass (native categoricals)
// with 100 trees, depth 6, learning rate 0.1, 256 bins; random forest (100 trees, sqrt features) on
// the first 200k rows of synth_binary. First 80% of rows train, the rest test, as the anchors do.
//
//   /usr/bin/python3 ../shared/bench/make_data.py bench/data     # once, git-ignored
//   npx tsc -p . && node bench/tree.js [bench/data] [--threads 1,2] [--only binary,regression,multiclass,rf]
//                                       [--no-anchor | --anchors FILE.jsonl] [--cpu-anchors FILE.jsonl]
//                                       [--params '{"quantized_gradients": false}']   (extra gbdt params)
//
// --cpu-anchors takes the output of bench/tree.py (the same anchor fits, also timed in CPU seconds).
//
// Prints one JSON line per measurement with soma's figure, the anchor's and the ratio. Not run by CI.

import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { Gbdt } from '../dist/models/gbdt.js';
import { RandomForest, randomForestParamsSchema } from '../dist/models/random_forest.js';
import { readCsv, frame, rowsOf } from './csv.js';

const args = process.argv.slice(2);
const opt = (name, def) => (args.includes(name) ? args[args.indexOf(name) + 1] : def);
const dir = args.find((a, i) => !a.startsWith('--') && !args[i - 1]?.startsWith('--')) ?? 'bench/data';
const threads = opt('--threads', '1,2').split(',').map(Number);
const only = new Set(opt('--only', 'binary,regression,multiclass,rf').split(','));

function auc(y, score) {
  const idx = Array.from(score.keys()).sort((a, b) => score[a] - score[b]);
  let rankSum = 0;
  let nPos = 0;
  for (let i = 0; i < idx.length; ) {
    let j = i;
    while (j + 1 < idx.length && score[idx[j + 1]] === score[idx[i]]) j++;
    for (let k = i; k <= j; k++) if (y[idx[k]] === 1) {
      rankSum += (i + j + 2) / 2;
      nPos++;
    }
    i = j + 1;
  }
  return (rankSum - (nPos * (nPos + 1)) / 2) / (nPos * (y.length - nPos));
}

const anchors = [];
if (opt('--anchors', null)) {
  for (const l of readFileSync(opt('--anchors'), 'utf8').trim().split('\n')) anchors.push(JSON.parse(l));
} else if (!args.includes('--no-anchor')) {
  const out = execFileSync('/usr/bin/python3', ['../shared/bench/anchors.py', dir, '--only', 'gbdt,rf', '--threads', threads.join(',')], { encoding: 'utf8', maxBuffer: 1 << 24 });
  for (const l of out.trim().split('\n')) anchors.push(JSON.parse(l));
}
if (opt('--cpu-anchors', null)) {
  for (const l of readFileSync(opt('--cpu-anchors'), 'utf8').trim().split('\n')) {
    const a = JSON.parse(l);
    const same = anchors.find((b) => b.task === a.task && b.threads === a.threads && b.system === a.system);
    if (same) Object.assign(same, { train_cpu_s: a.train_cpu_s, train_s_cpu_run: a.train_s });
    else anchors.push(a);
  }
}
const anchor = (task, nt, system = 'xgboost') => anchors.find((a) => a.task === task && a.threads === nt && a.system.startsWith(system));

function report(task, nt, soma, anchorRow, fields) {
  const row = { task, threads: nt, soma, anchor: anchorRow ?? null };
  if (anchorRow) {
    row.ratio = {};
    for (const f of fields) if (anchorRow[f] !== undefined && soma[f] !== undefined) row.ratio[f] = Math.round((soma[f] / anchorRow[f]) * 1000) / 1000;
    if (anchorRow.train_cpu_s && soma.train_cpu_s) row.ratio.train_cpu_s = Math.round((soma.train_cpu_s / anchorRow.train_cpu_s) * 1000) / 1000;
  }
  console.log(JSON.stringify(row));
}

// XGBoost's tree shape and regularisation pinned (soma's defaults are HistGradientBoosting's since
// issue #17), and quantized gradients as the figures in bench/RESULTS.md were measured.
const gbdtParams = {
  n_estimators: 100,
  max_depth: 6,
  learning_rate: 0.1,
  max_bin: 256,
  grow_policy: 'depthwise',
  num_leaves: 0,
  min_samples_leaf: 1,
  min_child_weight: 1,
  reg_lambda: 1,
  quantized_gradients: true,
  ...JSON.parse(opt('--params', '{}')),
};
// Wall seconds, and CPU seconds of this process (all its threads): on a shared, loaded machine the
// CPU figure is the steadier one for single-thread comparisons.
let lastCpu = 0;
const time = async (f) => {
  const c = process.cpuUsage();
  const t = performance.now();
  const r = await f();
  const u = process.cpuUsage(c);
  lastCpu = +((u.user + u.system) / 1e6).toFixed(3);
  return [r, (performance.now() - t) / 1000];
};

if (only.has('binary') || only.has('rf')) {
  const d = frame(readCsv(`${dir}/synth_binary.csv`), 'label');
  const ntr = Math.floor(d.X.rows * 0.8);
  const Xtr = rowsOf(d.X, 0, ntr);
  const Xte = rowsOf(d.X, ntr, d.X.rows);
  const ytr = { task: 'classification', values: d.y.subarray(0, ntr), nClasses: 2 };
  const yte = d.y.subarray(ntr);
  if (only.has('binary')) {
    for (const nt of threads) {
      const [m, fit] = await time(() => new Gbdt({ ...gbdtParams, n_jobs: nt }, 'classification').fit(Xtr, ytr));
      const fitCpu = lastCpu;
      const [p, pt] = await time(() => m.predictProba(d.X));
      const p1 = new Float64Array(d.X.rows - ntr);
      for (let i = 0; i < p1.length; i++) p1[i] = p[2 * (ntr + i) + 1];
      report('gbdt_binary', nt, { train_s: +fit.toFixed(3), train_cpu_s: fitCpu, predict_rows_per_s: Math.round(d.X.rows / pt), auc: +auc(yte, p1).toFixed(4) }, anchor('gbdt_binary', nt), ['train_s', 'predict_rows_per_s', 'auc']);
    }
  }
  if (only.has('rf')) {
    const n = 200_000;
    for (const nt of threads) {
      const [m, fit] = await time(() =>
        new RandomForest('random_forest', randomForestParamsSchema, { n_estimators: 100, max_features: 'sqrt', oob_score: false, n_jobs: nt }, 'classification').fit(rowsOf(Xtr, 0, n), {
          ...ytr,
          values: ytr.values.subarray(0, n),
        }),
      );
      const fitCpu = lastCpu;
      const p = m.predictProba(Xte);
      report('rf_binary_200k', nt, { train_s: +fit.toFixed(3), train_cpu_s: fitCpu, auc: +auc(yte, p.filter((_, i) => i % 2 === 1)).toFixed(4) }, anchor('rf_binary_200k', nt, 'sklearn'), ['train_s', 'auc']);
    }
  }
}

if (only.has('regression')) {
  const d = frame(readCsv(`${dir}/synth_regression.csv`), 'target');
  const ntr = Math.floor(d.X.rows * 0.8);
  const yte = d.y.subarray(ntr);
  for (const nt of threads) {
    const [m, fit] = await time(() => new Gbdt({ ...gbdtParams, n_jobs: nt }, 'regression').fit(rowsOf(d.X, 0, ntr), { task: 'regression', values: d.y.subarray(0, ntr), nClasses: 0 }));
    const fitCpu = lastCpu;
    const pred = m.predict(rowsOf(d.X, ntr, d.X.rows));
    let s = 0;
    for (let i = 0; i < yte.length; i++) s += (yte[i] - pred[i]) ** 2;
    report('gbdt_regression', nt, { train_s: +fit.toFixed(3), train_cpu_s: fitCpu, rmse: +Math.sqrt(s / yte.length).toFixed(4) }, anchor('gbdt_regression', nt), ['train_s', 'rmse']);
  }
}

if (only.has('multiclass')) {
  const raw = readCsv(`${dir}/synth_multiclass.csv`);
  // Class codes in sorted label order, as pandas' category codes in the anchor.
  const labels = [...raw.dicts[raw.names.indexOf('label')].keys()].sort();
  const d = frame(raw, 'label', ['color', 'size', 'city']);
  const remap = [...raw.dicts[raw.names.indexOf('label')].keys()].map((l) => labels.indexOf(l));
  const y = Float64Array.from(d.y, (v) => remap[v]);
  const ntr = Math.floor(d.X.rows * 0.8);
  for (const nt of threads) {
    const [m, fit] = await time(() => new Gbdt({ ...gbdtParams, max_cat_to_onehot: 1, n_jobs: nt }, 'classification').fit(rowsOf(d.X, 0, ntr), { task: 'classification', values: y.subarray(0, ntr), nClasses: labels.length }));
    const fitCpu = lastCpu;
    const pred = m.predict(rowsOf(d.X, ntr, d.X.rows));
    let c = 0;
    for (let i = 0; i < pred.length; i++) if (pred[i] === y[ntr + i]) c++;
    report('gbdt_multiclass_categorical', nt, { train_s: +fit.toFixed(3), train_cpu_s: fitCpu, accuracy: +(c / pred.length).toFixed(4) }, anchor('gbdt_multiclass_categorical', nt), ['train_s', 'accuracy']);
  }
}
