// Building a step's output frame: a column replaced by the columns derived from it (in its
// place, so feature order stays readable), or new columns inserted right after their source.

import { SomaError } from '../errors.js';
import { Frame, type Column, type NumericColumn } from '../data/frame.js';

/** `frame` with each named column replaced by its list (an empty list removes it). */
export function replaceColumns(frame: Frame, replaced: ReadonlyMap<string, readonly Column[]>): Frame {
  if (replaced.size === 0) return frame;
  const out: Column[] = [];
  for (const c of frame.columns) {
    const r = replaced.get(c.name);
    if (r) out.push(...r);
    else out.push(c);
  }
  return new Frame(uniqueNames(out));
}

/** `frame` with each list inserted right after the named column (which stays). */
export function insertAfter(frame: Frame, added: ReadonlyMap<string, readonly Column[]>): Frame {
  if (added.size === 0) return frame;
  const out: Column[] = [];
  for (const c of frame.columns) {
    out.push(c);
    const a = added.get(c.name);
    if (a) out.push(...a);
  }
  return new Frame(uniqueNames(out));
}

function uniqueNames(columns: Column[]): Column[] {
  const seen = new Set<string>();
  for (const c of columns) {
    if (seen.has(c.name)) {
      throw new SomaError('CONFIG_INVALID', `preprocess: two columns would be named "${c.name}" (a derived column clashes with an existing one; rename the column or reorder the steps)`);
    }
    seen.add(c.name);
  }
  return columns;
}

export const numeric = (name: string, values: Float64Array): NumericColumn => ({ type: 'numeric', name, values });

/** `frame` with these columns replacing those of the same names, in one new Frame. */
export function withColumns(frame: Frame, columns: readonly Column[]): Frame {
  if (columns.length === 0) return frame;
  return replaceColumns(frame, new Map(columns.map((c) => [c.name, [c]])));
}

/** The numeric (or datetime) values of a column a step resolved at fit time. */
export function valuesOf(frame: Frame, name: string, step: string): Float64Array | undefined {
  const c = frame.column(name);
  if (!c) return undefined; // the input-schema check reports absent input columns before transforms
  if (c.type === 'numeric' || c.type === 'datetime') return c.values;
  throw new SomaError('DATA_BAD_VALUE', `preprocess ${step}: column "${name}" is ${c.type} at prediction but was numeric in training`, { details: { column: name, type: c.type } });
}
