// `linear`: least-squares regression with optional L2 (ridge), L1 (lasso) or elastic-net
// penalty. Also holds what both linear families share: the regularisation params and their
// schema, input checks, feature lookup at predict time and cooperative abort.
//
// Objective (the same scaling as `logistic`, on the SUM of per-row losses):
//   sum_i w_i * 0.5 * (y_i - b - x_i'coef)^2 + alpha * (l1_ratio * |coef|_1 + (1 - l1_ratio)/2 * |coef|^2)
// so penalty l2 with alpha = a equals scikit-learn Ridge(alpha=a), and penalty l1 with alpha = a
// equals scikit-learn Lasso(alpha=a/n_rows). The intercept is never penalised.
//
// Solvers: all start from one pass over the data that yields the standardised Gram matrix.
// No penalty -> Cholesky on the normal equations when they are well conditioned, else Householder
// QR with column pivoting on the data (no squared condition number; a collinear column gets
// coefficient 0); l2 -> Cholesky on the regularised normal equations (with jitter fallback);
// l1/elasticnet -> coordinate descent (covariance form on the Gram matrix for up to 512 features,
// data form beyond). All work on internally standardised features; coefficients
// are reported on the original scale and the penalty applies to those original-scale coefficients.
//
// Sparse feature columns (text features): the standardisation, the Gram pass and prediction read
// only their stored entries; the routes that need dense standardised data (pivoted QR, data-form
// coordinate descent) densify them, within the dense-size limit of models/dense.ts.

import type { FeatureMatrix } from '../engine/matrix.js';
import type { Target, Task } from '../tasks/task.js';
import { gramStatistics, standardization, type Standardization } from '../engine/linalg/dense.js';
import { leastSquaresQR } from '../engine/linalg/qr.js';
import { choleskyInPlace, choleskySolveInPlace, solveSpd } from '../engine/linalg/cholesky.js';
import { CovarianceCD, DataCD } from '../engine/optim/coordinate.js';
import { MAX_DENSE_BYTES, isSparse, toDense, type FeatureColumn } from '../engine/sparse.js';
import { checkDenseSize } from './dense.js';
import { SomaError } from '../errors.js';
import { decodeF64, encodeF64 } from '../util/base64.js';
import { isJsonObject, type JsonObject, type JsonValue } from '../util/json.js';
import type { Estimator, EstimatorJSON, EstimatorSpec, FeatureImportance, FitOptions } from './estimator.js';

export type Penalty = 'none' | 'l2' | 'l1' | 'elasticnet';
export const PENALTIES: readonly Penalty[] = ['none', 'l2', 'l1', 'elasticnet'];

export interface RegularizationParams {
  penalty: Penalty;
  alpha: number;
  l1_ratio: number;
  fit_intercept: boolean;
  max_iter: number;
  tol: number;
}

export interface RegularizationDefaults {
  penalty: Penalty;
  max_iter: number;
  tol: number;
}

/** JSON Schema properties for the params both linear families share. */
export function regularizationSchema(family: 'linear' | 'logistic', d: RegularizationDefaults): Record<string, JsonObject> {
  const loss = family === 'linear' ? 'squared loss 0.5*residual^2' : 'log loss';
  const sk =
    family === 'linear'
      ? 'With l2 this is exactly scikit-learn Ridge(alpha); with l1/elasticnet it is n_rows times scikit-learn Lasso/ElasticNet alpha.'
      : 'With l2 this is exactly scikit-learn LogisticRegression(C = 1/alpha): C=1 is an L2 penalty of 1/(2C)*|coef|^2 on the sum of losses, i.e. alpha = 1.';
  return {
    penalty: {
      type: 'string',
      enum: [...PENALTIES],
      default: d.penalty,
      description: 'Regularisation: none, l2 (ridge), l1 (lasso) or elasticnet (l1_ratio mixes L1 and L2).',
    },
    alpha: {
      type: 'number',
      minimum: 0,
      default: 1.0,
      description:
        `Penalty strength, added to the SUM over rows of the ${loss}: objective = sum_i w_i*loss_i + alpha*(l1_ratio*|coef|_1 + (1-l1_ratio)/2*|coef|^2), ` +
        `on original-scale coefficients; the intercept is not penalised. ${sk} Ignored when penalty is none.`,
    },
    l1_ratio: {
      type: 'number',
      minimum: 0,
      maximum: 1,
      default: 0.5,
      description: 'Share of L1 in the elasticnet penalty (1 = lasso, 0 = ridge). Only used with penalty elasticnet.',
    },
    fit_intercept: { type: 'boolean', default: true, description: 'Fit an unpenalised intercept; false forces the model through the origin.' },
    max_iter: {
      type: 'integer',
      minimum: 1,
      default: d.max_iter,
      description:
        family === 'linear'
          ? 'Coordinate-descent sweeps allowed (l1/elasticnet only; the other penalties are solved directly).'
          : 'L-BFGS (or OWL-QN) iterations allowed; summary reports converged: false when they run out.',
    },
    tol: {
      type: 'number',
      exclusiveMinimum: 0,
      default: d.tol,
      description:
        family === 'linear'
          ? 'Coordinate descent stops when the largest coefficient change in a sweep, scaled by the feature spread, is below tol times the target spread.'
          : 'Stops when the largest gradient component of the mean (per unit weight) objective, in standardised coordinates, is below tol (as scikit-learn lbfgs), or when an iteration improves the objective by less than 2.2e-5*tol relatively.',
    },
  };
}

