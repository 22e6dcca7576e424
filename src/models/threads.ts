// How many threads a model's n_jobs param means on this machine, in this thread.

import { availableParallelism } from 'node:os';
import { isMainThread } from 'node:worker_threads';

/**
 * n_jobs as threads: 0 = every core, except inside a worker thread (a search trial, a batch
 * prediction worker), where the caller already runs one job per core and more threads would only
 * contend for them.
 */
export function resolveThreads(nJobs: number): number {
  if (nJobs > 0) return nJobs;
  return isMainThread ? Math.max(1, availableParallelism()) : 1;
}
