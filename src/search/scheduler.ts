// Runs a study: asks a plan for jobs, runs up to `slots` of them at once on an executor (in
// process or on worker threads), journals every start and outcome, and replays outcomes an
// earlier run already journalled. Reproducibility across n_jobs comes from the plans: a trial's
// params depend only on the outcomes of trials in earlier batches (a fixed size, whatever the
// parallelism) and on a per-trial random stream, and outcomes are told back by trial number.

import { SomaError } from '../errors.js';
import { jobKey, type StudyJournal, type TrialRecord } from './journal.js';
import { JournalStorage, type StudyStorage } from './storage.js';
import { trialRng, type Observation, type Sampler } from './sampler.js';
import type { Params } from './space.js';

export interface Job {
  trial: number;
  rung: number;
  params: Params;
  /** Hyperband: the value of the budget param (n_estimators, epochs) for this rung. */
  budget?: number;
}

export type JobOutcome =
  | { ok: true; score: number; metrics?: Record<string, { mean: number; std: number }> }
  /** `code`: the SomaError code when the failure was one (a data error fails every trial alike). */
  | { ok: false; error: string; code?: string };

/** Where jobs run. `slots` jobs may be in flight at once. */
export interface Executor {
  readonly slots: number;
  run(job: Job): Promise<JobOutcome>;
  close(): Promise<void>;
}

/** Decides the jobs of a study, from the outcomes told so far. */
export interface Plan {
  /** The next job, 'wait' until more outcomes are told, or 'done'. */
  next(): Job | 'wait' | 'done';
  tell(record: TrialRecord): void;
}

export type StopReason = 'done' | 'timeout' | 'aborted';

export interface StudyRunOptions {
  plan: Plan;
  executor: Executor;
  /** Where trials are claimed and recorded (default: the journal, or nowhere). */
  storage?: StudyStorage;
  /** The local journal (shorthand for a JournalStorage over it). */
  journal?: StudyJournal;
  /** Seconds after which no new trial starts (running ones finish). */
  timeoutS?: number;
  /** Aborting starts no new trial and abandons running ones (the journal keeps them as started). */
  signal?: AbortSignal;
  onStart?: (job: Job) => void;
  onRecord?: (record: TrialRecord, replayed: boolean) => void;
}

export interface StudyRun {
  /** Every outcome, sorted by trial and rung. */
  records: TrialRecord[];
  stopped: StopReason;
  /** Trials this run did not run itself: from an earlier run's journal, or run by another process. */
  replayed: number;
}

/**
 * Runs a study to its end. Every job the plan gives is claimed first: a job finished before is
 * replayed, a job another process runs (shared storage) is asked about again every `pollMs`
 * until its outcome is there or its worker is found dead and the job is ours, and a job claimed
 * is run. Every process on a shared study follows the same plan, so all end with the same records.
 */
export async function runStudy(options: StudyRunOptions): Promise<StudyRun> {
  const { plan, executor } = options;
  const storage = options.storage ?? (options.journal ? new JournalStorage(options.journal) : undefined);
  const records: TrialRecord[] = [];
  const inflight = new Map<string, Promise<void>>();
  /** Jobs the plan gave that another process holds, in plan order. */
  const elsewhere = new Map<string, Job>();
  const deadline = options.timeoutS !== undefined ? Date.now() + options.timeoutS * 1000 : Infinity;
  let replayed = 0;
  let stopped: StopReason | undefined;
  let failure: { error: unknown } | undefined;
  let nextPoll = 0;
  const aborted = new Promise<void>((resolve) => {
    if (options.signal?.aborted) resolve();
    options.signal?.addEventListener('abort', () => resolve(), { once: true });
  });

  const finish = (r: TrialRecord, wasReplayed: boolean): void => {
    if (wasReplayed) replayed++;
    records.push(r);
    plan.tell(r);
    options.onRecord?.(r, wasReplayed);
  };

  const start = (job: Job, token: number): void => {
    const key = jobKey(job.trial, job.rung);
    options.onStart?.(job);
    const t0 = performance.now();
    const p = executor
      .run(job)
      .catch((e: unknown): JobOutcome => failedOutcome(e))
      .then(async (outcome) => {
        if (stopped === 'aborted') return;
        const r: TrialRecord = {
          trial: job.trial,
          rung: job.rung,
          params: job.params,
          state: outcome.ok ? 'complete' : 'failed',
          ...(outcome.ok ? { score: outcome.score, ...(outcome.metrics ? { metrics: outcome.metrics } : {}) } : { error: outcome.error, ...(outcome.code ? { code: outcome.code } : {}) }),
          ...(job.budget !== undefined ? { budget: job.budget } : {}),
          duration_s: +((performance.now() - t0) / 1000).toFixed(3),
        };
        const kept = storage ? await storage.finish(r, token) : true;
        // (Re-read after the await: an abort may have come meanwhile.)
        if ((stopped as StopReason | undefined) === 'aborted') return;
        // A lost claim: this process was taken for dead and the trial is another's now. Its
        // outcome will come from there, so it is counted once.
        if (kept) finish(r, false);
        else elsewhere.set(key, job);
      })
      .catch((error: unknown) => {
        failure ??= { error };
      })
      .finally(() => inflight.delete(key));
    inflight.set(key, p);
  };

  /** Claims a job; true when it needs no more attention now (replayed or started). */
  const claim = async (job: Job): Promise<boolean> => {
    if (!storage) {
      start(job, 0);
      return true;
    }
    const c = await storage.claim(job);
    if (c.kind === 'done') finish(c.record, true);
    else if (c.kind === 'run') start(job, c.token);
    else return false;
    return true;
  };

  try {
    for (;;) {
      // Checked here too, not only when a slot is free: with every slot busy an abort must still end the loop.
      if (options.signal?.aborted) {
        stopped = 'aborted';
        break;
      }
      if (failure) throw failure.error;
      // Jobs held elsewhere first (they come earlier in the plan), each asked about once per poll.
      if (elsewhere.size > 0 && Date.now() >= nextPoll) {
        nextPoll = Date.now() + (storage?.pollMs ?? 0);
        for (const [key, job] of [...elsewhere]) {
          if (inflight.size >= executor.slots || options.signal?.aborted) break;
          if (await claim(job)) elsewhere.delete(key);
        }
      }
      let next: Job | 'wait' | 'done' = 'wait';
      while (!stopped && inflight.size < executor.slots) {
        if (options.signal?.aborted) stopped = 'aborted';
        else if (Date.now() >= deadline) stopped = 'timeout';
        if (stopped) break;
        next = plan.next();
        if (next === 'wait' || next === 'done') break;
        const job = next;
        if (!(await claim(job))) elsewhere.set(jobKey(job.trial, job.rung), job);
      }
      if (stopped === 'aborted') break;
      if (failure) throw failure.error;
      if (inflight.size === 0 && (elsewhere.size === 0 || stopped)) {
        if (stopped || next === 'done') break;
        if (next === 'wait' && elsewhere.size === 0) {
          // Nothing runs and the plan waits for outcomes: a plan bug, not a user error.
          throw new SomaError('INTERNAL', 'search plan is waiting with no trial running');
        }
        continue;
      }
      const waits: Promise<void>[] = [...inflight.values(), aborted];
      let timer: NodeJS.Timeout | undefined;
      if (elsewhere.size > 0) waits.push(new Promise((resolve) => (timer = setTimeout(resolve, Math.max(0, nextPoll - Date.now())))));
      await Promise.race(waits);
      clearTimeout(timer);
    }
    if (stopped === 'aborted') await storage?.release();
  } catch (e) {
    await storage?.release().catch(() => {});
    throw e;
  }
  records.sort((a, b) => a.trial - b.trial || a.rung - b.rung);
  return { records, stopped: stopped ?? 'done', replayed };
}

