// Logistic regression: scikit-learn agreement on iris (multinomial, binary, l1, elastic net,
// balanced weights), probabilities, accuracy floors on real data, non-convergence reporting,
// input checks, progress/abort and save/load.

import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { numericMatrix, takeRows, type FeatureMatrix } from '../../src/engine/matrix.js';
import { takeTarget, type Target } from '../../src/tasks/task.js';
import { Rng } from '../../src/engine/random.js';
import { LogisticRegression, logisticSpec } from '../../src/models/logistic.js';
import { SomaError } from '../../src/errors.js';
import type { EstimatorJSON } from '../../src/models/estimator.js';
import type { JsonObject } from '../../src/util/json.js';
import { iris, irisBinary, reference } from '../fixtures/linear/reference.js';
import { fromDense, toDense } from '../../src/engine/sparse.js';
import { decodeF64 } from '../../src/util/base64.js';
import { movieTitleFeatures } from '../fixtures/text/movies.js';

const tight = { tol: 1e-10, max_iter: 10000 };
const ref = reference.iris_models;

function expectClose(got: number[], want: number[], tol: number): void {
  expect(got.length).toBe(want.length);
  got.forEach((g, i) => expect(Math.abs(g - want[i]!)).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(want[i]!))));
}

function binaryCoef(m: LogisticRegression): { coef: number[]; intercept: number } {
  const s = m.summary();
  return { coef: Object.values(s.coefficients as Record<string, number>), intercept: s.intercept as number };
}

/** Per-class coefficients and intercepts, intercepts centred (they are identified only up to a shift). */
function multiCoef(m: LogisticRegression): { coef: number[][]; intercept: number[] } {
  const s = m.summary();
  const coef = Object.values(s.coefficients as Record<string, Record<string, number>>).map((c) => Object.values(c));
  return { coef, intercept: centred(Object.values(s.intercept as Record<string, number>)) };
}

const centred = (a: number[]): number[] => {
  const m = a.reduce((s, v) => s + v, 0) / a.length;
  return a.map((v) => v - m);
};

function accuracy(pred: Float64Array, y: Float64Array): number {
  let ok = 0;
  pred.forEach((p, i) => (ok += p === y[i] ? 1 : 0));
  return ok / y.length;
}

