// Gradient boosted trees on soma's histogram engine (`gbdt`, alias `xgboost`), with XGBoost's
// parameter names. Also holds the tree models' shared helpers: param resolution and forest JSON.

import { availableParallelism } from 'node:os';
import { isMainThread } from 'node:worker_threads';
import type { FeatureMatrix } from '../engine/matrix.js';
import type { Target, Task } from '../tasks/task.js';
import { createLoss, type Loss } from '../engine/loss/index.js';
import { trainBoosting, TrainingAborted, type BoostResult } from '../engine/tree/boosting.js';
import { featureImportance, validateForest, type Forest } from '../engine/tree/predictor.js';
import { predictRawThreads } from '../engine/tree/predict-parallel.js';
import { SomaError } from '../errors.js';
import { decodeF64, decodeI32, decodeTyped, encodeTyped } from '../util/base64.js';
import { isJsonObject, type JsonObject, type JsonValue } from '../util/json.js';
import type { Estimator, EstimatorJSON, EstimatorSpec, FeatureImportance, FitOptions } from './estimator.js';
import { denseColumns } from './dense.js';

// ---------------------------------------------------------------------------------------------
// Shared by the tree models.

/** Checks params against a flat params schema and fills defaults; errors name the param and the accepted values. */
export function resolveParams(kind: string, schema: JsonObject, params: JsonObject): JsonObject {
  const props = schema['properties'] as Record<string, JsonObject>;
  const out: JsonObject = {};
  for (const key of Object.keys(params)) {
    if (!(key in props)) {
      throw new SomaError('PARAM_INVALID', `${kind}: unknown parameter "${key}" (expected one of ${Object.keys(props).join(', ')})`);
    }
  }
  for (const [key, prop] of Object.entries(props)) {
    const v = key in params ? params[key]! : prop['default']!;
    const alternatives = Array.isArray(prop['anyOf']) ? (prop['anyOf'] as JsonObject[]) : [prop];
    if (!alternatives.some((alt) => fitsSchema(v, alt))) {
      throw new SomaError('PARAM_INVALID', `${kind}: parameter ${key} = ${JSON.stringify(v)} is invalid: expected ${alternatives.map(describeSchema).join(', or ')}`, {
        details: { param: key, value: v },
      });
    }
    out[key] = v;
  }
  return out;
}

function fitsSchema(v: JsonValue, s: JsonObject): boolean {
  const type = s['type'];
  if (type === 'integer' && !(typeof v === 'number' && Number.isInteger(v))) return false;
  if (type === 'number' && !(typeof v === 'number' && Number.isFinite(v))) return false;
  if (type === 'string' && typeof v !== 'string') return false;
  if (type === 'boolean' && typeof v !== 'boolean') return false;
  if (type === 'null' && v !== null) return false;
  if (Array.isArray(s['enum']) && !s['enum'].includes(v)) return false;
  if (typeof v === 'number') {
    const { minimum: min, maximum: max, exclusiveMinimum: xmin } = s;
    if (typeof min === 'number' && v < min) return false;
    if (typeof max === 'number' && v > max) return false;
    if (typeof xmin === 'number' && v <= xmin) return false;
  }
  return true;
}

/** What a flat params schema accepts, in words: `one of "sqrt", "log2"`, `a number > 0 and <= 1`. */
function describeSchema(s: JsonObject): string {
  if (Array.isArray(s['enum'])) return `one of ${s['enum'].map((e) => JSON.stringify(e)).join(', ')}`;
  const type = s['type'];
  if (type === 'integer' || type === 'number') {
    const bounds: string[] = [];
    if (typeof s['exclusiveMinimum'] === 'number') bounds.push(`> ${s['exclusiveMinimum']}`);
    if (typeof s['minimum'] === 'number') bounds.push(`>= ${s['minimum']}`);
    if (typeof s['maximum'] === 'number') bounds.push(`<= ${s['maximum']}`);
    return `${type === 'integer' ? 'an integer' : 'a number'}${bounds.length > 0 ? ` ${bounds.join(' and ')}` : ''}`;
  }
  if (type === 'boolean') return 'true or false';
  if (type === 'null') return 'null';
  return `a ${String(type)}`;
}

