// Splits whose target cannot say whether a model is any good: no rows, a single class, or a
// constant value. Metrics on them are trivially perfect or meaningless (f1_macro is 1.0 when the
// test split holds only the class the model always predicts), so train warns about each one and
// fails the gates judged on one instead of letting them pass.

import type { Target } from '../tasks/task.js';

/** Why each degenerate split is degenerate (keys as in metrics: train, validation, test). */
export function degenerateSplits(splits: Readonly<Record<string, Target | undefined>>, classes: readonly string[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [split, y] of Object.entries(splits)) {
    if (y === undefined) continue;
    const reason = degenerateTarget(y, classes);
    if (reason !== undefined) out[split] = reason;
  }
  return out;
}

function degenerateTarget(y: Target, classes: readonly string[] | undefined): string | undefined {
  const v = y.values;
  if (v.length === 0) return 'it has no rows';
  let first = NaN;
  for (let i = 0; i < v.length; i++) {
    const x = v[i]!;
    if (Number.isNaN(x)) continue;
    if (Number.isNaN(first)) first = x;
    else if (x !== first) return undefined;
  }
  if (Number.isNaN(first)) return 'its target is missing in every row';
  if (y.nClasses > 0) return `its target has a single class (${JSON.stringify(classes?.[first] ?? String(first))} in all ${v.length} rows)`;
  return `its target is constant (${first} in all ${v.length} rows)`;
}

/** The warning train prints for a degenerate split. */
export function degenerateWarning(split: string, reason: string): string {
  return `the ${split} split is degenerate: ${reason}; metrics on it cannot tell a good model from a trivial one, and gates judged on it fail`;
}
