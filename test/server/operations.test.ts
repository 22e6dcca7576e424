// What operators rely on, against real servers: the /metrics scrape (linted by Prometheus's own
// `promtool check metrics`), the prediction log (format version 1, errors included, sampled),
// bearer tokens (every route but health; 401 without, 403 wrong), and traffic splits (weighted,
// sticky by X-Soma-Key or the id column, stable across servers) with a shadow version whose
// answers are logged and never returned.

import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeDuckDB } from '../../src/data/duckdb.js';
import type { PredictionLogRecord } from '../../src/monitor/prediction-log.js';
import { defaultServeConfig } from '../../src/server/config.js';
import { bucketOf } from '../../src/server/routing.js';
import type { JsonObject } from '../../src/util/json.js';
import { example, runCli, tempDir } from '../helpers/cli.js';
import { get, penguinsGbdt, post, serve, train, typedRecords, type TestServer } from './helpers.js';

const registry = tempDir('soma-serve-ops-');
const numeric = new Set(['Beak Length (mm)', 'Beak Depth (mm)', 'Flipper Length (mm)', 'Body Mass (g)']);
const rows = typedRecords(example('penguins', 'penguins.csv'), numeric, ['Species']);
const servers: TestServer[] = [];

beforeAll(async () => {
  await train(registry, [penguinsGbdt(3, 20), penguinsGbdt(3, 30), penguinsGbdt(3, 40), example('cars', 'soma.yaml')]);
  for (const [ref, alias] of [
    ['penguins-gbdt@1.0.0', 'production'],
    ['penguins-gbdt@1.1.0', 'staging'],
    ['penguins-gbdt@1.2.0', 'canary'],
  ]) {
    const r = await runCli(['models', 'promote', ref!, '--to', alias!, '--registry', registry]);
    expect(r.code, r.stderr).toBe(0);
  }
}, 180_000);

afterAll(async () => {
  for (const s of servers) await s.close();
  await closeDuckDB();
});

async function start(refs: string[], options: Parameters<typeof serve>[2] = {}): Promise<TestServer> {
  const s = await serve(registry, refs, options);
  servers.push(s);
  return s;
}

function logRecords(model: string, dir = path.join(registry, model, 'serving')): PredictionLogRecord[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .sort()
    .flatMap((f) => readFileSync(path.join(dir, f), 'utf8').trim().split('\n').filter(Boolean))
    .map((l) => JSON.parse(l) as PredictionLogRecord);
}

describe('/metrics', () => {
  it('when scraped after traffic, then promtool accepts it and it counts requests, latency, batches, cache, loads and the process', async () => {
    const s = await start(['penguins-gbdt@production', 'cars-mpg'], { serving: { cacheSize: 10 } });
    for (let i = 0; i < 5; i++) await post(`${s.url}/models/penguins-gbdt/predict`, { records: rows.slice(0, 2) });
    await post(`${s.url}/models/penguins-gbdt/predict`, '{bad');
    await post(`${s.url}/v2/models/nope/infer`, {});
    const scrape = await get(`${s.url}/metrics`);
    expect(scrape.status).toBe(200);
    expect(scrape.headers.get('content-type')).toContain('text/plain');
    const lint = execFileSync('promtool', ['check', 'metrics'], { input: scrape.text, encoding: 'utf8' });
    expect(lint).toBe('');
    const text = scrape.text;
    expect(text).toContain('soma_http_requests_total{model="penguins-gbdt",version="1.0.0",route="soma",status="200"} 5');
    expect(text).toContain('soma_http_requests_total{model="penguins-gbdt",version="",route="soma",status="400"} 1');
    expect(text).toContain('soma_http_requests_total{model="",version="",route="v2",status="404"} 1');
    expect(text).toMatch(/soma_http_request_duration_seconds_bucket\{le="0\.0001",model="penguins-gbdt",version="1\.0\.0",route="soma"\} \d+/);
    expect(text).toMatch(/soma_batch_rows_count\{model="penguins-gbdt",version="1\.0\.0"\} 1\b/);
    expect(text).toMatch(/soma_cache_hits_total\{model="penguins-gbdt",version="1\.0\.0"\} 8/);
    expect(text).toMatch(/soma_model_load_seconds\{model="cars-mpg",version="1\.0\.0"\} [\d.e-]+/);
    expect(text).toContain('soma_served_version_info{model="penguins-gbdt",version="1.0.0",arm="production"} 1');
    expect(text).toMatch(/soma_queue_depth\{model="penguins-gbdt",version="1\.0\.0"\} 0/);
    for (const m of ['process_cpu_seconds_total', 'process_resident_memory_bytes', 'nodejs_eventloop_lag_seconds', 'nodejs_heap_size_used_bytes']) expect(text).toContain(`\n${m}`);
  });
});

