// Bad requests get a clear answer and never a crash, against a real server: malformed JSON, a
// missing column, text in a numeric column and an unseen category under handle_unknown: error
// answer 400/422 with `soma predict`'s own message (column, row, value); an unknown model or
// version 404; a body over --max-body 413; a full queue 503 with Retry-After; a wrong method 405;
// another media type 415. A fuzz run of a few hundred malformed bodies never gets a 500, and the
// server answers a good request afterwards.

import { writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { connect } from 'node:net';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeDuckDB } from '../../src/data/duckdb.js';
import { defaultServeConfig } from '../../src/server/config.js';
import type { JsonObject } from '../../src/util/json.js';
import { example, repoRoot, tempDir } from '../helpers/cli.js';
import { post, serve, train, typedRecords, type TestServer } from './helpers.js';

const registry = tempDir('soma-serve-errors-');
const work = tempDir('soma-serve-errors-work-');
const bin = path.join(repoRoot, 'bin', 'soma.js');
const penguinsCsv = example('penguins', 'penguins.csv');
const numeric = new Set(['Beak Length (mm)', 'Beak Depth (mm)', 'Flipper Length (mm)', 'Body Mass (g)']);
let srv: TestServer;

const strict: [string, string] = [
  'strict',
  [
    'name: strict',
    'task: classification',
    'seed: 1',
    'data:',
    `  source: ${penguinsCsv}`,
    '  target: Species',
    'preprocess:',
    '  - impute: {columns: numeric, strategy: median}',
    '  - impute: {columns: categorical, strategy: most_frequent}',
    '  - onehot: {columns: categorical, handle_unknown: error}',
    'model: {type: logistic}',
  ].join('\n'),
];

const records = (): JsonObject[] => typedRecords(penguinsCsv, numeric, ['Species']).slice(0, 6);
const predictUrl = (): string => `${srv.url}/models/strict/predict`;

beforeAll(async () => {
  await train(registry, [strict]);
  const config = { ...defaultServeConfig(), maxBodyBytes: 4096 };
  // A large batch and a long wait, so concurrent requests share a batch; a short queue.
  srv = await serve(registry, ['strict'], { config: { ...config, serving: { batchSize: 1000, maxLatencyMs: 200, maxQueue: 3 } } });
}, 120_000);

afterAll(async () => {
  await srv?.close();
  await closeDuckDB();
});

