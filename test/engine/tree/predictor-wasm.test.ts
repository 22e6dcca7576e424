import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { FeatureMatrix } from '../../../src/engine/matrix.js';
import type { Forest } from '../../../src/engine/tree/forest.js';
import { predictRaw, wasmWalkAvailable } from '../../../src/engine/tree/predictor.js';
import { Gbdt } from '../../../src/models/gbdt.js';
import { RandomForest, randomForestParamsSchema } from '../../../src/models/random_forest.js';
import { expectSameBits, forestOf } from './forests.js';

/**
 * The Palmer penguins of examples/: missing values in every measurement and in Sex, and two
 * string columns (Island, Sex) coded 0..k-1 as categorical features. Target: Species (3 classes).
 */
function penguins(): { X: FeatureMatrix; y: Float64Array } {
  const lines = readFileSync(new URL('../../../examples/penguins/penguins.csv', import.meta.url), 'utf8').trim().split('\n');
  const rows = lines.slice(1).map((l) => l.split(','));
  const codes = (j: number): [Float64Array, number] => {
    const dict = new Map<string, number>();
    const col = Float64Array.from(rows, (r) => {
      const v = r[j]!.trim();
      if (v === '' || v === 'NA' || v === '.') return NaN;
      if (!dict.has(v)) dict.set(v, dict.size);
      return dict.get(v)!;
    });
    return [col, dict.size];
  };
  const num = (j: number): Float64Array => Float64Array.from(rows, (r) => (r[j]!.trim() === '' ? NaN : Number(r[j])));
  const [species] = codes(0);
  const [island, nIsland] = codes(1);
  const [sex, nSex] = codes(6);
  const columns = [island, num(2), num(3), num(4), num(5), sex];
  return {
    X: {
      rows: rows.length,
      names: ['island', 'beak_length', 'beak_depth', 'flipper', 'mass', 'sex'],
      kinds: ['categorical', 'numeric', 'numeric', 'numeric', 'numeric', 'categorical'],
      cardinality: [nIsland, 0, 0, 0, 0, nSex],
      columns,
    },
    y: species,
  };
}

/** The penguins' rows repeated to `n`, every other copy with its measurements nudged so leaves vary. */
function tile(X: FeatureMatrix, n: number): Float64Array[] {
  return X.columns.map((c, j) =>
    Float64Array.from({ length: n }, (_, i) => {
      const v = (c as Float64Array)[i % X.rows]!;
      return X.kinds[j] === 'numeric' && Math.floor(i / X.rows) % 2 === 1 ? v * 1.01 : v;
    }),
  );
}

/** Raw sums from both walks, all rows and a scattered subset, starting from the same non-zero values. */
function compareWalks(f: Forest, cols: Float64Array[]): void {
  const n = cols[0]!.length;
  const G = f.nGroups;
  const T = f.treeRoots.length;
  const start = Float64Array.from({ length: n * G }, (_, i) => (i % 7) / 3);
  const js = start.slice();
  const wa = start.slice();
  predictRaw(f, cols, 0, T, js, null, 'js');
  predictRaw(f, cols, 0, T, wa, null, 'wasm');
  expectSameBits(wa, js);
  // A later range of trees only, as early stopping and per-round validation use it.
  const js2 = start.slice();
  const wa2 = start.slice();
  predictRaw(f, cols, Math.floor(T / 3), T, js2, null, 'js');
  predictRaw(f, cols, Math.floor(T / 3), T, wa2, null, 'wasm');
  expectSameBits(wa2, js2);
  const subset = Uint32Array.from({ length: Math.floor(n / 3) }, (_, i) => (i * 7919) % n);
  const js3 = start.slice();
  const wa3 = start.slice();
  predictRaw(f, cols, 0, T, js3, subset, 'js');
  predictRaw(f, cols, 0, T, wa3, subset, 'wasm');
  expectSameBits(wa3, js3);
  // One row at a time (the server's single-row requests take the direct walk): each row's sums
  // are those of the block walks.
  const G1 = f.nGroups;
  const one = new Float64Array(Math.min(n, 400) * G1);
  for (let i = 0; i < Math.min(n, 400); i++) {
    const row = cols.map((c) => c.subarray(i, i + 1));
    const o = start.slice(i * G1, (i + 1) * G1);
    predictRaw(f, row, 0, T, o);
    one.set(o, i * G1);
  }
  expectSameBits(one, js.subarray(0, one.length));
}

