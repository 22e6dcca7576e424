#!/usr/bin/env node
// Online serving benchmark (issue 18), soma beside its anchor. Not run by CI.
//
// Data: synth_binary.csv (../shared/bench/make_data.py); both systems train a 100-tree depth-6
// boosted model on its first --train-rows rows (soma: bench/predict.synth.yaml's shape; the
// anchor: XGBoost hist in ../shared/bench/serve_anchor.py) and serve it; single-row MLflow
// `dataframe_split` bodies (serve_load.py --make-body) are posted to /invocations by
// ../shared/bench/serve_load.py (wrk, closed loop, keep-alive). The systems take turns, never
// serving at once. Figures (one JSON line each):
//   load             soma and the anchor at 1, 16 and 64 connections: requests/s, p50/p99 (client side)
//   server_p50       soma at 1 connection, server side: the p50 of the prediction log's latency_ms
//   batching         soma at 64 connections with micro-batching on (batch_size 32) and off (batch_size 1)
//   promote          an open-loop load at --rate requests/s during which production is promoted to
//                    another version: failed requests, p99 before and after the promotion
//   memory           resident memory of a server holding 1 and 3 versions (a split over three), per
//                    extra version, against the versions' artifact bytes
//   ratio            soma / anchor throughput at 16 connections (target >= 20), and batching on / off
//
//   /usr/bin/python3 ../shared/bench/make_data.py bench/data          # once (bench/data is git-ignored)
//   npm run build && node bench/serve.js [bench/data] [--seconds 10] [--train-rows 200000] [--rate 1000]
//       [--only load,batching,promote,memory] [--no-anchor] [--shared DIR (default ../shared/bench)]
// A quick end-to-end check on small settings: node bench/serve.js bench/data --seconds 1 --train-rows 5000 --rate 200
// Needs Debian's wrk, python3-xgboost, python3-pandas, python3-fastapi, python3-uvicorn.

import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const opt = (name, def) => (args.includes(name) ? args[args.indexOf(name) + 1] : def);
const dataDir = path.resolve(args.find((a, i) => !a.startsWith('--') && !args[i - 1]?.startsWith('--')) ?? path.join(repo, 'bench/data'));
const seconds = Number(opt('--seconds', '10'));
const trainRows = Number(opt('--train-rows', '200000'));
const rate = Number(opt('--rate', '1000'));
const only = new Set(opt('--only', 'load,batching,promote,memory').split(','));
const withAnchor = !args.includes('--no-anchor');
const outDir = path.join(repo, 'bench/out/serve');
const registry = path.join(outDir, 'registry');
const soma = path.join(repo, 'bin/soma.js');
const shared = path.resolve(opt('--shared', path.join(repo, '../shared/bench')));
const py = '/usr/bin/python3';
const base = { date: new Date().toISOString().slice(0, 10), node: process.version };
const emit = (o) => console.log(JSON.stringify({ ...base, ...o }));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function run(cmd, argv, options = {}) {
  const r = spawnSync(cmd, argv, { cwd: repo, encoding: 'utf8', maxBuffer: 1 << 26, ...options });
  if (r.status !== 0) throw new Error(`${cmd} ${argv.join(' ')} failed (${r.status}):\n${r.stderr}`);
  return r.stdout;
}

/** The training file (the first --train-rows rows) and the request body (one row, no label). */
function prepare() {
  const full = path.join(dataDir, 'synth_binary.csv');
  if (!existsSync(full)) throw new Error(`${full} is missing: run ${py} ../shared/bench/make_data.py ${dataDir}`);
  mkdirSync(outDir, { recursive: true });
  const trainCsv = path.join(outDir, `synth_binary_${trainRows}.csv`);
  if (!existsSync(trainCsv)) {
    // Line by line, without loading the whole million-row file.
    const text = readFileSync(full, 'utf8');
    let end = 0;
    for (let i = 0; i <= trainRows && end >= 0; i++) end = text.indexOf('\n', end + 1);
    writeFileSync(trainCsv, end < 0 ? text : text.slice(0, end + 1));
  }
  const body = path.join(outDir, 'body-1row.json');
  run(py, [path.join(shared, 'serve_load.py'), '--make-body', full, '--rows', '1', '--format', 'dataframe_split', '--target', 'label', '--body', body]);
  return { trainCsv, body };
}

/** Three versions of the same shape (seeds 42, 43, 44), production on the first, staging on the second. */
function train(trainCsv) {
  rmSync(registry, { recursive: true, force: true });
  const config = path.join(outDir, 'serve.synth.yaml');
  writeFileSync(
    config,
    ['name: bench-synth', 'task: classification', 'seed: 42', 'data:', `  source: ${trainCsv}`, '  target: label', '  types: {label: categorical}', 'model:', '  type: gbdt', '  params: {n_estimators: 100, max_depth: 6, learning_rate: 0.1}', 'evaluate:', '  metrics: [accuracy, roc_auc]'].join('\n'),
  );
  for (const [i, version] of ['1.0.0', '1.0.1', '1.0.2'].entries()) {
    run('node', [soma, 'train', '-c', config, '--registry', registry, '--set', `seed=${42 + i}`, '--version', version, '--json']);
  }
  run('node', [soma, 'models', 'promote', 'bench-synth@1.0.0', '--to', 'production', '--registry', registry]);
  run('node', [soma, 'models', 'promote', 'bench-synth@1.0.1', '--to', 'staging', '--registry', registry]);
}

