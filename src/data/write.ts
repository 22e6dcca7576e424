// Writing Frames to CSV, TSV, NDJSON, JSON and Parquet, whole (`writeFrame`) or appended chunk by
// chunk (`openFrameWriter`, for batch prediction). Always atomic: rows go to a hidden temporary
// file in the target's directory, renamed over the target on close; abort or failure removes it,
// so the target path never holds a half-written file.
//
// Text formats are formatted in JavaScript and written through a buffered file handle: memory
// stays flat and no DuckDB round trip is needed. Parquet goes through DuckDB: each appended frame
// becomes a temporary table (filled a whole vector at a time) copied to a Parquet part file, and
// close merges the parts with one streaming COPY into the final file.

import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import type { DuckDBConnection, DuckDBDataChunk } from '@duckdb/node-api';
import { SomaError, errorMessage } from '../errors.js';
import { openConnection, releaseConnection, getDuckDB, type DuckDB } from './duckdb.js';
import type { Column, ColumnType, Frame } from './frame.js';
import { detectFormat, sqlIdent, sqlString, type DataFormat } from './formats.js';

export interface WriteOptions {
  /** One of DataFormat, overriding detection by extension. */
  format?: DataFormat | string;
}

export interface FrameWriter {
  readonly path: string;
  readonly format: DataFormat;
  /** Rows appended so far. */
  readonly rows: number;
  /** Appends the frame's rows. Every frame must have the first frame's column names, in order. */
  append(frame: Frame): Promise<void>;
  /** Finishes the file and moves it to `path`. */
  close(): Promise<void>;
  /** Removes everything written; `path` is left as it was. Safe to call after a failure. */
  abort(): Promise<void>;
}

/** Writes `frame` to `path` (format by extension or `options.format`), atomically. */
export async function writeFrame(path: string, frame: Frame, options: WriteOptions = {}): Promise<void> {
  const w = await openFrameWriter(path, options);
  try {
    await w.append(frame);
    await w.close();
  } catch (e) {
    await w.abort();
    throw e;
  }
}

export async function openFrameWriter(target: string, options: WriteOptions = {}): Promise<FrameWriter> {
  const format = detectFormat(target, options.format);
  const dir = path.dirname(path.resolve(target));
  try {
    await mkdir(dir, { recursive: true });
  } catch (e) {
    throw writeError(target, e);
  }
  const tmp = path.join(dir, `.${path.basename(target)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
  return format === 'parquet' ? new ParquetWriter(target, tmp) : TextWriter.open(target, tmp, format);
}

function writeError(target: string, e: unknown): SomaError {
  if (e instanceof SomaError) return e;
  return new SomaError('DATA_UNREADABLE', `cannot write ${target}: ${errorMessage(e)}`, { details: { file: target }, cause: e });
}

interface Shape {
  names: string[];
  types: ColumnType[];
}

function checkShape(target: string, shape: Shape | undefined, frame: Frame): Shape {
  const names = frame.names;
  const types = frame.columns.map((c) => c.type);
  if (!shape) return { names, types };
  if (names.length !== shape.names.length || names.some((n, j) => n !== shape.names[j])) {
    throw new SomaError('INTERNAL', `writing ${target}: frame columns [${names.join(', ')}] differ from the first frame's [${shape.names.join(', ')}]`);
  }
  return shape;
}

/** ISO-8601 UTC, or '' when the time is missing or outside what Date can show. */
function iso(ms: number): string {
  return Number.isNaN(ms) || Math.abs(ms) > 8.64e15 ? '' : new Date(ms).toISOString();
}

// ---------------------------------------------------------------------------------------------
// CSV / TSV / NDJSON / JSON

/** Rows formatted per block, so a huge frame never becomes one huge string. */
const BLOCK_ROWS = 4096;

type CellWriter = (i: number) => string;

class TextWriter implements FrameWriter {
  rows = 0;
  private shape: Shape | undefined;
  private done = false;

  private constructor(
    readonly path: string,
    private readonly tmp: string,
    readonly format: DataFormat,
    private fh: FileHandle | undefined,
  ) {}

  static async open(target: string, tmp: string, format: DataFormat): Promise<TextWriter> {
    try {
      return new TextWriter(target, tmp, format, await open(tmp, 'wx'));
    } catch (e) {
      throw writeError(target, e);
    }
  }