describe('the prediction log', () => {
  it('when requests are answered and refused, then each is one format-1 record with inputs, outputs, version, latency, time and key', async () => {
    const s = await start(['cars-mpg'], { serving: { batchSize: 1 } });
    const cars = typedRecords(example('cars', 'cars.csv'), new Set(['Cylinders', 'Displacement', 'Horsepower', 'Weight_in_lbs', 'Acceleration']), ['Miles_per_Gallon']).slice(0, 3);
    const ok = await post(`${s.url}/models/cars-mpg/predict`, { records: cars }, { 'x-soma-key': 'customer-7' });
    expect(ok.status).toBe(200);
    const bad = await post(`${s.url}/v2/models/cars-mpg/infer`, { inputs: [{ name: 'Cylinders', shape: [1], datatype: 'FP64', data: [4] }] });
    expect(bad.status).toBe(422);
    await s.close();
    const records = logRecords('cars-mpg');
    expect(records.length).toBe(2);
    const [first, second] = records as [PredictionLogRecord, PredictionLogRecord];
    expect(first).toMatchObject({ v: 1, model: 'cars-mpg', version: '1.0.0', route: 'soma', arm: null, key: 'customer-7', status: 200, error: null, rows: 3, cached: false });
    expect(first.ids).toEqual(cars.map((c) => c['Name']));
    expect(first.inputs!['Horsepower']).toEqual(cars.map((c) => c['Horsepower']));
    expect(first.inputs!['Year']).toEqual(cars.map((c) => Date.parse(`${String(c['Year'])}T00:00:00Z`)));
    expect(first.outputs!['prediction']).toEqual((ok.json()['predictions'] as JsonObject[]).map((p) => p['prediction']));
    expect(first.latency_ms).toBeGreaterThan(0);
    expect(Date.parse(first.at)).toBeGreaterThan(Date.now() - 60_000);
    expect(second).toMatchObject({ route: 'v2', status: 422, error: 'DATA_MISSING_COLUMN', rows: 0, inputs: null, outputs: null });
    const files = readdirSync(path.join(registry, 'cars-mpg', 'serving'));
    expect(files).toEqual([`predictions-${first.at.slice(0, 10).replace(/-/g, '')}-0000.ndjson`]);
  });

  it('when log_sample is 0 or --log-dir is given, then nothing is written, or it is written there', async () => {
    const logDir = tempDir('soma-serve-logdir-');
    const s = await start(['penguins-gbdt@canary'], { config: { ...defaultServeConfig(), logDir } });
    await post(`${s.url}/models/penguins-gbdt/predict`, { records: rows.slice(0, 1) });
    const quiet = await start(['cars-mpg'], { serving: { logSample: 0 } });
    const before = logRecords('cars-mpg').length;
    await post(`${quiet.url}/models/cars-mpg/predict`, { records: [] });
    await s.close();
    await quiet.close();
    expect(logRecords('penguins-gbdt', path.join(logDir, 'penguins-gbdt')).map((r) => r.arm)).toEqual([null]);
    expect(logRecords('cars-mpg').length).toBe(before);
  });
});

