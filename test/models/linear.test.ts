// Linear regression: exact closed forms on tiny data, scikit-learn agreement on diabetes,
// collinearity, lasso sparsity, input checks, progress/abort and save/load.

import { describe, expect, it } from 'vitest';
import { Ajv } from 'ajv';
import { numericMatrix, takeRows } from '../../src/engine/matrix.js';
import { Rng } from '../../src/engine/random.js';
import { LinearRegression, linearSpec } from '../../src/models/linear.js';
import { SomaError } from '../../src/errors.js';
import type { EstimatorJSON } from '../../src/models/estimator.js';
import type { JsonObject } from '../../src/util/json.js';
import { diabetes, reference } from '../fixtures/linear/reference.js';
import { toDense } from '../../src/engine/sparse.js';
import { decodeF64 } from '../../src/util/base64.js';
import { movieTitleFeatures } from '../fixtures/text/movies.js';

const reg = (values: number[] | Float64Array) => ({ task: 'regression' as const, values: Float64Array.from(values), nClasses: 0 });

function coefOf(m: LinearRegression): { coef: number[]; intercept: number } {
  const s = m.summary();
  const c = s.coefficients as Record<string, number>;
  return { coef: Object.values(c), intercept: s.intercept as number };
}

function expectClose(got: number[], want: number[], rel: number, abs = 0): void {
  expect(got.length).toBe(want.length);
  got.forEach((g, i) => expect(Math.abs(g - want[i]!)).toBeLessThanOrEqual(rel * Math.abs(want[i]!) + abs));
}

/** Solves a small dense system by Gauss-Jordan elimination with partial pivoting (test oracle). */
function gaussSolve(a: number[][], b: number[]): number[] {
  const n = b.length;
  const m = a.map((r, i) => [...r, b[i]!]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r]![c]!) > Math.abs(m[p]![c]!)) p = r;
    [m[c], m[p]] = [m[p]!, m[c]!];
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = m[r]![c]! / m[c]![c]!;
      for (let k = c; k <= n; k++) m[r]![k]! -= f * m[c]![k]!;
    }
  }
  return m.map((r, i) => r[n]! / r[i]!);
}