function fail(param: string, got: unknown, expected: string): never {
  throw new SomaError('PARAM_INVALID', `model.params.${param}: got ${JSON.stringify(got)}; expected ${expected}`);
}

/** Reads and checks params (the config is schema-validated, but estimators are also built directly). */
export function parseRegularization(params: JsonObject, d: RegularizationDefaults, extraKeys: readonly string[]): RegularizationParams {
  const known = ['penalty', 'alpha', 'l1_ratio', 'fit_intercept', 'max_iter', 'tol', ...extraKeys];
  for (const k of Object.keys(params)) {
    if (!known.includes(k)) throw new SomaError('PARAM_INVALID', `model.params.${k}: unknown parameter (expected one of ${known.join(', ')})`);
  }
  const penalty = params.penalty ?? d.penalty;
  if (typeof penalty !== 'string' || !(PENALTIES as readonly string[]).includes(penalty)) fail('penalty', penalty, PENALTIES.join(' | '));
  const num = (k: string, def: number, ok: (v: number) => boolean, expected: string): number => {
    const v = params[k] ?? def;
    if (typeof v !== 'number' || !Number.isFinite(v) || !ok(v)) fail(k, v, expected);
    return v;
  };
  const alpha = num('alpha', 1.0, (v) => v >= 0, 'a number >= 0');
  const l1Ratio = num('l1_ratio', 0.5, (v) => v >= 0 && v <= 1, 'a number in [0, 1]');
  const maxIter = num('max_iter', d.max_iter, (v) => Number.isInteger(v) && v >= 1, 'an integer >= 1');
  const tol = num('tol', d.tol, (v) => v > 0, 'a number > 0');
  const fi = params.fit_intercept ?? true;
  if (typeof fi !== 'boolean') fail('fit_intercept', fi, 'true or false');
  return { penalty: penalty as Penalty, alpha, l1_ratio: l1Ratio, fit_intercept: fi, max_iter: maxIter, tol };
}

/** L1 and L2 strengths implied by penalty, alpha and l1_ratio. */
export function penaltyStrengths(p: RegularizationParams): { l1: number; l2: number } {
  switch (p.penalty) {
    case 'none':
      return { l1: 0, l2: 0 };
    case 'l2':
      return { l1: 0, l2: p.alpha };
    case 'l1':
      return { l1: p.alpha, l2: 0 };
    case 'elasticnet':
      return { l1: p.alpha * p.l1_ratio, l2: p.alpha * (1 - p.l1_ratio) };
  }
}

/** Throws DATA_BAD_VALUE naming the first feature with a missing or infinite value. */
export function checkFinite(X: FeatureMatrix): void {
  for (let j = 0; j < X.columns.length; j++) {
    const col = X.columns[j]!;
    // A sparse column's implicit zeros are finite: only its stored values can be bad.
    const c = isSparse(col) ? col.values : col;
    for (let k = 0; k < c.length; k++) {
      const v = c[k]!;
      if (v - v !== 0) {
        const i = isSparse(col) ? col.index[k]! : k;
        const name = X.names[j] ?? `#${j}`;
        throw new SomaError('DATA_BAD_VALUE', `feature "${name}" has ${Number.isNaN(v) ? 'a missing (NaN)' : 'an infinite'} value at row ${i}; linear models need complete numeric input`, {
          hint: `add an impute step to preprocess (e.g. "- impute: {columns: numeric, strategy: median}")`,
          details: { feature: name, row: i },
        });
      }
    }
  }
}

