// Which task a config means when it does not say: the only task its model families support, else
// the first registered task (of those they support) whose spec claims the target column; and
// `soma init`'s guess from a target's values. Both walk the registry, so a new task takes part by
// being registered.

import { SomaError } from '../errors.js';
import type { Column } from '../data/frame.js';
import { findTask, taskNames, taskSpecs } from './registry.js';
import type { TaskSpec } from './spec.js';
import type { Task } from './task.js';

/**
 * The task known before the data is read: the configured one, else the only one `supported`
 * holds (the tasks every model family of the config supports); undefined when the target decides.
 */
export function taskHint(configured: Task | undefined, supported: readonly Task[]): TaskSpec | undefined {
  if (configured !== undefined) return findTask(configured);
  return supported.length === 1 ? findTask(supported[0]!) : undefined;
}

/**
 * The task: as configured, else the only supported one, else the first registered task among
 * `supported` (all of them when it is empty) whose spec claims the target column.
 */
export function inferTask(configured: Task | undefined, supported: readonly Task[], target: Column): TaskSpec {
  const hinted = taskHint(configured, supported);
  if (hinted) return hinted;
  const candidates = taskSpecs().filter((t) => supported.length === 0 || supported.includes(t.name));
  const claimed = candidates.find((t) => t.target.claims(target));
  if (!claimed) {
    throw new SomaError('CONFIG_INVALID', `task: cannot tell the task from the ${target.type} target column "${target.name}" (set task: to one of ${(candidates.length > 0 ? candidates.map((t) => t.name) : taskNames()).join(', ')})`);
  }
  return claimed;
}

/** `soma init`'s guess: the first registered task whose spec suggests itself for the target. */
export function suggestTask(target: Column, distinct: number): TaskSpec {
  const spec = taskSpecs().find((t) => t.target.suggests(target, distinct));
  if (!spec) throw new SomaError('DATA_BAD_VALUE', `no task fits the ${target.type} target column "${target.name}" (tasks: ${taskNames().join(', ')})`);
  return spec;
}
