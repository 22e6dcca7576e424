// The micro-batcher with a real model (penguins gbdt trained by the real CLI): concurrent
// requests become one predictor call whose rows are bit-identical to predicting each request
// alone; an idle request runs at once however long max_latency_ms is; a partial batch under
// concurrency waits at most max_latency_ms; batch_size caps a call's rows; a request whose rows
// fail the stacked call fails alone; rows that are each other's history are never stacked.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeDuckDB } from '../../src/data/duckdb.js';
import type { Column, Frame } from '../../src/data/frame.js';
import { loadModel, type LoadedModel } from '../../src/pipeline/loaded-model.js';
import { Batcher, type BatcherOptions } from '../../src/server/batcher.js';
import { predictFeatures, prepareRows } from '../../src/server/predict.js';
import { example, tempDir } from '../helpers/cli.js';
import { penguinsGbdt, train, typedRecords } from './helpers.js';

const registry = tempDir('soma-serve-batcher-');
const numeric = new Set(['Beak Length (mm)', 'Beak Depth (mm)', 'Flipper Length (mm)', 'Body Mass (g)']);
let model: LoadedModel;
let requests: Frame[];

beforeAll(async () => {
  await train(registry, [penguinsGbdt()]);
  model = await loadModel(registry, 'penguins-gbdt');
  const rows = typedRecords(example('penguins', 'penguins.csv'), numeric, ['Species']);
  // 12 requests of 1 to 5 rows, some with categories the model never saw (native categoricals take them).
  requests = Array.from({ length: 12 }, (_, i) => {
    const part = rows.slice(i * 7, i * 7 + 1 + (i % 5));
    if (i === 3) part[0]!['Island'] = 'Atlantis';
    return prepareRows(model, { kind: 'records', records: part, source: 'records' }).features;
  });
}, 120_000);

afterAll(async () => {
  await closeDuckDB();
});

function bitsOf(columns: Column[]): string[] {
  return columns.map((c) => {
    if (c.type === 'numeric') return `${c.name}:${Array.from(new BigUint64Array(Float64Array.from(c.values!).buffer), (b) => b.toString(16)).join(',')}`;
    if (c.type === 'categorical') return `${c.name}:${Array.from(c.codes, (k) => (k < 0 ? '-' : c.dictionary[k])).join(',')}`;
    return c.name;
  });
}

function batcher(o: Partial<BatcherOptions>, calls: { rows: number; requests: number }[]): Batcher {
  return new Batcher({
    batchSize: 32,
    maxLatencyMs: 2,
    maxQueue: 100,
    stackRows: true,
    predict: (f) => predictFeatures(model, f),
    onBatch: (rows, requests) => calls.push({ rows, requests }),
    ...o,
  });
}