function checkTargetFinite(y: Float64Array): void {
  for (let i = 0; i < y.length; i++) {
    if (!Number.isFinite(y[i]!)) throw new SomaError('DATA_BAD_VALUE', `target has a missing or infinite value at row ${i}`, { hint: 'drop rows with a missing target before training' });
  }
}

export function checkWeights(w: Float64Array | undefined, rows: number): Float64Array | null {
  if (!w) return null;
  if (w.length !== rows) throw new SomaError('DATA_BAD_VALUE', `sample weights have ${w.length} values for ${rows} rows`);
  for (let i = 0; i < w.length; i++) {
    const v = w[i]!;
    if (!(v >= 0) || !Number.isFinite(v)) throw new SomaError('DATA_BAD_VALUE', `sample weight at row ${i} is ${v}; weights must be finite and >= 0`);
  }
  return w;
}

/** The columns of X in the order the model was trained on, matched by name. */
export function alignColumns(X: FeatureMatrix, features: readonly string[]): FeatureColumn[] {
  if (X.names.length === features.length && X.names.every((n, i) => n === features[i])) return [...X.columns];
  const index = new Map(X.names.map((n, i) => [n, i] as const));
  const missing = features.filter((f) => !index.has(f));
  if (missing.length > 0) {
    throw new SomaError('DATA_MISSING_COLUMN', `input lacks feature(s) the model was trained on: ${missing.join(', ')}`, { details: { missing } });
  }
  return features.map((f) => X.columns[index.get(f)!]!);
}

/** Linear predictor intercept + X coef for original-scale coefficients, column by column. */
export function linearPredictor(columns: readonly FeatureColumn[], rows: number, coef: Float64Array, coefOffset: number, intercept: number, out: Float64Array, outStride = 1, outOffset = 0): void {
  for (let i = 0, o = outOffset; i < rows; i++, o += outStride) out[o] = intercept;
  for (let j = 0; j < columns.length; j++) {
    const c = columns[j]!;
    const w = coef[coefOffset + j]!;
    if (w === 0) continue;
    if (isSparse(c)) {
      const { index, values } = c;
      for (let k = 0; k < index.length; k++) out[outOffset + index[k]! * outStride] += w * values[k]!;
      continue;
    }
    for (let i = 0, o = outOffset; i < rows; i++, o += outStride) out[o] += w * c[i]!;
  }
}

/** Cooperative cancellation: checks the signal and, every ~50 ms, lets the event loop run so a Ctrl-C handler can fire. */
export class AbortPoint {
  private last = Date.now();
  constructor(private readonly signal: AbortSignal | undefined) {}
  async check(): Promise<void> {
    if (this.signal?.aborted) throw new SomaError('ABORTED', 'training was aborted');
    const now = Date.now();
    if (now - this.last >= 50) {
      this.last = now;
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (this.signal?.aborted) throw new SomaError('ABORTED', 'training was aborted');
    }
  }
}

export function checkState(json: EstimatorJSON, kind: string): JsonObject {
  if (json.kind !== kind) throw new SomaError('REGISTRY_INTEGRITY', `expected a ${kind} model, got kind "${json.kind}"`);
  if (json.formatVersion !== 1) throw new SomaError('REGISTRY_INTEGRITY', `${kind} model format version ${json.formatVersion} is not supported (this soma reads version 1)`);
  if (!isJsonObject(json.state)) throw new SomaError('REGISTRY_INTEGRITY', `${kind} model state is not an object`);
  return json.state;
}

export function stateString(state: JsonObject, key: string): string {
  const v = state[key];
  if (typeof v !== 'string') throw new SomaError('REGISTRY_INTEGRITY', `model state field ${key} is missing or not a string`);
  return v;
}

export function stateNames(state: JsonObject): string[] {
  const v = state.features;
  if (!Array.isArray(v) || !v.every((s): s is string => typeof s === 'string')) throw new SomaError('REGISTRY_INTEGRITY', 'model state field features is not a list of names');
  return v;
}

/**
 * Whether a Cholesky factor of standardised normal equations is safe to solve with: the squared
 * ratio of its extreme diagonal entries (a lower bound on the condition number) must stay below
 * 1e7, so the normal equations lose at most about half of double precision.
 */
