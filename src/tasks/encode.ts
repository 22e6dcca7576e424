// Target columns encoded for estimators, the two ways the task specs use: class labels (strings,
// sorted, saved with the model) as indices 0..K-1, and numeric values as they are.

import { SomaError } from '../errors.js';
import { numericValues, valueAt, type Column, type Frame } from '../data/frame.js';
import type { Target, Task } from './task.js';

/** The target column of `frame`; DATA_MISSING_COLUMN naming the columns there are. */
export function targetColumn(frame: Frame, name: string, what: string): Column {
  const c = frame.column(name);
  if (!c) throw new SomaError('DATA_MISSING_COLUMN', `${what}: target column "${name}" not found (columns: ${frame.names.join(', ')})`);
  return c;
}

/** Class labels present in the column, sorted (numbers numerically, then strings). */
export function classLabels(c: Column): string[] {
  const labels = new Set<string>();
  if (c.type === 'categorical') {
    const used = new Uint8Array(c.dictionary.length);
    for (const code of c.codes) if (code >= 0) used[code] = 1;
    c.dictionary.forEach((d, i) => used[i] && labels.add(d));
  } else if (c.type === 'numeric') {
    for (const v of numericValues(c)) if (!Number.isNaN(v)) labels.add(String(v));
  } else {
    throw new SomaError('DATA_BAD_VALUE', `target column "${c.name}" is ${c.type}; a classification target must be categorical or numeric`);
  }
  return [...labels].sort((a, b) => {
    const na = Number(a);
    const nb = Number(b);
    if (!Number.isNaN(na) && !Number.isNaN(nb)) return na - nb;
    return a < b ? -1 : a > b ? 1 : 0;
  });
}

/** Class indices in `classes` order; labels unknown to `classes` are a data error naming them. */
export function encodeClasses(frame: Frame, name: string, task: Task, classes: readonly string[], what: string): Target {
  const c = targetColumn(frame, name, what);
  const values = new Float64Array(frame.rows);
  const index = new Map(classes.map((label, i) => [label, i]));
  const unknown = new Set<string>();
  for (let i = 0; i < frame.rows; i++) {
    const label = labelAt(c, i);
    const k = label === null ? undefined : index.get(label);
    if (k === undefined) {
      if (label !== null) unknown.add(label);
      values[i] = NaN;
    } else values[i] = k;
  }
  if (unknown.size > 0) {
    throw new SomaError('DATA_BAD_VALUE', `${what}: target "${name}" has classes the model was not trained on: ${[...unknown].slice(0, 10).map((u) => JSON.stringify(u)).join(', ')} (expected one of ${classes.join(', ')})`);
  }
  return { task, values, nClasses: classes.length };
}

/** The numeric target's values; a target of another type is a data error with a hint. */
export function encodeValues(frame: Frame, name: string, task: Task, what: string, hint: string): Target {
  const c = targetColumn(frame, name, what);
  if (c.type !== 'numeric') {
    throw new SomaError('DATA_BAD_VALUE', `${what}: ${task} target "${name}" is ${c.type} (expected numeric)`, { hint });
  }
  const values = new Float64Array(frame.rows);
  values.set(numericValues(c));
  return { task, values, nClasses: 0 };
}

function labelAt(c: Column, i: number): string | null {
  switch (c.type) {
    case 'categorical':
      return c.codes[i]! < 0 ? null : c.dictionary[c.codes[i]!]!;
    case 'numeric':
    case 'datetime': {
      const v = valueAt(c, i);
      return Number.isNaN(v) ? null : String(v);
    }
    case 'text':
      return c.values[i] ?? null;
  }
}
