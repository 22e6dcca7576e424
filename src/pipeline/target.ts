// The target column: task inference and encoding into the estimators' Target (class indices for
// classification, values for regression). Class labels are strings, sorted, saved with the model.

import { SomaError } from '../errors.js';
import { columnLength, isMissing, numericValues, valueAt, type Column, type Frame } from '../data/frame.js';
import type { Target, Task } from '../engine/matrix.js';
import type { EstimatorSpec } from '../models/estimator.js';

/** The task: as configured, else the only one the family supports, else from the target's type. */
export function inferTask(configured: Task | undefined, spec: EstimatorSpec, target: Column): Task {
  if (configured) return configured;
  if (spec.tasks.length === 1) return spec.tasks[0]!;
  return target.type === 'numeric' ? 'regression' : 'classification';
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

/** Rows whose target is present (rows with a missing target cannot be learned from or scored). */
export function rowsWithTarget(c: Column): Int32Array {
  const keep: number[] = [];
  const n = columnLength(c);
  for (let i = 0; i < n; i++) if (!isMissing(c, i)) keep.push(i);
  return Int32Array.from(keep);
}

/** Encodes the target of `frame`; labels unknown to `classes` are a data error naming them. */
export function encodeTarget(frame: Frame, name: string, task: Task, classes: readonly string[], what: string): Target {
  const c = frame.column(name);
  if (!c) throw new SomaError('DATA_MISSING_COLUMN', `${what}: target column "${name}" not found (columns: ${frame.names.join(', ')})`);
  const values = new Float64Array(frame.rows);
  if (task === 'regression') {
    if (c.type !== 'numeric') {
      throw new SomaError('DATA_BAD_VALUE', `${what}: regression target "${name}" is ${c.type} (expected numeric)`, {
        hint: 'set task: classification, or make the column numeric',
      });
    }
    values.set(numericValues(c));
    return { task, values, nClasses: 0 };
  }
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
