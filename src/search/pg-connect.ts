// Connecting to a study's PostgreSQL: the URL as soma prints it (never with its password), the
// pool the storage runs its transactions on, and what a failed connection means for the user
// (server unreachable, credentials refused, no such database), each a SomaError naming the URL.

import pg from 'pg';
import { SomaError } from '../errors.js';
import { redactUrl } from '../util/url.js';

/** Whether a storage setting names PostgreSQL (anything else is not a storage soma knows). */
export function isPostgresUrl(s: string): boolean {
  return /^postgres(ql)?:\/\//i.test(s);
}

export { redactUrl };

/** Checks a storage setting: only postgresql:// URLs are shared storages. */
export function checkStorageUrl(url: string, key: string): void {
  if (!isPostgresUrl(url)) {
    throw new SomaError('CONFIG_INVALID', `${key}: ${redactUrl(url)} is not a storage soma knows`, { hint: 'use postgresql://user[:password]@host[:port]/database (the password may come from PGPASSWORD instead)' });
  }
  try {
    new URL(url);
  } catch {
    throw new SomaError('CONFIG_INVALID', `${key}: ${redactUrl(url)} is not a valid URL`, { hint: 'use postgresql://user[:password]@host[:port]/database' });
  }
}

/** How long a connection attempt may take before the server counts as unreachable. */
const CONNECT_TIMEOUT_MS = 10_000;

export function createPool(url: string, max: number): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max, connectionTimeoutMillis: CONNECT_TIMEOUT_MS, application_name: 'soma' });
  // An idle client losing its connection (server restart) must not crash the process; the next
  // query gets a fresh connection or its own error.
  pool.on('error', () => {});
  return pool;
}

/** A failure talking to the server as a SomaError that names the URL and says what to do. */
export function storageError(e: unknown, url: string): SomaError {
  if (e instanceof SomaError) return e;
  const shown = redactUrl(url);
  const err = e as { code?: string; message?: string };
  const msg = err.message ?? String(e);
  switch (err.code) {
    case '28P01':
    case '28000':
      return new SomaError('STORAGE_AUTH', `${shown}: PostgreSQL refused the credentials (${msg})`, {
        hint: 'check the user and password in the URL (or PGPASSWORD) and the server\'s pg_hba.conf',
        cause: e,
      });
    case '3D000':
      return new SomaError('STORAGE_UNREACHABLE', `${shown}: ${msg}`, { hint: 'create it first (createdb NAME), or name an existing database in the URL', cause: e });
    case '42501':
      return new SomaError('STORAGE_AUTH', `${shown}: the user may not create or change soma's tables (${msg})`, { hint: 'grant the user CREATE on the database, or run soma db init as its owner', cause: e });
    case 'ECONNREFUSED':
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'ETIMEDOUT':
    case 'EHOSTUNREACH':
    case 'ECONNRESET':
    case '57P01':
    case '57P03':
      return new SomaError('STORAGE_UNREACHABLE', `${shown}: cannot reach the PostgreSQL server (${err.code}: ${msg})`, {
        hint: 'check that the server runs and that host and port in the URL are right',
        cause: e,
      });
    default:
      if (/timeout|terminated|Connection terminated/i.test(msg)) {
        return new SomaError('STORAGE_UNREACHABLE', `${shown}: the PostgreSQL server did not answer (${msg})`, { hint: 'check that the server runs and that host and port in the URL are right', cause: e });
      }
      return new SomaError('INTERNAL', `${shown}: PostgreSQL error${err.code ? ` ${err.code}` : ''}: ${msg}`, { cause: e });
  }
}
