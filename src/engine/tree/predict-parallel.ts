// Tree-ensemble prediction on several threads. Rows are split into contiguous ranges; each row's
// raw score is summed over the trees by exactly one thread in tree order, so results are
// bit-identical to predictRaw on one thread for any thread count.
//
// The call stays synchronous (estimators' predict() is): the calling thread predicts its own range
// from the caller's arrays, copies the rest into shared memory chunk by chunk, then takes unclaimed
// chunks itself and blocks on Atomics until the workers finish theirs. Workers are started once and
// kept (unref'd) for later calls. A worker that has not started yet simply claims nothing, so the
// first call never waits for worker start-up.

import { isMainThread, Worker } from 'node:worker_threads';
import { workerUrl } from '../worker-url.js';
import { checkTreeRange, type Forest } from './forest.js';
import { predictRaw } from './predictor.js';

/** Control block slots (Int32Array over a SharedArrayBuffer, one block per job). */
export const PCTRL = { next: 0, done: 1, copied: 2, failed: 3, size: 4 } as const;

/** Rows per claimed chunk: big enough that claiming is free, small enough to balance the threads. */
const CHUNK = 4096;
/** Below this many row-trees one thread is as fast as waking others (a few ms of work). */
const MIN_WORK = 1 << 22;
/** Upper bound on the shared copy of the workers' rows; larger inputs go in segments of this size. */
const SHARED_BYTES = 64 << 20;

export interface PredictJob {
  kind: 'job';
  forestId: number;
  ctrl: SharedArrayBuffer;
  /** The shared rows, column-major: feature j of shared row r at [j * rows + r]. */
  columns: SharedArrayBuffer;
  nFeatures: number;
  rows: number;
  /** rows x nGroups running sums, already holding the caller's starting values. */
  out: SharedArrayBuffer;
  nGroups: number;
  from: number;
  to: number;
}

export interface ForestMessage {
  kind: 'forest';
  forestId: number;
  forest: Forest;
}

/**
 * Claims chunks of a job until none are left (the calling thread and the workers run this same
 * loop). Returns how many it predicted, or -1 when predicting one threw (the job's `failed` slot
 * is then set).
 */
export function runChunks(forest: Forest, job: PredictJob): number {
  const ctrl = new Int32Array(job.ctrl);
  const all = new Float64Array(job.columns, 0, job.nFeatures * job.rows);
  const out = new Float64Array(job.out, 0, job.rows * job.nGroups);
  const nChunks = Math.ceil(job.rows / CHUNK);
  for (let mine = 0; ; mine++) {
    const c = Atomics.add(ctrl, PCTRL.next, 1);
    if (c >= nChunks) return mine;
    let copied: number;
    while ((copied = Atomics.load(ctrl, PCTRL.copied)) <= c) Atomics.wait(ctrl, PCTRL.copied, copied);
    const r0 = c * CHUNK;
    const r1 = Math.min(job.rows, r0 + CHUNK);
    try {
      const cols = Array.from({ length: job.nFeatures }, (_, j) => all.subarray(j * job.rows + r0, j * job.rows + r1));
      predictRaw(forest, cols, job.from, job.to, out.subarray(r0 * job.nGroups, r1 * job.nGroups));
    } catch {
      Atomics.store(ctrl, PCTRL.failed, 1);
      Atomics.add(ctrl, PCTRL.done, 1);
      Atomics.notify(ctrl, PCTRL.done);
      return -1;
    }
    Atomics.add(ctrl, PCTRL.done, 1);
    Atomics.notify(ctrl, PCTRL.done);
  }
}

interface PoolWorker {
  worker: Worker;
  /** The forest id this worker holds (sent before the first job that needs it). */
  forestId: number;
}

let pool: PoolWorker[] = [];
let poolBroken = false;
const forestIds = new WeakMap<Forest, number>();
let nextForestId = 1;

/** Grows the pool to `n` workers; false when workers cannot be started here. */
function ensurePool(n: number): boolean {
  if (poolBroken) return false;
  try {
    const url = workerUrl(import.meta.url, './predict-worker.js');
    while (pool.length < n) {
      const worker = new Worker(url);
      worker.unref();
      // A worker that fails to start or dies is dropped and later calls start a fresh one. (An
      // exception while predicting a chunk is caught in runChunks and fails the call instead.)
      worker.on('error', () => {
        pool = pool.filter((w) => w.worker !== worker);
      });
      pool.push({ worker, forestId: 0 });
    }
    return true;
  } catch {
    poolBroken = true;
    return false;
  }
}

/**
 * Shared buffers kept from call to call (0: rows, 1: sums, at most about SHARED_BYTES together), so
 * batch prediction in chunks does not allocate and page in fresh ones per call. A buffer is reused
 * only after every chunk of the previous job is done, and a worker touches one only for a chunk it
 * claimed from that job.
 */
const buffers: (SharedArrayBuffer | null)[] = [null, null];

