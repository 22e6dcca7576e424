// Resolving a data source for reading: existence and emptiness checks, the DuckDB reader SQL,
// column discovery, the SQL expression that gives each column its soma type, and turning
// DuckDB's errors into SomaErrors that name the file (and, for bad values, the row and value;
// the messages themselves are checks.ts's, shared with the in-memory records path).

import { stat } from 'node:fs/promises';
import type { DuckDBConnection } from '@duckdb/node-api';
import { SomaError, errorMessage } from '../errors.js';
import type { ColumnType } from './frame.js';
import { detectFormat, isGlob, readerSql, sqlIdent, sqlString, type DataFormat } from './formats.js';
import { isDatetimeDuckType, isNumericDuckType } from './infer.js';
import { badValue } from './checks.js';
import { dialectOptions, sniffDialect, whitespaceSql, type CsvDialect, type CsvOptions } from './dialect.js';
import { arrowTable } from './arrow.js';
import { withConnection } from './duckdb.js';
import { ISO, parseSql } from './datetime-formats.js';
import { parseNumber } from './parse-values.js';

/** A column as the file holds it. */
export interface ColumnInfo {
  readonly name: string;
  /** DuckDB's type name as DESCRIBE prints it: `DOUBLE`, `VARCHAR`, `TIMESTAMP WITH TIME ZONE`. */
  readonly duckdbType: string;
}

export interface Source {
  readonly path: string;
  readonly format: DataFormat;
  /** Reader options beyond the format's own (e.g. a full type sniff after a failed one). */
  readonly fullSniff: boolean;
  /** CSV and TSV: the dialect (the user's options over soma's sniffing). */
  readonly csv?: CsvDialect;
  /** Whitespace-separated files (runs of blanks): the column names and which hold numbers. */
  readonly whitespace?: { readonly names: readonly string[]; readonly numeric: readonly boolean[] };
  /** Arrow IPC: the DuckDB table the file was loaded into. */
  readonly table?: string;
}

/** Checks that `path` exists and is not empty, finds its format and, for CSV, its dialect. */
export async function openSource(path: string, format: string | undefined, csv: CsvOptions = {}): Promise<Source> {
  const fmt = detectFormat(path, format);
  if (!isGlob(path)) {
    let size: number;
    try {
      const s = await stat(path);
      if (s.isDirectory()) {
        throw new SomaError('DATA_UNREADABLE', `cannot read ${path}: it is a directory`, {
          hint: `to read every file in it, pass a glob such as ${path.replace(/\/$/, '')}/*.${fmt}`,
          details: { file: path },
        });
      }
      if (!s.isFile()) throw notRegular(path, s.isFIFO() ? 'a FIFO (named pipe)' : s.isCharacterDevice() ? 'a character device' : s.isSocket() ? 'a socket' : 'not a regular file');
      size = s.size;
    } catch (e) {
      if (e instanceof SomaError) throw e;
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw notFound(path);
      throw new SomaError('DATA_UNREADABLE', `cannot read ${path}: ${errorMessage(e)}`, { details: { file: path }, cause: e });
    }
    if (size === 0) throw new SomaError('DATA_EMPTY', `${path} is empty (0 bytes)`, { details: { file: path } });
  }
  if (fmt === 'csv' || fmt === 'tsv') {
    const dialect = await sniffDialect(path, fmt, csv, isGlob(path));
    const src: Source = { path, format: fmt, fullSniff: false, csv: dialect };
    return dialect.whitespace ? { ...src, whitespace: await whitespaceColumns(src) } : src;
  }
  if (fmt === 'arrow') {
    if (isGlob(path)) throw new SomaError('DATA_FORMAT', `${path}: Arrow IPC files are read one at a time, not by a glob`, { details: { file: path } });
    return { path, format: fmt, fullSniff: false, table: await arrowTable(path) };
  }
  return { path, format: fmt, fullSniff: false };
}

/**
 * A whitespace-separated file's columns: names from its header line (or column0, column1, ...)
 * and, since every field arrives as text, which columns hold only numbers (and missing tokens):
 * those are read as DOUBLE, as DuckDB's sniffer would have.
 */
