// Random forests on soma's histogram tree engine: bootstrap rows, features drawn per split,
// Gini (classification) or variance (regression) splits, and an out-of-bag score.

import type { FeatureMatrix } from '../engine/matrix.js';
import type { Target, Task } from '../tasks/task.js';
import type { BaggingParams } from '../engine/tree/bagged-tree.js';
import { trainRandomForest, type BaggingResult } from '../engine/tree/bagging.js';
import type { Forest } from '../engine/tree/forest.js';
import type { TreeExportForm } from './gbdt.js';
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
import type { Estimator, EstimatorJSON, EstimatorSpec, FeatureImportance, FitOptions, OutOfBagScore } from './estimator.js';
import { checkFeatures } from './features.js';
import { resolveThreads } from './threads.js';
import { importanceSummary, treeImportance } from './tree-importance.js';
import { forestFromJSON, forestToJSON } from './tree-state.js';
import { combineWeights } from './weights.js';

const int = (min: number, max: number, def: number, description: string): JsonObject => ({ type: 'integer', minimum: min, maximum: max, default: def, description });

/** Params shared by the forest and the single tree. */
export const treeParamsCommon: Record<string, JsonObject> = {
  max_depth: int(0, 1000, 0, 'Maximum tree depth; 0 = grow until leaves are pure or too small'),
  min_samples_split: int(2, 1 << 30, 2, 'Minimum rows in a node for it to be split'),
  min_samples_leaf: int(1, 1 << 30, 1, 'Minimum rows in a leaf'),
  max_leaf_nodes: int(0, 1 << 30, 0, 'Maximum leaves per tree, best splits first; 0 = unlimited'),
  min_impurity_decrease: { type: 'number', minimum: 0, maximum: 1e12, default: 0, description: 'Minimum weighted impurity decrease (as in scikit-learn) for a split' },
  class_weight: { type: 'string', enum: ['none', 'balanced'], default: 'none', description: 'balanced weights each class by n / (classes * class count) (classification only)' },
  max_bin: int(2, 65536, 256, 'Histogram bins per feature, the missing-value bin included'),
  max_cat_to_onehot: int(1, 1 << 16, 4, 'Categorical features with at most this many categories split one-vs-rest'),
  max_cat_threshold: int(1, 1 << 16, 64, 'Most categories sent left by one categorical split'),
  seed: int(0, 2147483647, 0, 'Random seed for bootstrap draws, feature draws and bin quantiles'),
};

export const randomForestParamsSchema: JsonObject = {
  type: 'object',
  additionalProperties: false,
  properties: {
    n_estimators: int(1, 100000, 100, 'Number of trees'),
    ...treeParamsCommon,
    max_features: {
      type: ['string', 'number'],
      anyOf: [
        { type: 'string', enum: ['auto', 'sqrt', 'log2', 'all'] },
        { type: 'number', exclusiveMinimum: 0, maximum: 1 },
      ],
      default: 'auto',
      description: 'Features drawn per split: sqrt, log2, all, or a fraction; auto = sqrt (classification) or all (regression)',
    },
    bootstrap: { type: 'boolean', default: true, description: 'Grow each tree on a bootstrap sample of the rows' },
    max_samples: { type: 'number', exclusiveMinimum: 0, maximum: 1, default: 1, description: 'Bootstrap draws per tree as a share of the rows' },
    oob_score: { type: 'boolean', default: true, description: 'Compute the out-of-bag score (accuracy or r2 on the rows each tree left out), reported as the oob metrics column (needs bootstrap)' },
    n_jobs: int(0, 1024, 0, 'Threads to use; 0 = all cores (one inside search trials and batch-prediction workers, which already run one per core); results do not depend on it'),
  },
};

interface ForestState {
  task: Task;
  nClasses: number;
  names: string[];
  forest: Forest;
  oobScore: number | null;
  oobCoverage: number;
}

/** Features per split for a max_features value. */
export function resolveMaxFeatures(v: unknown, nF: number, task: Task): number {
  if (v === 'all') return 0;
  if (v === 'auto') return task === 'classification' ? Math.max(1, Math.floor(Math.sqrt(nF))) : 0;
  if (v === 'sqrt') return Math.max(1, Math.floor(Math.sqrt(nF)));
  if (v === 'log2') return Math.max(1, Math.floor(Math.log2(nF)));
  if (typeof v === 'number') return Math.max(1, Math.floor(v * nF));
  throw new SomaError('PARAM_INVALID', `max_features = ${JSON.stringify(v)} (expected sqrt, log2, all, auto or a fraction in (0, 1])`);
}

