// Hot swaps and the cache against a real server and real registry operations: `soma models
// promote` and `rollback` while concurrent HTTP clients keep predicting; no request fails and
// every answer is exactly what the version named in its X-Soma-Model-Version header predicts (no
// answer from a half-loaded model, none from the other version). POST /admin/reload; the cache
// answers repeated rows (across protocols, counted as hits) and never across versions.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeDuckDB } from '../../src/data/duckdb.js';
import { loadModel } from '../../src/pipeline/loaded-model.js';
import { predictRecords } from '../../src/pipeline/predict-records.js';
import type { JsonObject } from '../../src/util/json.js';
import { example, runCli, tempDir } from '../helpers/cli.js';
import { get, penguinsGbdt, post, serve, train, typedRecords, type TestServer } from './helpers.js';

const registry = tempDir('soma-serve-swap-');
const numeric = new Set(['Beak Length (mm)', 'Beak Depth (mm)', 'Flipper Length (mm)', 'Body Mass (g)']);
const rows = typedRecords(example('penguins', 'penguins.csv'), numeric, ['Species']);
/** What each version answers for request i (rows i..i+2), as JSON text of the predictions. */
const expected = new Map<string, string[]>();
let srv: TestServer;

const requestRows = (i: number): JsonObject[] => rows.slice(i % 300, (i % 300) + 3);

beforeAll(async () => {
  await train(registry, [penguinsGbdt(3, 20), penguinsGbdt(3, 60)]);
  for (const v of ['1.0.0', '1.1.0']) {
    const model = await loadModel(registry, `penguins-gbdt@${v}`);
    const answers: string[] = [];
    for (let i = 0; i < 300; i++) {
      const f = predictRecords(model, requestRows(i));
      const out = Array.from({ length: f.rows }, (_, r) => Object.fromEntries(f.columns.map((c) => [c.name, c.type === 'categorical' ? c.dictionary[c.codes[r]!]! : (c as { values: Float64Array }).values[r]!])));
      answers.push(JSON.stringify(out));
    }
    expected.set(v, answers);
  }
  expect(expected.get('1.0.0')).not.toEqual(expected.get('1.1.0'));
  const r = await runCli(['models', 'promote', 'penguins-gbdt@1.0.0', '--to', 'production', '--registry', registry]);
  expect(r.code, r.stderr).toBe(0);
  srv = await serve(registry, ['penguins-gbdt@production'], { serving: { cacheSize: 1000 } });
}, 120_000);

afterAll(async () => {
  await srv?.close();
  await closeDuckDB();
});