  async append(frame: Frame): Promise<void> {
    if (this.done || !this.fh) throw new SomaError('INTERNAL', `writer for ${this.path} is already closed`);
    const first = this.shape === undefined;
    this.shape = checkShape(this.path, this.shape, frame);
    try {
      if (first) await this.write(this.head(frame));
      const cells = frame.columns.map((c) => this.cellWriter(c));
      const sep = this.format === 'tsv' ? '\t' : ',';
      const json = this.format === 'ndjson' || this.format === 'json';
      const keys = frame.names.map((n, j) => `${j === 0 ? '{' : ','}${JSON.stringify(n)}:`);
      const rowSep = this.format === 'json' ? ',\n' : '\n';
      for (let start = 0; start < frame.rows; start += BLOCK_ROWS) {
        const end = Math.min(frame.rows, start + BLOCK_ROWS);
        const lines: string[] = [];
        for (let i = start; i < end; i++) {
          let line = '';
          if (json) {
            for (let j = 0; j < cells.length; j++) line += keys[j] + cells[j]!(i);
            line += '}';
          } else {
            for (let j = 0; j < cells.length; j++) line += (j === 0 ? '' : sep) + cells[j]!(i);
          }
          lines.push(line);
        }
        const lead = this.format === 'json' && this.rows + start > 0 ? rowSep : '';
        await this.write(lead + lines.join(rowSep) + (this.format === 'json' ? '' : '\n'));
      }
      this.rows += frame.rows;
    } catch (e) {
      await this.abort();
      throw writeError(this.path, e);
    }
  }

  private head(frame: Frame): string {
    switch (this.format) {
      case 'csv':
        return frame.names.map((n) => csvQuote(n, ',')).join(',') + '\n';
      case 'tsv':
        return frame.names.map((n) => csvQuote(n, '\t')).join('\t') + '\n';
      case 'json':
        return '[\n';
      default:
        return '';
    }
  }

  private cellWriter(c: Column): CellWriter {
    const json = this.format === 'ndjson' || this.format === 'json';
    const sep = this.format === 'tsv' ? '\t' : ',';
    const str = json ? (s: string): string => JSON.stringify(s) : (s: string): string => csvQuote(s, sep);
    const nil = json ? 'null' : '';
    switch (c.type) {
      case 'numeric': {
        const v = c.values;
        return (i) => {
          const x = v[i]!;
          // JSON has no NaN/Infinity; CSV leaves missing empty.
          return Number.isNaN(x) || (json && !Number.isFinite(x)) ? nil : String(x);
        };
      }
      case 'datetime': {
        const v = c.values;
        return (i) => {
          const s = iso(v[i]!);
          return s === '' ? nil : json ? `"${s}"` : s;
        };
      }
      case 'categorical': {
        // Each dictionary entry is quoted once per frame, not once per row.
        const quoted = c.dictionary.map(str);
        const codes = c.codes;
        return (i) => {
          const k = codes[i]!;
          return k < 0 ? nil : quoted[k]!;
        };
      }
      case 'text': {
        const v = c.values;
        return (i) => {
          const s = v[i];
          return s === null || s === undefined ? nil : str(s);
        };
      }
    }
  }

  private async write(s: string): Promise<void> {
    if (s.length > 0) await this.fh!.write(s);
  }

  async close(): Promise<void> {
    if (this.done) throw new SomaError('INTERNAL', `writer for ${this.path} is already closed`);
    try {
      if (this.format === 'json') await this.write(this.rows > 0 ? '\n]\n' : this.shape ? ']\n' : '[]\n');
      await this.fh!.sync();
      await this.fh!.close();
      this.fh = undefined;
      await rename(this.tmp, this.path);
      this.done = true;
    } catch (e) {
      await this.abort();
      throw writeError(this.path, e);
    }
  }

  async abort(): Promise<void> {
    this.done = true;
    const fh = this.fh;
    this.fh = undefined;
    await fh?.close().catch(() => undefined);
    await rm(this.tmp, { force: true });
  }
}

/** RFC 4180 quoting: only when the value holds the delimiter, a quote, a line break or edge spaces. */
function csvQuote(s: string, sep: string): string {
  if (s.length === 0) return '""';
  if (s.includes(sep) || s.includes('"') || s.includes('\n') || s.includes('\r') || s[0] === ' ' || s[s.length - 1] === ' ') {
    return `"${s.replaceAll('"', '""')}"`;
  }
  return s;
}

// ---------------------------------------------------------------------------------------------
// Parquet through DuckDB

let tableSeq = 0;

class ParquetWriter implements FrameWriter {
  readonly format: DataFormat = 'parquet';
  rows = 0;
  private shape: Shape | undefined;
  private parts = 0;
  private done = false;
  private readonly partsDir: string;
  private conn: DuckDBConnection | undefined;

  constructor(
    readonly path: string,
    private readonly tmp: string,
  ) {
    this.partsDir = `${tmp}.parts`;
  }

  private part(k: number): string {
    return path.join(this.partsDir, `part-${String(k).padStart(6, '0')}.parquet`);
  }

  async append(frame: Frame): Promise<void> {
    if (this.done) throw new SomaError('INTERNAL', `writer for ${this.path} is already closed`);
    this.shape = checkShape(this.path, this.shape, frame);
    try {
      const db = await getDuckDB();
      this.conn ??= await openConnection();
      if (this.parts === 0) await mkdir(this.partsDir, { recursive: true });
      await copyFrameTo(db, this.conn, frame, this.part(this.parts), 'parquet');
      this.parts++;
      this.rows += frame.rows;
    } catch (e) {
      await this.abort();
      throw writeError(this.path, e);
    }
  }

