// Arrow IPC files (`.arrow`, `.feather` v2, `.arrows` streams) read like Parquet. DuckDB has no
// built-in Arrow IPC reader (its `arrow` extension would have to be downloaded), so the file is
// decoded with apache-arrow (loaded only for such files) and appended into a table of the
// process's in-memory DuckDB; every reader path (types, overrides, bad values, chunks) then
// reads that table as it reads any other source.
//
// Types: integers and floats -> DOUBLE, booleans -> BOOLEAN, dates and timestamps -> TIMESTAMP
// (epoch milliseconds, UTC), strings and dictionary-encoded strings -> VARCHAR, anything else
// (lists, structs, binary, times) -> its string form. The table is kept for the life of the
// DuckDB instance and found again by path, size and modification time, so inspecting a file and
// then reading it decodes it once.

import { readFile, stat } from 'node:fs/promises';
import type { DuckDBConnection, DuckDBType } from '@duckdb/node-api';
import { SomaError, errorMessage } from '../errors.js';
import { getDuckDB, withConnection, type DuckDB } from './duckdb.js';
import { sqlIdent } from './formats.js';

type Kind = 'double' | 'boolean' | 'timestamp' | 'varchar';

/** Tables loaded so far, per DuckDB instance (a closed instance takes its tables with it). */
const loaded = new WeakMap<DuckDB, Map<string, Promise<string>>>();
let counter = 0;

/** Rows appended per DuckDB data chunk (DuckDB's vector size). */
const CHUNK = 2048;

/** The name of a DuckDB table holding the Arrow IPC file at `path`, loading it on first use. */
export async function arrowTable(path: string): Promise<string> {
  const db = await getDuckDB();
  let tables = loaded.get(db);
  if (!tables) loaded.set(db, (tables = new Map()));
  const s = await stat(path);
  const key = `${path}\0${s.size}\0${s.mtimeMs}`;
  let table = tables.get(key);
  if (!table) {
    table = load(db, path);
    tables.set(key, table);
    table.catch(() => tables.delete(key));
  }
  return table;
}

async function load(db: DuckDB, path: string): Promise<string> {
  const arrow = await import('apache-arrow');
  let t: import('apache-arrow').Table;
  try {
    t = arrow.tableFromIPC(await readFile(path));
  } catch (e) {
    throw new SomaError('DATA_UNREADABLE', `cannot read ${path} as Arrow IPC: ${errorMessage(e)}`, { details: { file: path }, cause: e });
  }
  const fields = t.schema.fields;
  if (fields.length === 0) throw new SomaError('DATA_EMPTY', `${path} has no columns`, { details: { file: path } });
  const kinds: Kind[] = fields.map((f) => kindOf(arrow, f.type));
  const name = `soma_arrow_${++counter}`;
  const api = db.api;
  const duckType = (k: Kind): DuckDBType => (k === 'boolean' ? api.BOOLEAN : k === 'varchar' ? api.VARCHAR : api.DOUBLE);
  await withConnection(async (c) => {
    // Temporal columns arrive as epoch ms (DOUBLE) and become TIMESTAMP in the final table.
    const staging = `${name}_staging`;
    await c.run(`CREATE TABLE ${sqlIdent(staging)} (${fields.map((f, j) => `${sqlIdent(f.name)} ${kinds[j] === 'boolean' ? 'BOOLEAN' : kinds[j] === 'varchar' ? 'VARCHAR' : 'DOUBLE'}`).join(', ')})`);
    const appender = await c.createAppender(staging);
    const types = kinds.map(duckType);
    const columns = fields.map((f) => t.getChild(f.name)!);
    for (let start = 0; start < t.numRows; start += CHUNK) {
      const end = Math.min(t.numRows, start + CHUNK);
      const chunk = api.DuckDBDataChunk.create(types, end - start);
      chunk.setColumns(columns.map((col, j) => values(col, kinds[j]!, start, end)));
      appender.appendDataChunk(chunk);
    }
    appender.closeSync();
    await finalTable(c, staging, name, fields.map((f) => f.name), kinds);
  });
  return name;
}

async function finalTable(c: DuckDBConnection, staging: string, name: string, names: readonly string[], kinds: readonly Kind[]): Promise<void> {
  const select = names.map((n, j) => (kinds[j] === 'timestamp' ? `epoch_ms(CAST(${sqlIdent(n)} AS BIGINT)) AS ${sqlIdent(n)}` : sqlIdent(n)));
  await c.run(`CREATE TABLE ${sqlIdent(name)} AS SELECT ${select.join(', ')} FROM ${sqlIdent(staging)}`);
  await c.run(`DROP TABLE ${sqlIdent(staging)}`);
}

function kindOf(arrow: typeof import('apache-arrow'), type: import('apache-arrow').DataType): Kind {
  const D = arrow.DataType;
  if (D.isInt(type) || D.isFloat(type) || D.isDecimal(type)) return 'double';
  if (D.isBool(type)) return 'boolean';
  if (D.isDate(type) || D.isTimestamp(type)) return 'timestamp';
  return 'varchar';
}

/** Rows [start, end) of an Arrow vector as the values the DuckDB chunk takes (null = missing). */
function values(col: import('apache-arrow').Vector, kind: Kind, start: number, end: number): (number | boolean | string | null)[] {
  const out = new Array<number | boolean | string | null>(end - start);
  for (let i = start; i < end; i++) {
    const v: unknown = col.isValid(i) ? col.get(i) : null;
    out[i - start] = v === null || v === undefined ? null : convert(v, kind);
  }
  return out;
}

function convert(v: unknown, kind: Kind): number | boolean | string | null {
  switch (kind) {
    case 'double': {
      const x = typeof v === 'bigint' ? Number(v) : Number(v);
      return Number.isNaN(x) ? null : x;
    }
    case 'boolean':
      return Boolean(v);
    case 'timestamp':
      // apache-arrow gives dates and timestamps as epoch milliseconds (a Date for some types).
      return v instanceof Date ? v.getTime() : Number(v);
    case 'varchar':
      return typeof v === 'string' ? v : typeof v === 'object' && v !== null && 'toJSON' in v ? JSON.stringify(v) : String(v);
  }
}