describe('predictor: wasm walk', () => {
  // Every Node this runs on (>= 20) has WebAssembly: a walk that failed to compile must fail here, not skip.
  it('when the runtime is Node, then the wasm walk is available', () => {
    expect(wasmWalkAvailable()).toBe(true);
  });

  const { X, y } = penguins();
  const target = { task: 'classification' as const, values: y, nClasses: 3 };
  const cols = tile(X, 5000);

  it('when a gbdt with native categorical splits predicts penguins with missing values, then the wasm walk equals the JS walk bit for bit', async () => {
    // Body mass from the rest (Sex and Island matter within a species), so trees split on categories.
    const mass = X.columns[4] as Float64Array;
    const keep = Int32Array.from(mass.keys()).filter((i) => !Number.isNaN(mass[i]!));
    const Xr: FeatureMatrix = {
      rows: keep.length,
      names: ['island', 'beak_length', 'beak_depth', 'flipper', 'sex', 'species'],
      kinds: ['categorical', 'numeric', 'numeric', 'numeric', 'categorical', 'categorical'],
      cardinality: [X.cardinality[0]!, 0, 0, 0, X.cardinality[5]!, 3],
      columns: [...X.columns.slice(0, 4), X.columns[5]!, y].map((c) => Float64Array.from(keep, (i) => (c as Float64Array)[i]!)),
    };
    const m = await new Gbdt({ n_estimators: 40, max_depth: 5, learning_rate: 0.3, max_cat_to_onehot: 1, n_jobs: 1, seed: 3 }, 'regression').fit(Xr, {
      task: 'regression',
      values: Float64Array.from(keep, (i) => mass[i]!),
      nClasses: 0,
    });
    const f = forestOf(m.toJSON(), Xr.columns.length);
    // The data really exercises both paths: categorical splits, and NaN in the rows.
    expect(Array.from(f.flags).some((fl) => (fl & 2) !== 0)).toBe(true);
    // Predict every row, including those with no mass (rows with all measurements missing).
    const all = tile({ ...X, rows: X.rows, columns: [...X.columns.slice(0, 4), X.columns[5]!, y], kinds: Xr.kinds }, 5000);
    expect(all.some((c) => c.some((v) => Number.isNaN(v)))).toBe(true);
    compareWalks(f, all);
  });

  it('when a numeric-only gbdt predicts (every tree in the complete layout), then the walks agree bit for bit', async () => {
    const numeric: FeatureMatrix = { ...X, kinds: X.kinds.map(() => 'numeric'), cardinality: X.cardinality.map(() => 0) };
    const m = await new Gbdt({ n_estimators: 60, max_depth: 6, learning_rate: 0.2, n_jobs: 1, seed: 5 }, 'classification').fit(numeric, target);
    const f = forestOf(m.toJSON(), X.columns.length);
    compareWalks(f, cols);
    compareWalks(f, cols.map((c) => c.subarray(0, 13)));
  });

  it('when classification forests (several values per leaf, shallow and unlimited depth) predict, then the walks agree bit for bit', async () => {
    for (const max_depth of [4, 0]) {
      const m = await new RandomForest('random_forest', randomForestParamsSchema, { n_estimators: 15, max_depth, n_jobs: 1, seed: 2 }, 'classification').fit(X, target);
      const f = forestOf(m.toJSON(), X.columns.length);
      expect(f.nOut).toBe(3);
      compareWalks(f, cols);
    }
  });
});
