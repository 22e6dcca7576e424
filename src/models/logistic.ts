// `logistic`: binary (sigmoid) and multinomial (softmax) logistic regression with none, l2, l1
// or elastic-net penalties and optional balanced class weights.
//
// Objective, on the same scale as `linear` (the SUM of per-row losses):
//   sum_i w_i * logloss_i + alpha * (l1_ratio * |coef|_1 + (1 - l1_ratio)/2 * |coef|^2)
// so penalty l2 with alpha = 1/C is exactly scikit-learn's LogisticRegression(C). The optimiser
// minimises that objective divided by the total weight (a per-row mean), which leaves the solution
// unchanged and makes `tol` mean about what it means in scikit-learn's lbfgs: the largest gradient
// component of the mean objective (here with respect to standardised coefficients).
//
// Solver: L-BFGS with a strong-Wolfe line search for none/l2; OWL-QN (orthant-wise L-BFGS) when
// the penalty has an L1 part. Both optimise over standardised features (the standardisation is
// folded into the coefficients inside the loss kernel, so no copy of the data is made), with one
// blocked loss-and-gradient pass per evaluation; coefficients are reported on the original scale.
// From 100k rows on, the optimiser first runs on a 1/8 sample of row blocks and then finishes on all
// rows from there (keeping its curvature memory), so most iterations cost an eighth of a pass;
// convergence is always judged on the full data.
//
// Sparse feature columns (text features) are used as they are: the loss kernel adds only their
// stored entries to the linear predictors and gradients, and the standardisation of a sparse
// column is folded into the intercept, so nothing is densified.

import type { FeatureMatrix } from '../engine/matrix.js';
import type { Target, Task } from '../tasks/task.js';
import { standardization } from '../engine/linalg/dense.js';
import { isSparse, rowInverse, takeSparse, type FeatureColumn, type RowInverse } from '../engine/sparse.js';
import { Lbfgs } from '../engine/optim/lbfgs.js';
import { LogLossWorkspace, logLossColumns, type ColumnDesign } from '../engine/optim/logloss.js';
import { SomaError } from '../errors.js';
import { encodeF64 } from '../util/base64.js';
import type { JsonObject, JsonValue } from '../util/json.js';
import { resolveParams } from '../util/params.js';
import { readEnvelope } from '../util/state-reader.js';
import { AbortPoint } from './abort.js';
import { argmaxRows } from './argmax.js';
import { checkFinite } from './checks.js';
import type { Estimator, EstimatorJSON, EstimatorSpec, FeatureImportance, FitOptions } from './estimator.js';
import { alignColumns } from './features.js';
import { linearPredictor } from './linear-predictor.js';
import { linearWording, penaltyStrengths, regularizationParams, regularizationSchema, type RegularizationDefaults, type RegularizationParams } from './regularization.js';
import { checkWeights } from './weights.js';
import { IMPUTE_SCALE_STEPS } from './default-preprocess.js';

export type ClassWeight = 'none' | 'balanced';

/** From this many rows on, the fit is warm-started on a sample (below, one pass costs little anyway). */
const WARM_START_MIN_ROWS = 100_000;
/** Share of rows in the warm-start sample. */
const WARM_START_FRACTION = 1 / 8;
/** Rows per sampled block: contiguous runs read only the sampled cache lines. */
const SAMPLE_BLOCK = 1024;

interface RowSample {
  columns: FeatureColumn[];
  y: Float64Array;
  weights: Float64Array | null;
  weightSum: number;
  rows: number;
}

/**
 * Every k-th block of SAMPLE_BLOCK rows (k = 1/fraction), copied. Whole blocks rather than every
 * k-th row, so the copy touches only the sampled part of memory; spreading the blocks over the
 * whole range keeps the sample representative of data stored in some order.
 */
