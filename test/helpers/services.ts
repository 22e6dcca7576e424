// The PostgreSQL (and Redis) servers the scale-out tests run against: scripts/test-services.sh
// starts throwaway ones on loopback and exports their URLs (.ci/run does it for CI). Missing
// under CI is a failure (the file gets a failing test saying so); elsewhere the tests are skipped
// with a warning naming the fix. Each test file works in a database of its own.

import { randomBytes } from 'node:crypto';
import path from 'node:path';
import pg from 'pg';
import { it } from 'vitest';

const HOW = 'start the servers: eval "$(scripts/test-services.sh start /tmp/soma-services)"';

/** The server URL (SOMA_TEST_PG_URL), or undefined to skip; see the header. */
export function pgUrlForTests(testFile: string): string | undefined {
  const url = process.env['SOMA_TEST_PG_URL'];
  if (url) return url;
  const why = `SOMA_TEST_PG_URL is not set (${HOW})`;
  if (process.env['CI']) {
    it('PostgreSQL is available (CI requires it for the shared-study tests)', () => {
      throw new Error(`${path.basename(testFile)}: ${why}`);
    });
  } else {
    console.warn(`${path.basename(testFile)}: the PostgreSQL tests are SKIPPED: ${why}`);
  }
  return undefined;
}

/** The Redis URL (SOMA_TEST_REDIS_URL), or undefined to skip; as pgUrlForTests. */
export function redisUrlForTests(testFile: string): string | undefined {
  const url = process.env['SOMA_TEST_REDIS_URL'];
  if (url) return url;
  const why = `SOMA_TEST_REDIS_URL is not set (${HOW})`;
  if (process.env['CI']) {
    it('Redis is available (CI requires it for the queue tests)', () => {
      throw new Error(`${path.basename(testFile)}: ${why}`);
    });
  } else {
    console.warn(`${path.basename(testFile)}: the Redis tests are SKIPPED: ${why}`);
  }
  return undefined;
}

/** Creates a fresh database on the server and returns its URL. */
export async function freshDatabase(serverUrl: string): Promise<string> {
  const name = `soma_t_${randomBytes(5).toString('hex')}`;
  const c = new pg.Client({ connectionString: serverUrl });
  await c.connect();
  try {
    await c.query(`CREATE DATABASE ${name}`);
  } finally {
    await c.end();
  }
  const u = new URL(serverUrl);
  u.pathname = `/${name}`;
  return u.toString();
}

/** Drops a database freshDatabase made (connections still open to it are ended first). */
export async function dropDatabase(serverUrl: string, dbUrl: string): Promise<void> {
  const name = new URL(dbUrl).pathname.slice(1);
  const c = new pg.Client({ connectionString: serverUrl });
  await c.connect();
  try {
    await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  } finally {
    await c.end();
  }
}

/** Runs one query on a database and returns its rows. */
export async function query<T extends pg.QueryResultRow>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query<T>(sql, params)).rows;
  } finally {
    await c.end();
  }
}
