// Reading data files into Frames through DuckDB: whole files (`readFrame`), bounded-memory
// chunks for batch prediction (`readFrameChunks`), and a cheap look at the columns
// (`inspectColumns`). Paths may be globs (`data/*.parquet`).

import type { DuckDBConnection, DuckDBDataChunk, DuckDBResult } from '@duckdb/node-api';
import { SomaError } from '../errors.js';
import { openConnection, releaseConnection, withConnection, type DuckDB, getDuckDB } from './duckdb.js';
import { Frame, type ColumnType } from './frame.js';
import { sqlIdent, type DataFormat } from './formats.js';
import { typeOfDuckDB } from './infer.js';
import {
  describeSource,
  duckError,
  fromSql,
  findBadValue,
  isConversionError,
  openSource,
  planColumn,
  selectSql,
  type ColumnInfo,
  type ColumnPlan,
  type Source,
} from './source.js';
import { makeSink, type ColumnSink } from './vectors.js';
import { requireColumns } from './checks.js';
import { headerWarning, type CsvOptions } from './dialect.js';
import { FORMAT_SAMPLE_ROWS, inferDatetimeFormats } from './datetime-formats.js';
import { ownValue } from '../util/json.js';

export type { ColumnInfo } from './source.js';
export type { CsvOptions } from './dialect.js';

export interface ReadOptions {
  /** One of DataFormat, overriding detection by extension (others: DATA_FORMAT). */
  format?: DataFormat | string;
  /** Soma types for some columns, overriding inference (cast in SQL; bad values are errors). */
  types?: Record<string, ColumnType>;
  /** strptime formats of datetime columns among `types` whose strings are not ISO (`%b %d %Y`). */
  formats?: Record<string, string>;
  /** Read only these columns, in this order. */
  columns?: string[];
  /** Read at most this many rows (a prefix in file order). */
  limit?: number;
  /** CSV/TSV dialect options (data.csv); what they leave open is sniffed. */
  csv?: CsvOptions;
  /** Told what the reader noticed but read anyway (a header row that looks like data). */
  onWarning?: (message: string) => void;
  /** How warnings name the file (default: `path`), e.g. as the config wrote it. */
  label?: string;
}

/** Column names and DuckDB types of a file (or glob), without reading its data. */
export async function inspectColumns(path: string, format?: DataFormat | string, csv?: CsvOptions): Promise<ColumnInfo[]> {
  const src = await openSource(path, format, csv);
  return withConnection((c) => describeSource(c, src));
}

/**
 * The whole file as a Frame. Types: DuckDB's numeric types -> numeric, DATE/TIMESTAMP(TZ) ->
 * datetime (epoch ms, UTC), BOOLEAN -> categorical ("false"/"true"), VARCHAR -> categorical or
 * text by the rule in infer.ts; `types` overrides any of them.
 * Errors: DATA_NOT_FOUND, DATA_EMPTY (no bytes or no rows), DATA_UNREADABLE, DATA_FORMAT,
 * DATA_MISSING_COLUMN, DATA_BAD_VALUE (with file, column, 1-based data row and value).
 */
export async function readFrame(path: string, options: ReadOptions = {}): Promise<Frame> {
  let src = await openSource(path, options.format, options.csv);
  return withConnection(async (c, db) => {
    let warned = false;
    for (;;) {
      const info = await describeSource(c, src);
      if (!warned && src.csv) {
        warned = true;
        const w = headerWarning(options.label ?? path, info.map((i) => i.name));
        if (w) options.onWarning?.(w);
      }
      const formats = await datesAmongStrings(c, src, info, options);
      const plans = planRead(path, info, options, formats);
      try {
        const frame = await readAll(c, db, src, plans, options.limit);
        if (frame.rows === 0) throw new SomaError('DATA_EMPTY', `${path} has no data rows`, { details: { file: path } });
        return frame;
      } catch (e) {
        const next = await recover(c, src, plans, e);
        if (!next) throw duckError(e, path);
        src = next;
      }
    }
  });
}

/**
 * The string columns (not typed by the caller) whose values are dates: column -> format. A
 * sample decides, unless an earlier read of this source found a value that contradicted it.
 */
async function datesAmongStrings(c: DuckDBConnection, src: Source, info: readonly ColumnInfo[], options: ReadOptions): Promise<Map<string, string>> {
  const wanted = options.columns ? new Set(options.columns) : undefined;
  const strings = info.filter((i) => i.duckdbType.toUpperCase() === 'VARCHAR' && ownValue(options.types, i.name) === undefined && (!wanted || wanted.has(i.name))).map((i) => i.name);
  return inferDatetimeFormats(c, fromSql(src), strings, src.fullSniff ? undefined : FORMAT_SAMPLE_ROWS);
}

