#!/usr/bin/env node
// Batch-prediction benchmark (issue 8), side by side with its anchor. Not run by CI.
//
// 1. flights: vega-datasets' flights-3m.parquet (3M real rows). DuckDB derives month, weekday,
//    hour, distance, origin, destination (and `delayed` = delay > 15 for a 200k-row random
//    training sample); a 100-tree gbdt (bench/predict.flights.yaml) is trained on the sample; then
//    `soma predict` runs over the 300k-row prefix and over all 3M rows to Parquet (and, for
//    comparison, to CSV), each under /usr/bin/time -v for wall time and peak RSS.
// 2. anchor: `anchors.py --only predict` (pandas read_csv + XGBoost predict_proba + to_csv of the
//    1M-row synth_binary.csv, 100 trees depth 6 trained on 200k rows) against `soma predict` of a
//    soma gbdt of the same shape (bench/predict.synth.yaml, first 200k rows) over the same file to CSV.
//
//   /usr/bin/python3 ../shared/bench/make_data.py bench/data     # once, git-ignored
//   npx tsc -p . && node bench/predict.js [bench/data] [--workers N] [--only flights,anchor] [--no-anchor]
//
// Prints one JSON line per measurement; models and outputs go to bench/out/ (git-ignored).

import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const opt = (name, def) => (args.includes(name) ? args[args.indexOf(name) + 1] : def);
const dataDir = path.resolve(args.find((a, i) => !a.startsWith('--') && !args[i - 1]?.startsWith('--')) ?? path.join(repo, 'bench/data'));
const only = new Set(opt('--only', 'flights,anchor').split(','));
const workers = opt('--workers', undefined);
const outDir = path.join(repo, 'bench/out');
const registry = path.join(outDir, 'registry');
const soma = path.join(repo, 'bin/soma.js');
const flights = path.join(repo, 'node_modules/vega-datasets/data/flights-3m.parquet');

const emit = (o) => console.log(JSON.stringify(o));
const q = (s) => `'${s.replaceAll("'", "''")}'`;

/** Derives the benchmark's inputs with DuckDB (skipped when they exist). */
async function prepare() {
  mkdirSync(dataDir, { recursive: true });
  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  // Date parts as numbers; the model sees no date column, so every file has the same features.
  const features = `SELECT month(date)::DOUBLE AS month, isodow(date)::DOUBLE AS weekday, hour(date)::DOUBLE AS hour,
                           distance::DOUBLE AS distance, origin, destination`;
  const jobs = [
    ['flights-features.parquet', `COPY (${features} FROM read_parquet(${q(flights)})) TO %OUT (FORMAT parquet)`],
    ['flights-300k.parquet', `COPY (${features} FROM read_parquet(${q(flights)}) LIMIT 300000) TO %OUT (FORMAT parquet)`],
    [
      'flights-train.parquet',
      `COPY (${features}, CASE WHEN delay > 15 THEN 'late' ELSE 'on_time' END AS delayed
             FROM read_parquet(${q(flights)}) USING SAMPLE reservoir(200000 ROWS) REPEATABLE (42)) TO %OUT (FORMAT parquet)`,
    ],
    ['synth_binary_200k.csv', `COPY (SELECT * FROM read_csv(${q(path.join(dataDir, 'synth_binary.csv'))}) LIMIT 200000) TO %OUT (FORMAT csv, HEADER)`],
  ];
  for (const [file, sql] of jobs) {
    const out = path.join(dataDir, file);
    if (!existsSync(out)) await c.run(sql.replace('%OUT', q(out)));
  }
  c.closeSync?.();
}

function train(config) {
  const r = spawnSync('node', [soma, 'train', '-c', config, '--registry', registry, '--json'], { cwd: repo, encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`soma train -c ${config} failed (${r.status}):\n${r.stderr}`);
  const t = JSON.parse(r.stdout);
  return { ref: `${t.name}@${t.version}`, fit_s: t.timings.fit_s, metrics: t.metrics.test };
}

/** `soma predict` under /usr/bin/time -v: soma's own summary plus wall time and peak RSS. */
function predict(ref, input, output) {
  rmSync(output, { force: true });
  const cmd = ['node', soma, 'predict', ref, '--input', input, '--output', output, '--registry', registry, '--json', ...(workers ? ['--workers', workers] : [])];
  const r = spawnSync('/usr/bin/time', ['-v', ...cmd], { cwd: repo, encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`soma predict failed (${r.status}):\n${r.stderr}`);
  const summary = JSON.parse(r.stdout);
  const rssKb = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr)?.[1]);
  const wall = /Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (?:(\d+):)?(\d+):([\d.]+)/.exec(r.stderr);
  const wallS = wall ? Number(wall[1] ?? 0) * 3600 + Number(wall[2]) * 60 + Number(wall[3]) : NaN;
  return { ...summary, wall_s: Math.round(wallS * 100) / 100, peak_rss_mb: Math.round(rssKb / 1024) };
}

