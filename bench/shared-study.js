#!/usr/bin/env node
// Benchmark of a shared study (issue #23): the same seeded 40-trial Bayesian study on penguins
// (gbdt, 3-fold CV) run three ways, each a real `soma tune` process:
//   local      the journal (no server): the baseline for the storage's overhead
//   shared-1   one process on a PostgreSQL study
//   shared-2   two processes on one PostgreSQL study at once
// Reports the wall times, the 1-vs-2 ratio, the storage's overhead per trial ((shared-1 - local)
// / trials; target under 20 ms) and whether all three found the same best trial.
//
// Usage: node bench/shared-study.js [--trials 40] [--estimators 100] [--storage postgresql://...]
// Without --storage (or $SOMA_TEST_PG_URL) it starts a throwaway server with
// scripts/test-services.sh and stops it at the end. Needs a build (npx tsc -p .). Prints one JSON
// object, and a Markdown table on stderr for bench/RESULTS.md.

import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

const root = fileURLToPath(new URL('..', import.meta.url));
const arg = (name, def) => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : def);
const trials = Number(arg('--trials', 40));
const estimators = Number(arg('--estimators', 100));

const work = mkdtempSync(path.join(tmpdir(), 'soma-bench-shared-'));
let services;
let server = arg('--storage', process.env.SOMA_TEST_PG_URL);
if (!server) {
  services = path.join(work, 'services');
  const out = execFileSync(path.join(root, 'scripts', 'test-services.sh'), ['start', services], { encoding: 'utf8' });
  server = /SOMA_TEST_PG_URL='([^']+)'/.exec(out)[1];
}

// A database of its own, so the study names never meet earlier runs'.
const dbName = `soma_bench_${process.pid}`;
async function admin(sql) {
  const c = new pg.Client({ connectionString: server });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}
await admin(`CREATE DATABASE ${dbName}`);
const u = new URL(server);
u.pathname = `/${dbName}`;
const db = u.toString();

const cfg = path.join(work, 'soma.yaml');
writeFileSync(
  cfg,
  `name: bench-shared
seed: 7
data:
  source: ${path.join(root, 'examples', 'penguins', 'penguins.csv')}
  target: Species
preprocess:
  - impute: {columns: numeric, strategy: median}
model:
  type: gbdt
  params: {n_estimators: ${estimators}}
search:
  method: bayesian
  trials: ${trials}
  metric: log_loss
  cv: {folds: 3}
  space:
    max_depth: {int: [2, 6]}
    learning_rate: {loguniform: [0.01, 0.5]}
    subsample: {uniform: [0.5, 1.0]}
`,
);

function tune(study, storage) {
  return new Promise((resolve, reject) => {
    const args = [path.join(root, 'bin', 'soma.js'), 'tune', '-c', cfg, '--runs-dir', path.join(work, 'runs'), '--study', study, '--json', ...(storage ? ['--storage', storage] : [])];
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(stdout)) : reject(new Error(`soma tune exited ${code}: ${stderr}`))));
  });
}

async function timed(fn) {
  const t0 = performance.now();
  const out = await fn();
  return { seconds: (performance.now() - t0) / 1000, out };
}

/**
 * The storage's own cost per trial, without training or process start-up: claim + finish of
 * `trials` trials through PostgresStorage in this process, one after the other.
 */
async function storageRoundTrips() {
  const { PostgresStorage } = await import('../dist/search/storage-pg.js');
  const header = { study: 'roundtrips', fingerprint: 'bench', method: 'random', metric: 'loss', direction: 'minimize', seed: 1 };
  const s = await PostgresStorage.open({ url: db, model: 'bench', header, resume: false, heartbeatTimeoutS: 60, connections: 2 });
  try {
    const n = Math.max(trials, 40);
    const t0 = performance.now();
    for (let k = 0; k < n; k++) {
      const params = { x: k / n };
      const c = await s.claim({ trial: k, rung: 0, params });
      await s.finish({ trial: k, rung: 0, params, state: 'complete', score: k }, c.token);
    }
    return (performance.now() - t0) / n;
  } finally {
    await s.close();
  }
}

try {
  const roundTripMs = await storageRoundTrips();
  const local = await timed(() => tune('local'));
  const one = await timed(() => tune('one', db));
  const two = await timed(() => Promise.all([tune('two', db), tune('two', db)]));
  const best = (j) => JSON.stringify([j.best.number, j.best.params, j.best.score]);
  if (process.env.BENCH_DEBUG) for (const j of [local.out, one.out, ...two.out]) process.stderr.write(`${best(j)} ${JSON.stringify(j.trials.map((t) => [t.number, t.score]))}\n`);
  const result = {
    bench: 'shared-study',
    trials,
    estimators,
    local_s: +local.seconds.toFixed(3),
    shared_1_s: +one.seconds.toFixed(3),
    shared_2_s: +two.seconds.toFixed(3),
    ratio_2_over_1: +(two.seconds / one.seconds).toFixed(3),
    /** (shared-1 - local) / trials: includes the noise of process start-up and of the machine. */
    overhead_ms_per_trial: +(((one.seconds - local.seconds) * 1000) / trials).toFixed(1),
    /** claim + finish through the storage, measured alone. */
    storage_ms_per_trial: +roundTripMs.toFixed(2),
    same_best: best(local.out) === best(one.out) && best(one.out) === best(two.out[0]) && best(one.out) === best(two.out[1]),
    best_trial: one.out.best.number,
    trials_run_by_each_of_two: two.out.map((j) => trials - j.replayed),
  };
  console.log(JSON.stringify(result));
  process.stderr.write(
    `| run | seconds |\n|---|---|\n| local journal, 1 process | ${result.local_s} |\n| PostgreSQL, 1 process | ${result.shared_1_s} |\n| PostgreSQL, 2 processes | ${result.shared_2_s} |\n\n` +
      `2 / 1 processes: ${result.ratio_2_over_1}; storage overhead ${result.overhead_ms_per_trial} ms per trial from the wall times, ${result.storage_ms_per_trial} ms per claim + finish alone; same best trial in all: ${result.same_best} (trial ${result.best_trial}); trials run by each of the two: ${result.trials_run_by_each_of_two.join(' + ')}\n`,
  );
} finally {
  await admin(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`).catch(() => {});
  if (services) execFileSync(path.join(root, 'scripts', 'test-services.sh'), ['stop', services]);
  rmSync(work, { recursive: true, force: true });
}
