// The PostgreSQL study storage on a real server (scripts/test-services.sh; the heartbeat thread
// runs from dist/, so build first): claims, a dead worker's trial taken over and its late outcome
// discarded, two processes' worth of storages running one study to the same result as a local
// run, and the schema's versioning.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StudyHeader, TrialRecord } from '../../src/search/journal.js';
import { ensureSchema, SCHEMA_VERSION } from '../../src/search/pg-schema.js';
import { createPool } from '../../src/search/pg-connect.js';
import { RandomSampler } from '../../src/search/random.js';
import { runStudy, samplerPlan, type Executor, type Job, type JobOutcome } from '../../src/search/scheduler.js';
import { parseSpace } from '../../src/search/space.js';
import { PostgresStorage } from '../../src/search/storage-pg.js';
import { dropDatabase, freshDatabase, pgUrlForTests, query } from '../helpers/services.js';

const server = pgUrlForTests(import.meta.filename);
const space = parseSpace({ x: { uniform: [-5, 5] }, y: { uniform: [-5, 5] } }, [], new Set());
const header = (study: string): StudyHeader => ({ study, fingerprint: 'f1', method: 'random', metric: 'loss', direction: 'minimize', seed: 3 });
const job = (trial: number): Job => ({ trial, rung: 0, params: { x: trial, y: 0 } });
const record = (trial: number, score: number): TrialRecord => ({ trial, rung: 0, params: { x: trial, y: 0 }, state: 'complete', score });

/** Scores a point in a few ms off the event loop's turn, so trials of two storages interleave. */
class Quadratic implements Executor {
  readonly slots: number;
  constructor(slots: number) {
    this.slots = slots;
  }
  async run(j: Job): Promise<JobOutcome> {
    await new Promise((r) => setTimeout(r, 2 + (j.trial % 3)));
    const x = Number(j.params['x']);
    const y = Number(j.params['y']);
    return { ok: true, score: (x - 1) ** 2 + (y + 2) ** 2 };
  }
  async close(): Promise<void> {}
}

