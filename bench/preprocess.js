#!/usr/bin/env node
// Preprocessing benchmark, side by side with scikit-learn (../shared/bench/anchors.py --only
// preprocess): on synth_multiclass (250k rows), median imputation + standard scaling of the 20
// numeric columns and one-hot encoding of the 3 string columns, fit and transform of the whole
// file into the feature matrix, as the anchor's ColumnTransformer.fit_transform (dense output).
// Only the fit+transform is timed on both sides; reading the CSV is not.
//
//   /usr/bin/python3 ../shared/bench/make_data.py bench/data     # once, ~40 s, git-ignored
//   npm run build && node bench/preprocess.js [bench/data] [--no-anchor] [--repeat N]
//
// Prints one JSON line with soma's figure (median of N runs), the anchor's and the ratio
// (soma / anchor time). Not run by CI.

import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { readFrame } from '../dist/data/read.js';
import { closeDuckDB } from '../dist/data/duckdb.js';
import { Pipeline } from '../dist/preprocess/pipeline.js';

const args = process.argv.slice(2);
const dir = args.find((a, i) => !a.startsWith('--') && args[i - 1] !== '--repeat') ?? 'bench/data';
const repeat = args.includes('--repeat') ? Number(args[args.indexOf('--repeat') + 1]) : 5;
const file = path.join(dir, 'synth_multiclass.csv');

const numeric = Array.from({ length: 20 }, (_, i) => `x${i}`);
const steps = [
  { name: 'impute', params: { columns: numeric, strategy: 'median' } },
  { name: 'scale', params: { columns: numeric, method: 'standard' } },
  { name: 'onehot', params: { columns: ['color', 'size', 'city'], handle_unknown: 'ignore' } },
];

const frame = (await readFrame(file)).drop(['label']);
const times = [];
let X;
for (let r = 0; r < repeat; r++) {
  const t = performance.now();
  X = Pipeline.fromConfig(steps, { nativeCategorical: false }).fit(frame).X;
  times.push((performance.now() - t) / 1000);
}
times.sort((a, b) => a - b);
const soma = { system: 'soma', rows: X.rows, out_cols: X.names.length, seconds: Math.round(times[Math.floor(times.length / 2)] * 1000) / 1000, runs: times.map((t) => Math.round(t * 1000) / 1000) };
await closeDuckDB();

let anchor;
if (!args.includes('--no-anchor')) {
  const out = execFileSync('/usr/bin/python3', [path.resolve('../shared/bench/anchors.py'), dir, '--only', 'preprocess'], { encoding: 'utf8' });
  anchor = out.trim().split('\n').map((l) => JSON.parse(l)).find((o) => o.task === 'preprocess_fit_transform');
}
console.log(JSON.stringify({ task: 'preprocess_fit_transform', date: new Date().toISOString(), soma, anchor, ratio: anchor ? Math.round((soma.seconds / anchor.seconds) * 1000) / 1000 : null }));