function blockSample(columns: readonly FeatureColumn[], y: Float64Array, weights: Float64Array | null, rows: number, fraction: number): RowSample {
  const every = Math.max(1, Math.round(1 / fraction));
  const starts: number[] = [];
  for (let b = 0; b * SAMPLE_BLOCK < rows; b += every) starts.push(b * SAMPLE_BLOCK);
  let m = 0;
  for (const s of starts) m += Math.min(SAMPLE_BLOCK, rows - s);
  const take = (src: Float64Array): Float64Array => {
    const out = new Float64Array(m);
    let o = 0;
    for (const s of starts) {
      const e = Math.min(rows, s + SAMPLE_BLOCK);
      out.set(src.subarray(s, e), o);
      o += e - s;
    }
    return out;
  };
  // Sparse columns take the same rows through one shared row inverse (ascending, so no sort).
  let inv: RowInverse | undefined;
  const takeSparseRows = (c: Parameters<typeof takeSparse>[0]): FeatureColumn => {
    if (!inv) {
      const idx = new Uint32Array(m);
      let o = 0;
      for (const s of starts) for (let i = s, e = Math.min(rows, s + SAMPLE_BLOCK); i < e; i++) idx[o++] = i;
      inv = rowInverse(idx, rows);
    }
    return takeSparse(c, inv, m);
  };
  const ws = weights ? take(weights) : null;
  let weightSum = m;
  if (ws) {
    weightSum = 0;
    for (let i = 0; i < m; i++) weightSum += ws[i]!;
  }
  return { columns: columns.map((c) => (isSparse(c) ? takeSparseRows(c) : take(c))), y: take(y), weights: ws, weightSum, rows: m };
}

const LOGISTIC_DEFAULTS: RegularizationDefaults = { penalty: 'l2', max_iter: 100, tol: 1e-4 };

const logisticParamsSchema: JsonObject = {
  type: 'object',
  additionalProperties: false,
  properties: {
    ...regularizationSchema('logistic', LOGISTIC_DEFAULTS),
    class_weight: {
      type: 'string',
      enum: ['none', 'balanced'],
      default: 'none',
      description: 'balanced weighs each row by n_rows / (n_classes * rows of its class), as scikit-learn does; none weighs rows equally (times any sample weight).',
    },
  },
};

interface LogisticState {
  features: string[];
  nClasses: number;
  /** Rows of coefficients: 1 row (class 1 vs 0) for binary, nClasses rows for multinomial; row-major. */
  coef: Float64Array;
  intercept: Float64Array;
  solver: 'lbfgs' | 'owlqn';
  iterations: number;
  /** Objective-and-gradient evaluations (passes over the data). */
  evaluations: number;
  /** Iterations and evaluations of the warm start on a row sample (0 when not used). */
  warmStartIterations: number;
  warmStartEvaluations: number;
  converged: boolean;
  message: string | null;
  /** Final mean objective (loss + penalty per unit weight). */
  objective: number;
}

export class LogisticRegression implements Estimator {
  readonly kind = 'logistic';
  readonly params: JsonObject;
  private readonly p: RegularizationParams;
  private readonly classWeight: ClassWeight;
  private state: LogisticState | null = null;

  constructor(params: JsonObject = {}) {
    this.params = resolveParams(logisticParamsSchema, params, linearWording);
    this.p = regularizationParams(this.params);
    this.classWeight = this.params['class_weight'] as ClassWeight;
  }