describe('access control', () => {
  it('when a token is set, then every route but health needs it: 401 without, 403 wrong, 200 right', async () => {
    const s = await start(['penguins-gbdt@production'], { config: { ...defaultServeConfig(), token: 's3cret' } });
    const body = { records: rows.slice(0, 1) };
    const none = await post(`${s.url}/models/penguins-gbdt/predict`, body);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toContain('Bearer');
    expect((await post(`${s.url}/models/penguins-gbdt/predict`, body, { authorization: 'Bearer nope' })).status).toBe(403);
    expect((await post(`${s.url}/models/penguins-gbdt/predict`, body, { authorization: 'Bearer s3cret' })).status).toBe(200);
    for (const p of ['/metrics', '/models', '/', '/v2/models/penguins-gbdt']) expect((await get(`${s.url}${p}`)).status, p).toBe(401);
    expect((await post(`${s.url}/admin/reload`, '')).status).toBe(401);
    expect((await post(`${s.url}/admin/reload`, '', { authorization: 'Bearer s3cret' })).status).toBe(200);
    expect((await post(`${s.url}/invocations`, { dataframe_records: rows.slice(0, 1) })).status).toBe(401);
    for (const p of ['/v2/health/live', '/v2/health/ready', '/ping', '/health', '/v2/models/penguins-gbdt/ready']) expect((await get(`${s.url}${p}`)).status, p).toBe(200);
  });
});

describe('traffic splits and shadows', () => {
  it('when production=70,staging=30 splits traffic, then keys stick to one arm in every server, the shares follow the weights, and the canary shadow is logged only', async () => {
    const splits = new Map([['penguins-gbdt', [{ arm: 'production', weight: 70 }, { arm: 'staging', weight: 30 }]]]);
    const config = { ...defaultServeConfig(), models: { 'penguins-gbdt': { shadow: ['canary'] } } };
    const a = await start(['penguins-gbdt@production'], { splits, config });
    const b = await start(['penguins-gbdt@production'], { splits, config });
    const arms = new Map<string, string>();
    let staging = 0;
    for (let k = 0; k < 200; k++) {
      const key = `user-${k}`;
      const r = await post(`${a.url}/models/penguins-gbdt/predict`, { records: rows.slice(k % 50, (k % 50) + 1) }, { 'x-soma-key': key });
      expect(r.status).toBe(200);
      const arm = r.json()['arm'] as string;
      expect(r.headers.get('x-soma-arm')).toBe(arm);
      expect(r.json()['version']).toBe(arm === 'production' ? '1.0.0' : '1.1.0');
      arms.set(key, arm);
      if (arm === 'staging') staging++;
      // The bucket decides: the first 70% of buckets are production's.
      expect(arm).toBe(bucketOf('penguins-gbdt', key) < 7000 ? 'production' : 'staging');
    }
    expect(staging).toBeGreaterThan(30);
    expect(staging).toBeLessThan(90);
    for (let k = 0; k < 40; k++) {
      const again = await post(`${b.url}/models/penguins-gbdt/predict`, { records: rows.slice(0, 1) }, { 'x-soma-key': `user-${k}` });
      expect(again.json()['arm']).toBe(arms.get(`user-${k}`));
    }
    const pinned = await post(`${a.url}/models/penguins-gbdt/versions/canary/predict`, { records: rows.slice(0, 1) });
    expect(pinned.json()).toMatchObject({ version: '1.2.0', arm: 'canary' });
    await a.close();
    await b.close();
    const shadow = logRecords('penguins-gbdt').filter((r) => r.arm === 'shadow:canary');
    expect(shadow.length).toBeGreaterThanOrEqual(240);
    expect(shadow.every((r) => r.version === '1.2.0' && r.status === 200)).toBe(true);
    const answered = logRecords('penguins-gbdt').filter((r) => r.arm === 'production' || r.arm === 'staging');
    expect(answered.length).toBeGreaterThanOrEqual(240);
  });

  it('when a cars request has no X-Soma-Key, then the id column\'s first value is the key', async () => {
    const s = await start(['cars-mpg'], { splits: new Map([['cars-mpg', [{ arm: '1.0.0', weight: 1 }, { arm: 'latest', weight: 1 }]]]) });
    const cars = typedRecords(example('cars', 'cars.csv'), new Set(['Cylinders', 'Displacement', 'Horsepower', 'Weight_in_lbs', 'Acceleration']), ['Miles_per_Gallon']);
    for (const c of cars.slice(0, 10)) {
      const r = await post(`${s.url}/models/cars-mpg/predict`, { records: [c] });
      expect(r.json()['arm']).toBe(bucketOf('cars-mpg', String(c['Name'])) < 5000 ? '1.0.0' : 'latest');
    }
  });
});