describe.skipIf(!server)('PostgreSQL study storage', () => {
  let db: string;
  beforeAll(async () => {
    db = await freshDatabase(server!);
  });
  afterAll(async () => {
    if (db) await dropDatabase(server!, db);
  });

  const open = (study: string, o: { resume?: boolean; timeoutS?: number; fingerprint?: string } = {}): Promise<PostgresStorage> =>
    PostgresStorage.open({ url: db, model: 'm', header: { ...header(study), fingerprint: o.fingerprint ?? 'f1' }, resume: o.resume ?? false, heartbeatTimeoutS: o.timeoutS ?? 60, connections: 3 });

  it('when two processes claim the same trial, then one runs it, the other finds it elsewhere, and after it finishes, done with its record', async () => {
    const a = await open('claims');
    const b = await open('claims');
    try {
      expect(await a.claim(job(0))).toEqual({ kind: 'run', token: 1, takeover: false });
      expect(await b.claim(job(0))).toEqual({ kind: 'elsewhere' });
      expect(await b.claim(job(1))).toEqual({ kind: 'run', token: 1, takeover: false });
      expect(await a.finish(record(0, 0.5), 1)).toBe(true);
      expect(await b.claim(job(0))).toEqual({ kind: 'done', record: record(0, 0.5) });
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('when a worker stops beating, then after the timeout its trial is requeued and taken by another, and its late outcome is discarded: the trial counts once', async () => {
    const a = await open('stale', { timeoutS: 60 });
    const b = await open('stale', { timeoutS: 60 });
    try {
      expect((await a.claim(job(0))).kind).toBe('run');
      // A's last heartbeat an hour ago: what a SIGKILLed or frozen worker leaves behind.
      await query(db, `UPDATE soma_trials SET heartbeat_at = now() - interval '1 hour' WHERE worker = $1`, [a.worker]);
      const c = await b.claim(job(0));
      expect(c).toEqual({ kind: 'run', token: 2, takeover: true });
      expect(b.interrupted).toBe(1);
      expect(await a.finish(record(0, 9), 1)).toBe(false);
      expect(await b.finish(record(0, 1), 2)).toBe(true);
      const events = await query<{ attempt: number; event: string; worker: string }>(db, `SELECT attempt, event, worker FROM soma_trial_events e JOIN soma_studies s ON s.id = e.study_id WHERE s.name = 'stale' ORDER BY e.id`);
      expect(events.map((e) => [e.attempt, e.event, e.worker])).toEqual([
        [1, 'requeued', a.worker],
        [1, 'discarded', a.worker],
        [2, 'finished', b.worker],
      ]);
      expect(await a.claim(job(0))).toEqual({ kind: 'done', record: record(0, 1) });
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('when a run is interrupted, then its running trials are released (waiting) and the next claim takes them without a takeover', async () => {
    const a = await open('release');
    const b = await open('release');
    try {
      await a.claim(job(0));
      await a.release();
      const rows = await query<{ state: string }>(db, `SELECT t.state FROM soma_trials t JOIN soma_studies s ON s.id = t.study_id WHERE s.name = 'release'`);
      expect(rows).toEqual([{ state: 'waiting' }]);
      expect(await b.claim(job(0))).toEqual({ kind: 'run', token: 2, takeover: false });
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('when two storages run one seeded study side by side (batches of 4, so each waits on trials the other runs), then together they run every trial once and both end with the records of a local run', async () => {
    const plan = (): ReturnType<typeof samplerPlan> => samplerPlan(new RandomSampler(space), 7, 24, 4, 'minimize');
    const local = await runStudy({ plan: plan(), executor: new Quadratic(2) });
    const a = await open('shared');
    const b = await open('shared');
    try {
      const [ra, rb] = await Promise.all([runStudy({ plan: plan(), executor: new Quadratic(2), storage: a }), runStudy({ plan: plan(), executor: new Quadratic(1), storage: b })]);
      const view = (rs: readonly TrialRecord[]): unknown => rs.map((r) => [r.trial, r.params, r.score]);
      expect(view(ra.records)).toEqual(view(local.records));
      expect(view(rb.records)).toEqual(view(local.records));
      // Each trial was run by exactly one of them: what one replayed, the other ran.
      expect(24 - ra.replayed + (24 - rb.replayed)).toBe(24);
      const finished = await query<{ trial: number; n: string }>(db, `SELECT trial, count(*) AS n FROM soma_trial_events e JOIN soma_studies s ON s.id = e.study_id WHERE s.name = 'shared' AND event = 'finished' GROUP BY trial ORDER BY trial`);
      expect(finished.map((f) => [f.trial, Number(f.n)])).toEqual(Array.from({ length: 24 }, (_, i) => [i, 1]));
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('when a process joins a study started with another config, or resumes a study that does not exist, then it is refused naming the study', async () => {
    const a = await open('fp');
    await a.close();
    await expect(open('fp', { fingerprint: 'other' })).rejects.toThrow(/study "fp" of model m was started with another config/);
    await expect(open('nothing-here', { resume: true })).rejects.toThrow(/no study "nothing-here" of model m to resume/);
  });

  it('when the schema is initialised twice, then the second is a no-op; a schema newer than this soma is refused with STORAGE_SCHEMA', async () => {
    const pool = createPool(db, 1);
    try {
      expect(await ensureSchema(pool, db)).toEqual({ from: SCHEMA_VERSION, to: SCHEMA_VERSION });
      const newer = await freshDatabase(server!);
      const p2 = createPool(newer, 1);
      try {
        expect(await ensureSchema(p2, newer)).toEqual({ from: 0, to: SCHEMA_VERSION });
        await p2.query(`UPDATE soma_meta SET value = '99' WHERE key = 'schema_version'`);
        await expect(ensureSchema(p2, newer)).rejects.toMatchObject({ code: 'STORAGE_SCHEMA', exitCode: 7 });
      } finally {
        await p2.end();
        await dropDatabase(server!, newer);
      }
    } finally {
      await pool.end();
    }
  });
});
