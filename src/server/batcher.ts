// Adaptive micro-batching for one served version: the rows of concurrent requests are stacked
// into one predictor call, so the per-call cost (building the feature matrix, entering the tree
// walk) is paid once per batch instead of once per request.
//
// When a batch runs:
// - as soon as its queued rows reach `batchSize`;
// - otherwise on the next turn of the event loop, after the requests already received have been
//   read (setImmediate): an idle server answers a lone request without any wait;
// - under concurrency, a partial batch waits for as many requests as the last batch had (the
//   concurrency the server has just seen), but never longer than `maxLatencyMs` after its first
//   request arrived; a wait that times out lowers that expectation to what did arrive.
// Each request's rows are checked on their own before they are queued (so errors name the
// request's own rows); if a stacked call still fails (an unseen category under handle_unknown:
// error), its requests are predicted one by one so only the failing one fails. Models whose rows
// are each other's history (lag, rolling, diff steps) are never stacked. At most `maxQueue`
// requests wait; the next is refused with HTTP_QUEUE_FULL (503, Retry-After).

import { concatFrames } from '../data/concat.js';
import { Frame, type Column } from '../data/frame.js';
import { ServeError } from './errors.js';

export interface BatcherOptions {
  batchSize: number;
  maxLatencyMs: number;
  maxQueue: number;
  /** False when rows depend on each other: each request is then its own predictor call. */
  stackRows: boolean;
  /** The predictor: output columns for a frame of model inputs (synchronous). */
  predict(features: Frame): Column[];
  /** Told about every predictor call: rows, requests, seconds. */
  onBatch?(rows: number, requests: number, seconds: number): void;
}

interface Job {
  features: Frame;
  rows: number;
  at: number;
  resolve(columns: Column[]): void;
  reject(e: unknown): void;
}

export class Batcher {
  private queue: Job[] = [];
  private queuedRows = 0;
  private immediate: NodeJS.Immediate | null = null;
  private timer: NodeJS.Timeout | null = null;
  /** How many requests the next partial batch waits for: the size of recent batches. */
  private expected = 1;

  constructor(private readonly options: BatcherOptions) {}

  /** Requests waiting for a predictor call. */
  get depth(): number {
    return this.queue.length;
  }

  /** Queues a request's checked model inputs; resolves to its output columns. */
  submit(features: Frame): Promise<Column[]> {
    const o = this.options;
    if (this.queue.length >= o.maxQueue) {
      return Promise.reject(
        new ServeError('HTTP_QUEUE_FULL', `the prediction queue is full (${o.maxQueue} requests waiting); try again shortly`, {
          hint: 'raise serving.max_queue, add --workers, or send fewer concurrent requests',
          headers: { 'retry-after': '1' },
        }),
      );
    }
    return new Promise<Column[]>((resolve, reject) => {
      this.queue.push({ features, rows: features.rows, at: performance.now(), resolve, reject });
      this.queuedRows += features.rows;
      if (!o.stackRows || this.queuedRows >= o.batchSize || (this.timer !== null && this.queue.length >= this.expected)) this.flush(false);
      else this.schedule();
    });
  }

  /** Runs everything queued now (shutdown). */
  flushAll(): void {
    while (this.queue.length > 0) this.flush(false);
  }

  private schedule(): void {
    if (this.immediate === null && this.timer === null) this.immediate = setImmediate(() => this.check());
  }

  /** The event-loop turn after a request arrived: run, or wait for the concurrency just seen. */
  private check(): void {
    this.immediate = null;
    if (this.queue.length === 0) return;
    const waited = performance.now() - this.queue[0]!.at;
    const wait = this.options.maxLatencyMs - waited;
    if (this.queue.length < this.expected && wait > 0) {
      this.timer = setTimeout(() => {
        this.timer = null;
        this.flush(true);
      }, wait);
      return;
    }
    this.flush(false);
  }

  /** Takes up to batchSize rows (at least one request) off the queue and predicts them. */
  private flush(timedOut: boolean): void {
    if (this.immediate !== null) {
      clearImmediate(this.immediate);
      this.immediate = null;
    }
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    const o = this.options;
    let take = 0;
    let rows = 0;
    if (!o.stackRows) take = 1;
    else {
      while (take < this.queue.length && (take === 0 || rows + this.queue[take]!.rows <= o.batchSize)) rows += this.queue[take++]!.rows;
    }
    if (take === 0) return;
    const jobs = this.queue.splice(0, take);
    this.queuedRows -= jobs.reduce((a, j) => a + j.rows, 0);
    const full = rows >= o.batchSize;
    // A batch cut short by its size says nothing about the concurrency; one that ran when the
    // expected requests were there, or when the wait ran out, says exactly what it was.
    if (!full || timedOut) this.expected = Math.max(1, jobs.length);
    this.run(jobs);
    if (this.queue.length > 0) this.schedule();
  }

  private run(jobs: Job[]): void {
    const t0 = performance.now();
    const rows = jobs.reduce((a, j) => a + j.rows, 0);
    if (jobs.length === 1) {
      const job = jobs[0]!;
      try {
        job.resolve(this.options.predict(job.features));
      } catch (e) {
        job.reject(e);
      }
    } else {
      let columns: Column[] | undefined;
      try {
        columns = this.options.predict(concatFrames(jobs.map((j) => j.features)));
      } catch {
        columns = undefined;
      }
      if (columns) {
        const all = new Frame(columns);
        let at = 0;
        for (const job of jobs) {
          job.resolve([...all.slice(at, at + job.rows).columns]);
          at += job.rows;
        }
      } else {
        // Someone's rows failed the stacked call: each request on its own, so only it fails.
        for (const job of jobs) {
          try {
            job.resolve(this.options.predict(job.features));
          } catch (e) {
            job.reject(e);
          }
        }
      }
    }
    this.options.onBatch?.(rows, jobs.length, (performance.now() - t0) / 1000);
  }
}