export function forestToJSON(f: Forest): JsonObject {
  return {
    nOut: f.nOut,
    nGroups: f.nGroups,
    feature: encodeTyped(f.feature),
    threshold: encodeTyped(f.threshold),
    left: encodeTyped(f.left),
    right: encodeTyped(f.right),
    value: encodeTyped(f.value),
    flags: encodeTyped(f.flags),
    gain: encodeTyped(f.gain),
    cover: encodeTyped(f.cover),
    catBits: encodeTyped(f.catBits),
    treeRoots: encodeTyped(f.treeRoots),
    treeGroup: encodeTyped(f.treeGroup),
  };
}

export function forestFromJSON(kind: string, o: JsonValue | undefined, nFeatures: number): Forest {
  if (!isJsonObject(o)) throw new SomaError('DATA_FORMAT', `${kind}: saved state has no forest`);
  const s = (k: string): string => {
    const v = o[k];
    if (typeof v !== 'string') throw new SomaError('DATA_FORMAT', `${kind}: saved forest field ${k} is missing`);
    return v;
  };
  const f: Forest = {
    nOut: Number(o['nOut']),
    nGroups: Number(o['nGroups']),
    feature: decodeI32(s('feature')),
    threshold: decodeF64(s('threshold')),
    left: decodeI32(s('left')),
    right: decodeI32(s('right')),
    value: decodeF64(s('value')),
    flags: decodeTyped(Uint8Array, s('flags')),
    gain: decodeF64(s('gain')),
    cover: decodeF64(s('cover')),
    catBits: decodeTyped(Uint32Array, s('catBits')),
    treeRoots: decodeI32(s('treeRoots')),
    treeGroup: decodeI32(s('treeGroup')),
  };
  const problem = validateForest(f, nFeatures);
  if (problem) throw new SomaError('DATA_FORMAT', `${kind}: saved forest is corrupt: ${problem}`);
  return f;
}

export function checkFeatures(kind: string, names: readonly string[], X: FeatureMatrix): void {
  if (X.columns.length !== names.length) {
    throw new SomaError('DATA_FORMAT', `${kind}: the model was trained on ${names.length} features, got ${X.columns.length}`, {
      details: { expected: [...names], got: [...X.names] },
    });
  }
}

export function checkTarget(kind: string, X: FeatureMatrix, y: Target, task: Task): void {
  if (X.rows === 0) throw new SomaError('DATA_EMPTY', `${kind}: no training rows`);
  if (y.values.length !== X.rows) throw new SomaError('DATA_BAD_VALUE', `${kind}: ${X.rows} feature rows but ${y.values.length} target values`);
  if (y.task !== task) throw new SomaError('PARAM_INVALID', `${kind}: created for ${task} but given a ${y.task} target`);
  if (task === 'classification') {
    if (y.nClasses < 2) throw new SomaError('DATA_BAD_VALUE', `${kind}: classification needs at least 2 classes, got ${y.nClasses}`);
    for (let i = 0; i < y.values.length; i++) {
      const v = y.values[i]!;
      if (!(Number.isInteger(v) && v >= 0 && v < y.nClasses)) {
        throw new SomaError('DATA_BAD_VALUE', `${kind}: class index ${v} at row ${i} is outside 0..${y.nClasses - 1}`);
      }
    }
  } else {
    for (let i = 0; i < y.values.length; i++) {
      if (!Number.isFinite(y.values[i]!)) throw new SomaError('DATA_BAD_VALUE', `${kind}: target value ${y.values[i]} at row ${i} is not finite`);
    }
  }
}