/** A forest of trees averaged at prediction; the decision tree is the one-tree, no-bootstrap case. */
export class RandomForest implements Estimator {
  readonly params: JsonObject;
  protected state: ForestState | null = null;

  constructor(
    readonly kind: string,
    schema: JsonObject,
    params: JsonObject,
    readonly task: Task,
  ) {
    this.params = resolveParams(schema, params, modelWording(kind));
  }

  protected baggingParams(nF: number): BaggingParams {
    const P = this.params;
    return {
      nEstimators: P['n_estimators'] as number,
      maxDepth: P['max_depth'] as number,
      maxLeaves: P['max_leaf_nodes'] as number,
      minSamplesLeaf: P['min_samples_leaf'] as number,
      minSamplesSplit: P['min_samples_split'] as number,
      maxFeatures: resolveMaxFeatures(P['max_features'], nF, this.task),
      bootstrap: P['bootstrap'] as boolean,
      maxSamples: P['max_samples'] as number,
      minImpurityDecrease: P['min_impurity_decrease'] as number,
      maxBin: P['max_bin'] as number,
      seed: P['seed'] as number,
      maxCatToOnehot: P['max_cat_to_onehot'] as number,
      maxCatThreshold: P['max_cat_threshold'] as number,
      computeOob: (P['oob_score'] as boolean) && (P['bootstrap'] as boolean),
    };
  }

  async fit(X: FeatureMatrix, y: Target, options: FitOptions = {}): Promise<this> {
    checkTarget(this.kind, X, y, this.task);
    // Checked at fit, not construction, so that saved models load whatever their params.
    checkTaskParams(this.kind, this.params, this.task);
    const P = this.params;
    if (P['bootstrap'] === false && typeof P['max_samples'] === 'number' && P['max_samples'] !== 1) {
      throw new SomaError('PARAM_INVALID', `${this.kind}: parameter max_samples = ${P['max_samples']} needs bootstrap: true (without bootstrap every tree sees every row)`, { details: { param: 'max_samples', value: P['max_samples'] } });
    }
    const w = combineWeights(y, options.sampleWeight, this.params['class_weight'] === 'balanced');
    const nClasses = this.task === 'classification' ? y.nClasses : 0;
    let r: BaggingResult;
    try {
      r = await trainRandomForest(
        { columns: denseColumns(X, this.kind), categorical: X.kinds.map((k) => k === 'categorical'), cardinality: X.cardinality, y: y.values, weight: w },
        nClasses,
        this.baggingParams(X.columns.length),
        {
          signal: options.signal,
          onIteration: options.onProgress ? (it) => options.onProgress!({ iteration: it.iteration, total: it.total }) : undefined,
        },
        resolveThreads((this.params['n_jobs'] as number | undefined) ?? 1),
      );
    } catch (e) {
      throw mapAbort(this.kind, e);
    }
    this.state = { task: this.task, nClasses: y.nClasses, names: [...X.names], forest: r.forest, oobScore: r.oobScore, oobCoverage: r.oobCoverage };
    return this;
  }

  protected fitted(): ForestState {
    if (!this.state) throw new SomaError('USAGE', `${this.kind}: the model is not fitted`);
    return this.state;
  }

  /** Average of the trees' outputs: class shares (rows x classes) or values. */
  private average(X: FeatureMatrix): Float64Array {
    const s = this.fitted();
    checkFeatures(this.kind, s.names, X);
    const f = s.forest;
    const out = new Float64Array(X.rows * f.nGroups);
    const T = f.treeRoots.length;
    predictRawThreads(f, denseColumns(X, this.kind), 0, T, out, resolveThreads((this.params['n_jobs'] as number | undefined) ?? 1));
    for (let i = 0; i < out.length; i++) out[i] = out[i]! / T;
    return out;
  }

  /**
   * A regression forest as a sum of trees for export (leaves scaled by 1 / trees, starting score
   * 0); undefined for classification forests, whose leaves hold class shares that are averaged,
   * which a format with one value per leaf and a link on the sum cannot hold.
   */
  exportForm(): TreeExportForm | undefined {
    const s = this.fitted();
    if (s.task === 'classification' || s.forest.nOut !== 1) return undefined;
    const T = s.forest.treeRoots.length;
    return { task: s.task, nClasses: 0, loss: 'squared_error', names: s.names, forest: s.forest, baseScore: Float64Array.of(0), treesUsed: T, leafScale: 1 / T };
  }

