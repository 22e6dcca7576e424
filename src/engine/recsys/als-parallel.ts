// Implicit ALS on several threads: every half-step's rows (users, then items) are independent
// given the other side's factors, so worker threads solve contiguous blocks of rows in place in
// shared memory while the calling thread solves the last block. The Gram matrix Y'Y + reg I is
// computed once per half-step by the caller and shared. Each row is solved exactly as on one
// thread, so the factors do not depend on the number of threads.

import { Worker } from 'node:worker_threads';
import { workerUrl } from '../worker-url.js';
import { startWorkers } from '../workers.js';
import { fitAls, gramOf, solveRows, workspace, type AlsModel, type AlsOptions } from './als.js';
import type { Csr } from './csr.js';
import { Rng } from '../random.js';

/** Control slots (Int32Array over a SharedArrayBuffer). */
export const ALS_CTRL = { generation: 0, done: 1, side: 2, stop: 3, size: 4 } as const;

/** Interactions below which a team of workers costs more than it saves. */
const PARALLEL_NNZ = 100_000;

export interface SharedCsr {
  rows: number;
  cols: number;
  indptr: SharedArrayBuffer;
  indices: SharedArrayBuffer;
  values: SharedArrayBuffer;
}

export interface AlsWorkerSetup {
  byUser: SharedCsr;
  byItem: SharedCsr;
  X: SharedArrayBuffer;
  Y: SharedArrayBuffer;
  gram: SharedArrayBuffer;
  ctrl: SharedArrayBuffer;
  factors: number;
  alpha: number;
  cgSteps: number;
  /** This worker's block of rows (of `threads`; the caller takes the last). */
  block: number;
  threads: number;
}

function share(m: Csr): SharedCsr {
  const copy = <T extends Int32Array | Float64Array>(a: T): SharedArrayBuffer => {
    const buf = new SharedArrayBuffer(a.byteLength);
    new (a.constructor as new (b: SharedArrayBuffer) => T)(buf).set(a);
    return buf;
  };
  return { rows: m.rows, cols: m.cols, indptr: copy(m.indptr), indices: copy(m.indices), values: copy(m.values) };
}

export function viewCsr(s: SharedCsr): Csr {
  return { rows: s.rows, cols: s.cols, indptr: new Int32Array(s.indptr), indices: new Int32Array(s.indices), values: new Float64Array(s.values) };
}

/** Rows [from, to) of block b of `threads` over `rows` rows. */
export function blockRange(rows: number, threads: number, b: number): [number, number] {
  const size = Math.ceil(rows / threads);
  return [Math.min(rows, b * size), Math.min(rows, (b + 1) * size)];
}

/** fitAls on `threads` threads (one: fitAls itself). Same factors either way. */
export async function fitAlsThreads(byUser: Csr, byItem: Csr, o: AlsOptions, threads: number): Promise<AlsModel> {
  if (threads < 2 || byUser.indices.length < PARALLEL_NNZ) return fitAls(byUser, byItem, o);
  const f = o.factors;
  const rng = new Rng(o.seed);
  const xBuf = new SharedArrayBuffer(byUser.rows * f * 4);
  const yBuf = new SharedArrayBuffer(byItem.rows * f * 4);
  const X = new Float32Array(xBuf);
  const Y = new Float32Array(yBuf);
  // The same initialisation as fitAls.
  for (let t = 0; t < X.length; t++) X[t] = rng.next() * 0.01;
  for (let t = 0; t < Y.length; t++) Y[t] = rng.next() * 0.01;
  const gramBuf = new SharedArrayBuffer(f * f * 8);
  const gram = new Float64Array(gramBuf);
  const ctrlBuf = new SharedArrayBuffer(ALS_CTRL.size * 4);
  const ctrl = new Int32Array(ctrlBuf);
  const u = share(byUser);
  const i = share(byItem);
  const setups: AlsWorkerSetup[] = Array.from({ length: threads - 1 }, (_, b) => ({ byUser: u, byItem: i, X: xBuf, Y: yBuf, gram: gramBuf, ctrl: ctrlBuf, factors: f, alpha: o.alpha, cgSteps: o.cgSteps, block: b, threads }));
  const workers: Worker[] = await startWorkers(workerUrl(import.meta.url, './als-worker.js'), setups);
  const ws = workspace(f);
  try {
    for (let it = 0; it < o.iterations; it++) {
      if (o.signal?.aborted) throw o.signal.reason ?? new Error('aborted');
      for (const side of [0, 1]) {
        const [m, A, B] = side === 0 ? [byUser, X, Y] : [byItem, Y, X];
        gramOf(B, m.cols, f, o.reg, gram);
        Atomics.store(ctrl, ALS_CTRL.done, 0);
        Atomics.store(ctrl, ALS_CTRL.side, side);
        Atomics.add(ctrl, ALS_CTRL.generation, 1);
        Atomics.notify(ctrl, ALS_CTRL.generation);
        const [from, to] = blockRange(m.rows, threads, threads - 1);
        solveRows(m, A, B, f, o.alpha, o.cgSteps, gram, ws, from, to);
        for (;;) {
          const done = Atomics.load(ctrl, ALS_CTRL.done);
          if (done >= threads - 1) break;
          Atomics.wait(ctrl, ALS_CTRL.done, done, 1000);
        }
      }
      o.onIteration?.(it + 1);
    }
  } finally {
    Atomics.store(ctrl, ALS_CTRL.stop, 1);
    Atomics.add(ctrl, ALS_CTRL.generation, 1);
    Atomics.notify(ctrl, ALS_CTRL.generation);
    await Promise.all(workers.map((w) => w.terminate()));
  }
  return { factors: f, userFactors: Float32Array.from(X), itemFactors: Float32Array.from(Y) };
}
