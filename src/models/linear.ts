// `linear`: least-squares regression with optional L2 (ridge), L1 (lasso) or elastic-net
// penalty (the params it shares with `logistic` are in regularization.ts).
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
import { MAX_DENSE_BYTES, toDense, type FeatureColumn } from '../engine/sparse.js';
import { SomaError } from '../errors.js';
import { encodeF64 } from '../util/base64.js';
import type { JsonObject, JsonValue } from '../util/json.js';
import { resolveParams } from '../util/params.js';
import { readEnvelope } from '../util/state-reader.js';
import { AbortPoint } from './abort.js';
import { checkFinite } from './checks.js';
import { checkDenseSize } from './dense.js';
import type { Estimator, EstimatorJSON, EstimatorSpec, FeatureImportance, FitOptions } from './estimator.js';
import { alignColumns } from './features.js';
import { linearPredictor } from './linear-predictor.js';
import { linearWording, penaltyStrengths, regularizationParams, regularizationSchema, type RegularizationDefaults, type RegularizationParams } from './regularization.js';
import { checkWeights } from './weights.js';
import { IMPUTE_SCALE_STEPS } from './default-preprocess.js';

function checkTargetFinite(y: Float64Array): void {
  for (let i = 0; i < y.length; i++) {
    if (!Number.isFinite(y[i]!)) throw new SomaError('DATA_BAD_VALUE', `target has a missing or infinite value at row ${i}`, { hint: 'drop rows with a missing target before training' });
  }
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

const linearParamsSchema: JsonObject = {
  type: 'object',
  additionalProperties: false,
  properties: regularizationSchema('linear', LINEAR_DEFAULTS),
};

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
    this.params = resolveParams(linearParamsSchema, params, linearWording);
    this.p = regularizationParams(this.params);
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
    const st = readEnvelope(json, 'kind', 'linear', [1]);
    const m = new LinearRegression(json.params);
    const features = st.field('features').strings();
    m.state = {
      features,
      coef: st.field('coef').typed(Float64Array, { length: features.length }),
      intercept: st.field('intercept').optional()?.number() ?? 0,
      solver: st.field('solver').oneOf(['qr', 'cholesky', 'coordinate_descent']),
      iterations: st.field('iterations').optional()?.int({ min: 0 }) ?? 0,
      converged: st.field('converged').optional()?.bool() ?? true,
      message: st.field('message').optional()?.string() ?? null,
      rank: st.field('rank').optional()?.int({ min: 0 }) ?? null,
      jitter: st.field('jitter').optional()?.number({ min: 0 }) ?? 0,
    };
    return m;
  }
}

export const linearSpec: EstimatorSpec = {
  name: 'linear',
  description: 'Linear regression: ordinary least squares, ridge (l2), lasso (l1) or elastic net, on internally standardised features.',
  tasks: ['regression'] as Task[],
  paramsSchema: linearParamsSchema,
  nativeCategorical: false,
  acceptsMissing: false,
  defaultPreprocess: IMPUTE_SCALE_STEPS,
  create: (params: JsonObject) => new LinearRegression(params),
  fromJSON: (json: EstimatorJSON) => LinearRegression.fromJSON(json),
};
