// Columns that identify rows rather than describe them: unique integers in row order (a row
// number, an auto-increment key) and categories with a different value in every row (`P00123`).
// As features they only let a model memorise rows (a row id once became a model's top feature),
// so `soma init` makes the first one `data.id` and `soma train` warns about any that are used.

import { numericValues, type Column, type Frame } from './frame.js';

/** Fewer rows than this prove nothing: every value of a tiny table may be unique. */
const MIN_ROWS = 10;

export interface IdentifierColumn {
  name: string;
  /** Why it looks like one, for messages: "unique integers in row order". */
  why: string;
}

/** The columns of `frame` (other than `exclude`) that look like row identifiers, in frame order. */
export function identifierColumns(frame: Frame, exclude: readonly string[] = []): IdentifierColumn[] {
  if (frame.rows < MIN_ROWS) return [];
  const skip = new Set(exclude);
  const out: IdentifierColumn[] = [];
  for (const c of frame.columns) {
    if (skip.has(c.name)) continue;
    const why = identifierReason(c);
    if (why) out.push({ name: c.name, why });
  }
  return out;
}

function identifierReason(c: Column): string | undefined {
  if (c.type === 'numeric' && !c.sparse) return increasingIntegers(numericValues(c)) ? 'unique integers in row order' : undefined;
  if (c.type === 'categorical') return everyRowDistinct(c.codes, c.dictionary.length) ? 'a different value in every row' : undefined;
  return undefined;
}

/** Every value present, an integer, and larger than the one before. */
function increasingIntegers(v: Float64Array): boolean {
  for (let i = 0; i < v.length; i++) {
    const x = v[i]!;
    if (!Number.isInteger(x)) return false;
    if (i > 0 && !(x > v[i - 1]!)) return false;
  }
  return true;
}

/** No missing code and no code seen twice. */
function everyRowDistinct(codes: Int32Array, k: number): boolean {
  if (k < codes.length) return false;
  const seen = new Uint8Array(k);
  for (let i = 0; i < codes.length; i++) {
    const code = codes[i]!;
    if (code < 0 || seen[code]) return false;
    seen[code] = 1;
  }
  return true;
}