await prepare();
mkdirSync(outDir, { recursive: true });
const base = { date: new Date().toISOString().slice(0, 10), node: process.version };

if (only.has('flights')) {
  const model = train(path.join(repo, 'bench/predict.flights.yaml'));
  emit({ ...base, task: 'flights_train', system: 'soma', ref: model.ref, train_rows: 200000, fit_s: model.fit_s, test: model.metrics });
  const small = predict(model.ref, path.join(dataDir, 'flights-300k.parquet'), path.join(outDir, 'flights-300k-pred.parquet'));
  const full = predict(model.ref, path.join(dataDir, 'flights-features.parquet'), path.join(outDir, 'flights-3m-pred.parquet'));
  for (const [label, r] of [['300k', small], ['3m', full]]) {
    emit({ ...base, task: `flights_predict_${label}_parquet`, system: 'soma', workers: r.workers, rows: r.rows, seconds: r.seconds, wall_s: r.wall_s, rows_per_s: r.rows_per_s, peak_rss_mb: r.peak_rss_mb });
  }
  emit({ ...base, task: 'flights_predict_memory', output: 'parquet', rss_3m_over_300k: Math.round((full.peak_rss_mb / small.peak_rss_mb) * 100) / 100, limit: 1.25 });
  // The same to CSV, which has no merge step at close: separates the streaming loop's memory
  // from the Parquet writer's final merge of its part files.
  const smallCsv = predict(model.ref, path.join(dataDir, 'flights-300k.parquet'), path.join(outDir, 'flights-300k-pred.csv'));
  const fullCsv = predict(model.ref, path.join(dataDir, 'flights-features.parquet'), path.join(outDir, 'flights-3m-pred.csv'));
  for (const [label, r] of [['300k', smallCsv], ['3m', fullCsv]]) {
    emit({ ...base, task: `flights_predict_${label}_csv`, system: 'soma', workers: r.workers, rows: r.rows, seconds: r.seconds, wall_s: r.wall_s, rows_per_s: r.rows_per_s, peak_rss_mb: r.peak_rss_mb });
  }
  emit({ ...base, task: 'flights_predict_memory', output: 'csv', rss_3m_over_300k: Math.round((fullCsv.peak_rss_mb / smallCsv.peak_rss_mb) * 100) / 100, limit: 1.25 });
}

if (only.has('anchor')) {
  const model = train(path.join(repo, 'bench/predict.synth.yaml'));
  emit({ ...base, task: 'synth_train', system: 'soma', ref: model.ref, train_rows: 200000, fit_s: model.fit_s, test: model.metrics });
  const r = predict(model.ref, path.join(dataDir, 'synth_binary.csv'), path.join(outDir, 'synth-pred.csv'));
  let anchor;
  if (!args.includes('--no-anchor')) {
    const lines = execFileSync('/usr/bin/python3', [path.join(repo, '../shared/bench/anchors.py'), dataDir, '--only', 'predict'], { encoding: 'utf8', maxBuffer: 1 << 26 });
    anchor = lines.trim().split('\n').map((l) => JSON.parse(l)).find((o) => o.task === 'batch_predict_csv');
  }
  emit({
    ...base,
    task: 'batch_predict_csv_1m',
    system: 'soma',
    workers: r.workers,
    rows: r.rows,
    seconds: r.seconds,
    wall_s: r.wall_s,
    rows_per_s: r.rows_per_s,
    peak_rss_mb: r.peak_rss_mb,
    ...(anchor ? { anchor: anchor.system, anchor_seconds: anchor.seconds, ratio_soma_over_anchor: Math.round((r.wall_s / anchor.seconds) * 100) / 100 } : {}),
  });
}
