// Workers load the built dist/ files (`npm test` builds first).
import { afterAll, describe, expect, it } from 'vitest';
import { Rng } from '../../../src/engine/random.js';
import { closePredictPool, lastPredictThreadsStats, predictRawThreads } from '../../../src/engine/tree/predict-parallel.js';
import type { Forest } from '../../../src/engine/tree/forest.js';
import { predictRaw } from '../../../src/engine/tree/predictor.js';
import { Gbdt } from '../../../src/models/gbdt.js';
import { RandomForest, randomForestParamsSchema } from '../../../src/models/random_forest.js';
import { sklearnClassification, type Dataset } from './datasets.js';
import { expectSameBits, forestOf } from './forests.js';

/** A data set with about 5% of its values blanked (NaN), seeded. */
function withMissing(d: Dataset, seed: number): Dataset {
  const rng = new Rng(seed);
  const columns = d.X.columns.map((c) => Float64Array.from(c as Float64Array, (v) => (rng.next() < 0.05 ? NaN : v)));
  return { X: { ...d.X, columns }, y: d.y };
}

/** The rows repeated to `n`, scaled a little per copy so copies reach different leaves. */
function tile(cols: readonly Float64Array[], n: number): Float64Array[] {
  const rows = cols[0]!.length;
  return cols.map((c) => Float64Array.from({ length: n }, (_, i) => c[i % rows]! * (1 + 0.002 * (Math.floor(i / rows) % 9))));
}

function serialAndThreads(f: Forest, cols: Float64Array[], threads: number, sharedBytes?: number): [Float64Array, Float64Array] {
  const n = cols[0]!.length;
  const start = Float64Array.from({ length: n * f.nGroups }, (_, i) => (i % 5) / 4);
  const serial = start.slice();
  predictRaw(f, cols, 0, f.treeRoots.length, serial);
  const par = start.slice();
  predictRawThreads(f, cols, 0, f.treeRoots.length, par, threads, sharedBytes);
  return [serial, par];
}

const wait = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('predictor: parallel prediction', () => {
  afterAll(async () => {
    await closePredictPool();
  });

  const cancer = withMissing(sklearnClassification('breast_cancer'), 4);
  const wine = withMissing(sklearnClassification('wine_data'), 8);

  it('when a binary gbdt predicts 100k rows with missing values on 2 and 3 threads, then raw scores equal one thread bit for bit and workers take part', async () => {
    const m = await new Gbdt({ n_estimators: 60, max_depth: 6, learning_rate: 0.2, n_jobs: 1 }, 'classification').fit(cancer.X, cancer.y);
    const f = forestOf(m.toJSON(), cancer.X.columns.length);
    const cols = tile(cancer.X.columns as Float64Array[], 100_000);
    let byWorkers = 0;
    for (const threads of [2, 3, 2, 3]) {
      const [serial, par] = serialAndThreads(f, cols, threads);
      expectSameBits(par, serial);
      const st = lastPredictThreadsStats();
      expect(st.segments).toBe(1);
      byWorkers += st.byWorkers;
      // Workers start on the first call; give them a moment before the next.
      await wait(200);
    }
    expect(byWorkers).toBeGreaterThan(0);
  });

  it('when the shared copy is bounded, then rows go in several segments and still match one thread', async () => {
    const m = await new Gbdt({ n_estimators: 30, max_depth: 4, learning_rate: 0.3, n_jobs: 1 }, 'classification').fit(wine.X, wine.y);
    const f = forestOf(m.toJSON(), wine.X.columns.length);
    expect(f.nGroups).toBe(3);
    const cols = tile(wine.X.columns as Float64Array[], 150_001);
    const [serial, par] = serialAndThreads(f, cols, 2, 2 << 20);
    expectSameBits(par, serial);
    expect(lastPredictThreadsStats().segments).toBeGreaterThan(1);
  });

  it('when a classification forest predicts on 2 threads, then class sums equal one thread bit for bit', async () => {
    const m = await new RandomForest('random_forest', randomForestParamsSchema, { n_estimators: 20, n_jobs: 1, seed: 1 }, 'classification').fit(wine.X, wine.y);
    const f = forestOf(m.toJSON(), wine.X.columns.length);
    const cols = tile(wine.X.columns as Float64Array[], 120_000);
    const [serial, par] = serialAndThreads(f, cols, 2);
    expectSameBits(par, serial);
  });

  it('when the same gbdt is loaded with n_jobs 1 and 2, then predictProba gives identical probabilities', async () => {
    const m = await new Gbdt({ n_estimators: 60, max_depth: 6, learning_rate: 0.2, n_jobs: 1 }, 'classification').fit(cancer.X, cancer.y);
    const json = m.toJSON();
    const two = Gbdt.fromJSON({ ...json, params: { ...json.params, n_jobs: 2 } });
    const X = { ...cancer.X, rows: 80_000, columns: tile(cancer.X.columns as Float64Array[], 80_000) };
    expectSameBits(two.predictProba(X), m.predictProba(X));
  });

  it('when the work is small, then it stays on the calling thread', () => {
    const b = sklearnClassification('iris');
    const f: Forest = {
      nOut: 1,
      nGroups: 1,
      feature: Int32Array.of(0, -1, -1),
      threshold: Float64Array.of(5, 0, 0),
      left: Int32Array.of(1, -1, -1),
      right: Int32Array.of(2, -1, -1),
      value: Float64Array.of(0, -1, 1),
      flags: Uint8Array.of(1, 0, 0),
      gain: new Float64Array(3),
      cover: new Float64Array(3),
      catBits: new Uint32Array(0),
      treeRoots: Int32Array.of(0),
      treeGroup: Int32Array.of(0),
    };
    const [serial, par] = serialAndThreads(f, b.X.columns as Float64Array[], 4);
    expectSameBits(par, serial);
    expect(lastPredictThreadsStats().chunks).toBe(0);
  });
});