describe('logistic regression', () => {
  it('when fitted multinomial with l2 on iris, then coefficients match scikit-learn for C = 1/alpha', async () => {
    const { X, y } = iris();
    for (const [alpha, key] of [
      [1, 'multinomial_l2_C1'],
      [2, 'multinomial_l2_C0.5'],
    ] as const) {
      const m = await new LogisticRegression({ alpha, ...tight }).fit(X, y);
      expect(m.summary().converged).toBe(true);
      const got = multiCoef(m);
      const want = ref[key]!;
      expectClose(got.coef.flat(), (want.coef as number[][]).flat(), 1e-5);
      expectClose(got.intercept, centred(want.intercept as number[]), 1e-5);
    }
  });

  it('when predicting multinomial probabilities, then each row sums to one and matches scikit-learn', async () => {
    const { X, y } = iris();
    const m = await new LogisticRegression({ alpha: 1, ...tight }).fit(X, y);
    const proba = m.predictProba(X);
    expect(proba.length).toBe(X.rows * 3);
    for (let i = 0; i < X.rows; i++) expect(proba[3 * i]! + proba[3 * i + 1]! + proba[3 * i + 2]!).toBeCloseTo(1, 14);
    expectClose(Array.from(proba.subarray(0, 15)), ref.multinomial_l2_C1!.proba_first5!.flat(), 1e-6);
    const pred = m.predict(X);
    for (let i = 0; i < X.rows; i++) {
      const row = Array.from(proba.subarray(3 * i, 3 * i + 3));
      expect(pred[i]).toBe(row.indexOf(Math.max(...row)));
    }
  });

  it('when fitted binary with l2, none, l1 and elastic net, then coefficients match scikit-learn', async () => {
    const { X, y } = irisBinary();
    const cases: [JsonObject, string, number][] = [
      [{ alpha: 1 }, 'binary_l2_C1', 1e-5],
      [{ penalty: 'none' }, 'binary_none', 1e-5],
      [{ penalty: 'l1', alpha: 2 }, 'binary_l1_C0.5', 1e-5],
      [{ penalty: 'elasticnet', alpha: 2, l1_ratio: 0.5 }, 'binary_enet_C0.5_r0.5', 1e-5],
    ];
    for (const [params, key, tol] of cases) {
      const m = await new LogisticRegression({ ...params, ...tight }).fit(X, y);
      const got = binaryCoef(m);
      const want = ref[key]!;
      expect(m.summary().solver).toBe(key.includes('l1') || key.includes('enet') ? 'owlqn' : 'lbfgs');
      expectClose(got.coef, want.coef as number[], tol);
      expectClose([got.intercept], [want.intercept as number], tol);
    }
  });

  it('when the penalty is l1, then coefficients scikit-learn zeroes are exactly zero', async () => {
    const { X, y } = irisBinary();
    const m = await new LogisticRegression({ penalty: 'l1', alpha: 2, ...tight }).fit(X, y);
    const c = binaryCoef(m).coef;
    expect(c[0]).toBe(0);
    expect(c[1]).toBe(0);
    expect(c[2]).not.toBe(0);
  });

  it('when class_weight is balanced, then coefficients match scikit-learn on unbalanced iris', async () => {
    const rows = Array.from({ length: 130 }, (_, i) => i + 20);
    const { X, y } = iris(rows);
    const m = await new LogisticRegression({ class_weight: 'balanced', ...tight }).fit(X, y);
    const got = multiCoef(m);
    const want = ref.multinomial_balanced_from20!;
    expectClose(got.coef.flat(), (want.coef as number[][]).flat(), 1e-5);
    expectClose(got.intercept, centred(want.intercept as number[]), 1e-5);
  });

  it('when binary, then predictProba has two columns summing to one and predict gives class indices', async () => {
    const { X, y } = irisBinary();
    const m = await new LogisticRegression().fit(X, y);
    const proba = m.predictProba(X);
    expect(proba.length).toBe(2 * X.rows);
    for (let i = 0; i < X.rows; i++) expect(proba[2 * i]! + proba[2 * i + 1]!).toBeCloseTo(1, 14);
    const pred = m.predict(X);
    expect(new Set(pred)).toEqual(new Set([0, 1]));
    expect(accuracy(pred, y.values)).toBeGreaterThan(0.95);
  });

  it('when trained on two thirds of iris, then held-out accuracy is at least 0.93', async () => {
    const all = iris();
    const rng = new Rng(7);
    const idx = rng.shuffle(Int32Array.from({ length: all.X.rows }, (_, i) => i));
    const train = idx.subarray(0, 100);
    const test = idx.subarray(100);
    const m = await new LogisticRegression().fit(takeRows(all.X, train), takeTarget(all.y, train));
    expect(accuracy(m.predict(takeRows(all.X, test)), takeTarget(all.y, test).values)).toBeGreaterThanOrEqual(0.93);
  });

  const penguinsPath = new URL('../../node_modules/vega-datasets/data/penguins.json', import.meta.url);
  // vega-datasets is a devDependency: the file is always there (a missing one fails the test).
  it('when trained on penguins body measurements, then held-out species accuracy is at least 0.95', async () => {
    type Penguin = Record<string, number | string | null>;
    const rows = (JSON.parse(readFileSync(penguinsPath, 'utf8')) as Penguin[]).filter((r) =>
      ['Beak Length (mm)', 'Beak Depth (mm)', 'Flipper Length (mm)', 'Body Mass (g)'].every((k) => typeof r[k] === 'number'),
    );
    const names = ['Beak Length (mm)', 'Beak Depth (mm)', 'Flipper Length (mm)', 'Body Mass (g)'];
    const species = [...new Set(rows.map((r) => String(r.Species)))].sort();
    const X: FeatureMatrix = numericMatrix(names, names.map((k) => Float64Array.from(rows, (r) => r[k] as number)));
    const y: Target = { task: 'classification', values: Float64Array.from(rows, (r) => species.indexOf(String(r.Species))), nClasses: species.length };
    const idx = new Rng(1).shuffle(Int32Array.from({ length: X.rows }, (_, i) => i));
    const cut = Math.floor(0.7 * X.rows);
    const m = await new LogisticRegression().fit(takeRows(X, idx.subarray(0, cut)), takeTarget(y, idx.subarray(0, cut)));
    expect(m.summary().converged).toBe(true);
    expect(accuracy(m.predict(takeRows(X, idx.subarray(cut))), takeTarget(y, idx.subarray(cut)).values)).toBeGreaterThanOrEqual(0.95);
  });

  it('when only some features matter, then l1 zeroes the irrelevant ones', async () => {
    const rng = new Rng(21);
    const n = 2000;
    const cols = Array.from({ length: 6 }, () => Float64Array.from({ length: n }, () => rng.normal()));
    const values = Float64Array.from({ length: n }, (_, i) => (2 * cols[0]![i]! - 1.5 * cols[1]![i]! + rng.normal() > 0 ? 1 : 0));
    const m = await new LogisticRegression({ penalty: 'l1', alpha: 50 }).fit(
      numericMatrix(cols.map((_, j) => `x${j}`), cols),
      { task: 'classification', values, nClasses: 2 },
    );
    const c = binaryCoef(m).coef;
    expect(c.slice(2)).toEqual([0, 0, 0, 0]);
    expect(c[0]).toBeGreaterThan(1);
    expect(c[1]).toBeLessThan(-1);
  });

  it('when the data set is large, then the fit warm-starts on a row sample and still reaches the full-data optimum', async () => {
    const rng = new Rng(17);
    const n = 150_000;
    // Rows in label order with drifting feature scales: a poor sample would show.
    const cols = Array.from({ length: 5 }, (_, j) => Float64Array.from({ length: n }, (_, i) => (j + 1) * rng.normal() + (i / n) * j));
    const values = Float64Array.from({ length: n }, (_, i) => (cols[0]![i]! - 0.5 * cols[1]![i]! + 0.3 * cols[4]![i]! + rng.normal() > 0 ? 1 : 0));
    const X = numericMatrix(cols.map((_, j) => `x${j}`), cols);
    const y: Target = { task: 'classification', values, nClasses: 2 };
    const quick = await new LogisticRegression({ alpha: 10 }).fit(X, y);
    const exact = await new LogisticRegression({ alpha: 10, tol: 1e-9, max_iter: 1000 }).fit(X, y);
    const s = quick.summary();
    expect(s.converged).toBe(true);
    expect((s.warm_start as JsonObject).iterations).toBeGreaterThan(0);
    // Full-data iterations are few because the sample did most of the work.
    expect(s.iterations as number).toBeLessThan((s.warm_start as JsonObject).iterations as number);
    expectClose(binaryCoef(quick).coef, binaryCoef(exact).coef, 1e-3);
    // The same data as a multinomial problem (three classes) takes the same path.
    const three = Float64Array.from(values, (v, i) => (v === 1 && cols[2]![i]! > 0 ? 2 : v));
    const m3 = await new LogisticRegression().fit(X, { task: 'classification', values: three, nClasses: 3 });
    expect(m3.summary().converged).toBe(true);
    expect((m3.summary().warm_start as JsonObject).iterations).toBeGreaterThan(0);
  });

  it('when max_iter is too small, then summary reports converged false and what to change', async () => {
    const { X, y } = iris();
    const m = await new LogisticRegression({ max_iter: 2, tol: 1e-10 }).fit(X, y);
    const s = m.summary();
    expect(s.converged).toBe(false);
    expect(s.iterations).toBe(2);
    expect(s.message).toMatch(/raise max_iter/);
    expect(s.message).toMatch(/scale the features/);
    expect(s.message).toMatch(/increase alpha/);
  });

  it('when a feature has a NaN, then fit throws DATA_BAD_VALUE naming it and suggesting impute', async () => {
    const X = numericMatrix(['a', 'b'], [Float64Array.from([1, 2, 3, 4]), Float64Array.from([0, 1, NaN, 1])]);
    const err = await new LogisticRegression().fit(X, { task: 'classification', values: Float64Array.from([0, 1, 0, 1]), nClasses: 2 }).catch((e: unknown) => e);
    expect((err as SomaError).code).toBe('DATA_BAD_VALUE');
    expect((err as SomaError).message).toContain('"b"');
    expect((err as SomaError).hint).toContain('impute');
  });

  it('when a feature is infinite in a large data set, then fit throws DATA_BAD_VALUE naming it', async () => {
    const n = 200000; // large enough that the standardisation is estimated from a sample
    const a = Float64Array.from({ length: n }, (_, i) => Math.sin(i));
    const b = Float64Array.from({ length: n }, (_, i) => Math.cos(i));
    b[12345] = -Infinity;
    const values = Float64Array.from(a, (v) => (v > 0 ? 1 : 0));
    const err = await new LogisticRegression({ class_weight: 'balanced' }).fit(numericMatrix(['a', 'b'], [a, b]), { task: 'classification', values, nClasses: 2 }).catch((e: unknown) => e);
    expect((err as SomaError).code).toBe('DATA_BAD_VALUE');
    expect((err as SomaError).message).toContain('feature "b" has an infinite value at row 12345');
  });

  it('when predicting on rows with a NaN, then predictProba throws DATA_BAD_VALUE naming the feature', async () => {
    const { X, y } = iris();
    const m = await new LogisticRegression().fit(X, y);
    const cols = X.columns.map((c) => Float64Array.from(toDense(c)));
    cols[2]![5] = NaN;
    cols[2]![9] = NaN;
    expect(() => m.predictProba(numericMatrix([...X.names], cols))).toThrow(/feature "petal length \(cm\)" has a missing \(NaN\) value at row 5/);
  });

  it('when a target value is not a class index, then fit throws DATA_BAD_VALUE', async () => {
    const X = numericMatrix(['a'], [Float64Array.from([1, 2, 3])]);
    await expect(new LogisticRegression().fit(X, { task: 'classification', values: Float64Array.from([0, 1, 2]), nClasses: 2 })).rejects.toThrow(/not a class index/);
  });

  it('when saved to JSON and loaded, then probabilities are identical', async () => {
    const multi = iris();
    const bin = irisBinary();
    for (const [params, data] of [
      [{}, multi],
      [{ penalty: 'l1', alpha: 2 }, bin],
      [{ class_weight: 'balanced' }, bin],
    ] as [JsonObject, { X: FeatureMatrix; y: Target }][]) {
      const m = await new LogisticRegression(params).fit(data.X, data.y);
      const json = JSON.parse(JSON.stringify(m.toJSON())) as EstimatorJSON;
      expect(json).toMatchObject({ kind: 'logistic', formatVersion: 1 });
      const back = logisticSpec.fromJSON(json);
      expect(Array.from(back.predictProba!(data.X))).toEqual(Array.from(m.predictProba(data.X)));
      expect(Array.from(back.predict(data.X))).toEqual(Array.from(m.predict(data.X)));
      expect(back.summary!()).toEqual(m.summary());
    }
  });

  it('when fitting, then progress is reported per iteration and an abort stops it with ABORTED', async () => {
    const { X, y } = iris();
    const seen: number[] = [];
    await new LogisticRegression(tight).fit(X, y, { onProgress: (p) => seen.push(p.iteration) });
    expect(seen.length).toBeGreaterThan(5);
    expect(seen.slice(0, 3)).toEqual([1, 2, 3]);
    const ac = new AbortController();
    const err = await new LogisticRegression(tight).fit(X, y, { signal: ac.signal, onProgress: (p) => p.iteration === 3 && ac.abort() }).catch((e: unknown) => e);
    expect((err as SomaError).code).toBe('ABORTED');
  });

  it('when importance is asked, then it is |coefficient| by feature name', async () => {
    const { X, y } = irisBinary();
    const m = await new LogisticRegression().fit(X, y);
    const imp = m.featureImportance();
    expect(imp.kind).toBe('coefficient');
    expect(imp.names).toEqual(X.names);
    expect(imp.values).toEqual(binaryCoef(m).coef.map(Math.abs));
  });

  it('when the params schema is compiled, then every param is typed, documented and its defaults validate', () => {
    const schema = logisticSpec.paramsSchema;
    expect(schema.additionalProperties).toBe(false);
    const props = schema.properties as Record<string, JsonObject>;
    expect(Object.keys(props).sort()).toEqual(['alpha', 'class_weight', 'fit_intercept', 'l1_ratio', 'max_iter', 'penalty', 'tol']);
    expect(Object.fromEntries(Object.entries(props).map(([k, p]) => [k, [p.type, p.default]]))).toEqual({
      penalty: ['string', 'l2'],
      alpha: ['number', 1],
      l1_ratio: ['number', 0.5],
      fit_intercept: ['boolean', true],
      max_iter: ['integer', 100],
      tol: ['number', 0.0001],
      class_weight: ['string', 'none'],
    });
    for (const p of Object.values(props)) expect(typeof p.description).toBe('string');
    expect(props.penalty!.default).toBe('l2');
    expect(props.alpha!.default).toBe(1);
    expect(String(props.alpha!.description)).toMatch(/C = 1\/alpha/);
    const validate = new Ajv({ strict: false }).compile(schema);
    const defaults = Object.fromEntries(Object.entries(props).map(([k, v]) => [k, v.default]));
    expect(validate(defaults)).toBe(true);
    expect(validate({ class_weight: 'auto' })).toBe(false);
    expect(logisticSpec.nativeCategorical).toBe(false);
    expect(new LogisticRegression(defaults as JsonObject).params).toEqual(defaults);
  });
});