describe('linear regression', () => {
  it('when y is an exact linear function of the features, then OLS recovers the coefficients', async () => {
    const x1 = [1, 2, 3, 4, 5, 6];
    const x2 = [2, -1, 0, 3, 1, 5];
    const y = x1.map((v, i) => 3 + 2 * v - 0.5 * x2[i]!);
    const m = await new LinearRegression().fit(numericMatrix(['a', 'b'], [Float64Array.from(x1), Float64Array.from(x2)]), reg(y));
    const { coef, intercept } = coefOf(m);
    expectClose(coef, [2, -0.5], 1e-12, 1e-12);
    expect(intercept).toBeCloseTo(3, 12);
    // Well conditioned: the one-pass normal equations are used.
    expect(m.summary().solver).toBe('cholesky');
  });

  it('when two columns are nearly collinear, then OLS switches to QR and still recovers exact coefficients', async () => {
    const rng = new Rng(8);
    const n = 200;
    const a = Float64Array.from({ length: n }, () => rng.normal());
    const b = Float64Array.from(a, (v) => v + 1e-6 * rng.normal());
    const y = Float64Array.from(a, (v, i) => 1 + 2 * v - b[i]!);
    const m = await new LinearRegression().fit(numericMatrix(['a', 'b'], [a, b]), reg(y));
    expect(m.summary().solver).toBe('qr');
    const { coef, intercept } = coefOf(m);
    // cond(X) ~ 1e6: QR loses ~6 digits; the normal equations would lose ~12 and miss this.
    expectClose(coef, [2, -1], 1e-7, 0);
    expect(intercept).toBeCloseTo(1, 9);
  });

  it('when penalty is l2, then coefficients match the ridge normal equations on centred data', async () => {
    const x1 = [0.5, 1.5, 2, 3.5, 4, 6, 7.5];
    const x2 = [10, 8, 9, 4, 5, 1, 2];
    const y = [1.2, 2.0, 2.9, 4.1, 4.8, 6.3, 7.7];
    const alpha = 3;
    const m = await new LinearRegression({ penalty: 'l2', alpha }).fit(numericMatrix(['a', 'b'], [Float64Array.from(x1), Float64Array.from(x2)]), reg(y));
    // (Xc'Xc + alpha I) w = Xc'yc, intercept = ybar - xbar'w
    const mean = (a: number[]) => a.reduce((s, v) => s + v, 0) / a.length;
    const c1 = x1.map((v) => v - mean(x1));
    const c2 = x2.map((v) => v - mean(x2));
    const yc = y.map((v) => v - mean(y));
    const d = (u: number[], v: number[]) => u.reduce((s, ui, i) => s + ui * v[i]!, 0);
    const w = gaussSolve(
      [
        [d(c1, c1) + alpha, d(c1, c2)],
        [d(c2, c1), d(c2, c2) + alpha],
      ],
      [d(c1, yc), d(c2, yc)],
    );
    const { coef, intercept } = coefOf(m);
    expectClose(coef, w, 1e-10, 1e-12);
    expect(intercept).toBeCloseTo(mean(y) - mean(x1) * w[0]! - mean(x2) * w[1]!, 10);
    expect(m.summary().solver).toBe('cholesky');
  });

  it('when fitted on diabetes, then OLS, ridge, lasso and elastic net match scikit-learn', async () => {
    const { X, y } = diabetes();
    const ref = reference.diabetes_models;
    const cases: [JsonObject, string][] = [
      [{}, 'ols'],
      [{ penalty: 'l2', alpha: 10 }, 'ridge_alpha10'],
      [{ penalty: 'l1', alpha: ref['lasso_sk0.5']!.soma_alpha!, tol: 1e-12, max_iter: 100000 }, 'lasso_sk0.5'],
      [{ penalty: 'elasticnet', alpha: ref['enet_sk0.05_r0.5']!.soma_alpha!, l1_ratio: 0.5, tol: 1e-12, max_iter: 100000 }, 'enet_sk0.05_r0.5'],
    ];
    for (const [params, key] of cases) {
      const m = await new LinearRegression(params).fit(X, y);
      const { coef, intercept } = coefOf(m);
      expect(m.summary().converged).toBe(true);
      expectClose(coef, ref[key]!.coef as number[], 1e-6, 1e-7);
      expect(Math.abs(intercept - (ref[key]!.intercept as number))).toBeLessThan(1e-5 * Math.abs(ref[key]!.intercept as number));
    }
  });

  it('when two columns are identical, then OLS stays finite and fits as well as with one of them', async () => {
    const rng = new Rng(3);
    const n = 50;
    const a = Float64Array.from({ length: n }, () => rng.normal());
    const b = Float64Array.from({ length: n }, () => rng.normal());
    const y = Float64Array.from(a, (v, i) => 1 + 2 * v - b[i]! + 0.01 * rng.normal());
    const dup = await new LinearRegression().fit(numericMatrix(['a', 'a2', 'b'], [a, Float64Array.from(a), b]), reg(y));
    const single = await new LinearRegression().fit(numericMatrix(['a', 'b'], [a, b]), reg(y));
    const s = dup.summary();
    expect(s.solver).toBe('qr');
    expect(s.rank).toBe(2);
    const c = s.coefficients as Record<string, number>;
    expect(Number.isFinite(c.a!) && Number.isFinite(c.a2!)).toBe(true);
    expect(c.a! + c.a2!).toBeCloseTo((single.summary().coefficients as Record<string, number>).a!, 10);
    const p1 = dup.predict(numericMatrix(['a', 'a2', 'b'], [a, Float64Array.from(a), b]));
    const p2 = single.predict(numericMatrix(['a', 'b'], [a, b]));
    p1.forEach((v, i) => expect(v).toBeCloseTo(p2[i]!, 9));
  });

  it('when a column is a scaled copy of another and penalty is l2 with a tiny alpha, then the solution is finite', async () => {
    const a = Float64Array.from({ length: 30 }, (_, i) => Math.sin(i));
    const y = Float64Array.from(a, (v) => 2 * v + 1);
    const m = await new LinearRegression({ penalty: 'l2', alpha: 1e-300 }).fit(numericMatrix(['a', 'b'], [a, a.map((v) => 1e6 * v)]), reg(y));
    const pred = m.predict(numericMatrix(['a', 'b'], [a, a.map((v) => 1e6 * v)]));
    pred.forEach((v, i) => expect(v).toBeCloseTo(y[i]!, 6));
  });

  it('when only some features matter, then lasso sets the irrelevant ones to exactly zero', async () => {
    const rng = new Rng(11);
    const n = 400;
    const p = 8;
    const cols = Array.from({ length: p }, () => Float64Array.from({ length: n }, () => rng.normal()));
    const y = Float64Array.from({ length: n }, (_, i) => 4 * cols[0]![i]! - 3 * cols[1]![i]! + 2 * cols[2]![i]! + 0.5 * rng.normal());
    const names = cols.map((_, j) => `x${j}`);
    const m = await new LinearRegression({ penalty: 'l1', alpha: 0.1 * n }).fit(numericMatrix(names, cols), reg(y));
    const c = m.summary().coefficients as Record<string, number>;
    for (let j = 3; j < p; j++) expect(c[`x${j}`]).toBe(0);
    expect(c.x0).toBeGreaterThan(3.5);
    expect(c.x1).toBeLessThan(-2.5);
    expect(c.x2).toBeGreaterThan(1.5);
    expect(m.featureImportance().values[0]).toBeCloseTo(Math.abs(c.x0!), 12);
  });

  it('when there are more than 512 features, then elastic net (data-form coordinate descent) finds the signal sparsely', async () => {
    const rng = new Rng(5);
    const n = 120;
    const p = 520;
    const cols = Array.from({ length: p }, () => Float64Array.from({ length: n }, () => rng.normal()));
    const y = Float64Array.from({ length: n }, (_, i) => cols[0]![i]! - cols[7]![i]! + 0.1 * rng.normal());
    const names = cols.map((_, j) => `x${j}`);
    const wide = await new LinearRegression({ penalty: 'elasticnet', alpha: 5, l1_ratio: 0.9, tol: 1e-10, max_iter: 5000 }).fit(numericMatrix(names, cols), reg(y));
    const cw = wide.summary().coefficients as Record<string, number>;
    expect(cw.x0).toBeGreaterThan(0.5);
    expect(cw.x7).toBeLessThan(-0.5);
    expect(wide.summary().converged).toBe(true);
    const nonzero = Object.values(cw).filter((v) => v !== 0).length;
    expect(nonzero).toBeLessThan(p / 2);
  });

  it('when integer sample weights are given, then the fit equals one on duplicated rows', async () => {
    const x = [1, 2, 3, 4, 5];
    const y = [1.1, 1.9, 3.2, 3.9, 5.3];
    const wts = [1, 3, 1, 2, 1];
    const dupX: number[] = [];
    const dupY: number[] = [];
    x.forEach((v, i) => {
      for (let k = 0; k < wts[i]!; k++) {
        dupX.push(v);
        dupY.push(y[i]!);
      }
    });
    for (const params of [{}, { penalty: 'l2', alpha: 2 }, { penalty: 'l1', alpha: 0.5, tol: 1e-12 }] as JsonObject[]) {
      const a = await new LinearRegression(params).fit(numericMatrix(['x'], [Float64Array.from(x)]), reg(y), { sampleWeight: Float64Array.from(wts) });
      const b = await new LinearRegression(params).fit(numericMatrix(['x'], [Float64Array.from(dupX)]), reg(dupY));
      expect(coefOf(a).coef[0]).toBeCloseTo(coefOf(b).coef[0]!, 8);
      expect(coefOf(a).intercept).toBeCloseTo(coefOf(b).intercept, 8);
    }
  });

  it('when fit_intercept is false, then the model goes through the origin', async () => {
    const x = Float64Array.from([1, 2, 3, 4]);
    const y = [2.5, 4.5, 6.5, 8.5];
    const m = await new LinearRegression({ fit_intercept: false }).fit(numericMatrix(['x'], [x]), reg(y));
    const { coef, intercept } = coefOf(m);
    expect(intercept).toBe(0);
    // least squares through the origin: sum(xy)/sum(x^2)
    expect(coef[0]).toBeCloseTo((2.5 + 9 + 19.5 + 34) / 30, 12);
  });

  it('when a feature has a NaN, then fit throws DATA_BAD_VALUE naming it and suggesting impute', async () => {
    const X = numericMatrix(['ok', 'bad'], [Float64Array.from([1, 2, 3]), Float64Array.from([1, NaN, 3])]);
    const err = await new LinearRegression().fit(X, reg([1, 2, 3])).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SomaError);
    expect((err as SomaError).code).toBe('DATA_BAD_VALUE');
    expect((err as SomaError).message).toContain('"bad"');
    expect((err as SomaError).hint).toContain('impute');
  });

  it('when a feature is infinite or the target is missing, then fit throws DATA_BAD_VALUE for every solver', async () => {
    for (const params of [{}, { penalty: 'l2' }, { penalty: 'l1' }] as JsonObject[]) {
      const inf = numericMatrix(['x', 'big'], [Float64Array.from([1, 2, 3]), Float64Array.from([1, Infinity, 3])]);
      await expect(new LinearRegression(params).fit(inf, reg([1, 2, 3]))).rejects.toThrow(/feature "big" has an infinite value at row 1/);
      const ok = numericMatrix(['x'], [Float64Array.from([1, 2, 3])]);
      await expect(new LinearRegression(params).fit(ok, reg([1, NaN, 3]))).rejects.toThrow(/target has a missing or infinite value at row 1/);
      await expect(new LinearRegression({ ...params, fit_intercept: false }).fit(ok, reg([1, NaN, 3]))).rejects.toThrow(/target/);
    }
  });

  it('when predicting on rows with a NaN, then predict throws DATA_BAD_VALUE naming the feature', async () => {
    const { X, y } = diabetes();
    const m = await new LinearRegression().fit(X, y);
    const cols = X.columns.map((c) => Float64Array.from(toDense(c)));
    cols[3]![7] = NaN;
    expect(() => m.predict(numericMatrix([...X.names], cols))).toThrow(new RegExp(`feature "${X.names[3]}" has a missing`));
  });

  it('when a param is out of range or unknown, then the constructor throws PARAM_INVALID naming it', () => {
    expect(() => new LinearRegression({ alpha: -1 })).toThrow(/alpha.*-1.*>= 0/);
    expect(() => new LinearRegression({ penalty: 'l3' })).toThrow(/penalty/);
    expect(() => new LinearRegression({ ridge: 1 })).toThrow(/ridge: unknown parameter/);
  });

  it('when saved to JSON and loaded, then predictions are identical', async () => {
    const { X, y } = diabetes();
    for (const params of [{}, { penalty: 'l2', alpha: 1 }, { penalty: 'l1', alpha: 100 }] as JsonObject[]) {
      const m = await new LinearRegression(params).fit(X, y);
      const json = JSON.parse(JSON.stringify(m.toJSON())) as EstimatorJSON;
      expect(json.kind).toBe('linear');
      expect(json.formatVersion).toBe(1);
      const back = linearSpec.fromJSON(json);
      expect(Array.from(back.predict(X))).toEqual(Array.from(m.predict(X)));
      expect(back.summary!()).toEqual(m.summary());
    }
  });

  it('when predicting with columns in another order, then they are matched by name; a missing one is named', async () => {
    const { X, y } = diabetes();
    const m = await new LinearRegression().fit(X, y);
    const rev = numericMatrix([...X.names].reverse(), [...X.columns].reverse());
    expect(Array.from(m.predict(rev))).toEqual(Array.from(m.predict(X)));
    const missing = numericMatrix(X.names.slice(1), X.columns.slice(1));
    expect(() => m.predict(missing)).toThrow(/age/);
  });

  it('when coordinate descent runs, then progress is reported per sweep and an abort stops it with ABORTED', async () => {
    const { X, y } = diabetes();
    const seen: number[] = [];
    await new LinearRegression({ penalty: 'l1', alpha: 100, tol: 1e-12, max_iter: 50 }).fit(X, y, { onProgress: (p) => seen.push(p.iteration) });
    expect(seen.length).toBeGreaterThan(1);
    expect(seen.slice(0, 3)).toEqual([1, 2, 3]);
    const ac = new AbortController();
    const err = await new LinearRegression({ penalty: 'l1', alpha: 100, tol: 1e-15, max_iter: 100000 })
      .fit(X, y, { signal: ac.signal, onProgress: (p) => p.iteration === 5 && ac.abort() })
      .catch((e: unknown) => e);
    expect((err as SomaError).code).toBe('ABORTED');
  });

  it('when coordinate descent runs out of sweeps, then summary says converged false and what to change', async () => {
    const { X, y } = diabetes();
    const m = await new LinearRegression({ penalty: 'l1', alpha: 1, max_iter: 2, tol: 1e-12 }).fit(X, y);
    const s = m.summary();
    expect(s.converged).toBe(false);
    expect(s.message).toMatch(/raise max_iter/);
  });

  it('when the params schema is compiled, then every param is typed, documented and its defaults validate', () => {
    const schema = linearSpec.paramsSchema;
    expect(schema.type).toBe('object');
    expect(schema.additionalProperties).toBe(false);
    const props = schema.properties as Record<string, JsonObject>;
    expect(Object.keys(props).sort()).toEqual(['alpha', 'fit_intercept', 'l1_ratio', 'max_iter', 'penalty', 'tol']);
    expect(Object.fromEntries(Object.entries(props).map(([k, p]) => [k, [p.type, p.default]]))).toEqual({
      penalty: ['string', 'none'],
      alpha: ['number', 1],
      l1_ratio: ['number', 0.5],
      fit_intercept: ['boolean', true],
      max_iter: ['integer', 1000],
      tol: ['number', 0.0001],
    });
    for (const p of Object.values(props)) expect(typeof p.description).toBe('string');
    expect(props.penalty!.default).toBe('none');
    const validate = new Ajv({ strict: false }).compile(schema);
    const defaults = Object.fromEntries(Object.entries(props).map(([k, v]) => [k, v.default]));
    expect(validate(defaults)).toBe(true);
    expect(validate({ ridge: 1 })).toBe(false);
    expect(validate({ penalty: 'l3' })).toBe(false);
    expect(new LinearRegression(defaults as JsonObject).params).toEqual(defaults);
  });
});