function factorConditioned(l: Float64Array, p: number): boolean {
  let lo = Infinity;
  let hi = 0;
  for (let j = 0; j < p; j++) {
    const d = l[j * p + j]!;
    lo = Math.min(lo, d);
    hi = Math.max(hi, d);
  }
  return p === 0 || (lo > 0 && (hi / lo) ** 2 < 1e7);
}

/** L1 and L2 weights per standardised coordinate, so that the penalty falls on original-scale coefficients. */
function perFeaturePenalty(l1: number, l2: number, st: Standardization): { l1v: Float64Array; l2v: Float64Array } {
  const p = st.scales.length;
  const l1v = new Float64Array(p);
  const l2v = new Float64Array(p);
  for (let j = 0; j < p; j++) {
    const s = st.scales[j]!;
    l1v[j] = l1 / s;
    l2v[j] = l2 / (s * s);
  }
  return { l1v, l2v };
}

const LINEAR_DEFAULTS: RegularizationDefaults = { penalty: 'none', max_iter: 1000, tol: 1e-4 };

/** Above this many features, lasso/elastic net use data-form coordinate descent (no p x p Gram). */
const GRAM_MAX_FEATURES = 512;

interface LinearState {
  features: string[];
  coef: Float64Array;
  intercept: number;
  solver: 'qr' | 'cholesky' | 'coordinate_descent';
  iterations: number;
  converged: boolean;
  message: string | null;
  rank: number | null;
  jitter: number;
}

export class LinearRegression implements Estimator {
  readonly kind = 'linear';
  readonly params: JsonObject;
  private readonly p: RegularizationParams;
  private state: LinearState | null = null;

  constructor(params: JsonObject = {}) {
    this.p = parseRegularization(params, LINEAR_DEFAULTS, []);
    this.params = { ...this.p };
  }

