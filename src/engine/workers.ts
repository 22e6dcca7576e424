// Starting a team of worker threads that each post one message when ready (after setting up
// their shared views): the histogram, network and arena workers all start this way. A team that
// cannot start completely is terminated, so no half-started team is left running.

import { Worker } from 'node:worker_threads';

/**
 * Starts one unref'd worker per setup (passed as workerData) and resolves when every one has
 * posted its first message; rejects with the first start-up error after terminating them all.
 */
export async function startWorkers(url: URL, setups: readonly unknown[]): Promise<Worker[]> {
  const workers: Worker[] = [];
  const ready: Promise<void>[] = [];
  for (const workerData of setups) {
    const worker = new Worker(url, { workerData });
    worker.unref();
    workers.push(worker);
    ready.push(
      new Promise((resolve, reject) => {
        worker.once('message', () => resolve());
        worker.once('error', reject);
      }),
    );
  }
  try {
    await Promise.all(ready);
  } catch (e) {
    await Promise.all(workers.map((w) => w.terminate()));
    throw e;
  }
  return workers;
}