describe('linear regression on sparse text features', () => {
  // Unigrams seen at least 5 times: few enough features for every solver route.
  const { movies, X, dense } = movieTitleFeatures({ min_df: 5 });
  const rated = movies.flatMap((m, i) => (typeof m['IMDB Rating'] === 'number' ? [i] : []));
  const rows = Int32Array.from(rated);
  const Xs = takeRows(X, rows);
  const Xd = takeRows(dense, rows);
  const y = { task: 'regression' as const, values: Float64Array.from(rated, (i) => movies[i]!['IMDB Rating']!), nClasses: 0 };

  it('when fitted on sparse columns and on their dense copy, then ridge, lasso and OLS give the same coefficients', async () => {
    expect(Xs.columns.every((c) => !(c instanceof Float64Array))).toBe(true);
    for (const params of [{ penalty: 'l2', alpha: 1 }, { penalty: 'l1', alpha: 5, tol: 1e-10 }, { penalty: 'none' }] as JsonObject[]) {
      const a = await new LinearRegression(params).fit(Xs, y);
      const b = await new LinearRegression(params).fit(Xd, y);
      const ca = decodeF64((a.toJSON().state as JsonObject).coef as string);
      const cb = decodeF64((b.toJSON().state as JsonObject).coef as string);
      ca.forEach((v, j) => expect(Math.abs(v - cb[j]!)).toBeLessThanOrEqual(1e-7 * Math.max(1, Math.abs(cb[j]!))));
      const pa = a.predict(Xs);
      const pb = b.predict(Xd);
      pa.forEach((v, i) => expect(v).toBeCloseTo(pb[i]!, 7));
    }
  });
});
