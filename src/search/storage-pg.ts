// A study shared through PostgreSQL (`search.storage: postgresql://...`). Every process on the
// study follows the same plan (plans are deterministic given a seed and the outcomes), so they
// agree on which trial k is; what they share is who runs it. A claim is one transaction: insert
// the trial as running (the first to ask), or lock its row with FOR UPDATE SKIP LOCKED (a row
// another claimer holds right now is simply elsewhere) and take it if it is waiting or if its
// worker's heartbeat is older than search.heartbeat_timeout, measured on the server's clock so
// machines' clocks never matter. The worker that took a trial over gets the next attempt number;
// an outcome counts only under the attempt that holds the row, so a worker that was taken for
// dead and finishes late has its outcome discarded and the trial is counted once.

import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import type pg from 'pg';
import { SomaError } from '../errors.js';
import { workerUrl } from '../engine/worker-url.js';
import type { JsonObject } from '../util/json.js';
import type { StudyHeader, TrialRecord } from './journal.js';
import { createPool, redactUrl, storageError } from './pg-connect.js';
import { ensureSchema } from './pg-schema.js';
import type { Job } from './scheduler.js';
import { pointKey, type Params } from './space.js';
import type { Claim, StudyStorage } from './storage.js';

export interface PostgresStudyOptions {
  url: string;
  /** The model's name: studies are keyed by (model, study) as run directories are. */
  model: string;
  header: StudyHeader;
  /** true: the study must exist (soma tune --resume). false: create it, or join it if it exists. */
  resume: boolean;
  /** Seconds without a heartbeat after which a running trial is put back. */
  heartbeatTimeoutS: number;
  /** Transactions that may run at once (the executor's slots, plus one). */
  connections: number;
}

interface TrialRow {
  state: string;
  params: Params;
  record: JsonObject | null;
  attempt: number;
  worker: string | null;
  stale: boolean;
}

export class PostgresStorage implements StudyStorage {
  readonly location: string;
  readonly pollMs: number;
  /** This process on the study: host, pid and a random part (pids repeat across machines). */
  readonly worker = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  interrupted = 0;
  private heartbeat: Worker | undefined;

  private constructor(
    private readonly pool: pg.Pool,
    private readonly url: string,
    private readonly studyId: string,
    readonly header: StudyHeader,
    private readonly timeoutS: number,
  ) {
    this.location = `${redactUrl(url)}#${header.study}`;
    this.pollMs = Math.max(50, Math.min(1000, (timeoutS * 1000) / 4));
  }

  /** Connects, creates or migrates the schema, and opens (creates, joins or resumes) the study. */
  static async open(o: PostgresStudyOptions): Promise<PostgresStorage> {
    const pool = createPool(o.url, Math.max(2, o.connections));
    try {
      await ensureSchema(pool, o.url);
      const { id, header } = await openStudy(pool, o);
      const s = new PostgresStorage(pool, o.url, id, header, o.heartbeatTimeoutS);
      s.startHeartbeat();
      return s;
    } catch (e) {
      await pool.end().catch(() => {});
      throw storageError(e, o.url);
    }
  }

  private startHeartbeat(): void {
    // A third of the timeout: two beats may be missed (a busy server) before a trial looks dead.
    const intervalMs = Math.max(20, Math.floor((this.timeoutS * 1000) / 3));
    this.heartbeat = new Worker(workerUrl(import.meta.url, './heartbeat-worker.js'), { workerData: { url: this.url, worker: this.worker, intervalMs } });
    // The heartbeat must never keep a finished process alive.
    this.heartbeat.unref();
  }

  async claim(job: Job): Promise<Claim> {
    return this.transaction(async (c) => {
      const inserted = await c.query(
        `INSERT INTO soma_trials (study_id, trial, rung, params, state, worker, attempt, heartbeat_at, started_at)
         VALUES ($1, $2, $3, $4, 'running', $5, 1, now(), now())
         ON CONFLICT (study_id, trial, rung) DO NOTHING RETURNING attempt`,
        [this.studyId, job.trial, job.rung, JSON.stringify(job.params), this.worker],
      );
      if (inserted.rowCount === 1) return { kind: 'run', token: 1, takeover: false };
      const r = await c.query<TrialRow>(
        `SELECT state, params, record, attempt, worker, heartbeat_at < now() - make_interval(secs => $4) AS stale
         FROM soma_trials WHERE study_id = $1 AND trial = $2 AND rung = $3 FOR UPDATE SKIP LOCKED`,
        [this.studyId, job.trial, job.rung, this.timeoutS],
      );
      const row = r.rows[0];
      // Locked: another process is claiming or finishing it this very moment.
      if (!row) return { kind: 'elsewhere' };
      const sameParams = pointKey(row.params) === pointKey(job.params);
      if (row.state !== 'running' && row.state !== 'waiting' && sameParams && row.record) return { kind: 'done', record: row.record as unknown as TrialRecord };
      if (row.state === 'running' && !row.stale) return { kind: 'elsewhere' };
      let takeover = false;
      if (row.state === 'running') {
        // Its worker stopped beating: put the trial back (recorded), then take it.
        await this.event(c, job, row.attempt, row.worker ?? '?', 'requeued');
        takeover = true;
        this.interrupted++;
      }
      const attempt = row.attempt + 1;
      await c.query(
        `UPDATE soma_trials SET state = 'running', params = $4, worker = $5, attempt = $6, heartbeat_at = now(), started_at = now(), finished_at = NULL, record = NULL
         WHERE study_id = $1 AND trial = $2 AND rung = $3`,
        [this.studyId, job.trial, job.rung, JSON.stringify(job.params), this.worker, attempt],
      );
      return { kind: 'run', token: attempt, takeover };
    });
  }

