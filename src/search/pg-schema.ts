// soma's tables in a study's PostgreSQL database, created and migrated by soma itself. The
// schema has a version (soma_meta.schema_version); each migration moves it up by one, all in one
// transaction under an advisory lock, so processes starting together on an empty database never
// race to create the tables. A database whose version is newer than this soma knows is refused
// rather than written with assumptions that may no longer hold.

import type pg from 'pg';
import { SomaError } from '../errors.js';
import { redactUrl } from './pg-connect.js';

/** Migration k takes the schema from version k to k + 1. */
const MIGRATIONS: readonly string[] = [
  `CREATE TABLE soma_studies (
     id          bigserial PRIMARY KEY,
     model       text NOT NULL,
     name        text NOT NULL,
     fingerprint text NOT NULL,
     header      json NOT NULL,
     created_at  timestamptz NOT NULL DEFAULT now(),
     UNIQUE (model, name)
   );
   -- json, not jsonb: a record reads back with its keys in the order written, so a shared
   -- study's JSON is byte for byte a local run's.
   -- One row per trial (and Hyperband rung). state: running (claimed by worker, attempt n, alive
   -- while heartbeat_at is recent), waiting (put back), complete, failed or pruned (record set).
   CREATE TABLE soma_trials (
     study_id     bigint NOT NULL REFERENCES soma_studies (id) ON DELETE CASCADE,
     trial        integer NOT NULL,
     rung         integer NOT NULL,
     params       json NOT NULL,
     state        text NOT NULL CHECK (state IN ('waiting', 'running', 'complete', 'failed', 'pruned')),
     worker       text,
     attempt      integer NOT NULL DEFAULT 0,
     heartbeat_at timestamptz,
     started_at   timestamptz,
     finished_at  timestamptz,
     record       json,
     PRIMARY KEY (study_id, trial, rung)
   );
   CREATE INDEX soma_trials_running ON soma_trials (worker) WHERE state = 'running';
   -- Every attempt's end, for the audit and the tests: finished, requeued (its worker was taken
   -- for dead), discarded (a late outcome of a lost claim), released (an interrupted run).
   CREATE TABLE soma_trial_events (
     id       bigserial PRIMARY KEY,
     study_id bigint NOT NULL REFERENCES soma_studies (id) ON DELETE CASCADE,
     trial    integer NOT NULL,
     rung     integer NOT NULL,
     attempt  integer NOT NULL,
     worker   text NOT NULL,
     event    text NOT NULL,
     at       timestamptz NOT NULL DEFAULT now()
   );
   CREATE INDEX soma_trial_events_study ON soma_trial_events (study_id, trial, rung);`,
];

/** The schema version this soma writes and reads. */
export const SCHEMA_VERSION = MIGRATIONS.length;

/** An arbitrary constant: the advisory lock migrations hold. */
const MIGRATION_LOCK = 7_105_311;

export interface SchemaState {
  /** The version before (0: the tables did not exist). */
  from: number;
  to: number;
}

/** Creates or migrates soma's tables to SCHEMA_VERSION; refuses a newer schema. */
export async function ensureSchema(pool: pg.Pool, url: string): Promise<SchemaState> {
  const client = await pool.connect();
  try {
    // Cheap check first: a current schema needs no lock.
    const seen = await readVersion(client);
    if (seen === SCHEMA_VERSION) return { from: seen, to: seen };
    if (seen > SCHEMA_VERSION) throw newerSchema(url, seen);
    await client.query('BEGIN');
    try {
      await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
      await client.query('CREATE TABLE IF NOT EXISTS soma_meta (key text PRIMARY KEY, value text NOT NULL)');
      const from = await readVersion(client);
      if (from > SCHEMA_VERSION) throw newerSchema(url, from);
      for (let v = from; v < SCHEMA_VERSION; v++) await client.query(MIGRATIONS[v]!);
      await client.query(
        `INSERT INTO soma_meta (key, value) VALUES ('schema_version', $1) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value`,
        [String(SCHEMA_VERSION)],
      );
      await client.query('COMMIT');
      return { from, to: SCHEMA_VERSION };
    } catch (e) {
      await client.query('ROLLBACK').catch(() => {});
      throw e;
    }
  } finally {
    client.release();
  }
}

async function readVersion(client: pg.PoolClient): Promise<number> {
  const t = await client.query<{ exists: boolean }>(`SELECT to_regclass('soma_meta') IS NOT NULL AS exists`);
  if (!t.rows[0]?.exists) return 0;
  const r = await client.query<{ value: string }>(`SELECT value FROM soma_meta WHERE key = 'schema_version'`);
  return r.rows[0] ? Number(r.rows[0].value) : 0;
}

function newerSchema(url: string, seen: number): SomaError {
  return new SomaError('STORAGE_SCHEMA', `${redactUrl(url)}: soma's tables are at schema version ${seen}, newer than this soma knows (${SCHEMA_VERSION})`, {
    hint: 'upgrade soma on this machine to the version the other machines run',
    details: { schema_version: seen, supported: SCHEMA_VERSION },
  });
}
