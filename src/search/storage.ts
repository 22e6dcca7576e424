// Where a study's trials are kept, as the scheduler sees it: a job is claimed before it runs and
// its outcome is recorded under that claim. Two storages: the local journal (one process owns
// the study; every claim succeeds unless an earlier run finished the trial) and PostgreSQL
// (storage-pg.ts: any number of processes share a study; a claim may find the trial running
// elsewhere, and an outcome recorded under a claim that was taken back is discarded).

import { jobKey, type StudyHeader, type StudyJournal, type TrialRecord } from './journal.js';
import type { Job } from './scheduler.js';
import { pointKey } from './space.js';

/** What a claim on a job found. */
export type Claim =
  /** Run it; `token` identifies this attempt when its outcome is recorded. `takeover`: an earlier attempt's worker died. */
  | { kind: 'run'; token: number; takeover: boolean }
  /** Finished already (by an earlier run, or by another process): replay the record. */
  | { kind: 'done'; record: TrialRecord }
  /** Another live process runs it: ask again later. */
  | { kind: 'elsewhere' };

export interface StudyStorage {
  /** What reports name as the study's home: the journal file, or the server URL without its password. */
  readonly location: string;
  /** The header the study started with (a joined or resumed study keeps its own settings). */
  readonly header: StudyHeader;
  /** Trials an earlier (dead) run had started and this run took over. */
  readonly interrupted: number;
  /** Milliseconds between two asks about jobs running elsewhere (0: nothing ever runs elsewhere). */
  readonly pollMs: number;
  claim(job: Job): Promise<Claim>;
  /** Records an outcome; false when the claim was lost (the trial was put back and is someone else's now). */
  finish(record: TrialRecord, token: number): Promise<boolean>;
  /** Puts this process's running trials back for others (an interrupted run). */
  release(): Promise<void>;
  close(): Promise<void>;
}

/** The journal behind the storage interface: one owner, so a job is either done before or ours. */
export class JournalStorage implements StudyStorage {
  readonly pollMs = 0;
  private attempts = 0;

  constructor(private readonly journal: StudyJournal) {}

  get location(): string {
    return this.journal.file;
  }

  get header(): StudyHeader {
    return this.journal.header;
  }

  get interrupted(): number {
    return this.journal.interrupted;
  }

  async claim(job: Job): Promise<Claim> {
    const old = this.journal.previous.get(jobKey(job.trial, job.rung));
    if (old && pointKey(old.params) === pointKey(job.params)) return { kind: 'done', record: old };
    this.journal.started(job.trial, job.rung, job.params, job.budget);
    return { kind: 'run', token: ++this.attempts, takeover: false };
  }

  async finish(record: TrialRecord): Promise<boolean> {
    this.journal.record(record);
    return true;
  }

  async release(): Promise<void> {
    // A started trial without an outcome is re-run on resume: nothing to put back.
  }

  async close(): Promise<void> {
    this.journal.close();
  }
}