  async finish(record: TrialRecord, token: number): Promise<boolean> {
    return this.transaction(async (c) => {
      const r = await c.query(
        `UPDATE soma_trials SET state = $4, record = $5, finished_at = now()
         WHERE study_id = $1 AND trial = $2 AND rung = $3 AND state = 'running' AND worker = $6 AND attempt = $7`,
        [this.studyId, record.trial, record.rung, record.state, JSON.stringify(record), this.worker, token],
      );
      const kept = r.rowCount === 1;
      await this.event(c, record, token, this.worker, kept ? 'finished' : 'discarded');
      return kept;
    });
  }

  async release(): Promise<void> {
    await this.transaction(async (c) => {
      const r = await c.query<{ trial: number; rung: number; attempt: number }>(
        `UPDATE soma_trials SET state = 'waiting', heartbeat_at = NULL WHERE study_id = $1 AND worker = $2 AND state = 'running' RETURNING trial, rung, attempt`,
        [this.studyId, this.worker],
      );
      for (const t of r.rows) await this.event(c, t, t.attempt, this.worker, 'released');
    });
  }

  async close(): Promise<void> {
    const hb = this.heartbeat;
    this.heartbeat = undefined;
    await hb?.terminate();
    await this.pool.end().catch(() => {});
  }

  private async event(c: pg.PoolClient, t: { trial: number; rung: number }, attempt: number, worker: string, event: string): Promise<void> {
    await c.query(`INSERT INTO soma_trial_events (study_id, trial, rung, attempt, worker, event) VALUES ($1, $2, $3, $4, $5, $6)`, [this.studyId, t.trial, t.rung, attempt, worker, event]);
  }

  private async transaction<T>(fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (e) {
      throw storageError(e, this.url);
    }
    try {
      await client.query('BEGIN');
      const out = await fn(client);
      await client.query('COMMIT');
      return out;
    } catch (e) {
      await client.query('ROLLBACK').catch(() => {});
      throw storageError(e, this.url);
    } finally {
      client.release();
    }
  }
}

/** Creates the study or finds it; a study found must have the same fingerprint. */
async function openStudy(pool: pg.Pool, o: PostgresStudyOptions): Promise<{ id: string; header: StudyHeader }> {
  const shown = redactUrl(o.url);
  if (!o.resume) {
    await pool.query(`INSERT INTO soma_studies (model, name, fingerprint, header) VALUES ($1, $2, $3, $4) ON CONFLICT (model, name) DO NOTHING`, [
      o.model,
      o.header.study,
      o.header.fingerprint,
      JSON.stringify(o.header),
    ]);
  }
  const r = await pool.query<{ id: string; fingerprint: string; header: StudyHeader }>(`SELECT id, fingerprint, header FROM soma_studies WHERE model = $1 AND name = $2`, [o.model, o.header.study]);
  const row = r.rows[0];
  if (!row) {
    throw new SomaError('USAGE', `${shown}: no study "${o.header.study}" of model ${o.model} to resume`, { hint: 'run soma tune without --resume to start the study' });
  }
  if (row.fingerprint !== o.header.fingerprint) {
    throw new SomaError('USAGE', `${shown}: the study "${o.header.study}" of model ${o.model} was started with another config (space, data, model or seed), so this process cannot work on it`, {
      hint: 'run every worker with the same config and data, or choose another study name',
    });
  }
  return { id: row.id, header: { ...o.header, ...(typeof row.header.startup === 'number' ? { startup: row.header.startup } : {}) } };
}

/** The study of a model created last in a storage (what a bare `--resume` continues). */
export async function latestSharedStudy(url: string, model: string): Promise<string | undefined> {
  const pool = createPool(url, 1);
  try {
    await ensureSchema(pool, url);
    const r = await pool.query<{ name: string }>(`SELECT name FROM soma_studies WHERE model = $1 ORDER BY created_at DESC, id DESC LIMIT 1`, [model]);
    return r.rows[0]?.name;
  } catch (e) {
    throw storageError(e, url);
  } finally {
    await pool.end().catch(() => {});
  }
}
