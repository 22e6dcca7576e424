// Building a step's output frame: a column replaced by the columns derived from it (in its
// place, so feature order stays readable), or new columns inserted right after their source.
// Also how steps read numeric input: `valuesOf` gives dense values and densifies a sparse column
// (one column at a time); steps that keep sparsity read the column itself with `numericColumnOf`.
// Steps whose output holds a dense copy of each sparse input call `checkDensify` first, so a wide
// text vocabulary fails with a clear error instead of exhausting memory.

import { SomaError } from '../errors.js';
import { Frame, isSparseColumn, numericValues, type Column, type NumericColumn, type SparseNumericColumn } from '../data/frame.js';
import { MAX_DENSE_BYTES, denseBytes, type SparseVector } from '../engine/sparse.js';

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

export const sparseNumeric = (name: string, sparse: SparseVector): SparseNumericColumn => ({ type: 'numeric', name, sparse });

/** `frame` with these columns replacing those of the same names, in one new Frame. */
export function withColumns(frame: Frame, columns: readonly Column[]): Frame {
  if (columns.length === 0) return frame;
  return replaceColumns(frame, new Map(columns.map((c) => [c.name, [c]])));
}

/** The numeric (or datetime) column a step resolved at fit time, dense or sparse. */
export function numericColumnOf(frame: Frame, name: string, step: string): Extract<Column, { type: 'numeric' | 'datetime' }> | undefined {
  const c = frame.column(name);
  if (!c) return undefined; // the input-schema check reports absent input columns before transforms
  if (c.type === 'numeric' || c.type === 'datetime') return c;
  throw new SomaError('DATA_BAD_VALUE', `preprocess ${step}: column "${name}" is ${c.type} at prediction but was numeric in training`, { details: { column: name, type: c.type } });
}

/**
 * Dense values of a numeric (or datetime) column a step resolved at fit time: the column's own
 * array (do not mutate it), or a new dense copy of a sparse column.
 */
export function valuesOf(frame: Frame, name: string, step: string): Float64Array | undefined {
  const c = numericColumnOf(frame, name, step);
  return c ? numericValues(c) : undefined;
}

/**
 * Refuses a step whose output would hold dense copies of sparse columns beyond MAX_DENSE_BYTES
 * (2 GiB), naming the step, the columns and the sizes.
 */
export function checkDensify(frame: Frame, names: readonly string[], step: string): void {
  const sparse = names.filter((n) => {
    const c = frame.column(n);
    return c !== undefined && isSparseColumn(c);
  });
  const bytes = denseBytes(frame.rows, sparse.length);
  if (bytes <= MAX_DENSE_BYTES) return;
  const shown = sparse.slice(0, 3).map((n) => JSON.stringify(n)).join(', ') + (sparse.length > 3 ? `, ... (${sparse.length} in all)` : '');
  throw new SomaError('DATA_BAD_VALUE', `preprocess ${step}: densifying ${sparse.length} sparse columns x ${frame.rows} rows (${shown}) would need ${gib(bytes)} GiB (limit ${gib(MAX_DENSE_BYTES)} GiB)`, {
    hint: `${step} needs dense input: select fewer columns for it (e.g. not the tfidf/hashing outputs), or lower max_features / n_features`,
    details: { step, columns: sparse.length, rows: frame.rows, bytes, limit: MAX_DENSE_BYTES, first: sparse.slice(0, 10) },
  });
}

const gib = (bytes: number): string => (bytes / 2 ** 30).toFixed(1);