  async fit(X: FeatureMatrix, y: Target, options: FitOptions = {}): Promise<this> {
    const abort = new AbortPoint(options.signal);
    const n = X.rows;
    const p = X.columns.length;
    if (n === 0) throw new SomaError('DATA_EMPTY', 'logistic: no training rows');
    if (y.values.length !== n) throw new SomaError('DATA_BAD_VALUE', `target has ${y.values.length} values for ${n} rows`);
    const K = y.nClasses;
    if (!(K >= 2)) throw new SomaError('DATA_BAD_VALUE', `logistic regression needs at least two classes (got ${K})`);
    const counts = new Float64Array(K);
    for (let i = 0; i < n; i++) {
      const c = y.values[i]!;
      if (!Number.isInteger(c) || c < 0 || c >= K) throw new SomaError('DATA_BAD_VALUE', `target value ${c} at row ${i} is not a class index in 0..${K - 1}`);
      counts[c]++;
    }
    let w = checkWeights(options.sampleWeight, n);
    if (this.classWeight === 'balanced') {
      // scikit-learn's rule: n_rows / (n_classes * count of the class), times any sample weight.
      const cw = Array.from(counts, (c) => (c > 0 ? n / (K * c) : 0));
      const combined = new Float64Array(n);
      for (let i = 0; i < n; i++) combined[i] = cw[y.values[i]!]! * (w ? w[i]! : 1);
      w = combined;
    }
    let W = 0;
    const wc = new Float64Array(K);
    for (let i = 0; i < n; i++) {
      const wi = w ? w[i]! : 1;
      W += wi;
      wc[y.values[i]!] += wi;
    }
    if (!(W > 0)) throw new SomaError('DATA_BAD_VALUE', 'all sample weights are zero');

    const fi = this.p.fit_intercept;
    const yv = y.values;
    // On large data, first solve the same problem on a sample of row blocks, then continue on all
    // rows from that solution and its curvature memory: the mean objective of a large sample has
    // nearly the same minimiser and Hessian, so most iterations run on a fraction of the data.
    const sample = n >= WARM_START_MIN_ROWS ? blockSample(X.columns, yv, w, n, WARM_START_FRACTION) : null;
    // The standardisation only preconditions the optimiser (the penalty and the reported
    // coefficients are exact whatever it is), so the sample is enough to estimate it.
    const st = sample ? standardization(sample.columns, sample.weights, fi) : standardization(X.columns, w, fi);
    await abort.check();

    const binary = K === 2;
    const blocks = binary ? 1 : K;
    const stride = fi ? p + 1 : p;
    const dim = blocks * stride;
    const { l1, l2 } = penaltyStrengths(this.p);
    // Per-coordinate penalties in standardised space, for original-scale coef_j = v_j / s_j, and
    // divided by W because the optimiser sees the per-unit-weight mean objective.
    const l2v = new Float64Array(dim);
    const l1v = new Float64Array(dim);
    for (let b = 0; b < blocks; b++) {
      for (let j = 0; j < p; j++) {
        const s = st.scales[j]!;
        l2v[b * stride + j] = l2 / (s * s) / W;
        l1v[b * stride + j] = l1 / s / W;
      }
    }
    const ws = new LogLossWorkspace(p, blocks);
    /** Mean log-loss over the given rows plus the full-data penalty (scaled by the full weight sum). */
    const objective = (columns: readonly FeatureColumn[], rows: number, yy: Float64Array, ww: Float64Array | null, wsum: number) => {
      const design: ColumnDesign = { columns, rows, means: st.means, scales: st.scales };
      const invW = 1 / wsum;
      return (x: Float64Array, g: Float64Array): number => {
        let f = logLossColumns(design, yy, ww, x, blocks, fi, g, ws);
        f *= invW;
        for (let i = 0; i < dim; i++) {
          const lam = l2v[i]!;
          g[i] = g[i]! * invW + lam * x[i]!;
          f += 0.5 * lam * x[i]! * x[i]!;
        }
        return f;
      };
    };
    // Start from the class priors (intercept only), which is already the best constant model.
    const x0 = new Float64Array(dim);
    if (fi) {
      const eps = 1e-12;
      if (binary) x0[p] = Math.log((wc[1]! + eps) / (wc[0]! + eps));
      else for (let k = 0; k < K; k++) x0[k * stride + p] = Math.log((wc[k]! + eps) / W);
    }
    const useL1 = l1 > 0;
    // ftol = 2.2e-5 * tol: at the default tol 1e-4 this is SciPy's factr=1e7 stop that scikit-learn's
    // lbfgs uses; a smaller tol tightens it too, so asking for precision gets precision.
    const lbfgsOptions = { maxIter: this.p.max_iter, gtol: this.p.tol, ftol: 2.220446049250313e-5 * this.p.tol, l1: useL1 ? l1v : undefined };
    // Missing or infinite inputs make the first objective non-finite (the optimiser refuses to
    // start): only then scan the columns, to name the culprit, instead of paying a validation pass
    // over all the data on every fit.
    const start = (fg: (x: Float64Array, g: Float64Array) => number, from: Float64Array): Lbfgs => {
      try {
        return new Lbfgs(fg, from, lbfgsOptions);
      } catch (e) {
        checkFinite(X);
        throw new SomaError('DATA_BAD_VALUE', `logistic: ${e instanceof Error ? e.message : String(e)}; check the features and sample weights for extreme values`, { cause: e });
      }
    };
    let progressCount = 0;
    const drive = async (o: Lbfgs): Promise<void> => {
      while (o.status === 'running') {
        o.step();
        // With a warm start the total is not known in advance (two phases, each up to max_iter).
        options.onProgress?.({ iteration: ++progressCount, ...(sample ? {} : { total: this.p.max_iter }), metric: 'objective', train: o.f });
        await abort.check();
      }
    };
    let warmIterations = 0;
    let warmEvaluations = 0;
    let opt: Lbfgs;
    if (sample) {
      const warm = start(objective(sample.columns, sample.rows, sample.y, sample.weights, sample.weightSum), x0);
      await drive(warm);
      warmIterations = warm.iterations;
      warmEvaluations = warm.evaluations;
      opt = start(objective(X.columns, n, yv, w, W), warm.x);
      opt.adoptMemory(warm);
    } else {
      opt = start(objective(X.columns, n, yv, w, W), x0);
    }
    await drive(opt);

    const converged = opt.status === 'converged';
    let message: string | null = null;
    if (!converged) {
      const g = opt.gradientNorm().toExponential(2);
      message =
        opt.status === 'max_iter'
          ? `${useL1 ? 'OWL-QN' : 'L-BFGS'} did not converge in ${this.p.max_iter} iterations (largest gradient component ${g} > tol ${this.p.tol}): raise max_iter, scale the features (add a scale step), or increase alpha`
          : `the line search could not lower the objective further after ${opt.iterations} iterations (largest gradient component ${g} > tol ${this.p.tol}): scale the features (add a scale step), increase alpha, or loosen tol`;
    }
    const coef = new Float64Array(blocks * p);
    const intercept = new Float64Array(blocks);
    for (let b = 0; b < blocks; b++) {
      let c0 = fi ? opt.x[b * stride + p]! : 0;
      for (let j = 0; j < p; j++) {
        const cj = opt.x[b * stride + j]! / st.scales[j]!;
        coef[b * p + j] = cj;
        c0 -= cj * st.means[j]!;
      }
      intercept[b] = fi ? c0 : 0;
    }
    this.state = {
      features: [...X.names],
      nClasses: K,
      coef,
      intercept,
      solver: useL1 ? 'owlqn' : 'lbfgs',
      iterations: opt.iterations,
      evaluations: opt.evaluations,
      warmStartIterations: warmIterations,
      warmStartEvaluations: warmEvaluations,
      converged,
      message,
      objective: opt.f,
    };
    return this;
  }