/** `soma predict` (the real CLI) on `rows` written as NDJSON: its exit code and stderr. */
async function cliPredict(rows: JsonObject[]): Promise<{ code: number; stderr: string; file: string }> {
  const file = path.join(work, `rows-${Math.random().toString(16).slice(2)}.ndjson`);
  writeFileSync(file, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
  const r = await execa('node', [bin, 'predict', 'strict', '--input', file, '--output', path.join(work, 'out.csv'), '--registry', registry, '--workers', '0'], { reject: false });
  return { code: r.exitCode ?? -1, stderr: r.stderr, file };
}

describe('bad requests', () => {
  it('when the body is not JSON, then every protocol answers 400 in its own shape, naming the problem', async () => {
    const soma = await post(predictUrl(), '{"records": [');
    expect(soma.status).toBe(400);
    expect((soma.json()['error'] as JsonObject)['message']).toMatch(/^request: the request body is not valid JSON/);
    const v2 = await post(`${srv.url}/v2/models/strict/infer`, 'not json');
    expect(v2.status).toBe(400);
    expect(typeof v2.json()['error']).toBe('string');
    const mlflow = await post(`${srv.url}/invocations`, '{"dataframe_records": 5}');
    expect(mlflow.status).toBe(400);
    expect(mlflow.json()['error_code']).toBe('BAD_REQUEST');
    expect(mlflow.json()['message']).toContain('dataframe_records');
  });

  it('when text is in a numeric column, then the answer is 422 with soma predict\'s message for the same rows (column, row, value)', async () => {
    const rows = records();
    rows[2]!['Body Mass (g)'] = 'heavy';
    const cli = await cliPredict(rows);
    expect(cli.code).toBe(3);
    const r = await post(predictUrl(), { records: rows });
    expect(r.status).toBe(422);
    const error = r.json()['error'] as JsonObject;
    expect(error['code']).toBe('DATA_BAD_VALUE');
    expect(error['message']).toBe('records: column "Body Mass (g)" row 3: "heavy" is not a valid number');
    expect(cli.stderr).toContain(`${cli.file}: column "Body Mass (g)" row 3: "heavy" is not a valid number`);
    expect(error['details']).toMatchObject({ column: 'Body Mass (g)', row: 3, value: 'heavy', expected: 'numeric' });
  });

  it('when a column is missing, then the answer is 422 naming it as soma predict does', async () => {
    const rows = records().map(({ Island: _i, ...rest }) => rest);
    const cli = await cliPredict(rows);
    expect(cli.code).toBe(3);
    const r = await post(`${srv.url}/models/strict/invocations`, { dataframe_records: rows });
    expect(r.status).toBe(422);
    expect(r.json()['code']).toBe('DATA_MISSING_COLUMN');
    expect(r.json()['message']).toBe('dataframe_records has no column "Island" (it has: Beak Length (mm), Beak Depth (mm), Flipper Length (mm), Body Mass (g), Sex)');
    expect(cli.stderr).toContain('has no column "Island"');
  });

  it('when a category was not seen in training under handle_unknown: error, then that request alone fails, with 422 naming column, row and value, and the concurrent ones are answered', async () => {
    const bad = records();
    bad[4]!['Island'] = 'Atlantis';
    const cli = await cliPredict(bad);
    expect(cli.code).toBe(3);
    const [ok1, failed, ok2] = await Promise.all([post(predictUrl(), { records: records() }), post(predictUrl(), { records: bad }), post(predictUrl(), { records: records().slice(1) })]);
    expect(ok1.status).toBe(200);
    expect(ok2.status).toBe(200);
    expect(failed.status).toBe(422);
    const error = failed.json()['error'] as JsonObject;
    expect(error['message']).toMatch(/^column "Island", row 5: category "Atlantis" was not seen in training/);
    expect(cli.stderr).toContain('column "Island", row 5: category "Atlantis" was not seen in training');
    expect(error['details']).toMatchObject({ column: 'Island', row: 5, value: 'Atlantis' });
  });

  it('when the model or version is unknown, then 404 names what is served', async () => {
    const model = await post(`${srv.url}/models/nope/predict`, { records: records() });
    expect(model.status).toBe(404);
    expect((model.json()['error'] as JsonObject)['hint']).toBe('served models: strict');
    const version = await post(`${srv.url}/v2/models/strict/versions/9.9.9/infer`, { inputs: [] });
    expect(version.status).toBe(404);
    expect(version.json()['error']).toBe("strict does not serve version '9.9.9'");
    const path = await post(`${srv.url}/models/strict/versions/..%2F..%2Fetc/predict`, { records: records() });
    expect(path.status).toBe(404);
    expect((await post(`${srv.url}/nowhere`, {})).status).toBe(404);
  });

  it('when the body is over --max-body, then 413, whether its length is declared or it comes in chunks', async () => {
    const big = { records: Array.from({ length: 40 }, () => records()[0]!) };
    const declared = await post(predictUrl(), big);
    expect(declared.status).toBe(413);
    expect((declared.json()['error'] as JsonObject)['code']).toBe('HTTP_BODY_TOO_LARGE');
    const chunked = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(predictUrl(), { method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      const text = JSON.stringify(big);
      for (let i = 0; i < text.length; i += 1000) req.write(text.slice(i, i + 1000));
      req.end();
    });
    expect(chunked.status).toBe(413);
    expect((await post(predictUrl(), { records: records() })).status).toBe(200);
  });

  it('when more requests wait than the queue holds, then the rest get 503 with Retry-After and the queued ones are answered', async () => {
    const body = JSON.stringify({ records: records().slice(0, 1) });
    const raw = `POST /models/strict/predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`;
    const { port } = new URL(srv.url);
    const sockets = await Promise.all(
      Array.from({ length: 12 }, () => new Promise<import('node:net').Socket>((resolve, reject) => {
        const s = connect(Number(port), '127.0.0.1', () => resolve(s));
        s.on('error', reject);
      })),
    );
    // Let the server accept every connection first, so their requests arrive together.
    await new Promise((resolve) => setTimeout(resolve, 100));
    const answers = sockets.map((s) => new Promise<string>((resolve) => {
      let text = '';
      s.on('data', (d: Buffer) => (text += d.toString()));
      s.on('close', () => resolve(text));
    }));
    // Written in one turn, so the server reads them all before its next batch runs.
    for (const s of sockets) s.write(raw);
    const texts = await Promise.all(answers);
    const statuses = texts.map((t) => Number(/^HTTP\/1\.1 (\d+)/.exec(t)?.[1]));
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThanOrEqual(1);
    const refused = texts.filter((t) => t.startsWith('HTTP/1.1 503'));
    expect(refused.length).toBeGreaterThanOrEqual(1);
    expect(statuses.every((s) => s === 200 || s === 503)).toBe(true);
    for (const t of refused) {
      expect(t.toLowerCase()).toContain('retry-after: 1');
      expect(t).toContain('HTTP_QUEUE_FULL');
    }
  });

  it('when the method, route or media type is wrong, then 405 with Allow, 404 and 415', async () => {
    const wrong = await fetch(predictUrl());
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('POST');
    const media = await post(`${srv.url}/invocations`, 'a,b\n1,2', { 'content-type': 'application/xml' });
    expect(media.status).toBe(415);
    const charset = await post(`${srv.url}/invocations`, '{}', { 'content-type': 'application/json; charset=latin1' });
    expect(charset.status).toBe(415);
  });
});

/** A small seeded generator, so a failing fuzz case can be replayed. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0;
    return s / 2 ** 32;
  };
}

function fuzzBodies(n: number): string[] {
  const r = rng(18);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const scalars: unknown[] = [null, true, false, 0, -1, 1e308, -1e-308, 3.5, '', 'x', 'Dream', '1e999', '\u0000', 'NaN', '__proto__', 'constructor'];
  const value = (depth: number): unknown => {
    const k = r();
    if (depth > 3 || k < 0.5) return pick(scalars);
    if (k < 0.75) return Array.from({ length: Math.floor(r() * 4) }, () => value(depth + 1));
    const o: Record<string, unknown> = {};
    for (let i = 0; i < Math.floor(r() * 4); i++) o[pick(['records', 'columns', 'inputs', 'instances', 'dataframe_split', 'dataframe_records', 'data', 'name', 'shape', 'datatype', 'Island', 'Sex', 'Body Mass (g)', '__proto__'])] = value(depth + 1);
    return o;
  };
  const good = JSON.stringify({ records: records() });
  const out: string[] = [
    '',
    ' ',
    'null',
    '[]',
    '[[]]',
    '{}',
    `${'['.repeat(5000)}${']'.repeat(5000)}`,
    `{"records": [{"Island": ${'['.repeat(200)}1${']'.repeat(200)}}]}`,
    '{"records": [{"__proto__": {"Island": "Dream"}}]}',
    '{"columns": {"__proto__": [1]}}',
    '{"inputs": [{"name": "__proto__", "shape": [1], "datatype": "FP64", "data": [1]}]}',
    '{"inputs": [{"name": "Island", "shape": [2, 2], "datatype": "BYTES", "data": [["a", "b"], ["c"]]}]}',
    '{"inputs": [{"name": "Island", "shape": [1], "datatype": "FP64", "data": [[[[1]]]]}]}',
    '{"dataframe_split": {"columns": ["__proto__"], "data": [[1]]}}',
    '{"dataframe_split": {"data": [[1, 2, 3]]}}',
  ];
  while (out.length < n) {
    const k = r();
    if (k < 0.3) out.push(JSON.stringify(value(0)));
    else if (k < 0.5) out.push(JSON.stringify({ [pick(['records', 'columns', 'inputs', 'instances', 'dataframe_split', 'dataframe_records'])]: value(1) }));
    else if (k < 0.7) out.push(good.slice(0, Math.floor(r() * good.length)));
    else if (k < 0.85) {
      const i = Math.floor(r() * good.length);
      out.push(good.slice(0, i) + pick(['"', '{', ']', ',', 'x', '\\', '1e', '-']) + good.slice(i + 1));
    } else out.push(Buffer.from(Array.from({ length: Math.floor(r() * 64) }, () => Math.floor(r() * 256))).toString('latin1'));
  }
  return out;
}

describe('fuzz', () => {
  it('when a few hundred malformed bodies hit every prediction route, then none is answered 500 and the server still predicts', async () => {
    const routes = ['/models/strict/predict', '/v2/models/strict/infer', '/invocations', '/models/strict/versions/1.0.0/predict'];
    const bodies = fuzzBodies(300);
    const statuses = new Map<number, number>();
    const t0 = Date.now();
    for (let i = 0; i < bodies.length; i++) {
      const route = routes[i % routes.length]!;
      const r = await post(`${srv.url}${route}`, bodies[i]!, { 'content-type': i % 7 === 0 ? 'text/csv' : 'application/json' });
      statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
      expect(r.status, `${route} ${JSON.stringify(bodies[i]!.slice(0, 200))}: ${r.text.slice(0, 300)}`).not.toBe(500);
      expect(() => JSON.parse(r.text), r.text.slice(0, 200)).not.toThrow();
    }
    expect(Date.now() - t0).toBeLessThan(30_000);
    expect([...statuses.keys()].every((s) => s === 200 || (s >= 400 && s < 500) || s === 503)).toBe(true);
    expect(statuses.get(400)).toBeGreaterThan(50);
    const ok = await post(predictUrl(), { records: records() });
    expect(ok.status).toBe(200);
  });
});