describe('logistic on sparse text features', () => {
  // Real titles (vega-datasets movies): tfidf unigrams and bigrams, stored sparse.
  const { movies, X, dense } = movieTitleFeatures();
  const genres = ['Drama', 'Comedy', 'Action'];
  const multi: Target = { task: 'classification', values: Float64Array.from(movies, (m) => { const k = genres.indexOf(m['Major Genre'] ?? ''); return k < 0 ? 3 : k; }), nClasses: 4 };
  const binary: Target = { task: 'classification', values: Float64Array.from(movies, (m) => (m['Major Genre'] === 'Comedy' ? 1 : 0)), nClasses: 2 };

  it('when the features are sparse, then the matrix stores them sparse', () => {
    expect(X.columns.length).toBeGreaterThan(500);
    expect(X.columns.every((c) => !(c instanceof Float64Array))).toBe(true);
  });

  for (const [name, y, params] of [
    ['binary l2', binary, { penalty: 'l2', alpha: 1 }],
    ['multinomial l2', multi, { penalty: 'l2', alpha: 0.5 }],
    ['binary elastic net (OWL-QN)', binary, { penalty: 'elasticnet', alpha: 0.3, l1_ratio: 0.5 }],
  ] as const) {
    // The kernel sums sparse entries in the dense loop's order, so the two fits follow the same
    // path; an independent optimisation could only agree to about 1e-6 on these near-collinear terms.
    it(`when a ${name} model fits the sparse features and their dense copy, then the models agree within 1e-9`, async () => {
      const a = await new LogisticRegression({ ...params, ...tight }).fit(X, y);
      const b = await new LogisticRegression({ ...params, ...tight }).fit(dense, y);
      const ja = a.toJSON().state as JsonObject;
      const jb = b.toJSON().state as JsonObject;
      expect(ja.converged).toBe(true);
      const ca = decodeF64(ja.coef as string);
      const cb = decodeF64(jb.coef as string);
      expectClose(Array.from(ca), Array.from(cb), 1e-9);
      expectClose(Array.from(decodeF64(ja.intercept as string)), Array.from(decodeF64(jb.intercept as string)), 1e-9);
      expectClose(Array.from(a.predictProba(X)), Array.from(b.predictProba(dense)), 1e-9);
      // A sparse matrix predicts exactly as its dense copy under the same model.
      expectClose(Array.from(a.predictProba(X)), Array.from(a.predictProba(dense)), 1e-12);
    });
  }
});