  private fitted(): LogisticState {
    if (!this.state) throw new SomaError('USAGE', 'logistic model is not fitted yet: call fit() first');
    return this.state;
  }

  /** Row-major probabilities, rows x nClasses (two columns for binary). */
  predictProba(X: FeatureMatrix): Float64Array {
    const s = this.fitted();
    const cols = alignColumns(X, s.features);
    const n = X.rows;
    const K = s.nClasses;
    const out = new Float64Array(n * K);
    // NaN logits mean NaN or Infinity in the input: scan the columns once, to name the feature.
    let bad = false;
    const verify = (): Float64Array => {
      if (bad) checkFinite({ ...X, names: s.features, columns: cols });
      return out;
    };
    if (K === 2) {
      linearPredictor(cols, n, s.coef, 0, s.intercept[0]!, out, 2, 1);
      for (let i = 0; i < n; i++) {
        const z = out[2 * i + 1]!;
        if (Number.isNaN(z)) bad = true;
        const e = Math.exp(-Math.abs(z));
        const p1 = z >= 0 ? 1 / (1 + e) : e / (1 + e);
        out[2 * i] = z >= 0 ? e / (1 + e) : 1 / (1 + e);
        out[2 * i + 1] = p1;
      }
      return verify();
    }
    const p = s.features.length;
    for (let k = 0; k < K; k++) linearPredictor(cols, n, s.coef, k * p, s.intercept[k]!, out, K, k);
    for (let i = 0, o = 0; i < n; i++, o += K) {
      let m = -Infinity;
      for (let k = 0; k < K; k++) m = Math.max(m, out[o + k]!);
      if (Number.isNaN(m)) bad = true;
      let sum = 0;
      for (let k = 0; k < K; k++) {
        const e = Math.exp(out[o + k]! - m);
        out[o + k] = e;
        sum += e;
      }
      for (let k = 0; k < K; k++) out[o + k] = out[o + k]! / sum;
    }
    return verify();
  }

  /** The most probable class index per row (ties go to the lower index). */
  predict(X: FeatureMatrix): Float64Array {
    return argmaxRows(this.predictProba(X), X.rows, this.fitted().nClasses);
  }