  async close(): Promise<void> {
    if (this.done) throw new SomaError('INTERNAL', `writer for ${this.path} is already closed`);
    if (this.parts === 0) {
      await this.abort();
      throw new SomaError('INTERNAL', `nothing was appended to ${this.path}: a Parquet file needs at least one (possibly empty) frame for its schema`);
    }
    try {
      if (this.parts === 1) {
        await rename(this.part(0), this.path);
      } else {
        // One streaming COPY over the parts (read in name order) keeps memory to a row group.
        const glob = path.join(this.partsDir, 'part-*.parquet');
        await this.conn!.run(`COPY (SELECT * FROM read_parquet(${sqlString(glob)})) TO ${sqlString(this.tmp)} (FORMAT parquet)`);
        await rename(this.tmp, this.path);
      }
      this.done = true;
    } catch (e) {
      await this.abort();
      throw writeError(this.path, e);
    } finally {
      await this.cleanup();
    }
  }

  async abort(): Promise<void> {
    this.done = true;
    await this.cleanup();
    await rm(this.tmp, { force: true });
  }

  private async cleanup(): Promise<void> {
    if (this.conn) releaseConnection(this.conn);
    this.conn = undefined;
    await rm(this.partsDir, { recursive: true, force: true });
  }
}

/**
 * Loads `frame` into a temporary DuckDB table a vector at a time and COPYs it to `file`:
 * numeric columns as DOUBLE, datetime as TIMESTAMP (UTC), categorical and text as VARCHAR.
 */
export async function copyFrameTo(db: DuckDB, c: DuckDBConnection, frame: Frame, file: string, format: 'parquet' | 'csv'): Promise<void> {
  const table = `soma_write_${process.pid}_${++tableSeq}`;
  const cols = frame.columns;
  const wire = cols.map((col) => (col.type === 'numeric' || col.type === 'datetime' ? 'DOUBLE' : 'VARCHAR'));
  await c.run(`CREATE TEMP TABLE ${table} (${cols.map((_, j) => `c${j} ${wire[j]}`).join(', ')})`);
  try {
    if (frame.rows > 0) {
      const appender = await c.createAppender(table);
      try {
        const types = wire.map((w) => (w === 'DOUBLE' ? db.api.DOUBLE : db.api.VARCHAR));
        const size = db.api.DuckDBVector.standardSize();
        for (let start = 0; start < frame.rows; start += size) {
          const count = Math.min(size, frame.rows - start);
          const chunk = db.api.DuckDBDataChunk.create(types, count);
          for (let j = 0; j < cols.length; j++) fillVector(db, chunk, j, cols[j]!, start, count);
          appender.appendDataChunk(chunk);
        }
        appender.flushSync();
      } finally {
        appender.closeSync();
      }
    }
    const select = cols
      .map((col, j) => {
        const e = col.type === 'datetime' ? `make_timestamp(CAST(round(c${j} * 1000) AS BIGINT))` : `c${j}`;
        return `${e} AS ${sqlIdent(col.name)}`;
      })
      .join(', ');
    const opts = format === 'parquet' ? '(FORMAT parquet)' : '(FORMAT csv, HEADER true)';
    await c.run(`COPY (SELECT ${select} FROM ${table}) TO ${sqlString(file)} ${opts}`);
  } finally {
    await c.run(`DROP TABLE IF EXISTS ${table}`);
  }
}

/** Writes rows [start, start+count) of a column into vector j of a chunk; NaN/-1/null -> NULL. */
function fillVector(db: DuckDB, chunk: DuckDBDataChunk, j: number, col: Column, start: number, count: number): void {
  const b = db.bindings;
  const vec = b.data_chunk_get_vector(chunk.chunk, j);
  const mask = new Uint8Array(Math.ceil(count / 64) * 8).fill(0xff);
  let nulls = 0;
  const setNull = (i: number): void => {
    mask[i >>> 3]! &= ~(1 << (i & 7));
    nulls++;
  };
  switch (col.type) {
    case 'numeric':
    case 'datetime': {
      const v = col.values.subarray(start, start + count);
      const data = v.byteOffset % 8 === 0 ? v : v.slice();
      b.copy_data_to_vector(vec, 0, data.buffer as ArrayBuffer, data.byteOffset, count * 8);
      for (let i = 0; i < count; i++) if (Number.isNaN(v[i]!)) setNull(i);
      break;
    }
    case 'categorical': {
      const codes = col.codes;
      const dict = col.dictionary;
      for (let i = 0; i < count; i++) {
        const k = codes[start + i]!;
        if (k < 0) setNull(i);
        else b.vector_assign_string_element(vec, i, dict[k]!);
      }
      break;
    }
    case 'text': {
      const v = col.values;
      for (let i = 0; i < count; i++) {
        const s = v[start + i];
        if (s === null || s === undefined) setNull(i);
        else b.vector_assign_string_element(vec, i, s);
      }
      break;
    }
  }
  if (nulls > 0) {
    b.vector_ensure_validity_writable(vec);
    b.copy_data_to_vector_validity(vec, 0, mask.buffer, 0, mask.byteLength);
  }
}