  predict(X: FeatureMatrix): Float64Array {
    const s = this.fitted();
    const avg = this.average(X);
    return s.task === 'classification' ? argmaxRows(avg, X.rows, s.nClasses) : avg;
  }

  predictProba(X: FeatureMatrix): Float64Array {
    if (this.fitted().task !== 'classification') throw new SomaError('USAGE', `${this.kind}: predictProba needs a classification model`);
    return this.average(X);
  }

  private importance(): { gain: Float64Array; split: Float64Array; cover: Float64Array } {
    const s = this.fitted();
    return featureImportance(s.forest, s.names.length, s.forest.treeRoots.length);
  }

  /** Total impurity decrease (gain), split counts and cover per feature. */
  featureImportance(): FeatureImportance | undefined {
    if (!this.state) return undefined;
    return treeImportance(this.state.names, this.importance());
  }

  outOfBag(): OutOfBagScore | undefined {
    const s = this.state;
    if (!s || s.oobScore === null) return undefined;
    return { metric: s.task === 'classification' ? 'accuracy' : 'r2', value: s.oobScore, coverage: s.oobCoverage };
  }

  summary(): JsonObject {
    const s = this.fitted();
    let leaves = 0;
    for (let i = 0; i < s.forest.feature.length; i++) if (s.forest.feature[i]! < 0) leaves++;
    return {
      trees: s.forest.treeRoots.length,
      nodes: s.forest.feature.length,
      leaves,
      oob_score: s.oobScore,
      oob_metric: s.oobScore === null ? null : s.task === 'classification' ? 'accuracy' : 'r2',
      oob_coverage: s.oobCoverage,
      feature_importance: importanceSummary(s.names, this.importance()),
    };
  }

  toJSON(): EstimatorJSON {
    const s = this.fitted();
    return {
      kind: this.kind,
      formatVersion: 1,
      params: this.params,
      state: { task: s.task, nClasses: s.nClasses, names: s.names, oobScore: s.oobScore, oobCoverage: s.oobCoverage, forest: forestToJSON(s.forest) },
    };
  }

  /** Reads the saved state (readState's result) into this model. */
  protected restore(st: StateReader): this {
    const names = st.field('names').strings();
    const nClasses = st.field('nClasses').int({ min: 0 });
    const forest = forestFromJSON(st.field('forest'), names.length);
    // Classification trees hold one share per class in every leaf; regression trees one value.
    const K = this.task === 'classification' ? nClasses : 1;
    if (forest.nOut !== K || forest.nGroups !== K) {
      throw stateError(`${st.path}.forest.nOut`, `${forest.nOut} (nGroups ${forest.nGroups})`, `${K}, the ${this.task === 'classification' ? `class count (nClasses ${nClasses})` : 'one value of a regression tree'}`);
    }
    this.state = {
      task: this.task,
      nClasses,
      names,
      forest,
      oobScore: st.field('oobScore').optional()?.number() ?? null,
      oobCoverage: st.field('oobCoverage').optional()?.number({ min: 0, max: 1 }) ?? 0,
    };
    return this;
  }

  /** The saved state of a `kind` model and the task it was trained for. */
  protected static readState(json: EstimatorJSON, kind: string): { st: StateReader; task: Task } {
    const st = readEnvelope(json, 'kind', kind, [1]);
    return { st, task: st.field('task').oneOf(['classification', 'regression'] as const) };
  }

  static fromJSON(json: EstimatorJSON): RandomForest {
    const { st, task } = RandomForest.readState(json, 'random_forest');
    return new RandomForest('random_forest', randomForestParamsSchema, json.params, task).restore(st);
  }
}

export const randomForestSpec: EstimatorSpec = {
  name: 'random_forest',
  description: 'Random forest: bootstrap rows, features drawn per split, out-of-bag score; native categorical splits and missing values',
  tasks: ['classification', 'regression'],
  paramsSchema: randomForestParamsSchema,
  nativeCategorical: true,
  create: (params, task) => new RandomForest('random_forest', randomForestParamsSchema, params, task),
  fromJSON: (json) => RandomForest.fromJSON(json),
};
