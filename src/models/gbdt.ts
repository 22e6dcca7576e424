// Gradient boosted trees on soma's histogram engine (`gbdt`, alias `xgboost`), with XGBoost's
// parameter names. The defaults are scikit-learn's HistGradientBoosting* (learning rate 0.1, 100
// rounds, leaf-wise trees of at most 31 leaves, 20 rows a leaf, no L2 penalty), which win on the
// small tables most users have (bench/quality.js); XGBoost's own defaults (depth-wise, depth 6,
// eta 0.3, lambda 1) are a few params away and are what bench/tree.js pins.

import type { FeatureMatrix } from '../engine/matrix.js';
import type { Target, Task } from '../tasks/task.js';
import { createLoss, type Loss } from '../engine/loss/index.js';
import { trainBoosting, type BoostResult } from '../engine/tree/boosting.js';
import type { Forest } from '../engine/tree/forest.js';
import { featureImportance } from '../engine/tree/importance.js';
import { predictRawThreads } from '../engine/tree/predict-parallel.js';
import { SomaError } from '../errors.js';
import type { JsonObject } from '../util/json.js';
import { modelWording, resolveParams } from '../util/params.js';
import { readEnvelope, stateError, type StateReader } from '../util/state-reader.js';
import { mapAbort } from './abort.js';
import { argmaxRows } from './argmax.js';
import { checkTarget, checkTaskParams } from './checks.js';
import { denseColumns } from './dense.js';
import type { Estimator, EstimatorJSON, EstimatorSpec, FeatureImportance, FitOptions } from './estimator.js';
import { checkFeatures } from './features.js';
import { resolveThreads } from './threads.js';
import { importanceSummary, treeImportance } from './tree-importance.js';
import { forestFromJSON, forestToJSON } from './tree-state.js';
import { combineWeights } from './weights.js';

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

/**
 * quantized_gradients: auto rounds gradients from this many training rows. On small tables the
 * rounding moves splits for nothing (exact gradients score 0.0140 accuracy higher on anes96's 660
 * rows, bench/RESULTS.md) while histograms there cost next to nothing anyway.
 */
export const QUANTIZED_MIN_ROWS = 10_000;

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
    n_estimators: int(1, 100000, 100, 'Boosting rounds (trees per output column); with early stopping, the most rounds grown'),
    learning_rate: num(0, 1, 0.1, 'Shrinkage applied to every leaf value (eta; XGBoost defaults to 0.3)', true),
    max_depth: int(0, 64, 0, 'Maximum tree depth; 0 = unlimited (the default: num_leaves bounds the tree)'),
    grow_policy: { type: 'string', enum: ['depthwise', 'lossguide'], default: 'lossguide', description: 'lossguide (default) splits the best-gain leaf first (LightGBM, HistGradientBoosting); depthwise grows level by level (XGBoost)' },
    num_leaves: int(0, 1 << 20, 31, 'Maximum leaves per tree (XGBoost max_leaves, HistGradientBoosting max_leaf_nodes); 0 = unlimited'),
    min_child_weight: num(0, 1e12, 0.001, 'Minimum hessian sum in a child (XGBoost defaults to 1, HistGradientBoosting to 0.001)'),
    min_samples_leaf: int(1, 1 << 30, 20, "Minimum training rows in a leaf (XGBoost defaults to 1; with quantized_gradients, bins' row counts are estimated from their hessian share, as LightGBM's min_data_in_leaf)"),
    reg_lambda: num(0, 1e12, 0, 'L2 penalty on leaf values (XGBoost defaults to 1)'),
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
      type: ['boolean', 'string'],
      anyOf: [{ type: 'boolean' }, { type: 'string', enum: ['auto'] }],
      default: 'auto',
      description: `Choose splits on gradients rounded to a few levels (faster histograms, as LightGBM 4); leaf values use exact gradients. auto = from ${QUANTIZED_MIN_ROWS} training rows, where the rounding costs no accuracy and the speed counts; exact below`,
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

/** What an exporter needs of a fitted tree model: its trees, starting scores and objective. */
export interface TreeExportForm {
  readonly task: Task;
  readonly nClasses: number;
  /** soma's loss name (squared_error, binary_logistic, softmax, ...). */
  readonly loss: string;
  readonly names: readonly string[];
  readonly forest: Forest;
  /** Raw starting score per output column. */
  readonly baseScore: Float64Array;
  /** Trees [0, treesUsed) make the predictions (bestIteration rounds of nGroups trees). */
  readonly treesUsed: number;
  /** Every leaf value is multiplied by this (1 / trees for a forest's average; absent = 1). */
  readonly leafScale?: number;
}

function quantizedFor(v: boolean | 'auto', rows: number): boolean {
  return v === 'auto' ? rows >= QUANTIZED_MIN_ROWS : v;
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
    this.params = resolveParams(gbdtParamsSchema, params, modelWording('gbdt'));
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
          quantized: quantizedFor(P['quantized_gradients'] as boolean | 'auto', X.rows),
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

  /** Early stopping chose the rounds: a refit grows that many, with nothing to stop on. */
  refitParams(): JsonObject {
    const s = this.fitted();
    const esr = this.params['early_stopping_rounds'] as number;
    return esr > 0 && s.validationHistory.length > 0 ? { n_estimators: Math.max(1, s.bestIteration), early_stopping_rounds: 0 } : {};
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

  /** The fitted model as an exporter reads it (read-only views of the state). */
  exportForm(): TreeExportForm {
    const s = this.fitted();
    const used = Math.min(s.forest.treeRoots.length, s.bestIteration * s.forest.nGroups);
    return { task: s.task, nClasses: s.nClasses, loss: s.loss, names: s.names, forest: s.forest, baseScore: s.baseScore, treesUsed: used };
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
    const st = readEnvelope(json, 'kind', ['gbdt', 'xgboost'], [1]);
    const task = st.field('task').oneOf(['classification', 'regression'] as const);
    const m = new Gbdt(json.params, task);
    const names = st.field('names').strings();
    const lossName = st.field('loss').oneOf([...new Set(Object.values(OBJECTIVES))]);
    // Multi-class softmax needs the class count to know its outputs; the others have one.
    const nClasses = st.field('nClasses').int({ min: lossName === 'softmax' ? 2 : 0 });
    const K = m.lossFor(lossName, nClasses).nOut;
    const forest = forestFromJSON(st.field('forest'), names.length);
    if (forest.nGroups !== K || forest.nOut !== 1) {
      throw stateError(`${st.path}.forest.nGroups`, String(forest.nGroups), `${K} output column${K === 1 ? '' : 's'} of trees with 1 value each (the ${lossName} loss with ${nClasses} classes)`);
    }
    const iterations = st.field('iterations').int({ min: 0 });
    // Models saved before finalTrainMetric kept a train history when trained with progress.
    const trainHistory = metricHistory(st.field('trainHistory'));
    m.state = {
      task,
      nClasses,
      loss: lossName,
      names,
      forest,
      baseScore: Float64Array.from(st.field('baseScore').numbers(K)),
      iterations,
      bestIteration: st.field('bestIteration').int({ min: 0, max: iterations }),
      bestScore: st.field('bestScore').optional()?.number() ?? null,
      finalTrainMetric: st.field('finalTrainMetric').optional()?.number() ?? trainHistory.at(-1) ?? null,
      validationHistory: metricHistory(st.field('validationHistory')),
    };
    return m;
  }
}

/** A saved per-round metric history; JSON wrote a non-finite metric as null, read back as NaN. */
function metricHistory(r: StateReader): number[] {
  return r.absent ? [] : r.list().map((x) => x.numberOrNull() ?? NaN);
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
