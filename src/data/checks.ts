// The checks every reader shares, with their messages: columns a source lacks, and a value that is
// not of its column's type. The DuckDB file readers (source.ts, read.ts) and the in-memory
// records path (records.ts) raise these same errors, so a bad value reads the same whether it
// came from a file or an HTTP body; only `source` (a file path, or a label such as "records")
// differs.

import { SomaError } from '../errors.js';
import type { ColumnType } from './frame.js';

/**
 * Strings that CSV/TSV readers treat as missing in every column (unless `na_values` replaces
 * them), as R, pandas, Excel and hand-made files write them: one `?` in a numeric column must not
 * turn it into categories.
 */
export const CSV_NULL_STRINGS: readonly string[] = ['', 'NA', 'N/A', 'n/a', 'NULL', 'null', 'NaN', '#N/A', '?', '-'];

/** Throws DATA_MISSING_COLUMN naming every column of `wanted` that `have` lacks. */
export function requireColumns(source: string, have: readonly string[], wanted: readonly string[], what = 'column'): void {
  const names = new Set(have);
  const missing = [...new Set(wanted)].filter((n) => !names.has(n));
  if (missing.length === 0) return;
  const list = missing.map((m) => `"${m}"`).join(', ');
  throw new SomaError('DATA_MISSING_COLUMN', `${source} has no ${what}${missing.length > 1 ? 's' : ''} ${list} (it has: ${have.join(', ')})`, {
    details: { file: source, missing, available: [...have] },
  });
}

/** DATA_BAD_VALUE: `value` in `column`, 1-based data row `row` of `source`, is not a valid number or date/time. */
export function badValue(source: string, column: string, row: number, value: string, type: ColumnType, format?: string): SomaError {
  const shown = value.length > 60 ? `${value.slice(0, 57)}...` : value;
  const custom = format !== undefined && format !== 'iso';
  const what = type === 'datetime' ? (custom ? `date/time in the format ${format}` : 'date/time') : 'number';
  return new SomaError('DATA_BAD_VALUE', `${source}: column "${column}" row ${row}: "${shown}" is not a valid ${what}`, {
    hint:
      type === 'numeric'
        ? `fix the value, leave it empty for missing, or read "${column}" as categorical`
        : custom
          ? `fix the value, or name the format it has in data.types: {${JSON.stringify(column)}: {datetime: '...'}} (strptime codes such as %b %d %Y)`
          : `use ISO dates such as 2024-01-31 or 2024-01-31T12:00:00Z, or name the format in data.types: {${JSON.stringify(column)}: {datetime: '%m/%d/%Y'}}`,
    details: { file: source, column, row, value, expected: type, ...(custom ? { format } : {}) },
  });
}
