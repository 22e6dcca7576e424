// File formats soma reads and writes, found from the file name or given explicitly, and the
// SQL quoting that lets any path or column name (`Beak Length (mm)`, `it's.csv`) reach DuckDB.
// Arrow IPC (`.arrow`, `.feather`) is read only: DuckDB has no built-in reader for it, so
// arrow.ts loads such a file into a DuckDB table first.

import { SomaError } from '../errors.js';

export type DataFormat = 'csv' | 'tsv' | 'parquet' | 'json' | 'ndjson' | 'arrow';

export const DATA_FORMATS: readonly DataFormat[] = ['csv', 'tsv', 'parquet', 'json', 'ndjson', 'arrow'];

/** Extension -> format, longest first so `.csv.gz` wins over `.gz`. */
const EXTENSIONS: readonly (readonly [string, DataFormat])[] = [
  ['.ndjson.gz', 'ndjson'],
  ['.jsonl.gz', 'ndjson'],
  ['.json.gz', 'json'],
  ['.csv.gz', 'csv'],
  ['.tsv.gz', 'tsv'],
  ['.parquet', 'parquet'],
  ['.ndjson', 'ndjson'],
  ['.jsonl', 'ndjson'],
  ['.json', 'json'],
  ['.csv', 'csv'],
  ['.tsv', 'tsv'],
  ['.tab', 'tsv'],
  ['.pq', 'parquet'],
  ['.feather', 'arrow'],
  ['.arrows', 'arrow'],
  ['.arrow', 'arrow'],
  ['.ipc', 'arrow'],
];

const ACCEPTED_EXTENSIONS: readonly string[] = EXTENSIONS.map(([e]) => e);

function isDataFormat(s: string): s is DataFormat {
  return (DATA_FORMATS as readonly string[]).includes(s);
}

/**
 * The format of `path`: `explicit` when given (validated), else from the extension.
 * Throws DATA_FORMAT naming the file and the accepted extensions.
 */
export function detectFormat(path: string, explicit?: string): DataFormat {
  if (explicit !== undefined) {
    if (isDataFormat(explicit)) return explicit;
    throw new SomaError('DATA_FORMAT', `unknown data format "${explicit}" for ${path} (expected one of ${DATA_FORMATS.join(', ')})`, {
      details: { file: path, format: explicit, accepted: DATA_FORMATS },
    });
  }
  const lower = path.toLowerCase();
  for (const [ext, fmt] of EXTENSIONS) if (lower.endsWith(ext)) return fmt;
  throw new SomaError(
    'DATA_FORMAT',
    `cannot tell the data format of ${path} from its extension (accepted: ${ACCEPTED_EXTENSIONS.join(', ')})`,
    {
      hint: `rename the file or give the format explicitly (format: ${DATA_FORMATS.join(' | ')})`,
      details: { file: path, accepted: ACCEPTED_EXTENSIONS },
    },
  );
}

/** Whether DuckDB would expand `path` as a glob. */
export function isGlob(path: string): boolean {
  return /[*?[]/.test(path);
}

/** A SQL string literal: `'it''s.csv'`. */
export function sqlString(s: string): string {
  return `'${s.replaceAll("'", "''")}'`;
}

/** A SQL identifier: `"Beak Length (mm)"`, with embedded quotes doubled. */
export function sqlIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/**
 * The table function that reads `path` in `format`. Options keep DuckDB's sniffing but pin
 * what the format implies (the delimiter of a TSV, the NDJSON layout).
 */
export function readerSql(path: string, format: DataFormat, extra: readonly string[] = []): string {
  const p = sqlString(path);
  const opts = extra.length > 0 ? `, ${extra.join(', ')}` : '';
  switch (format) {
    case 'csv':
      return `read_csv(${p}${opts})`;
    case 'tsv':
      return `read_csv(${p}, delim = '\t'${opts})`;
    case 'parquet':
      return `read_parquet(${p}${opts})`;
    case 'json':
      return `read_json_auto(${p}${opts})`;
    case 'ndjson':
      return `read_json_auto(${p}, format = 'newline_delimited'${opts})`;
    case 'arrow':
      throw new SomaError('INTERNAL', `readerSql: ${path} is Arrow IPC, which is read into a table first (arrow.ts)`);
  }
}