  async fit(X: FeatureMatrix, y: Target, options: FitOptions = {}): Promise<this> {
    const abort = new AbortPoint(options.signal);
    const n = X.rows;
    const p = X.columns.length;
    if (n === 0) throw new SomaError('DATA_EMPTY', 'linear: no training rows');
    if (y.values.length !== n) throw new SomaError('DATA_BAD_VALUE', `target has ${y.values.length} values for ${n} rows`);
    const w = checkWeights(options.sampleWeight, n);
    const fi = this.p.fit_intercept;
    const yv = y.values;
    const { l1, l2 } = penaltyStrengths(this.p);
    await abort.check();

    let st: Standardization | null = null;
    let yMean = 0;
    let v: Float64Array | null = null;
    let solver: LinearState['solver'] = 'qr';
    let iterations = 1;
    let converged = true;
    let message: string | null = null;
    let rank: number | null = null;
    let jitter = 0;
    // The Gram route costs one pass over the data and p^2/2 multiply-adds per row; it serves every
    // penalty except lasso/elastic net on very wide data (data-form coordinate descent).
    if (l1 === 0 || p <= GRAM_MAX_FEATURES) {
      // Wide text vocabularies make the p x p Gram matrix, not the data, the memory problem.
      if (p * p * 8 > MAX_DENSE_BYTES) {
        throw new SomaError('DATA_BAD_VALUE', `linear: ${p} features need a ${p} x ${p} Gram matrix of ${((p * p * 8) / 2 ** 30).toFixed(1)} GiB (limit ${MAX_DENSE_BYTES / 2 ** 30} GiB)`, {
          hint: 'lower max_features / n_features of the text step, or select features first',
          details: { model: 'linear', features: p, bytes: p * p * 8, limit: MAX_DENSE_BYTES },
        });
      }
      const gs = gramStatistics(X.columns, n, w, yv, fi);
      ({ st, targetMean: yMean } = gs);
      if (!gs.xty.every(Number.isFinite) || !Number.isFinite(gs.targetSS)) this.badInput(X, y);
      if (l1 === 0 && l2 === 0) {
        // OLS through the normal equations only when they are well conditioned (their error grows
        // with the squared condition number of X); otherwise pivoted QR on the data below.
        const l = Float64Array.from(gs.gram);
        if (choleskyInPlace(l, p) && factorConditioned(l, p)) {
          solver = 'cholesky';
          v = Float64Array.from(gs.xty);
          choleskySolveInPlace(l, p, v);
        }
      } else if (l1 === 0) {
        solver = 'cholesky';
        // Penalty on original-scale coefficients coef_j = v_j / s_j.
        for (let j = 0; j < p; j++) gs.gram[j * p + j] += l2 / (st.scales[j]! * st.scales[j]!);
        const sol = solveSpd(gs.gram, p, gs.xty);
        v = sol.x;
        jitter = sol.jitter;
      } else {
        solver = 'coordinate_descent';
        const { l1v, l2v } = perFeaturePenalty(l1, l2, st);
        const cd = new CovarianceCD(gs.gram, gs.xty, l1v, l2v, new Float64Array(p), Math.sqrt(gs.targetSS));
        ({ iterations, converged, message } = await this.descend(cd, options, abort));
        v = cd.v;
      }
    }
    if (!v) {
      if (!st) {
        st = standardization(X.columns, w, fi);
        let sw = 0;
        let sy = 0;
        for (let i = 0; i < n; i++) {
          const wi = w ? w[i]! : 1;
          sw += wi;
          sy += wi * yv[i]!;
        }
        yMean = fi && sw > 0 ? sy / sw : 0;
        if (!Number.isFinite(sy) || !st.means.every(Number.isFinite) || !st.scales.every(Number.isFinite)) this.badInput(X, y);
      }
      await abort.check();
      if (l1 + l2 === 0) {
        solver = 'qr';
        ({ v, rank } = this.solveQR(X.columns, n, st, w, yv, yMean));
      } else {
        solver = 'coordinate_descent';
        const sst = st;
        const { l1v, l2v } = perFeaturePenalty(l1, l2, sst);
        // Data-form descent keeps a centred (so dense) copy of every column.
        checkDenseSize(X, 'linear');
        const cols = X.columns.map((c, j) => {
          const m = sst.means[j]!;
          const s = 1 / sst.scales[j]!;
          return Float64Array.from(toDense(c), (x) => (x - m) * s);
        });
        const t = yv.map((x) => x - yMean);
        const cd = new DataCD(cols, t, w, l1v, l2v, new Float64Array(p));
        ({ iterations, converged, message } = await this.descend(cd, options, abort));
        v = cd.v;
      }
    }
    if (solver !== 'coordinate_descent') options.onProgress?.({ iteration: 1, total: 1 });
    if (!st) throw new Error('unreachable: no standardisation computed');

    // NaN or Infinity anywhere in X or y poisons the sums; only then scan, to name the culprit.
    if (!Number.isFinite(yMean) || !v.every(Number.isFinite) || !st.means.every(Number.isFinite) || !st.scales.every(Number.isFinite)) this.badInput(X, y);
    const coef = new Float64Array(p);
    let intercept = yMean;
    for (let j = 0; j < p; j++) {
      coef[j] = v[j]! / st.scales[j]!;
      intercept -= coef[j]! * st.means[j]!;
    }
    if (!fi) intercept = 0;
    this.state = { features: [...X.names], coef, intercept, solver, iterations, converged, message, rank, jitter };
    return this;
  }

  private badInput(X: FeatureMatrix, y: Target): never {
    checkFinite(X);
    checkTargetFinite(y.values);
    throw new SomaError('DATA_BAD_VALUE', 'linear: the fit produced non-finite coefficients; check the features for extreme values', { hint: 'add a scale step to preprocess' });
  }

  /** Coordinate-descent sweeps until the change falls below tol, with progress and abort between sweeps. */
  private async descend(cd: CovarianceCD | DataCD, options: FitOptions, abort: AbortPoint): Promise<{ iterations: number; converged: boolean; message: string | null }> {
    for (let it = 1; it <= this.p.max_iter; it++) {
      const change = cd.sweep();
      options.onProgress?.({ iteration: it, total: this.p.max_iter, metric: 'max_change', train: change });
      if (change <= this.p.tol) return { iterations: it, converged: true, message: null };
      await abort.check();
    }
    const message =
      `coordinate descent did not converge in ${this.p.max_iter} sweeps (last change ${cd.maxChange.toExponential(2)} > tol ${this.p.tol}): ` +
      'raise max_iter, scale the features, or increase alpha';
    return { iterations: this.p.max_iter, converged: false, message };
  }

