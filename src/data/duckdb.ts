// The process's one in-memory DuckDB instance, created on first use. `@duckdb/node-api` (and its
// native binding) is loaded with a dynamic import so commands that never touch data, and
// `soma --help`, never pay for loading it.

import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';

type NodeApi = typeof import('@duckdb/node-api');
type Bindings = typeof import('@duckdb/node-bindings');

export interface DuckDB {
  readonly api: NodeApi;
  /**
   * The low-level C API binding. The readers use it to copy whole vectors (typed data and
   * validity masks) straight into typed arrays: the node-api vector classes only expose
   * per-item access, which DESIGN measured at 8x slower.
   */
  readonly bindings: Bindings;
  readonly instance: DuckDBInstance;
}

let pending: Promise<DuckDB> | undefined;
let current: DuckDB | undefined;
/** Open connections; closed with the instance. */
const open = new Set<DuckDBConnection>();

/** The process's DuckDB, created on the first call. */
export function getDuckDB(): Promise<DuckDB> {
  pending ??= create().then(
    (db) => {
      current = db;
      return db;
    },
    (e: unknown) => {
      pending = undefined;
      throw e;
    },
  );
  return pending;
}

async function create(): Promise<DuckDB> {
  const api = await import('@duckdb/node-api');
  const bindingsModule = (await import('@duckdb/node-bindings')) as Bindings & { default?: Bindings };
  // The binding is CommonJS: under ESM its functions sit on `default`.
  const bindings = bindingsModule.default ?? bindingsModule;
  const instance = await api.DuckDBInstance.create(':memory:');
  // UTC so naive timestamps mean the same instant on every machine (epoch ms in the Frame).
  // The setting lives in the ICU extension; without it DuckDB works in UTC anyway.
  const c = await instance.connect();
  try {
    await c.run(`SET GLOBAL TimeZone = 'UTC'`);
  } catch {
    // no ICU: TIMESTAMPTZ arithmetic is already UTC
  } finally {
    c.closeSync();
  }
  return { api, bindings, instance };
}

/**
 * A connection of its own. Every reader and writer takes one: DuckDB ends a connection's pending
 * streamed result when that connection runs another query, and a connection must not run two
 * queries at once, so concurrent reads (train/validation/test files in `Promise.all`) and a
 * writer working while a chunked reader streams each need their own. Connecting is cheap.
 * Release it with `releaseConnection` when done.
 */
export async function openConnection(): Promise<DuckDBConnection> {
  const db = await getDuckDB();
  const c = await db.instance.connect();
  open.add(c);
  return c;
}

export function releaseConnection(c: DuckDBConnection): void {
  if (open.delete(c)) c.closeSync();
}

/** Runs `fn` with a connection of its own and releases it afterwards. */
export async function withConnection<T>(fn: (c: DuckDBConnection, db: DuckDB) => Promise<T>): Promise<T> {
  const db = await getDuckDB();
  const c = await openConnection();
  try {
    return await fn(c, db);
  } finally {
    releaseConnection(c);
  }
}

/**
 * Closes every connection and the instance, so a CLI process exits promptly and frees native
 * memory. Safe to call when DuckDB was never loaded; the next `getDuckDB()` starts afresh.
 */
export async function closeDuckDB(): Promise<void> {
  if (!pending) return;
  const p = pending;
  pending = undefined;
  let db: DuckDB;
  try {
    db = current ?? (await p);
  } catch {
    return;
  }
  current = undefined;
  for (const c of open) c.closeSync();
  open.clear();
  db.instance.closeSync();
}