async function whitespaceColumns(src: Source): Promise<{ names: string[]; numeric: boolean[] }> {
  const d = src.csv!;
  return withConnection(async (c) => {
    const first = await c.runAndReadAll(
      `SELECT regexp_split_to_array(trim(line), '[ \t]+') FROM read_csv(${sqlString(src.path)}, columns = {'line': 'VARCHAR'}, delim = '\x1f', quote = '', escape = '', header = false, skip = ${d.skipRows}${d.comment !== undefined ? `, comment = ${sqlString(d.comment)}` : ''}) WHERE trim(line) <> '' LIMIT 1`,
    );
    const fields = ((first.getRows()[0]?.[0] as { items?: unknown[] } | undefined)?.items ?? []).map(String);
    if (fields.length === 0) throw new SomaError('DATA_EMPTY', `${src.path} has no data rows`, { details: { file: src.path } });
    const header = d.header ?? fields.some((f) => parseNumber(f) === undefined && !d.naValues.includes(f));
    const names = header ? fields : fields.map((_, i) => `column${i}`);
    const untyped = whitespaceSql(src.path, { ...d, header }, names, []);
    const checks = names.map((n) => `bool_and(${sqlIdent(n)} IS NULL OR TRY_CAST(${sqlIdent(n)} AS DOUBLE) IS NOT NULL)`).join(', ');
    const row = (await c.runAndReadAll(`SELECT ${checks} FROM ${untyped}`)).getRows()[0] ?? [];
    return { names, numeric: names.map((_, i) => row[i] === true) };
  });
}

/**
 * A FIFO, a device (`/dev/zero`) or a socket can never end, or blocks the open until a writer
 * comes: soma reads a source more than once (sniffing, types, rows, its checksum), so only
 * regular files are accepted, and refused before anything starts reading them.
 */
export function notRegular(path: string, what: string): SomaError {
  return new SomaError('DATA_UNREADABLE', `cannot read ${path}: it is ${what}, not a regular file`, {
    hint: 'write the data to a file first (soma reads a source several times: sniffing, types, rows and its checksum)',
    details: { file: path },
  });
}

function notFound(path: string): SomaError {
  return new SomaError('DATA_NOT_FOUND', isGlob(path) ? `no files match ${path}` : `data file not found: ${path}`, {
    hint: 'check the path (on the command line relative paths start at the current directory; in a config, at the config file)',
    details: { file: path },
  });
}

/** The FROM clause reading the source. */
export function fromSql(src: Source): string {
  if (src.table !== undefined) return sqlIdent(src.table);
  if (src.whitespace) {
    const w = src.whitespace;
    const cols = w.names.map((n, i) => (w.numeric[i] ? `CAST(${sqlIdent(n)} AS DOUBLE) AS ${sqlIdent(n)}` : sqlIdent(n)));
    return `(SELECT ${cols.join(', ')} FROM ${untypedWhitespace(src)})`;
  }
  const opts: string[] = src.csv ? dialectOptions(src.csv) : [];
  // After a value later in the file contradicted the type DuckDB sniffed from its first rows,
  // sniff the whole file instead so such a column is read as text rather than failing.
  if (src.fullSniff && src.csv) opts.push('sample_size = -1');
  // The dialect carries a TSV's tab, so both read as CSV with it.
  return readerSql(src.path, src.format === 'tsv' ? 'csv' : src.format, opts);
}

function untypedWhitespace(src: Source): string {
  const w = src.whitespace!;
  const header = !w.names.every((n, i) => n === `column${i}`) || src.csv!.header === true;
  return whitespaceSql(src.path, { ...src.csv!, header }, w.names, []);
}

/** Column names and DuckDB types, without reading the data (DESCRIBE sniffs a sample only). */
export async function describeSource(c: DuckDBConnection, src: Source): Promise<ColumnInfo[]> {
  let rows: unknown[][];
  try {
    const reader = await c.runAndReadAll(`DESCRIBE SELECT * FROM ${fromSql(src)}`);
    rows = reader.getRows() as unknown[][];
  } catch (e) {
    throw duckError(e, src.path);
  }
  const info = rows.map((r) => ({ name: String(r[0]), duckdbType: String(r[1]) }));
  await checkDuplicateNames(c, src, info.map((i) => i.name));
  return info;
}

/**
 * DATA_FORMAT (exit 3) when the header names a column twice. DuckDB renames the second `label` to
 * `label_1`, which would then be read as a feature: a copy of the target leaks the label. Names
 * differing only in case count too (DuckDB's identifiers ignore case). The header row is only
 * read again when DuckDB's names look renamed (`x_1` beside `x`).
 */