/** Starts `soma serve` and resolves with its ready document and a stop function. */
async function startSoma(extra) {
  const logDir = path.join(outDir, `log-${Date.now()}`);
  const p = spawn('node', [soma, 'serve', 'bench-synth@production', '--registry', registry, '--port', '0', '--json', '--log-dir', logDir, ...extra], { cwd: repo, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  const ready = await new Promise((resolve, reject) => {
    p.stdout.on('data', (d) => {
      out += d;
      try {
        resolve(JSON.parse(out));
      } catch {
        /* not complete yet */
      }
    });
    p.on('exit', (code) => reject(new Error(`soma serve exited ${code} before it was ready`)));
  });
  const stop = async () => {
    p.kill('SIGTERM');
    await new Promise((r) => p.once('exit', r));
  };
  return { url: ready.url, pid: ready.pid, logDir, stop };
}

async function startAnchor(trainCsv) {
  const port = 18089;
  const p = spawn(py, [path.join(shared, 'serve_anchor.py'), '--data', trainCsv, '--target', 'label', '--port', String(port), '--trees', '100', '--depth', '6'], { cwd: repo, stdio: ['ignore', 'pipe', 'inherit'] });
  const ready = await new Promise((resolve, reject) => {
    let out = '';
    p.stdout.on('data', (d) => {
      out += d;
      const line = out.split('\n').find((l) => l.includes('"ready"'));
      if (line) resolve(JSON.parse(line));
    });
    p.on('exit', (code) => reject(new Error(`serve_anchor.py exited ${code} before it was ready`)));
  });
  const stop = async () => {
    process.kill(ready.pid, 'SIGTERM');
    await new Promise((r) => p.once('exit', r));
  };
  return { url: `http://127.0.0.1:${port}`, ready, stop };
}

/** serve_load.py at the given connection counts: one parsed line per count. */
function load(url, body, connections) {
  const out = run(py, [path.join(shared, 'serve_load.py'), `${url}/invocations`, '--body', body, '--connections', connections.join(','), '--seconds', String(seconds)]);
  return out.trim().split('\n').map((l) => JSON.parse(l));
}

const pick = (r) => ({ connections: r.connections, requests_per_s: r.requests_per_s, p50_ms: r.p50_ms, p99_ms: r.p99_ms, non_2xx: r.non_2xx, errors: r.errors });

/** latency_ms of every record the server logged, sorted. */
function loggedLatencies(logDir) {
  const dir = path.join(logDir, 'bench-synth');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .sort()
    .flatMap((f) => readFileSync(path.join(dir, f), 'utf8').split('\n').filter(Boolean))
    .map((l) => JSON.parse(l).latency_ms)
    .sort((a, b) => a - b);
}

const quantile = (sorted, q) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] : null);
const round = (x, d = 3) => (x === null ? null : Math.round(x * 10 ** d) / 10 ** d);

/** An open-loop load: `perSecond` POSTs a second for `ms`, each timed; `during(at)` runs at the midpoint. */
async function openLoop(url, bodyText, perSecond, ms, during) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const u = new URL(`${url}/invocations`);
  const results = [];
  const send = () =>
    new Promise((resolve) => {
      const t0 = performance.now();
      const req = http.request({ host: u.hostname, port: u.port, path: u.pathname, method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(bodyText) } }, (res) => {
        let version = res.headers['x-soma-model-version'];
        res.resume();
        res.on('end', () => resolve({ t0, ms: performance.now() - t0, status: res.statusCode, version }));
      });
      req.on('error', () => resolve({ t0, ms: performance.now() - t0, status: 0 }));
      req.end(bodyText);
    });
  const start = performance.now();
  const pending = [];
  let midpoint = null;
  for (let i = 0; ; i++) {
    const due = start + (i * 1000) / perSecond;
    if (due - start > ms) break;
    const wait = due - performance.now();
    if (wait > 1) await sleep(wait);
    if (midpoint === null && due - start >= ms / 2) {
      midpoint = performance.now();
      pending.push(during());
    }
    pending.push(send().then((r) => results.push(r)));
  }
  await Promise.all(pending);
  agent.destroy();
  return { results, midpoint };
}

async function rssOf(url) {
  const text = await (await fetch(`${url}/metrics`)).text();
  return Number(/\nprocess_resident_memory_bytes (\d+)/.exec(text)[1]);
}

const { trainCsv, body } = prepare();
train(trainCsv);
const bodyText = readFileSync(body, 'utf8');