/** Sample weights times balanced class weights (n / (K * weight of class)), or null when all are 1. */
export function combineWeights(y: Target, sampleWeight: Float64Array | undefined, balanced: boolean, extra?: (cls: number) => number): Float64Array | null {
  const n = y.values.length;
  if (sampleWeight && sampleWeight.length !== n) throw new SomaError('DATA_BAD_VALUE', `sampleWeight has ${sampleWeight.length} values for ${n} rows`);
  if (!sampleWeight && !balanced && !extra) return null;
  const w = sampleWeight ? Float64Array.from(sampleWeight) : new Float64Array(n).fill(1);
  if (balanced && y.task === 'classification') {
    const byClass = new Float64Array(y.nClasses);
    for (let i = 0; i < n; i++) byClass[y.values[i]!] += w[i]!;
    let total = 0;
    for (const c of byClass) total += c;
    for (let i = 0; i < n; i++) {
      const c = byClass[y.values[i]!]!;
      w[i] = w[i]! * (c > 0 ? total / (y.nClasses * c) : 1);
    }
  }
  if (extra) for (let i = 0; i < n; i++) w[i] = w[i]! * extra(y.values[i]!);
  return w;
}

export function importanceSummary(names: readonly string[], imp: { gain: Float64Array; split: Float64Array; cover: Float64Array }): JsonObject {
  const obj = (a: Float64Array): JsonObject => Object.fromEntries(names.map((n, j) => [n, a[j]!]));
  return { gain: obj(imp.gain), split: obj(imp.split), cover: obj(imp.cover) };
}

/** A tree model's importance: total gain per feature, with split counts and cover beside it. */
export function treeImportance(names: readonly string[], imp: { gain: Float64Array; split: Float64Array; cover: Float64Array }): FeatureImportance {
  return { kind: 'gain', names: [...names], values: Array.from(imp.gain), also: { split: Array.from(imp.split), cover: Array.from(imp.cover) } };
}

/** Params that only mean something for classification fail loudly on a regression model. */
export function checkTaskParams(kind: string, params: JsonObject, task: Task): void {
  if (task === 'regression' && params['class_weight'] === 'balanced') {
    throw new SomaError('PARAM_INVALID', `${kind}: parameter class_weight = "balanced" applies to classification only (this model is regression)`, { details: { param: 'class_weight', value: 'balanced' } });
  }
}

export function mapAbort(kind: string, e: unknown): unknown {
  if (e instanceof TrainingAborted) return new SomaError('ABORTED', `${kind}: training aborted`, { cause: e });
  return e;
}

/**
 * n_jobs as threads: 0 = every core, except inside a worker thread (a search trial, a batch
 * prediction worker), where the caller already runs one job per core and more threads would only
 * contend for them.
 */
export function resolveThreads(nJobs: number): number {
  if (nJobs > 0) return nJobs;
  return isMainThread ? Math.max(1, availableParallelism()) : 1;
}