async function checkDuplicateNames(c: DuckDBConnection, src: Source, names: readonly string[]): Promise<void> {
  let header: readonly string[] | undefined;
  if (src.whitespace) header = src.whitespace.names;
  else if (src.csv && src.csv.header !== false) {
    const lower = new Set(names.map((n) => n.toLowerCase()));
    const renamed = names.some((n) => {
      const m = /^(.*)_\d+$/.exec(n);
      return m !== null && lower.has(m[1]!.toLowerCase());
    });
    if (!renamed) return;
    const opts = dialectOptions(src.csv).filter((o) => !o.startsWith('header ='));
    try {
      const row = (await c.runAndReadAll(`SELECT * FROM ${readerSql(src.path, 'csv', [...opts, 'header = false', 'all_varchar = true'])} LIMIT 1`)).getRows()[0];
      header = (row ?? []).map((v) => (v === null ? '' : String(v)));
    } catch {
      return; // the read that follows reports what is wrong with the file
    }
  }
  if (!header) return;
  const seen = new Map<string, string>();
  const dups: string[] = [];
  for (const n of header) {
    const key = n.toLowerCase();
    const first = seen.get(key);
    if (first === undefined) seen.set(key, n);
    else if (!dups.includes(first)) dups.push(first === n ? n : `${first}/${n}`);
  }
  if (dups.length === 0) return;
  throw new SomaError('DATA_FORMAT', `${src.path}: the header names ${dups.length === 1 ? 'a column' : 'columns'} more than once: ${dups.map((d) => JSON.stringify(d)).join(', ')}`, {
    hint: 'rename or drop the repeated columns (names that differ only in case count as the same: the reader ignores case); a repeated target would otherwise leak into the features',
    details: { file: src.path, duplicates: dups },
  });
}

/** DuckDB's error as a SomaError naming the file: not found, or unreadable with DuckDB's reason. */
export function duckError(e: unknown, path: string): SomaError {
  if (e instanceof SomaError) return e;
  const msg = errorMessage(e);
  if (/No files found that match the pattern/i.test(msg)) return notFound(path);
  return new SomaError('DATA_UNREADABLE', `cannot read ${path}: ${firstLine(msg)}`, { details: { file: path, reason: firstLine(msg) }, cause: e });
}

/** Whether a DuckDB error is a value that did not fit its column's type. */
export function isConversionError(e: unknown): boolean {
  const msg = errorMessage(e);
  return /Conversion Error|Could not convert|Failed to cast|JSON transform error|Could not parse string/i.test(msg);
}

function firstLine(msg: string): string {
  return msg.split('\n').map((l) => l.trim()).find((l) => l.length > 0) ?? msg;
}

/** How a column arrives in JavaScript: as DOUBLE (numeric, datetime) or VARCHAR (the rest). */
export type Wire = 'double' | 'varchar';

export interface ColumnPlan {
  readonly name: string;
  readonly type: ColumnType;
  readonly duckdbType: string;
  /** Whether soma's type was asked for (override or schema), so a bad value is an error. */
  readonly requested: boolean;
  readonly wire: Wire;
  readonly sql: string;
  /** Datetime from strings: the strptime format (datetime-formats.ts), absent for ISO. */
  readonly format?: string;
  /** Whether `format` was inferred from a sample (so a later value may contradict it). */
  readonly inferred?: boolean;
}

/**
 * The SELECT expression that turns a column of DuckDB type `duckType` into soma type `type`.
 * `format` (datetime from strings) is a strptime format; `inferred` marks one guessed from a sample.
 */
export function planColumn(name: string, duckType: string, type: ColumnType, requested: boolean, format?: string, inferred = false): ColumnPlan {
  const c = sqlIdent(name);
  const t = duckType.toUpperCase();
  const base = { name, type, duckdbType: duckType, requested };
  if (type === 'datetime' && format !== undefined && format !== ISO && t === 'VARCHAR') {
    // Strict strptime: a value that does not match stops the read (and is then found by row).
    return { ...base, wire: 'double', sql: `CAST(epoch_ms(${parseSql(c, format, false)}) AS DOUBLE)`, format, ...(inferred ? { inferred } : {}) };
  }
  switch (type) {
    case 'numeric': {
      if (t === 'BOOLEAN') return { ...base, wire: 'double', sql: `CAST(CAST(${c} AS INTEGER) AS DOUBLE)` };
      if (isDatetimeDuckType(t)) return { ...base, wire: 'double', sql: epochMsSql(c, t) };
      // Strict CAST, not TRY_CAST: a value that is not a number must stop the read with its row.
      return { ...base, wire: 'double', sql: `CAST(${c} AS DOUBLE)` };
    }
    case 'datetime': {
      if (isNumericDuckType(t)) return { ...base, wire: 'double', sql: `CAST(${c} AS DOUBLE)` };
      return { ...base, wire: 'double', sql: epochMsSql(c, t) };
    }
    case 'categorical':
    case 'text':
      return { ...base, wire: 'varchar', sql: t === 'VARCHAR' ? c : `CAST(${c} AS VARCHAR)` };
  }
}

/** Epoch milliseconds (UTC) as DOUBLE. Strings are parsed as TIMESTAMPTZ: naive ones read as UTC. */
function epochMsSql(c: string, t: string): string {
  if (t === 'TIMESTAMP WITH TIME ZONE' || t === 'TIMESTAMPTZ') return `CAST(epoch_ms(${c}) AS DOUBLE)`;
  if (isDatetimeDuckType(t)) return `CAST(epoch_ms(CAST(${c} AS TIMESTAMP)) AS DOUBLE)`;
  return `CAST(epoch_ms(CAST(${c} AS TIMESTAMPTZ)) AS DOUBLE)`;
}

