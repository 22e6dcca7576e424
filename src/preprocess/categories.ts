// Mapping a frame's categorical codes onto a learned category list by string value: every chunk
// a reader yields may carry its own dictionary, so codes are never compared across frames.

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