describe('logistic warm start on sparse features', () => {
  it('when 120k rows trigger the sampled warm start, then sparse columns give the model of their dense copy', async () => {
    const n = 120_000;
    const p = 20;
    const rng = new Rng(7);
    const cols = Array.from({ length: p }, () => {
      const c = new Float64Array(n);
      for (let i = 0; i < n; i++) if (rng.next() < 0.05) c[i] = rng.next() * 2;
      return c;
    });
    const y: Target = { task: 'classification', values: Float64Array.from({ length: n }, (_, i) => (cols[0]![i]! - cols[1]![i]! + cols[2]![i]! * 0.5 + rng.next() - 0.5 > 0 ? 1 : 0)), nClasses: 2 };
    const dense = numericMatrix(cols.map((_, j) => `f${j}`), cols);
    const sparse = numericMatrix(dense.names.slice(), cols.map((c) => fromDense(c)));
    const a = await new LogisticRegression({ alpha: 1 }).fit(sparse, y);
    const b = await new LogisticRegression({ alpha: 1 }).fit(dense, y);
    expect(((a.summary() as JsonObject).warm_start as JsonObject).iterations).toBeGreaterThan(0);
    expect(Array.from(decodeF64((a.toJSON().state as JsonObject).coef as string))).toEqual(Array.from(decodeF64((b.toJSON().state as JsonObject).coef as string)));
  });
});