  /** OLS: pivoted QR on sqrt(w)-scaled, standardised, centred data. */
  private solveQR(columns: readonly FeatureColumn[], n: number, st: Standardization, w: Float64Array | null, y: Float64Array, yMean: number): { v: Float64Array; rank: number } {
    const p = columns.length;
    const a = new Float64Array(n * p);
    const b = new Float64Array(n);
    const sq = w ? w.map(Math.sqrt) : null;
    for (let j = 0; j < p; j++) {
      const c = toDense(columns[j]!); // QR needs every centred value: one column at a time
      const m = st.means[j]!;
      const s = 1 / st.scales[j]!;
      const o = j * n;
      if (sq) for (let i = 0; i < n; i++) a[o + i] = (c[i]! - m) * s * sq[i]!;
      else for (let i = 0; i < n; i++) a[o + i] = (c[i]! - m) * s;
    }
    for (let i = 0; i < n; i++) b[i] = (y[i]! - yMean) * (sq ? sq[i]! : 1);
    const sol = leastSquaresQR(a, n, p, b);
    return { v: sol.x, rank: sol.rank };
  }

  private fitted(): LinearState {
    if (!this.state) throw new SomaError('USAGE', 'linear model is not fitted yet: call fit() first');
    return this.state;
  }

  predict(X: FeatureMatrix): Float64Array {
    const s = this.fitted();
    const cols = alignColumns(X, s.features);
    const out = new Float64Array(X.rows);
    linearPredictor(cols, X.rows, s.coef, 0, s.intercept, out);
    // NaN out means NaN or Infinity in; scan the columns only then, to name the feature.
    for (let i = 0; i < out.length; i++) {
      if (Number.isNaN(out[i]!)) {
        checkFinite({ ...X, names: s.features, columns: cols });
        break;
      }
    }
    return out;
  }

  featureImportance(): FeatureImportance {
    const s = this.fitted();
    return { kind: 'coefficient', names: [...s.features], values: Array.from(s.coef, Math.abs) };
  }

  summary(): JsonObject {
    const s = this.fitted();
    const coefficients: JsonObject = {};
    s.features.forEach((f, j) => (coefficients[f] = s.coef[j]!));
    const out: JsonObject = { solver: s.solver, penalty: this.p.penalty, iterations: s.iterations, converged: s.converged, intercept: s.intercept, coefficients };
    if (s.rank !== null) out.rank = s.rank;
    if (s.jitter > 0) out.jitter = s.jitter;
    if (s.message) out.message = s.message;
    return out;
  }

  toJSON(): EstimatorJSON {
    const s = this.fitted();
    const state: { [k: string]: JsonValue } = {
      features: [...s.features],
      coef: encodeF64(s.coef),
      intercept: s.intercept,
      solver: s.solver,
      iterations: s.iterations,
      converged: s.converged,
      message: s.message,
      rank: s.rank,
      jitter: s.jitter,
    };
    return { kind: this.kind, formatVersion: 1, params: { ...this.params }, state };
  }

  static fromJSON(json: EstimatorJSON): LinearRegression {
    const st = checkState(json, 'linear');
    const m = new LinearRegression(json.params);
    const features = stateNames(st);
    const coef = decodeF64(stateString(st, 'coef'));
    if (coef.length !== features.length) throw new SomaError('REGISTRY_INTEGRITY', `linear model has ${coef.length} coefficients for ${features.length} features`);
    const solver = st.solver;
    if (solver !== 'qr' && solver !== 'cholesky' && solver !== 'coordinate_descent') throw new SomaError('REGISTRY_INTEGRITY', `linear model state has unknown solver ${JSON.stringify(solver)}`);
    m.state = {
      features,
      coef,
      intercept: typeof st.intercept === 'number' ? st.intercept : 0,
      solver,
      iterations: typeof st.iterations === 'number' ? st.iterations : 0,
      converged: st.converged !== false,
      message: typeof st.message === 'string' ? st.message : null,
      rank: typeof st.rank === 'number' ? st.rank : null,
      jitter: typeof st.jitter === 'number' ? st.jitter : 0,
    };
    return m;
  }
}

export const linearSpec: EstimatorSpec = {
  name: 'linear',
  description: 'Linear regression: ordinary least squares, ridge (l2), lasso (l1) or elastic net, on internally standardised features.',
  tasks: ['regression'] as Task[],
  paramsSchema: {
    type: 'object',
    additionalProperties: false,
    properties: regularizationSchema('linear', LINEAR_DEFAULTS),
  },
  nativeCategorical: false,
  create: (params: JsonObject) => new LinearRegression(params),
  fromJSON: (json: EstimatorJSON) => LinearRegression.fromJSON(json),
};