describe('hot swaps', () => {
  it('when production is promoted and rolled back under concurrent load, then no request fails and every answer is its version\'s own', async () => {
    let stop = false;
    let sent = 0;
    const failures: string[] = [];
    const seen = new Map<string, number>();
    const client = async (c: number): Promise<void> => {
      for (let i = c; !stop; i += 8) {
        const k = i % 300;
        // Distinct rows per request (no cache hits), some repeated later (cache hits).
        const r = await post(`${srv.url}/models/penguins-gbdt/predict`, { records: requestRows(k) });
        sent++;
        const version = r.headers.get('x-soma-model-version') ?? '?';
        if (r.status !== 200) {
          failures.push(`${r.status} ${r.text.slice(0, 200)}`);
          continue;
        }
        seen.set(version, (seen.get(version) ?? 0) + 1);
        const body = r.json();
        if (body['version'] !== version) failures.push(`body version ${String(body['version'])} vs header ${version}`);
        if (JSON.stringify(body['predictions']) !== expected.get(version)?.[k]) failures.push(`request ${k} answered by ${version} differs from ${version}'s own predictions`);
      }
    };
    const clients = Array.from({ length: 8 }, (_, c) => client(c));
    const waitFor = async (version: string): Promise<void> => {
      const t0 = Date.now();
      for (;;) {
        const r = await post(`${srv.url}/models/penguins-gbdt/predict`, { records: requestRows(1) });
        if (r.headers.get('x-soma-model-version') === version) return;
        if (Date.now() - t0 > 20_000) throw new Error(`the server did not switch to ${version}`);
        await new Promise((res) => setTimeout(res, 20));
      }
    };
    try {
      await new Promise((res) => setTimeout(res, 300));
      const promoted = await runCli(['models', 'promote', 'penguins-gbdt@1.1.0', '--to', 'production', '--registry', registry]);
      expect(promoted.code, promoted.stderr).toBe(0);
      await waitFor('1.1.0');
      await new Promise((res) => setTimeout(res, 300));
      const rolled = await runCli(['models', 'rollback', 'penguins-gbdt', '--alias', 'production', '--registry', registry]);
      expect(rolled.code, rolled.stderr).toBe(0);
      await waitFor('1.0.0');
      await new Promise((res) => setTimeout(res, 300));
    } finally {
      stop = true;
      await Promise.all(clients);
    }
    expect(failures).toEqual([]);
    expect(sent).toBeGreaterThan(50);
    expect(seen.get('1.0.0')).toBeGreaterThan(0);
    expect(seen.get('1.1.0')).toBeGreaterThan(0);
  }, 90_000);

  it('when /admin/reload is called, then it reports every model\'s arms, and a change since is swapped in by it', async () => {
    const same = await post(`${srv.url}/admin/reload`, '');
    expect(same.status).toBe(200);
    expect(same.json()['models']).toEqual([{ name: 'penguins-gbdt', changed: false, arms: [{ arm: 'production', version: '1.0.0', weight: 1 }], shadow: [] }]);
    const promoted = await runCli(['models', 'promote', 'penguins-gbdt@1.1.0', '--to', 'production', '--registry', registry]);
    expect(promoted.code).toBe(0);
    const reloaded = await post(`${srv.url}/admin/reload`, '');
    expect(((reloaded.json()['models'] as JsonObject[])[0]!['arms'] as JsonObject[])[0]!['version']).toBe('1.1.0');
    const r = await post(`${srv.url}/models/penguins-gbdt/predict`, { records: requestRows(7) });
    expect(r.headers.get('x-soma-model-version')).toBe('1.1.0');
  });
});

describe('the prediction cache', () => {
  it('when the same rows come again, through any protocol, then they are answered from the cache, counted, and never from another version', async () => {
    const body = { records: rows.slice(100, 104) };
    const first = await post(`${srv.url}/models/penguins-gbdt/predict`, body);
    const again = await post(`${srv.url}/models/penguins-gbdt/predict`, body);
    expect(first.json()['cached']).toBe(false);
    expect(again.json()['cached']).toBe(true);
    expect(again.json()['predictions']).toEqual(first.json()['predictions']);
    const viaMlflow = await post(`${srv.url}/invocations`, { dataframe_records: rows.slice(100, 104) });
    expect(viaMlflow.json()['predictions']).toEqual(first.json()['predictions']);
    const version = first.headers.get('x-soma-model-version')!;
    const scrape = (await get(`${srv.url}/metrics`)).text;
    const hits = Number(new RegExp(`soma_cache_hits_total\\{model="penguins-gbdt",version="${version.replace(/\./g, '\\.')}"\\} (\\d+)`).exec(scrape)?.[1]);
    expect(hits).toBeGreaterThanOrEqual(8);
    // Another version: its own answers, not the cached ones.
    const other = version === '1.1.0' ? '1.0.0' : '1.1.0';
    const promoted = await runCli(['models', 'promote', `penguins-gbdt@${other}`, '--to', 'production', '--registry', registry]);
    expect(promoted.code).toBe(0);
    await post(`${srv.url}/admin/reload`, '');
    const after = await post(`${srv.url}/models/penguins-gbdt/predict`, body);
    expect(after.headers.get('x-soma-model-version')).toBe(other);
    expect(after.json()['cached']).toBe(false);
    expect(JSON.stringify(after.json()['predictions'])).toBe(JSON.stringify(JSON.parse(expected.get(other)![100]!).concat(JSON.parse(expected.get(other)![103]!).slice(0, 1))));
  });
});
