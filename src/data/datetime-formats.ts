// Dates written the way people write them (`Jun 12 1998`, `Jan 1 2000`, `12/31/1999`), which
// DuckDB's sniffers leave as text: without this a release-date column became 1,600 categories.
// A string column is a datetime when every non-missing value of a sample parses with one of
// DATETIME_FORMATS (or as an ISO date/time); the format found is kept with the column (and in a
// model's input contract), so training and prediction parse alike. Users can name a format
// themselves: `data.types: {Release Date: {datetime: '%b %d %Y'}}` (DuckDB's strptime syntax).

import type { DuckDBConnection } from '@duckdb/node-api';
import { sqlIdent, sqlString } from './formats.js';

/** ISO 8601 dates and timestamps, read by DuckDB's own cast (no format needed). */
export const ISO = 'iso';

/**
 * Formats tried in order (the first that parses every sampled value wins, so month-first
 * `%m/%d/%Y` beats day-first `%d/%m/%Y` when both do; name the format to say otherwise).
 */
export const DATETIME_FORMATS: readonly string[] = [
  '%b %d %Y',
  '%B %d %Y',
  '%b %d, %Y',
  '%B %d, %Y',
  '%d %b %Y',
  '%d %B %Y',
  '%d-%b-%Y',
  '%d-%b-%y',
  '%m/%d/%Y',
  '%d/%m/%Y',
  '%m/%d/%Y %H:%M',
  '%m/%d/%Y %H:%M:%S',
  '%d.%m.%Y',
  '%a %b %d %H:%M:%S %Y',
];

/** Rows sampled to decide (all of them after a sampled guess failed later in the file). */
export const FORMAT_SAMPLE_ROWS = 4096;

/**
 * For each string column of `relation` (a FROM clause), the format its values parse with:
 * ISO or one of DATETIME_FORMATS; columns that are not dates are absent. `sample` limits the
 * rows looked at (undefined: every row).
 */
export async function inferDatetimeFormats(c: DuckDBConnection, relation: string, columns: readonly string[], sample: number | undefined): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  if (columns.length === 0) return found;
  const candidates = [ISO, ...DATETIME_FORMATS];
  const aggregates = columns.flatMap((name) => {
    const v = sqlIdent(name);
    return [`count(${v})`, ...candidates.map((f) => `count(${parseSql(v, f, true)})`)];
  });
  const limited = sample === undefined ? relation : `(SELECT ${columns.map(sqlIdent).join(', ')} FROM ${relation} LIMIT ${sample})`;
  const row = (await c.runAndReadAll(`SELECT ${aggregates.join(', ')} FROM ${limited}`)).getRows()[0] ?? [];
  const width = candidates.length + 1;
  columns.forEach((name, j) => {
    const present = Number(row[j * width] ?? 0);
    if (present === 0) return;
    const k = candidates.findIndex((_, i) => Number(row[j * width + 1 + i] ?? 0) === present);
    if (k >= 0) found.set(name, candidates[k]!);
  });
  return found;
}

/** SQL parsing the string expression `v` with `format` to a TIMESTAMP(TZ); `lenient` gives NULL instead of failing. */
export function parseSql(v: string, format: string, lenient: boolean): string {
  if (format === ISO) return `${lenient ? 'TRY_CAST' : 'CAST'}(${v} AS TIMESTAMPTZ)`;
  return `${lenient ? 'try_strptime' : 'strptime'}(${v}, ${sqlString(format)})`;
}
