// A pool of worker threads running study jobs. Each worker gets the study's data once (the init
// message), then one job at a time; a worker that dies fails its job and is replaced, so one
// crashing trial never stalls the study.

import { parentPort, Worker } from 'node:worker_threads';
import { failedOutcome, type Executor, type Job, type JobOutcome } from './scheduler.js';

interface Slot {
  worker: Worker;
  busy: boolean;
  /** Whether this worker ever answered a job (a worker that dies before that cannot start). */
  answered: boolean;
  pending?: { resolve: (o: JobOutcome) => void };
}

/** Workers dying before their first answer this many times in a row means they cannot start. */
const MAX_START_FAILURES = 3;

type ToWorker = { type: 'init'; data: unknown } | { type: 'run'; job: Job };
type FromWorker = { type: 'result'; outcome: JobOutcome };

export class WorkerPool implements Executor {
  private readonly slotsList: Slot[] = [];
  private readonly waiting: ((s: Slot) => void)[] = [];
  private closed = false;
  private startFailures = 0;
  /** Set once workers cannot start: every job then fails with this error instead of respawning forever. */
  private broken: string | undefined;

  constructor(
    private readonly url: URL,
    private readonly init: unknown,
    readonly slots: number,
  ) {
    for (let i = 0; i < slots; i++) this.slotsList.push(this.spawn());
  }

  private spawn(): Slot {
    const worker = new Worker(this.url);
    const slot: Slot = { worker, busy: false, answered: false };
    worker.on('message', (m: FromWorker) => {
      if (m.type === 'result') {
        slot.answered = true;
        this.startFailures = 0;
        const p = slot.pending;
        slot.pending = undefined;
        p?.resolve(m.outcome);
        this.release(slot);
      }
    });
    const died = (why: string): void => {
      if (this.closed) return;
      const p = slot.pending;
      slot.pending = undefined;
      p?.resolve({ ok: false, error: why });
      const i = this.slotsList.indexOf(slot);
      if (!slot.answered && ++this.startFailures >= MAX_START_FAILURES) {
        this.broken = why;
        for (const w of this.waiting.splice(0)) w(slot);
        return;
      }
      if (i >= 0) {
        const fresh = this.spawn();
        this.slotsList[i] = fresh;
        this.release(fresh);
      }
    };
    worker.on('error', (e) => died(`worker crashed: ${e.message}`));
    worker.on('exit', (code) => died(`worker exited with code ${code}`));
    worker.postMessage({ type: 'init', data: this.init } satisfies ToWorker);
    return slot;
  }

  private release(slot: Slot): void {
    slot.busy = false;
    const w = this.waiting.shift();
    if (w) {
      slot.busy = true;
      w(slot);
    }
  }

  private acquire(): Promise<Slot> {
    const free = this.slotsList.find((s) => !s.busy);
    if (free) {
      free.busy = true;
      return Promise.resolve(free);
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  async run(job: Job): Promise<JobOutcome> {
    if (this.broken) return { ok: false, error: this.broken };
    const slot = await this.acquire();
    if (this.broken) return { ok: false, error: this.broken };
    return new Promise<JobOutcome>((resolve) => {
      slot.pending = { resolve };
      slot.worker.postMessage({ type: 'run', job } satisfies ToWorker);
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.slotsList.map((s) => s.worker.terminate()));
  }
}

/**
 * The worker side: `setup` turns the init data into a job runner once; then every job message
 * is answered with its outcome (an exception becomes a failed outcome with its message).
 */
export function serveJobs(setup: (data: unknown) => Promise<(job: Job) => Promise<JobOutcome>>): void {
  const port = parentPort;
  if (!port) throw new Error('serveJobs must run in a worker thread');
  let runner: Promise<(job: Job) => Promise<JobOutcome>> | undefined;
  port.on('message', (m: ToWorker) => {
    if (m.type === 'init') {
      runner = setup(m.data);
      runner.catch(() => {});
      return;
    }
    void (async () => {
      let outcome: JobOutcome;
      try {
        const run = await runner!;
        outcome = await run(m.job);
      } catch (e) {
        outcome = failedOutcome(e);
      }
      port.postMessage({ type: 'result', outcome } satisfies FromWorker);
    })();
  });
}
