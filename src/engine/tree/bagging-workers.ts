// Worker threads that grow random-forest trees by index (worker.ts runs them): each rebuilds the
// per-tree state from the shared binned data once, then grows whichever trees it is asked for.

import { Worker } from 'node:worker_threads';
import { workerUrl } from '../worker-url.js';
import type { BaggingParams } from './bagged-tree.js';
import type { BinnedData } from './binning.js';
import type { TreeNodes } from './forest.js';

/** Where the trainer gets tree t: this thread, or worker threads (answers in any order, used in tree order). */
export interface TreeSource {
  /** Threads growing trees (1: this one). */
  readonly threads: number;
  next(t: number): Promise<{ nodes: TreeNodes; oob: Uint32Array }>;
  close(): Promise<void>;
}

/** What a bagging worker needs to grow any tree of the forest by its index. */
export interface BaggingWorkerSetup {
  kind: 'bagging';
  bins: SharedArrayBuffer;
  binsBytes: 1 | 2;
  nFeatures: number;
  nBins: Int32Array;
  offsets: Int32Array;
  shift: number;
  nValueBins: Int32Array;
  categorical: Uint8Array;
  thresholds: Float64Array[];
  y: Float64Array;
  weight: Float64Array | null;
  nClasses: number;
  params: BaggingParams;
}

/**
 * Grows forest trees in `threads` workers. Tree t depends only on t (its own seed), so which worker
 * grows it does not matter; the caller adds trees in index order.
 */
export async function baggingWorkers(
  data: BinnedData,
  y: Float64Array,
  weight: Float64Array | null,
  nClasses: number,
  params: BaggingParams,
  threads: number,
): Promise<TreeSource> {
  if (!(data.bins.buffer instanceof SharedArrayBuffer)) throw new Error('bagging workers need bins in shared memory');
  const setup: BaggingWorkerSetup = {
    kind: 'bagging',
    bins: data.bins.buffer,
    binsBytes: data.bins instanceof Uint8Array ? 1 : 2,
    nFeatures: data.nFeatures,
    nBins: data.nBins,
    offsets: data.offsets,
    shift: data.shift,
    nValueBins: data.mapper.nValueBins,
    categorical: data.mapper.categorical,
    thresholds: [...data.mapper.thresholds],
    y,
    weight,
    nClasses,
    params,
  };
  const url = workerUrl(import.meta.url, './worker.js');
  type Pending = { resolve: (r: { nodes: TreeNodes; oob: Uint32Array }) => void; reject: (e: unknown) => void };
  const pending = new Map<number, Pending>();
  const workers: Worker[] = [];
  let failure: unknown = null;
  const fail = (e: unknown): void => {
    failure = e;
    for (const p of pending.values()) p.reject(e);
    pending.clear();
  };
  const ready: Promise<void>[] = [];
  for (let w = 0; w < threads; w++) {
    const worker = new Worker(url, { workerData: setup });
    ready.push(
      new Promise((resolve, reject) => {
        worker.once('message', () => resolve());
        worker.once('error', reject);
      }),
    );
    worker.on('message', (m: { t: number; nodes: TreeNodes; oob: Uint32Array } | 'ready') => {
      if (m === 'ready') return;
      const p = pending.get(m.t);
      pending.delete(m.t);
      p?.resolve({ nodes: m.nodes, oob: m.oob });
    });
    worker.on('error', fail);
    worker.on('exit', (code) => {
      if (code !== 0 && pending.size > 0) fail(new Error(`bagging worker exited with code ${code}`));
    });
    workers.push(worker);
  }
  try {
    await Promise.all(ready);
  } catch (e) {
    await Promise.all(workers.map((w) => w.terminate()));
    throw e;
  }
  let closed = false;
  return {
    threads,
    next(t) {
      if (failure) return Promise.reject(failure);
      return new Promise((resolve, reject) => {
        pending.set(t, { resolve, reject });
        workers[t % threads]!.postMessage(t);
      });
    },
    async close() {
      if (closed) return;
      closed = true;
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}
