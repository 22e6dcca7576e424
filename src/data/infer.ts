// Column type inference for string columns: categorical or free text. DuckDB already decides
// numeric, datetime and boolean; only VARCHAR needs a rule of ours.
//
// The rule: a string column is `text` when ALL of these hold, else `categorical`:
//   1. it has more than TEXT_MIN_UNIQUE (20) distinct non-missing values, and
//   2. more than half of its non-missing values are distinct (unique / present > 0.5), and
//   3. its values look like prose: mean length >= 20 characters, OR at least half of the values
//      contain whitespace (multi-word).
// So `species`, `island`, `city_17` stay categorical at any size; a row-unique short code
// (`P00123`) stays categorical too (one-hot or hashing is the user's call); car names
// ("chevrolet chevelle malibu") and comments become text.

import type { ColumnType } from './frame.js';

const TEXT_MIN_UNIQUE = 20;
const TEXT_UNIQUE_SHARE = 0.5;
const TEXT_MEAN_LENGTH = 20;
const TEXT_MULTIWORD_SHARE = 0.5;

/** Statistics of one string column, gathered while it is read. */
export interface StringStats {
  /** Non-missing values. */
  present: number;
  /** Distinct non-missing values. */
  unique: number;
  /** Sum of the lengths (UTF-16 units) of the non-missing values. */
  totalLength: number;
  /** Non-missing values that contain whitespace. */
  multiWord: number;
}

export function inferStringType(s: StringStats): Extract<ColumnType, 'categorical' | 'text'> {
  if (s.present === 0 || s.unique <= TEXT_MIN_UNIQUE) return 'categorical';
  if (s.unique / s.present <= TEXT_UNIQUE_SHARE) return 'categorical';
  const meanLength = s.totalLength / s.present;
  return meanLength >= TEXT_MEAN_LENGTH || s.multiWord / s.present >= TEXT_MULTIWORD_SHARE ? 'text' : 'categorical';
}

/**
 * Statistics for a dictionary-encoded column: each distinct value counted once for `unique`,
 * and weighted by its count for lengths and words.
 */
export function stringStats(dictionary: readonly string[], counts: ArrayLike<number>): StringStats {
  let present = 0;
  let totalLength = 0;
  let multiWord = 0;
  for (let k = 0; k < dictionary.length; k++) {
    const n = counts[k]!;
    const v = dictionary[k]!;
    present += n;
    totalLength += v.length * n;
    if (/\s/.test(v.trim())) multiWord += n;
  }
  return { present, unique: dictionary.length, totalLength, multiWord };
}

/** The soma type of a DuckDB column type (as DESCRIBE prints it), or `undefined` for VARCHAR. */
export function typeOfDuckDB(duckType: string): ColumnType | undefined {
  const t = duckType.toUpperCase();
  if (t === 'VARCHAR' || t.startsWith('ENUM')) return undefined;
  if (t === 'BOOLEAN') return 'categorical';
  if (isNumericDuckType(t)) return 'numeric';
  if (isDatetimeDuckType(t)) return 'datetime';
  // TIME, INTERVAL, UUID, BLOB, nested JSON values: shown as their string form.
  return 'text';
}

export function isNumericDuckType(t: string): boolean {
  const u = t.toUpperCase();
  return /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|FLOAT|DOUBLE|REAL|DECIMAL(\(\d+,\s*\d+\))?)$/.test(u);
}

export function isDatetimeDuckType(t: string): boolean {
  const u = t.toUpperCase();
  return u === 'DATE' || u.startsWith('TIMESTAMP');
}
