// What a task declares, as LightGBM's objective declares what boosting needs of it: how a target
// column becomes a Target, which metrics score it, what a prediction writes, how data is split and
// searched, and what the reports show. The pipeline asks a task's spec (`findTask(name)`) and
// never compares task names, so a new task is one spec file registered in tasks/index.ts.

import type { Column, ColumnType, Frame } from '../data/frame.js';
import type { Diagnostics } from '../evaluate/diagnostics.js';
import type { MetricFamily } from '../evaluate/metrics/index.js';
import type { Target, Task } from './task.js';
import type { JsonObject } from '../util/json.js';

/** A model's predictions on a feature matrix, computed once. */
export interface Predictions {
  /** Class index or value per row. */
  values: Float64Array;
  /** Row-major rows x classes, when the model gives class probabilities. */
  proba?: Float64Array;
}

/** Metrics of one labelled split. */
export interface SplitScore {
  metrics: Record<string, number>;
  /** K x K counts, rows = true class (tasks with class targets). */
  confusion?: number[][];
  /** Metrics asked for that mean nothing on this split, with why (MAPE over a zero target). */
  undefined?: Record<string, string>;
}

/** How the target column is read, recognised and encoded. */
export interface TargetEncoding {
  /** The column type to read the target as when the config does not say (classification: categorical, so 0/1 stay labels). */
  readonly readAs?: ColumnType;
  /** At least this many labels must occur in the training split (0: value targets have none). */
  readonly minLabels: number;
  /**
   * Whether the target column's type means this task, for a model family that supports several
   * tasks and a config without `task:` (inferTask asks each task in registry order).
   */
  claims(target: Column): boolean;
  /** `soma init`'s guess from the target's values and their number of distinct values. */
  suggests(target: Column, distinct: number): boolean;
  /** The labels of the training split in model order (a class target's classes), else []. */
  labels(target: Column): string[];
  /**
   * Throws when the labels cannot be this task's (a class per row: an identifier or a number,
   * not classes), naming the column and what to do instead. Absent: any labels will do.
   */
  check?(labels: readonly string[], rows: number, name: string): void;
  /** The target of `frame`, encoded for estimators; `what` names the data in errors. */
  encode(frame: Frame, name: string, labels: readonly string[], what: string): Target;
}

/**
 * The trivial model every train is measured against (scikit-learn's DummyClassifier and
 * DummyRegressor): a guess from the training target alone, blind to the features.
 */
export interface Baseline {
  /** How it guesses, in words for output and metrics.json: "majority class", "mean". */
  readonly strategy: string;
  /** Its predictions for `rows` rows, learned from the training target `yTrain` alone. */
  predict(yTrain: Target, rows: number): Predictions;
}

/**
 * How a task is trained: `rows` is the row-wise flow (split rows, preprocess, fit an estimator,
 * score the splits). Each name has one flow in pipeline/flows/index.ts; a new kind of training
 * (a series backtest, user-item interactions) adds its name here and its flow there.
 */
export type Workflow = 'rows' | 'recommend' | 'forecast';

/**
 * What a task adds to the config schema (config/schema.ts merges every registered task's): its
 * own top-level sections (forecasting's `forecast:`), keys of the `data:` section (`data.time`),
 * and rules (JSON Schema `if`/`then`) tying them to `task:`. The task's flow resolves and checks
 * its sections itself, from the validated document (LoadedConfig.raw).
 */
export interface TaskConfigSchema {
  readonly sections?: JsonObject;
  readonly data?: JsonObject;
  /** Keys of `data.split` and of `evaluate` (recommendation's split method, `evaluate.k`). */
  readonly split?: JsonObject;
  readonly evaluate?: JsonObject;
  readonly rules?: readonly JsonObject[];
  /** The task reads no `data.target` (recommendation names users and items instead): it is not required. */
  readonly noTarget?: boolean;
}

export interface TaskSpec {
  readonly name: Task;
  /** The flow `soma train` runs for this task (pipeline/flows/); absent = `rows`. */
  readonly workflow?: Workflow;
  /** The command that uses this task's models when they are not row-wise (`recommend`), for messages. */
  readonly command?: string;
  /** Config sections and keys only this task reads; absent = none. */
  readonly config?: TaskConfigSchema;
  readonly target: TargetEncoding;
  /** The task's metrics: names, directions, which need probabilities, defaults, and how they are computed. */
  readonly metrics: MetricFamily;
  /** Whether `data.split.stratify` and `search.cv.stratify` keep the target's class shares. */
  readonly stratify: boolean;
  /** The search metric when neither `search.metric` nor `evaluate.metrics` names one. */
  readonly searchMetric: string;
  /** The test metric `soma models list` shows per version, and the one a model must beat its baseline on. */
  readonly headlineMetric: string;
  /** The trivial baseline a model must beat (absent: tasks with none; train then skips the comparison). */
  readonly baseline?: Baseline;
  /** What `soma init` writes for this task: `evaluate.metrics` and the commented-out example gate. */
  readonly starter: { readonly metrics: readonly string[]; readonly gate: readonly [string, string] };
  /** Metrics of predictions on a labelled split (with the confusion matrix, for class targets). */
  score(y: Target, predictions: Predictions, metrics: readonly string[] | undefined): SplitScore;
  /** The columns `soma predict` writes for one chunk, after any pass-through id. */
  predictionColumns(predictions: Predictions, labels: readonly string[], rows: number): Column[];
  /** The report's chart data for a labelled split; absent when the task draws no charts. */
  diagnostics?(y: Target, predictions: Predictions, labels: readonly string[], seed: number): Diagnostics;
}