export function selectSql(src: Source, plans: readonly ColumnPlan[], limit?: number): string {
  const list = plans.map((p) => `${p.sql} AS ${sqlIdent(p.name)}`).join(', ');
  return `SELECT ${list} FROM ${fromSql(src)}${limit === undefined ? '' : ` LIMIT ${Math.max(0, Math.floor(limit))}`}`;
}

/**
 * After a conversion error: the first value (in file order) of a requested numeric or datetime
 * column that does not parse, as DATA_BAD_VALUE with its 1-based data row; `undefined` when no
 * requested column has one (the error came from DuckDB's own type sniffing).
 */
export async function findBadValue(c: DuckDBConnection, src: Source, plans: readonly ColumnPlan[]): Promise<SomaError | undefined> {
  const checked = plans.filter((p) => p.requested && (p.type === 'numeric' || p.type === 'datetime'));
  if (checked.length === 0) return undefined;
  const glob = isGlob(src.path);
  const raw = rawStringsSql(src, checked.map((p) => p.name), glob);
  let best: { row: number; file: string; column: string; value: string } | undefined;
  for (const p of checked) {
    const v = sqlIdent(p.name);
    const target = p.type === 'numeric' ? 'DOUBLE' : isNumericDuckType(p.duckdbType) ? 'DOUBLE' : 'TIMESTAMPTZ';
    const fails = p.format !== undefined && p.format !== ISO ? `${parseSql(v, p.format, true)} IS NULL` : `TRY_CAST(${v} AS ${target}) IS NULL`;
    // Row numbers from file order: row_number() over an unordered window keeps DuckDB's
    // insertion order; for a glob the count restarts in each file.
    const rn = glob ? `row_number() OVER (PARTITION BY filename ORDER BY __pos)` : '__pos';
    const sql = `SELECT ${rn} AS __row, ${glob ? 'filename' : "''"} AS __file, ${v} AS __value FROM (
        SELECT row_number() OVER () AS __pos, * FROM ${raw}) AS r
      WHERE ${v} IS NOT NULL AND ${fails} ORDER BY __pos LIMIT 1`;
    let rows: unknown[][];
    try {
      rows = (await c.runAndReadAll(sql)).getRows() as unknown[][];
    } catch {
      continue;
    }
    const r = rows[0];
    if (!r) continue;
    const row = Number(r[0]);
    if (!best || row < best.row) best = { row, file: String(r[1]) || src.path, column: p.name, value: String(r[2]) };
  }
  if (!best) return undefined;
  const plan = checked.find((p) => p.name === best.column)!;
  return badValue(best.file, best.column, best.row, best.value, plan.type, plan.format);
}

/** A relation with the named columns as raw strings (as the file spells them), in file order. */
function rawStringsSql(src: Source, names: readonly string[], withFilename: boolean): string {
  const p = sqlString(src.path);
  const fn = withFilename ? ', filename = true' : '';
  if (src.whitespace) {
    return `(SELECT ${names.map(sqlIdent).join(', ')}${withFilename ? `, ${sqlString(src.path)} AS filename` : ''} FROM ${untypedWhitespace(src)})`;
  }
  switch (src.format) {
    case 'csv':
    case 'tsv': {
      const opts = src.csv ? `, ${dialectOptions(src.csv).join(', ')}` : '';
      return `read_csv(${p}, all_varchar = true${opts}${fn})`;
    }
    case 'arrow': {
      const cols = names.map((n) => `CAST(${sqlIdent(n)} AS VARCHAR) AS ${sqlIdent(n)}`);
      return `(SELECT ${cols.join(', ')}${withFilename ? `, ${p} AS filename` : ''} FROM ${sqlIdent(src.table!)})`;
    }
    case 'json':
    case 'ndjson': {
      const fmt = src.format === 'ndjson' ? `, format = 'newline_delimited'` : ", format = 'auto'";
      const cols = names.map((n) => `json_extract_string(json, ${sqlString(`$."${n.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`)}) AS ${sqlIdent(n)}`);
      return `(SELECT ${cols.join(', ')}${withFilename ? ', filename' : ''} FROM read_json_objects(${p}${fmt}${fn}))`;
    }
    case 'parquet': {
      const cols = names.map((n) => `CAST(${sqlIdent(n)} AS VARCHAR) AS ${sqlIdent(n)}`);
      return `(SELECT ${cols.join(', ')}${withFilename ? ', filename' : ''} FROM read_parquet(${p}${fn}))`;
    }
  }
}