  featureImportance(): FeatureImportance {
    const s = this.fitted();
    const p = s.features.length;
    const rows = s.coef.length / Math.max(p, 1);
    // Multinomial: the largest |coefficient| over classes, so one number still ranks each feature.
    const values = s.features.map((_, j) => {
      let m = 0;
      for (let b = 0; b < rows; b++) m = Math.max(m, Math.abs(s.coef[b * p + j]!));
      return m;
    });
    return { kind: 'coefficient', names: [...s.features], values };
  }

  summary(): JsonObject {
    const s = this.fitted();
    const p = s.features.length;
    const byName = (b: number): JsonObject => {
      const o: JsonObject = {};
      s.features.forEach((f, j) => (o[f] = s.coef[b * p + j]!));
      return o;
    };
    const out: JsonObject = { solver: s.solver, penalty: this.p.penalty, n_classes: s.nClasses, iterations: s.iterations, evaluations: s.evaluations, converged: s.converged, objective: s.objective };
    if (s.warmStartIterations > 0) {
      out.warm_start = { rows_fraction: WARM_START_FRACTION, iterations: s.warmStartIterations, evaluations: s.warmStartEvaluations };
    }
    if (s.nClasses === 2) {
      out.intercept = s.intercept[0]!;
      out.coefficients = byName(0);
    } else {
      const per: JsonObject = {};
      const ints: JsonObject = {};
      for (let k = 0; k < s.nClasses; k++) {
        per[String(k)] = byName(k);
        ints[String(k)] = s.intercept[k]!;
      }
      out.intercept = ints;
      out.coefficients = per;
    }
    if (s.message) out.message = s.message;
    return out;
  }

  toJSON(): EstimatorJSON {
    const s = this.fitted();
    const state: { [k: string]: JsonValue } = {
      features: [...s.features],
      n_classes: s.nClasses,
      coef: encodeF64(s.coef),
      intercept: encodeF64(s.intercept),
      solver: s.solver,
      iterations: s.iterations,
      evaluations: s.evaluations,
      warm_start_iterations: s.warmStartIterations,
      warm_start_evaluations: s.warmStartEvaluations,
      converged: s.converged,
      message: s.message,
      objective: s.objective,
    };
    return { kind: this.kind, formatVersion: 1, params: { ...this.params }, state };
  }

  static fromJSON(json: EstimatorJSON): LogisticRegression {
    const st = readEnvelope(json, 'kind', 'logistic', [1]);
    const m = new LogisticRegression(json.params);
    const features = st.field('features').strings();
    const K = st.field('n_classes').int({ min: 2 });
    const blocks = K === 2 ? 1 : K;
    m.state = {
      features,
      nClasses: K,
      coef: st.field('coef').typed(Float64Array, { length: blocks * features.length }),
      intercept: st.field('intercept').typed(Float64Array, { length: blocks }),
      solver: st.field('solver').optional()?.oneOf(['lbfgs', 'owlqn']) ?? 'lbfgs',
      iterations: st.field('iterations').optional()?.int({ min: 0 }) ?? 0,
      evaluations: st.field('evaluations').optional()?.int({ min: 0 }) ?? 0,
      warmStartIterations: st.field('warm_start_iterations').optional()?.int({ min: 0 }) ?? 0,
      warmStartEvaluations: st.field('warm_start_evaluations').optional()?.int({ min: 0 }) ?? 0,
      converged: st.field('converged').optional()?.bool() ?? true,
      message: st.field('message').optional()?.string() ?? null,
      // JSON has no NaN: an objective that was not a number was saved as null.
      objective: st.field('objective').optional()?.number() ?? NaN,
    };
    return m;
  }
}

export const logisticSpec: EstimatorSpec = {
  name: 'logistic',
  description: 'Logistic regression, binary or multinomial (softmax), with none/l2/l1/elasticnet penalties; L-BFGS, or OWL-QN with an L1 part.',
  tasks: ['classification'] as Task[],
  paramsSchema: logisticParamsSchema,
  nativeCategorical: false,
  acceptsMissing: false,
  defaultPreprocess: IMPUTE_SCALE_STEPS,
  create: (params: JsonObject) => new LogisticRegression(params),
  fromJSON: (json: EstimatorJSON) => LogisticRegression.fromJSON(json),
};
