// The estimator contract every model family implements, so the pipeline, search and registry
// treat gbdt, random forests, linear models and networks alike.

import type { FeatureMatrix } from '../engine/matrix.js';
import type { Target, Task } from '../tasks/task.js';
import type { JsonObject, JsonValue } from '../util/json.js';
import type { FamilySpec } from './families.js';

export interface Progress {
  /** 1-based iteration (tree, epoch, optimiser step). */
  iteration: number;
  /** Total iterations planned, when known. */
  total?: number;
  /** Metric name and values on the training and validation data, when computed. */
  metric?: string;
  /** May be computed when read (gbdt: a pass over the training rows): read it during the callback, and only when shown. */
  readonly train?: number;
  validation?: number;
}

export interface FitOptions {
  /** Data for early stopping and progress reporting; never used to fit parameters. */
  validation?: { X: FeatureMatrix; y: Target };
  sampleWeight?: Float64Array;
  onProgress?: (p: Progress) => void;
  signal?: AbortSignal;
}

/** Feature importance by name; `kind` says what the numbers mean (gain, |coefficient|, ...). */
export interface FeatureImportance {
  kind: string;
  names: string[];
  values: number[];
  /** Other measures of the same features, by measure name (tree models: `split` counts and `cover`). */
  also?: Record<string, number[]>;
}

/** An estimate of generalisation from the training rows themselves (a forest's out-of-bag score). */
export interface OutOfBagScore {
  /** A metric name soma reports (`accuracy`, `r2`), on the scale the model was fitted on. */
  metric: string;
  value: number;
  /** Share of training rows that at least one tree left out (the rows the score is over). */
  coverage: number;
}

/** What `toJSON` returns and `fromJSON` accepts: plain JSON, typed arrays as base64 strings. */
export interface EstimatorJSON {
  kind: string;
  formatVersion: number;
  params: JsonObject;
  state: JsonValue;
  /**
   * Artifact files (paths relative to the version's model/ directory, from `Estimator.artifacts()`)
   * that `fromJSON` needs; the loader reads them and passes their bytes in. Absent = none needed.
   */
  artifacts?: string[];
}

/** A file an estimator saves beside its JSON, e.g. a TensorFlow.js `model.json` + `weights.bin`. */
export interface ArtifactFile {
  /** Relative POSIX path under the version's model/ directory (no `..`, not `model.json`). */
  path: string;
  bytes: Uint8Array;
}

export interface Estimator {
  readonly kind: string;
  readonly params: JsonObject;
  /** Trains on X and y; resolves to the estimator itself. */
  fit(X: FeatureMatrix, y: Target, options?: FitOptions): Promise<this>;
  /** Class index (classification) or value (regression) per row. */
  predict(X: FeatureMatrix): Float64Array;
  /** Row-major probabilities, rows x nClasses (classifiers only). */
  predictProba?(X: FeatureMatrix): Float64Array;
  featureImportance?(): FeatureImportance | undefined;
  /** The out-of-bag score, for models that compute one. */
  outOfBag?(): OutOfBagScore | undefined;
  /** What the last fit wants the user to know: a param that had no effect, and why. */
  warnings?(): string[];
  toJSON(): EstimatorJSON;
  /** Extra files to save under model/ with the JSON (exports, checkpoints); optional. */
  artifacts?(): ArtifactFile[];
  /**
   * Params that fix the size this fit chose, for a refit on training + validation rows without
   * validation (gbdt: n_estimators = the best round, early stopping off). Absent or {}: the same
   * params (the fit chose nothing from validation).
   */
  refitParams?(): JsonObject;
  /** Facts worth recording in metadata (iterations run, best iteration, convergence, backend). */
  summary?(): JsonObject;
}

/** One model family as the catalog knows it: its names, tasks, params schema and factories. */
export interface EstimatorSpec extends FamilySpec {
  name: string;
  aliases?: string[];
  description: string;
  tasks: Task[];
  /** JSON Schema (draft 2020-12 subset ajv understands) of `model.params`; additionalProperties false. */
  paramsSchema: JsonObject;
  /** Whether the family splits categorical codes natively (else the pipeline one-hot encodes them). */
  nativeCategorical: boolean;
  /**
   * false when the family cannot take a missing (NaN) feature value (linear models, networks):
   * train and tune then check the preprocessed features of every split before fitting, so the
   * problem is named (feature, split, row) before a long run. Absent or true: missing values are
   * routed natively (trees).
   */
  acceptsMissing?: boolean;
  /**
   * Preprocessing steps (`{name, params}` as a config's `preprocess:` list) the family gets when
   * the config has no `preprocess:` section: what a scikit-learn user puts before the same model
   * (median imputation for families that cannot take missing values, standard scaling before a
   * penalty that reads the features' scale). Absent: none.
   */
  defaultPreprocess?: ReadonlyArray<{ name: string; params: JsonObject }>;
  create(params: JsonObject, task: Task): Estimator;
  /** `files` holds the bytes of the paths `json.artifacts` lists (absent when it lists none). */
  fromJSON(json: EstimatorJSON, files?: ReadonlyMap<string, Uint8Array>): Estimator;
}