describe('Batcher', () => {
  it('when requests arrive together, then one predictor call answers them all, each bit-identical to predicting it alone', async () => {
    const calls: { rows: number; requests: number }[] = [];
    const b = batcher({ batchSize: 1000 }, calls);
    const together = await Promise.all(requests.map((f) => b.submit(f)));
    expect(calls).toEqual([{ rows: requests.reduce((a, f) => a + f.rows, 0), requests: 12 }]);
    for (let i = 0; i < requests.length; i++) expect(bitsOf(together[i]!)).toEqual(bitsOf(predictFeatures(model, requests[i]!)));
  });

  it('when the server is idle, then a request runs at once even with a long max_latency_ms', async () => {
    const calls: { rows: number; requests: number }[] = [];
    const b = batcher({ maxLatencyMs: 5000 }, calls);
    const t0 = performance.now();
    await b.submit(requests[0]!);
    await b.submit(requests[1]!);
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(calls.map((c) => c.requests)).toEqual([1, 1]);
  });

  it('when the concurrency just seen does not come back, then the partial batch waits no longer than max_latency_ms and expects fewer next time', async () => {
    const calls: { rows: number; requests: number }[] = [];
    const b = batcher({ maxLatencyMs: 150, batchSize: 1000 }, calls);
    await Promise.all(requests.slice(0, 6).map((f) => b.submit(f)));
    expect(calls.at(-1)!.requests).toBe(6);
    // Two arrive where six did: they wait for the others, up to 150 ms.
    const t0 = performance.now();
    await Promise.all(requests.slice(0, 2).map((f) => b.submit(f)));
    const waited = performance.now() - t0;
    expect(waited).toBeGreaterThanOrEqual(140);
    expect(waited).toBeLessThan(2000);
    expect(calls.at(-1)!.requests).toBe(2);
    // Having seen two, two are not kept waiting.
    const t1 = performance.now();
    await Promise.all(requests.slice(2, 4).map((f) => b.submit(f)));
    expect(performance.now() - t1).toBeLessThan(140);
  });

  it('when queued rows pass batch_size, then calls take at most batch_size rows (a larger request alone)', async () => {
    const calls: { rows: number; requests: number }[] = [];
    const b = batcher({ batchSize: 6 }, calls);
    const out = await Promise.all(requests.map((f) => b.submit(f)));
    expect(calls.every((c) => c.rows <= 6 || c.requests === 1)).toBe(true);
    expect(calls.reduce((a, c) => a + c.requests, 0)).toBe(12);
    for (let i = 0; i < requests.length; i++) expect(bitsOf(out[i]!)).toEqual(bitsOf(predictFeatures(model, requests[i]!)));
  });

  it('when one request\'s rows fail the stacked call, then it alone is rejected and the others are answered', async () => {
    const calls: { rows: number; requests: number }[] = [];
    const rows = typedRecords(example('penguins', 'penguins.csv'), numeric, ['Species']).slice(0, 2);
    rows[1]!['Body Mass (g)'] = -12345;
    const refused = prepareRows(model, { kind: 'records', records: rows, source: 'records' }).features;
    // A predictor that refuses one marked row, as an encoder refuses an unseen category.
    const b = batcher(
      {
        batchSize: 1000,
        predict: (f) => {
          const mass = f.column('Body Mass (g)')!;
          if (mass.type === 'numeric' && mass.values!.includes(-12345)) throw new Error('a row the model refuses');
          return predictFeatures(model, f);
        },
      },
      calls,
    );
    const all = [...requests.slice(0, 5), refused, ...requests.slice(5)];
    const settled = await Promise.allSettled(all.map((f) => b.submit(f)));
    expect(settled.map((x) => x.status)).toEqual(all.map((_, i) => (i === 5 ? 'rejected' : 'fulfilled')));
    // One stacked call of all 13, then each on its own.
    expect(calls[0]!.requests).toBe(13);
    expect(calls.slice(1).every((c) => c.requests === 1)).toBe(true);
    for (let i = 0; i < all.length; i++) {
      if (i !== 5) expect(bitsOf((settled[i] as PromiseFulfilledResult<Column[]>).value)).toEqual(bitsOf(predictFeatures(model, all[i]!)));
    }
  });

  it('when rows are each other\'s history (stackRows false), then every request is its own call', async () => {
    const calls: { rows: number; requests: number }[] = [];
    const b = batcher({ stackRows: false, batchSize: 1000 }, calls);
    await Promise.all(requests.map((f) => b.submit(f)));
    expect(calls.length).toBe(12);
    expect(calls.every((c) => c.requests === 1)).toBe(true);
  });

  it('when more requests wait than max_queue, then the next is refused with HTTP_QUEUE_FULL and Retry-After', async () => {
    const b = batcher({ maxQueue: 2, batchSize: 1000 }, []);
    const settled = await Promise.allSettled(requests.slice(0, 4).map((f) => b.submit(f)));
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'rejected']);
    const reason = (settled[2] as PromiseRejectedResult).reason as { code: string; options: { headers: Record<string, string> } };
    expect(reason.code).toBe('HTTP_QUEUE_FULL');
    expect(reason.options.headers['retry-after']).toBe('1');
  });
});