export function argmaxRows(p: Float64Array, rows: number, K: number): Float64Array {
  const out = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    let best = 0;
    for (let k = 1; k < K; k++) if (p[i * K + k]! > p[i * K + best]!) best = k;
    out[i] = best;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------

const OBJECTIVES: Record<string, string> = {
  'reg:squarederror': 'squared_error',
  'reg:absoluteerror': 'absolute_error',
  'reg:huber': 'huber',
  'count:poisson': 'poisson',
  'binary:logistic': 'binary_logistic',
  'multi:softprob': 'softmax',
  squared_error: 'squared_error',
  absolute_error: 'absolute_error',
  huber: 'huber',
  poisson: 'poisson',
  binary_logistic: 'binary_logistic',
  softmax: 'softmax',
};

const int = (min: number, max: number, def: number, description: string): JsonObject => ({ type: 'integer', minimum: min, maximum: max, default: def, description });
const num = (min: number, max: number, def: number, description: string, exclusiveMin = false): JsonObject =>
  exclusiveMin ? { type: 'number', exclusiveMinimum: min, maximum: max, default: def, description } : { type: 'number', minimum: min, maximum: max, default: def, description };

export const gbdtParamsSchema: JsonObject = {
  type: 'object',
  additionalProperties: false,
  properties: {
    objective: {
      type: 'string',
      enum: ['auto', ...Object.keys(OBJECTIVES)],
      default: 'auto',
      description: 'Loss to minimise; auto = squared error (regression), binary:logistic (2 classes) or multi:softprob',
    },
    n_estimators: int(1, 100000, 100, 'Boosting rounds (trees per output column)'),
    learning_rate: num(0, 1, 0.3, 'Shrinkage applied to every leaf value (eta)', true),
    max_depth: int(0, 64, 6, 'Maximum tree depth; 0 = unlimited (then set num_leaves)'),
    grow_policy: { type: 'string', enum: ['depthwise', 'lossguide'], default: 'depthwise', description: 'depthwise grows level by level; lossguide splits the best-gain leaf first (LightGBM style)' },
    num_leaves: int(0, 1 << 20, 0, 'Maximum leaves per tree (XGBoost max_leaves); 0 = unlimited'),
    min_child_weight: num(0, 1e12, 1, 'Minimum hessian sum in a child'),
    min_samples_leaf: int(1, 1 << 30, 1, "Minimum training rows in a leaf (with quantized_gradients, bins' row counts are estimated from their hessian share, as LightGBM's min_data_in_leaf)"),
    reg_lambda: num(0, 1e12, 1, 'L2 penalty on leaf values'),
    reg_alpha: num(0, 1e12, 0, 'L1 penalty on leaf values'),
    gamma: num(0, 1e12, 0, 'Minimum loss reduction to make a split (min_split_loss)'),
    subsample: num(0, 1, 1, 'Share of rows sampled for each round', true),
    colsample_bytree: num(0, 1, 1, 'Share of features sampled for each tree', true),
    max_bin: int(2, 65536, 256, 'Histogram bins per feature, the missing-value bin included'),
    max_cat_to_onehot: int(1, 1 << 16, 4, 'Categorical features with at most this many categories split one-vs-rest; more are partitioned by sorted gradient'),
    max_cat_threshold: int(1, 1 << 16, 64, 'Most categories sent left by one categorical split'),
    huber_delta: num(0, 1e12, 1, 'Residual size where the huber loss turns linear', true),
    scale_pos_weight: num(0, 1e12, 1, 'Weight multiplier for the positive class (binary classification only)', true),
    class_weight: { type: 'string', enum: ['none', 'balanced'], default: 'none', description: 'balanced weights each class by n / (classes * class count) (classification only)' },
    base_score: {
      type: ['number', 'null'],
      anyOf: [{ type: 'number' }, { type: 'null' }],
      default: null,
      description:
        "Starting prediction on the response scale, as XGBoost's base_score: a value for regression, a probability in (0, 1) for binary:logistic, a mean count > 0 for poisson; null = fitted from the data (mean, median or log-odds). Not for multi-class",
    },
    quantized_gradients: {
      type: 'boolean',
      default: true,
      description: 'Choose splits on gradients rounded to a few levels (faster histograms, as LightGBM 4); leaf values use exact gradients',
    },
    early_stopping_rounds: int(0, 100000, 0, 'Stop when the validation metric has not improved for this many rounds, and predict with the best round (kept when saved); needs a validation split; 0 = off'),
    seed: int(0, 2147483647, 0, 'Random seed for row and feature sampling and bin quantiles'),
    n_jobs: int(0, 1024, 0, 'Threads to use; 0 = all cores (one inside search trials and batch-prediction workers, which already run one per core); results do not depend on it'),
  },
};

/**
 * base_score (response scale, as XGBoost takes it) as the raw starting score through the
 * objective's link; null leaves it to the loss, which fits it to the data.
 */
function rawBaseScore(lossName: string, v: number | null): Float64Array | undefined {
  if (v === null) return undefined;
  const bad = (expected: string): SomaError =>
    new SomaError('PARAM_INVALID', `gbdt: parameter base_score = ${v} is invalid for objective ${lossName}: expected ${expected}`, { details: { param: 'base_score', value: v } });
  switch (lossName) {
    case 'binary_logistic':
      if (!(v > 0 && v < 1)) throw bad('a probability strictly between 0 and 1');
      return Float64Array.of(Math.log(v / (1 - v)));
    case 'poisson':
      if (!(v > 0)) throw bad('a mean count > 0');
      return Float64Array.of(Math.log(v));
    case 'softmax':
      // A constant added to every class's score cancels in the softmax: the value could not matter.
      throw bad('null (a shared starting score has no effect on multi-class probabilities)');
    default:
      return Float64Array.of(v);
  }
}

interface GbdtState {
  task: Task;
  nClasses: number;
  loss: string;
  names: string[];
  forest: Forest;
  baseScore: Float64Array;
  iterations: number;
  bestIteration: number;
  bestScore: number | null;
  /** The metric on the training rows after the last round (null in models saved without it). */
  finalTrainMetric: number | null;
  validationHistory: number[];
}

export class Gbdt implements Estimator {
  readonly kind = 'gbdt';
  readonly params: JsonObject;
  private state: GbdtState | null = null;
  private notes: string[] = [];

  constructor(
    params: JsonObject,
    readonly task: Task,
  ) {
    this.params = resolveParams('gbdt', gbdtParamsSchema, params);
  }

  private lossFor(name: string, nClasses: number): Loss {
    return createLoss(name, { nClasses, huberDelta: this.params['huber_delta'] as number });
  }

  private objective(y: Target): string {
    const o = this.params['objective'] as string;
    if (o === 'auto') return this.task === 'regression' ? 'squared_error' : y.nClasses === 2 ? 'binary_logistic' : 'softmax';
    const name = OBJECTIVES[o]!;
    const isClass = name === 'binary_logistic' || name === 'softmax';
    if (isClass !== (this.task === 'classification')) throw new SomaError('PARAM_INVALID', `gbdt: objective ${o} does not fit task ${this.task}`);
    if (name === 'binary_logistic' && y.nClasses !== 2) throw new SomaError('PARAM_INVALID', `gbdt: objective ${o} needs 2 classes, got ${y.nClasses}`);
    if (name === 'poisson') {
      for (let i = 0; i < y.values.length; i++) if (y.values[i]! < 0) throw new SomaError('DATA_BAD_VALUE', `gbdt: poisson needs non-negative targets, row ${i} has ${y.values[i]}`);
    }
    return name;
  }

  async fit(X: FeatureMatrix, y: Target, options: FitOptions = {}): Promise<this> {
    checkTarget('gbdt', X, y, this.task);
    // Checked at fit, not construction, so that saved models load whatever their params.
    checkTaskParams('gbdt', this.params, this.task);
    const P = this.params;
    const lossName = this.objective(y);
    const loss = this.lossFor(lossName, y.nClasses);
    const spw = P['scale_pos_weight'] as number;
    if (spw !== 1 && lossName !== 'binary_logistic') {
      throw new SomaError('PARAM_INVALID', `gbdt: parameter scale_pos_weight = ${spw} applies to binary classification only (objective is ${lossName}); use class_weight or sample weights`, { details: { param: 'scale_pos_weight', value: spw } });
    }
    const esr = P['early_stopping_rounds'] as number;
    this.notes = esr > 0 && !options.validation
      ? [`gbdt: early_stopping_rounds = ${esr} had no effect: the fit had no validation data (give the config a validation split), so all ${P['n_estimators']} rounds were grown`]
      : [];
    const w = combineWeights(y, options.sampleWeight, P['class_weight'] === 'balanced', lossName === 'binary_logistic' && spw !== 1 ? (c) => (c === 1 ? spw : 1) : undefined);
    const categorical = X.kinds.map((k) => k === 'categorical');
    let validation;
    if (options.validation) {
      const v = options.validation;
      checkFeatures('gbdt', X.names, v.X);
      validation = { columns: denseColumns(v.X, 'gbdt'), categorical, cardinality: X.cardinality, y: v.y.values, weight: null };
    }
    let result: BoostResult;
    try {
      result = await trainBoosting(
        { columns: denseColumns(X, 'gbdt'), categorical, cardinality: X.cardinality, y: y.values, weight: w },
        loss,
        {
          nEstimators: P['n_estimators'] as number,
          learningRate: P['learning_rate'] as number,
          maxDepth: P['max_depth'] as number,
          maxLeaves: P['num_leaves'] as number,
          lossguide: P['grow_policy'] === 'lossguide',
          minChildWeight: P['min_child_weight'] as number,
          minSamplesLeaf: P['min_samples_leaf'] as number,
          lambda: P['reg_lambda'] as number,
          alpha: P['reg_alpha'] as number,
          gamma: P['gamma'] as number,
          subsample: P['subsample'] as number,
          colsampleBytree: P['colsample_bytree'] as number,
          maxBin: P['max_bin'] as number,
          seed: P['seed'] as number,
          earlyStoppingRounds: P['early_stopping_rounds'] as number,
          maxCatToOnehot: P['max_cat_to_onehot'] as number,
          maxCatThreshold: P['max_cat_threshold'] as number,
          catSmooth: 10,
          quantized: P['quantized_gradients'] as boolean,
          baseScore: rawBaseScore(lossName, P['base_score'] as number | null),
          threads: resolveThreads(P['n_jobs'] as number),
        },
        {
          signal: options.signal,
          onIteration: options.onProgress
            ? (r) =>
                options.onProgress!({
                  iteration: r.iteration,
                  total: r.total,
                  metric: loss.metric,
                  // Passed on unread: the engine computes it only if the progress display reads it.
                  get train() {
                    return r.train;
                  },
                  validation: r.validation,
                })
            : undefined,
        },
        validation,
      );
    } catch (e) {
      throw mapAbort('gbdt', e);
    }
    this.state = {
      task: this.task,
      nClasses: y.nClasses,
      loss: lossName,
      names: [...X.names],
      forest: result.forest,
      baseScore: result.baseScore,
      iterations: result.iterations,
      bestIteration: result.bestIteration,
      bestScore: result.bestScore,
      finalTrainMetric: result.finalTrain,
      validationHistory: result.validationHistory,
    };
    return this;
  }

  warnings(): string[] {
    return [...this.notes];
  }

  private fitted(): GbdtState {
    if (!this.state) throw new SomaError('USAGE', 'gbdt: the model is not fitted');
    return this.state;
  }

  /** Raw scores (rows x output columns) from the first bestIteration rounds. */
  predictRaw(X: FeatureMatrix): Float64Array {
    const s = this.fitted();
    checkFeatures('gbdt', s.names, X);
    const K = s.forest.nGroups;
    const raw = new Float64Array(X.rows * K);
    for (let i = 0; i < X.rows; i++) for (let k = 0; k < K; k++) raw[i * K + k] = s.baseScore[k]!;
    predictRawThreads(s.forest, denseColumns(X, 'gbdt'), 0, Math.min(s.forest.treeRoots.length, s.bestIteration * K), raw, resolveThreads(this.params['n_jobs'] as number));
    return raw;
  }

  predict(X: FeatureMatrix): Float64Array {
    const s = this.fitted();
    if (s.task === 'classification') return argmaxRows(this.predictProba(X), X.rows, s.nClasses);
    const raw = this.predictRaw(X);
    const out = new Float64Array(raw.length);
    this.lossFor(s.loss, s.nClasses).transform(raw, out);
    return out;
  }

  predictProba(X: FeatureMatrix): Float64Array {
    const s = this.fitted();
    if (s.task !== 'classification') throw new SomaError('USAGE', 'gbdt: predictProba needs a classification model');
    const raw = this.predictRaw(X);
    const loss = this.lossFor(s.loss, s.nClasses);
    if (s.nClasses === 2) {
      const p1 = new Float64Array(X.rows);
      loss.transform(raw, p1);
      const out = new Float64Array(X.rows * 2);
      for (let i = 0; i < X.rows; i++) {
        out[2 * i] = 1 - p1[i]!;
        out[2 * i + 1] = p1[i]!;
      }
      return out;
    }
    const out = new Float64Array(raw.length);
    loss.transform(raw, out);
    return out;
  }

  private importance(): { gain: Float64Array; split: Float64Array; cover: Float64Array } {
    const s = this.fitted();
    return featureImportance(s.forest, s.names.length, s.bestIteration * s.forest.nGroups);
  }

  /** Total gain, split counts and cover per feature over the trees used for prediction. */
  featureImportance(): FeatureImportance | undefined {
    if (!this.state) return undefined;
    return treeImportance(this.state.names, this.importance());
  }

  summary(): JsonObject {
    const s = this.fitted();
    return {
      objective: s.loss,
      metric: this.lossFor(s.loss, s.nClasses).metric,
      iterations: s.iterations,
      best_iteration: s.bestIteration,
      best_score: s.bestScore,
      trees: s.forest.treeRoots.length,
      nodes: s.forest.feature.length,
      final_train_metric: s.finalTrainMetric,
      final_validation_metric: s.validationHistory.length > 0 ? s.validationHistory[s.validationHistory.length - 1]! : null,
      feature_importance: importanceSummary(s.names, this.importance()),
    };
  }

  toJSON(): EstimatorJSON {
    const s = this.fitted();
    return {
      kind: this.kind,
      formatVersion: 1,
      params: this.params,
      state: {
        task: s.task,
        nClasses: s.nClasses,
        loss: s.loss,
        names: s.names,
        baseScore: Array.from(s.baseScore),
        iterations: s.iterations,
        bestIteration: s.bestIteration,
        bestScore: s.bestScore,
        finalTrainMetric: s.finalTrainMetric,
        validationHistory: s.validationHistory,
        forest: forestToJSON(s.forest),
      },
    };
  }

  static fromJSON(json: EstimatorJSON): Gbdt {
    if (json.formatVersion !== 1) throw new SomaError('DATA_FORMAT', `gbdt: unsupported formatVersion ${json.formatVersion} (this soma reads 1)`);
    const st = json.state;
    if (!isJsonObject(st)) throw new SomaError('DATA_FORMAT', 'gbdt: saved state is not an object');
    const task = st['task'] === 'regression' ? 'regression' : 'classification';
    const m = new Gbdt(json.params, task);
    const names = (st['names'] as string[]).map(String);
    const nums = (k: string): number[] => ((st[k] as JsonValue[] | undefined) ?? []).map(Number);
    m.state = {
      task,
      nClasses: Number(st['nClasses']),
      loss: String(st['loss']),
      names,
      forest: forestFromJSON('gbdt', st['forest'], names.length),
      baseScore: Float64Array.from(nums('baseScore')),
      iterations: Number(st['iterations']),
      bestIteration: Number(st['bestIteration']),
      bestScore: st['bestScore'] === null ? null : Number(st['bestScore']),
      // Models saved before finalTrainMetric kept a train history when trained with progress.
      finalTrainMetric: typeof st['finalTrainMetric'] === 'number' ? st['finalTrainMetric'] : (nums('trainHistory').at(-1) ?? null),
      validationHistory: nums('validationHistory'),
    };
    m.lossFor(m.state.loss, m.state.nClasses);
    return m;
  }
}

export const gbdtSpec: EstimatorSpec = {
  name: 'gbdt',
  aliases: ['xgboost'],
  description: 'Histogram gradient boosted trees (XGBoost parameter names), native categorical splits and missing values',
  tasks: ['classification', 'regression'],
  paramsSchema: gbdtParamsSchema,
  nativeCategorical: true,
  create: (params, task) => new Gbdt(params, task),
  fromJSON: (json) => Gbdt.fromJSON(json),
};