function planRead(path: string, info: readonly ColumnInfo[], options: ReadOptions, dates: ReadonlyMap<string, string> = new Map()): ColumnPlan[] {
  const types = options.types ?? {};
  requireColumns(path, info.map((i) => i.name), Object.keys(types), 'column named in types:');
  let wanted = info;
  if (options.columns) {
    requireColumns(path, info.map((i) => i.name), options.columns);
    const byName = new Map(info.map((c) => [c.name, c]));
    wanted = options.columns.map((n) => byName.get(n)!);
  }
  return wanted.map((col) => {
    const asked = ownValue(types, col.name);
    if (asked === undefined && dates.has(col.name)) return planColumn(col.name, col.duckdbType, 'datetime', false, dates.get(col.name), true);
    // VARCHAR columns get 'categorical' here and are re-decided by the sink after reading.
    const type = asked ?? typeOfDuckDB(col.duckdbType) ?? 'categorical';
    return planColumn(col.name, col.duckdbType, type, asked !== undefined, asked === 'datetime' ? ownValue(options.formats, col.name) : undefined);
  });
}

/**
 * After a failed read: DATA_BAD_VALUE when a requested column holds a value that does not parse;
 * a source that sniffs the whole file when DuckDB's sample-based guess was contradicted later
 * in a text file; `undefined` when nothing can be done (the caller reports the error).
 */
async function recover(c: DuckDBConnection, src: Source, plans: readonly ColumnPlan[], e: unknown): Promise<Source | undefined> {
  if (e instanceof SomaError || !isConversionError(e)) return undefined;
  const bad = await findBadValue(c, src, plans);
  if (bad) throw bad;
  // Typed files have nothing to re-sniff, except a date format guessed from a sample.
  if (src.fullSniff || (!src.csv && !plans.some((p) => p.inferred))) return undefined;
  return { ...src, fullSniff: true };
}

async function readAll(c: DuckDBConnection, db: DuckDB, src: Source, plans: readonly ColumnPlan[], limit: number | undefined): Promise<Frame> {
  // A materialised run lets DuckDB parse in parallel (about twice as fast as a streamed result
  // for CSV; the whole file is going into memory anyway), and its row count sizes the columns
  // exactly.
  const result = await c.run(selectSql(src, plans, limit));
  const rows = result.rowCount;
  const sinks: ColumnSink[] = plans.map((p) =>
    makeSink(db, p.name, p.wire, p.requested || p.wire === 'double' || p.duckdbType.toUpperCase() !== 'VARCHAR' ? p.type : 'infer', rows, undefined, p.format),
  );
  for (let k = 0; k < result.chunkCount; k++) {
    const chunk = result.getChunk(k);
    const n = chunk.rowCount;
    for (let j = 0; j < sinks.length; j++) sinks[j]!.append(chunk, j, 0, n);
  }
  return new Frame(sinks.map((s) => s.finish()));
}

/** One column the chunked reader must deliver. */
export interface SchemaColumn {
  name: string;
  type: ColumnType;
  /** For categorical columns: these come first in each chunk's dictionary, in this order. */
  categories?: readonly string[];
  /** For datetime columns read from strings that are not ISO: the strptime format (`%b %d %Y`). */
  format?: string;
}

export interface ChunkInfo {
  /** Every column of the file, with its DuckDB type. */
  columns: ColumnInfo[];
  /** File columns neither in the schema nor passed through: not read. */
  extraColumns: string[];
}

export interface ChunkOptions {
  format?: DataFormat | string;
  /** CSV/TSV dialect options; what they leave open is sniffed. */
  csv?: CsvOptions;
  /** The columns to deliver, typed as given. */
  schema: readonly SchemaColumn[];
  /** Columns carried through with their natural type (e.g. an id): numeric, datetime, or text for strings. */
  passThrough?: readonly string[];
  /** Rows per yielded frame (the last may be shorter). Default 65536; Infinity = one frame. */
  chunkRows?: number;
  /** Called once, before the first frame, with the file's columns and the extra ones. */
  onInfo?: (info: ChunkInfo) => void;
}

export const DEFAULT_CHUNK_ROWS = 65_536;

/**
 * Streams `path` as frames of about `chunkRows` rows holding exactly the schema's columns
 * (then the pass-through ones), in file order. Memory stays bounded by one DuckDB chunk plus one
 * frame, whatever the file size. A categorical column's dictionary is per frame: the schema's
 * `categories` first (so their codes are stable), then any new values in order of appearance.
 * Before the first frame: DATA_MISSING_COLUMN naming every missing column. Breaking out of the
 * loop early closes the stream.
 */
