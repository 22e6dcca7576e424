// The target column as the pipeline meets it: the rows that have one, and the tasks a config's
// model families have in common (what task inference may choose from). Encoding the target is
// the task's (TaskSpec.target, in tasks/).

import { columnLength, isMissing, type Column } from '../data/frame.js';
import type { FamilySpec } from '../models/families.js';
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
