// A task's name and the encoded target every estimator fits. These are the task layer's leaf
// types: this file imports nothing, so models, preprocess steps and evaluate can use them while
// the task specs themselves (which import data and evaluate) stay above those layers.

/**
 * The name of a task in the registry (tasks/registry.ts): `classification` and `regression` are
 * built in, and registering a TaskSpec adds another. Code asks the spec what a task means
 * (`findTask(name)`) instead of comparing names; model families compare only against the tasks
 * their own `EstimatorSpec.tasks` declares.
 */
export type Task = string;

/**
 * The training target. When `nClasses > 0` the values are class indices 0..nClasses-1 (the
 * task's labels in model order); when it is 0 they are the target's own values. Code below the
 * task layer that must tell the two apart reads `nClasses`, never the task's name.
 */
export interface Target {
  /** The task the target was encoded for. */
  readonly task: Task;
  readonly values: Float64Array;
  /** Number of classes for class targets, 0 for value targets. */
  readonly nClasses: number;
}

/** Rows `idx` of a target, as a new target (splits and cross-validation folds). */
export function takeTarget(y: Target, idx: Int32Array | Uint32Array): Target {
  const values = new Float64Array(idx.length);
  for (let i = 0; i < idx.length; i++) values[i] = y.values[idx[i]!]!;
  return { ...y, values };
}
