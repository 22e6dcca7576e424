// What a metric family declares: the metrics of one task (their names, directions, which need
// probabilities), its defaults, and the function that computes them from labels and predictions.
// Families are registered by task name (registry.ts); classification.ts and regression.ts are the
// built-in ones, and ranking or forecasting metrics arrive as new files of the same shape.

import type { Task } from '../../tasks/task.js';
import type { RankingInput } from './ranking.js';

export type Direction = 'maximize' | 'minimize';

export interface MetricSpec {
  /** The name; one ending in `@k` stands for a metric of top-k lists, named `ndcg@10` and so on for any k >= 1. */
  readonly name: string;
  /** Whether a larger value is better (scores) or a smaller one (losses and errors). */
  readonly direction: Direction;
  /** Needs class probabilities; left out of `computeMetrics`' record when none are given. */
  readonly needsProba?: boolean;
  /**
   * Why the metric means nothing on this data although a number can be computed (MAPE over a
   * target that is 0 in some rows: scikit-learn divides by machine epsilon and gets 1e14), or
   * undefined when it is meaningful. `computeMetrics` still returns scikit-learn's number; a
   * task's scoring (`scoreMetrics`) reports the metric as undefined with this reason instead.
   */
  readonly undefinedFor?: (input: MetricInput) => string | undefined;
}

export interface MetricInput {
  /** Class indices 0..K-1 (class targets) or target values. */
  readonly yTrue: Float64Array;
  /** Predicted class indices or values, same length as yTrue. */
  readonly yPred: Float64Array;
  /** Class probabilities, row-major n x K (class targets only). */
  readonly proba?: Float64Array;
  /** K; when absent, taken from proba's width, else from the largest label + 1. */
  readonly nClasses?: number;
  /** Non-negative row weights. */
  readonly sampleWeight?: Float64Array;
  /** Top-k lists and their relevant items, for ranking metrics (task recommendation). */
  readonly ranking?: RankingInput;
}

export interface MetricFamily {
  /** The task whose predictions these metrics score (a task registry name). */
  readonly task: Task;
  /** What yTrue and yPred hold: class indices (with nClasses and proba) or values. */
  readonly target: 'classes' | 'values';
  /** Every metric of the family, in report order. */
  readonly metrics: readonly MetricSpec[];
  /** What `computeMetrics` reports when no names are given. */
  readonly defaults: readonly string[];
  /** The one score a model is judged by when none is named (scikit-learn's `score`): permutation importance's default. */
  readonly score: string;
  /** The few metrics a per-group table shows (fairness). */
  readonly groupMetrics: readonly string[];
  /**
   * The named metrics as `{name: value}` in the order given. `names` are the family's own,
   * without duplicates and, when `input.proba` is absent, without the probability metrics; a
   * metric undefined for the data (NaN) is left out, so the record is always JSON-safe.
   */
  compute(input: MetricInput, names: readonly string[]): Record<string, number>;
}