if (only.has('load')) {
  const s = await startSoma([]);
  const lines = load(s.url, body, [1, 16, 64]);
  await s.stop();
  for (const l of lines) emit({ task: 'serve_load', system: 'soma', ...pick(l) });
  // Server side at 1 connection: its own log's latencies for a separate 1-connection run.
  const one = await startSoma([]);
  load(one.url, body, [1]);
  await one.stop();
  const lat = loggedLatencies(one.logDir);
  emit({ task: 'serve_server_p50', system: 'soma', connections: 1, requests: lat.length, p50_ms: round(quantile(lat, 0.5)), p99_ms: round(quantile(lat, 0.99)), limit_ms: 1 });
  if (withAnchor) {
    const a = await startAnchor(trainCsv);
    const anchor = load(a.url, body, [1, 16, 64]);
    await a.stop();
    for (const l of anchor) emit({ task: 'serve_load', system: a.ready.system, ...pick(l) });
    const at16 = (xs) => xs.find((x) => x.connections === 16).requests_per_s;
    emit({ task: 'serve_ratio', connections: 16, soma_over_anchor: round(at16(lines) / at16(anchor), 2), target: 20, soma_p99_ms: lines.find((x) => x.connections === 16).p99_ms, p99_limit_ms: 5 });
  }
}

if (only.has('batching')) {
  const on = await startSoma(['--batch-size', '32', '--max-latency-ms', '2']);
  const [withBatching] = load(on.url, body, [64]);
  await on.stop();
  const off = await startSoma(['--batch-size', '1']);
  const [without] = load(off.url, body, [64]);
  await off.stop();
  emit({ task: 'serve_batching', system: 'soma', batching: true, ...pick(withBatching), max_latency_ms: 2 });
  emit({ task: 'serve_batching', system: 'soma', batching: false, ...pick(without) });
  emit({ task: 'serve_batching_ratio', on_over_off: round(withBatching.requests_per_s / without.requests_per_s, 2), target: 3, p99_limit_ms: 2 + 5 });
}

if (only.has('promote')) {
  const s = await startSoma([]);
  await fetch(`${s.url}/invocations`, { method: 'POST', body: bodyText, headers: { 'content-type': 'application/json' } });
  const ms = Math.max(2000, seconds * 1000);
  // The promotion runs as its own process, so the load never pauses for it.
  const { results, midpoint } = await openLoop(s.url, bodyText, rate, ms, () => new Promise((resolve) => spawn('node', [soma, 'models', 'promote', 'bench-synth@1.0.1', '--to', 'production', '--registry', registry], { stdio: 'ignore' }).on('exit', resolve)));
  await s.stop();
  run('node', [soma, 'models', 'promote', 'bench-synth@1.0.0', '--to', 'production', '--registry', registry]);
  const ok = (r) => r.status === 200;
  const before = results.filter((r) => r.t0 < midpoint && ok(r)).map((r) => r.ms).sort((a, b) => a - b);
  const after = results.filter((r) => r.t0 >= midpoint && ok(r)).map((r) => r.ms).sort((a, b) => a - b);
  const versions = {};
  for (const r of results) versions[r.version ?? '-'] = (versions[r.version ?? '-'] ?? 0) + 1;
  emit({
    task: 'serve_promote',
    system: 'soma',
    rate_per_s: rate,
    requests: results.length,
    achieved_per_s: round(results.length / (ms / 1000), 1),
    failed: results.filter((r) => !ok(r)).length,
    versions,
    p99_before_ms: round(quantile(before, 0.99)),
    p99_after_ms: round(quantile(after, 0.99)),
    p99_ratio: round(quantile(after, 0.99) / quantile(before, 0.99), 2),
    limit_ratio: 2,
  });
}

if (only.has('memory')) {
  const artifactBytes = JSON.parse(readFileSync(path.join(registry, 'bench-synth/versions/1.0.0/metadata.json'), 'utf8')).artifacts.reduce((a, x) => a + x.bytes, 0);
  const measure = async (extra) => {
    const s = await startSoma(extra);
    // Every arm answers once (keys spread over the buckets), then settle and read the RSS.
    for (let i = 0; i < 60; i++) await fetch(`${s.url}/invocations`, { method: 'POST', body: bodyText, headers: { 'content-type': 'application/json', 'x-soma-key': `k${i}` } });
    await sleep(500);
    const rss = await rssOf(s.url);
    await s.stop();
    return rss;
  };
  const one = await measure([]);
  const three = await measure(['--split', 'production=1,staging=1,1.0.2=1']);
  const perVersion = (three - one) / 2;
  emit({ task: 'serve_memory', system: 'soma', rss_1_version_mb: round(one / 2 ** 20, 1), rss_3_versions_mb: round(three / 2 ** 20, 1), per_version_mb: round(perVersion / 2 ** 20, 2), artifact_mb: round(artifactBytes / 2 ** 20, 2), limit_mb: round(artifactBytes / 2 ** 20 + 10, 2) });
}
