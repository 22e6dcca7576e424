// The target column as the pipeline meets it: the rows that have one, and the tasks a config's
// model families have in common (what task inference may choose from). Encoding the target is
// the task's (TaskSpec.target, in tasks/).

import { columnLength, isMissing, type Column } from '../data/frame.js';
import { SomaError } from '../errors.js';
import type { FamilySpec } from '../models/families.js';
import type { TaskSpec } from '../tasks/spec.js';
import type { Task } from '../tasks/task.js';

/** The tasks every one of the families supports, in the first family's order. */
export function commonTasks(families: readonly FamilySpec[]): Task[] {
  if (families.length === 0) return [];
  return families[0]!.tasks.filter((t) => families.every((s) => s.tasks.includes(t)));
}

/** Rows whose target is present (rows with a missing target cannot be learned from or scored). */
export function rowsWithTarget(c: Column): Int32Array {
  const keep: number[] = [];
  const n = columnLength(c);
  for (let i = 0; i < n; i++) if (!isMissing(c, i)) keep.push(i);
  return Int32Array.from(keep);
}

/**
 * The task's labels of the training target (classes in model order, or none), checked: at least
 * the task's minimum, and labels the task accepts (not a class per row). `name` is the column.
 */
export function trainingLabels(task: TaskSpec, target: Column, name: string): string[] {
  const labels = task.target.labels(target);
  if (labels.length < task.target.minLabels) {
    throw new SomaError('DATA_BAD_VALUE', `target "${name}" has ${labels.length} class${labels.length === 1 ? '' : 'es'} in the training split (expected at least ${task.target.minLabels})`);
  }
  task.target.check?.(labels, columnLength(target) - countMissingRows(target), name);
  return labels;
}

function countMissingRows(c: Column): number {
  let n = 0;
  const len = columnLength(c);
  for (let i = 0; i < len; i++) if (isMissing(c, i)) n++;
  return n;
}