/** Samplers minimise: a maximised metric's score is negated. */
function lossOf(score: number, direction: 'maximize' | 'minimize'): number {
  return direction === 'maximize' ? -score : score;
}

/**
 * Grid, random and Bayesian studies: trial k is suggested from the outcomes of the trials before
 * its batch (batch = floor(k / batchSize)), with the params already suggested in its batch passed
 * as pending, so the sequence is the same for any number of parallel slots.
 */
export class SequentialPlan implements Plan {
  private k = 0;
  private readonly done: (TrialRecord | undefined)[] = [];
  private readonly suggested: Params[] = [];

  constructor(
    private readonly suggestAt: (trial: number, history: readonly Observation[], pending: readonly Params[]) => Params,
    private readonly trials: number,
    private readonly batchSize: number,
    private readonly direction: 'maximize' | 'minimize',
    /** Trials before this one are suggested without history (random start-up) and never wait. */
    private readonly freeUntil = 0,
  ) {
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new SomaError('CONFIG_INVALID', `search.batch: ${batchSize} (expected an integer >= 1)`);
  }

  next(): Job | 'done' | 'wait' {
    if (this.k >= this.trials) return 'done';
    const f = this.freeUntil;
    const start = this.k < f ? 0 : f + Math.floor((this.k - f) / this.batchSize) * this.batchSize;
    for (let t = 0; t < start; t++) if (!this.done[t]) return 'wait';
    const history: Observation[] = [];
    for (let t = 0; t < start; t++) {
      const r = this.done[t]!;
      if (r.state === 'complete' && r.score !== undefined && Number.isFinite(r.score)) history.push({ params: r.params, loss: lossOf(r.score, this.direction) });
    }
    const params = this.suggestAt(this.k, history, this.suggested.slice(start, this.k));
    this.suggested[this.k] = params;
    return { trial: this.k++, rung: 0, params };
  }

  tell(record: TrialRecord): void {
    this.done[record.trial] = record;
  }
}

/** A plan driving a history-based sampler with per-trial random streams. */
export function samplerPlan(sampler: Sampler, seed: number, trials: number, batchSize: number, direction: 'maximize' | 'minimize', freeUntil = 0): SequentialPlan {
  return new SequentialPlan((k, history, pending) => sampler.suggest(history, trialRng(seed, k), pending, k), trials, batchSize, direction, freeUntil);
}

/** Runs jobs one at a time in this thread (n_jobs 1, and tests). */
export class InlineExecutor implements Executor {
  readonly slots = 1;
  constructor(private readonly fn: (job: Job) => Promise<JobOutcome>) {}
  run(job: Job): Promise<JobOutcome> {
    return this.fn(job);
  }
  async close(): Promise<void> {}
}

/** A job's failure as an outcome, keeping the SomaError code (it crosses to and from workers as plain data). */
export function failedOutcome(e: unknown): JobOutcome {
  if (e instanceof SomaError) return { ok: false, error: e.message, code: e.code };
  return { ok: false, error: e instanceof Error ? e.message : String(e) };
}