function sharedBuffer(slot: number, bytes: number): SharedArrayBuffer {
  const b = buffers[slot];
  if (b && b.byteLength >= bytes) return b;
  const fresh = new SharedArrayBuffer(Math.max(8, bytes));
  buffers[slot] = fresh;
  return fresh;
}

/** Stops the pool's workers (tests; a process may simply exit, they are unref'd). */
export async function closePredictPool(): Promise<void> {
  const old = pool;
  pool = [];
  buffers.fill(null);
  await Promise.all(old.map((w) => w.worker.terminate()));
}

/** What the last predictRawThreads call did (tests check that workers took part). */
export interface PredictThreadsStats {
  /** Shared chunks in all segments. */
  chunks: number;
  /** Of those, the chunks workers predicted. */
  byWorkers: number;
  segments: number;
}

let lastStats: PredictThreadsStats = { chunks: 0, byWorkers: 0, segments: 0 };

export function lastPredictThreadsStats(): PredictThreadsStats {
  return { ...lastStats };
}

/**
 * predictRaw (all rows, no subset) on up to `threads` threads. Runs on the calling thread alone
 * when threads <= 1, when the work is small, or off the main thread: a model predicting inside a
 * worker (batch prediction, search trials) already shares the cores with its sibling workers.
 * `sharedBytes` bounds the shared copy of the workers' rows (tests make it small to run segments).
 */
export function predictRawThreads(
  forest: Forest,
  columns: readonly Float64Array[],
  from: number,
  to: number,
  out: Float64Array,
  threads: number,
  sharedBytes: number = SHARED_BYTES,
): void {
  checkTreeRange(forest, from, to, 'predictRawThreads');
  lastStats = { chunks: 0, byWorkers: 0, segments: 0 };
  const nF = columns.length;
  const n = nF > 0 ? columns[0]!.length : 0;
  const T = Math.max(1, Math.floor(threads));
  if (T <= 1 || !isMainThread || n * Math.max(0, to - from) < MIN_WORK || n < 2 * CHUNK || nF === 0 || !ensurePool(T - 1)) {
    predictRaw(forest, columns, from, to, out);
    return;
  }
  const G = forest.nGroups;
  let id = forestIds.get(forest);
  if (id === undefined) {
    id = nextForestId++;
    forestIds.set(forest, id);
  }
  // Each segment: the calling thread keeps 1/T of its rows, the rest go through shared memory.
  const maxShared = Math.max(CHUNK, Math.floor(sharedBytes / (8 * (nF + G))));
  const segment = Math.max(2 * CHUNK, Math.floor((maxShared * T) / (T - 1)));
  const sharedRows = Math.min(n - Math.floor(n / T), Math.ceil((segment * (T - 1)) / T));
  const colBuf = sharedBuffer(0, 8 * nF * sharedRows);
  const outBuf = sharedBuffer(1, 8 * G * sharedRows);
  for (let s0 = 0; s0 < n; s0 += segment) {
    const s1 = Math.min(n, s0 + segment);
    const a = s0 + Math.floor((s1 - s0) / T);
    const R = s1 - a;
    const job: PredictJob = {
      kind: 'job',
      forestId: id,
      ctrl: new SharedArrayBuffer(4 * PCTRL.size),
      columns: colBuf,
      nFeatures: nF,
      rows: R,
      out: outBuf,
      nGroups: G,
      from,
      to,
    };
    for (const w of pool) {
      if (w.forestId !== id) {
        w.worker.postMessage({ kind: 'forest', forestId: id, forest } satisfies ForestMessage);
        w.forestId = id;
      }
      w.worker.postMessage(job);
    }
    const ctrl = new Int32Array(job.ctrl);
    const shared = new Float64Array(colBuf, 0, nF * R);
    new Float64Array(outBuf, 0, R * G).set(out.subarray(a * G, s1 * G));
    const nChunks = Math.ceil(R / CHUNK);
    for (let c = 0; c < nChunks; c++) {
      const r0 = c * CHUNK;
      const r1 = Math.min(R, r0 + CHUNK);
      for (let j = 0; j < nF; j++) shared.set(columns[j]!.subarray(a + r0, a + r1), j * R + r0);
      Atomics.store(ctrl, PCTRL.copied, c + 1);
      Atomics.notify(ctrl, PCTRL.copied);
    }
    predictRaw(
      forest,
      columns.map((c) => c.subarray(s0, a)),
      from,
      to,
      out.subarray(s0 * G, a * G),
    );
    const own = runChunks(forest, job);
    let done: number;
    while ((done = Atomics.load(ctrl, PCTRL.done)) < nChunks) Atomics.wait(ctrl, PCTRL.done, done);
    if (Atomics.load(ctrl, PCTRL.failed) !== 0) throw new Error('predictRawThreads: a prediction worker failed');
    out.set(new Float64Array(outBuf, 0, R * G), a * G);
    lastStats.chunks += nChunks;
    lastStats.byWorkers += nChunks - own;
    lastStats.segments++;
  }
}