export async function* readFrameChunks(path: string, options: ChunkOptions): AsyncGenerator<Frame, void, undefined> {
  const chunkRows = Math.max(1, Math.floor(options.chunkRows ?? DEFAULT_CHUNK_ROWS));
  let src = await openSource(path, options.format, options.csv);
  const db = await getDuckDB();
  const c = await openConnection();
  try {
    let info = await describeSource(c, src);
    const pass = (options.passThrough ?? []).filter((n) => !options.schema.some((s) => s.name === n));
    requireColumns(path, info.map((i) => i.name), [...options.schema.map((s) => s.name), ...pass]);
    const used = new Set([...options.schema.map((s) => s.name), ...pass]);
    options.onInfo?.({ columns: info, extraColumns: info.filter((i) => !used.has(i.name)).map((i) => i.name) });

    let yielded = 0;
    for (;;) {
      const byName = new Map(info.map((i) => [i.name, i]));
      const plans: ColumnPlan[] = [
        ...options.schema.map((s) => planColumn(s.name, byName.get(s.name)!.duckdbType, s.type, true, s.format)),
        ...pass.map((n) => {
          const t = byName.get(n)!.duckdbType;
          return planColumn(n, t, typeOfDuckDB(t) ?? 'text', false);
        }),
      ];
      const categories = new Map(options.schema.map((s) => [s.name, s.categories]));
      let rowsSeen = 0;
      let ended = false;
      try {
        const result: DuckDBResult = await c.stream(withEndMarker(selectSql(src, plans), plans.length));
        // Sinks grow past their first capacity, so an unbounded chunk (Infinity) starts small.
        const capacity = Math.min(chunkRows, DEFAULT_CHUNK_ROWS);
        let sinks = newSinks(db, plans, categories, capacity);
        for (;;) {
          const chunk = await result.fetchChunk();
          if (!chunk || chunk.rowCount === 0) break;
          let n = chunk.rowCount;
          if (isEndMarker(db, chunk, plans.length)) {
            ended = true;
            n--;
          }
          rowsSeen += n;
          if (rowsSeen <= yielded) continue; // replaying a retried stream up to where it stopped
          let from = Math.max(0, n - (rowsSeen - yielded));
          while (from < n) {
            const room = chunkRows - sinks[0]!.length;
            const take = Math.min(room, n - from);
            for (let j = 0; j < sinks.length; j++) sinks[j]!.append(chunk, j, from, take);
            from += take;
            if (sinks[0]!.length === chunkRows) {
              const frame = new Frame(sinks.map((s) => s.finish()));
              sinks = newSinks(db, plans, categories, capacity);
              yielded += frame.rows;
              yield frame;
            }
          }
        }
        // A streamed DuckDB result that fails part-way ends just like one that is exhausted (the
        // binding does not expose duckdb_result_error). The end marker row, which DuckDB yields
        // only after every row of the file (UNION ALL keeps order), tells them apart without a
        // second parse of the file; without it, the same query run to completion gives the error.
        if (!ended) throw await explainShortStream(c, src, plans, rowsSeen);
        if (sinks.length > 0 && sinks[0]!.length > 0) {
          const frame = new Frame(sinks.map((s) => s.finish()));
          yielded += frame.rows;
          yield frame;
        }
        return;
      } catch (e) {
        // A type DuckDB sniffed from the file's first rows can be contradicted further on; a
        // pass-through column is then re-read with a full sniff, skipping rows already yielded.
        const next = await recover(c, src, plans, e);
        if (!next) throw duckError(e, path);
        src = next;
        info = await describeSource(c, src);
      }
    }
  } finally {
    releaseConnection(c);
  }
}

function newSinks(db: DuckDB, plans: readonly ColumnPlan[], categories: Map<string, readonly string[] | undefined>, capacity: number): ColumnSink[] {
  if (plans.length === 0) throw new SomaError('USAGE', 'readFrameChunks needs at least one schema or pass-through column');
  return plans.map((p) => makeSink(db, p.name, p.wire, p.type, capacity, categories.get(p.name), p.format));
}

/** The end marker's column; NULL in every row of the file. */
const END_COLUMN = '__soma_end_of_stream';

/** `select` followed by one marker row whose last column is 1 (its other columns NULL). */
function withEndMarker(select: string, columns: number): string {
  const nulls = Array.from({ length: columns }, () => 'NULL').join(', ');
  return `SELECT *, CAST(NULL AS INTEGER) AS ${sqlIdent(END_COLUMN)} FROM (${select}) UNION ALL SELECT ${nulls}, 1`;
}

/** Whether the chunk's last row is the end marker (the marker column is valid only there). */
function isEndMarker(db: DuckDB, chunk: DuckDBDataChunk, column: number): boolean {
  const b = db.bindings;
  const last = chunk.rowCount - 1;
  const valid = b.vector_get_validity(b.data_chunk_get_vector(chunk.chunk, column), Math.ceil(chunk.rowCount / 64) * 8) as Uint8Array | null | undefined;
  return !valid || ((valid[last >>> 3]! >>> (last & 7)) & 1) === 1;
}

async function countRows(c: DuckDBConnection, src: Source): Promise<number> {
  const rows = (await c.runAndReadAll(`SELECT count(*) FROM ${fromSql(src)}`)).getRows();
  return Number(rows[0]![0]);
}

/** DuckDB's own error for a stream that stopped early: the same query run to completion. */
async function explainShortStream(c: DuckDBConnection, src: Source, plans: readonly ColumnPlan[], seen: number): Promise<unknown> {
  // count(col) must evaluate every cast, so it fails where the stream silently stopped.
  const counts = plans.map((p) => `count(${sqlIdent(p.name)})`).join(', ');
  try {
    await c.run(`SELECT ${counts} FROM (${selectSql(src, plans)})`);
  } catch (e) {
    return e;
  }
  const expected = await countRows(c, src);
  return new Error(`the read stopped after ${seen} of ${expected} rows without an error from DuckDB`);
}
