// Mapping a frame's categorical codes onto a learned category list by string value: every chunk
// a reader yields may carry its own dictionary, so codes are never compared across frames.

import { SomaError } from '../errors.js';
import type { CategoricalColumn } from '../data/frame.js';

/** Code for a value the learned list does not contain. */
export const UNSEEN = -2;

/** Codes of `column` in terms of `categories`: -1 missing, UNSEEN for a value not in the list. */
export function remapCodes(column: CategoricalColumn, categories: readonly string[]): Int32Array {
  const index = new Map<string, number>();
  categories.forEach((c, i) => index.set(c, i));
  const translate = new Int32Array(column.dictionary.length);
  column.dictionary.forEach((value, i) => {
    translate[i] = index.get(value) ?? UNSEEN;
  });
  const out = new Int32Array(column.codes.length);
  const codes = column.codes;
  for (let i = 0; i < codes.length; i++) {
    const c = codes[i]!;
    out[i] = c < 0 ? -1 : translate[c]!;
  }
  return out;
}

/** Counts of each dictionary entry (missing excluded). */
export function categoryCounts(column: CategoricalColumn): Float64Array {
  const counts = new Float64Array(column.dictionary.length);
  for (const c of column.codes) if (c >= 0) counts[c]!++;
  return counts;
}

/** The error for a category unseen in training under `handle_unknown: error` (exit 3). */
export function unknownCategoryError(step: string, column: CategoricalColumn, row: number, known: readonly string[]): SomaError {
  const value = column.dictionary[column.codes[row]!];
  return new SomaError('DATA_BAD_VALUE', `column "${column.name}", row ${row + 1}: category ${JSON.stringify(value)} was not seen in training (expected one of ${known.slice(0, 20).join(', ')}${known.length > 20 ? ', ...' : ''})`, {
    hint: `set handle_unknown: ignore on the ${step} step to accept new categories`,
    details: { column: column.name, row: row + 1, value, step },
  });
}

/** Categories present in the column (count > 0), sorted by value. */
export function presentCategories(column: CategoricalColumn): string[] {
  const counts = categoryCounts(column);
  return column.dictionary.filter((_, i) => counts[i]! > 0).slice().sort();
}

/**
 * remapCodes for an encoder's transform: with `handle_unknown: error` the first unseen category
 * is raised as the step's data error (exit 3) here, so the encoders' loops only map codes.
 */
export function encoderCodes(step: string, column: CategoricalColumn, categories: readonly string[], handleUnknown: string): Int32Array {
  const codes = remapCodes(column, categories);
  if (handleUnknown === 'error') {
    const i = codes.indexOf(UNSEEN);
    if (i >= 0) throw unknownCategoryError(step, column, i, categories);
  }
  return codes;
}
