// Parallel histogram building with worker_threads over SharedArrayBuffers. Features are split into
// contiguous chunks, one per thread; every bin is still summed over the node's rows in index order
// by exactly one thread, so histograms (and so models) are bit-identical for any n_jobs.

import { workerUrl } from '../worker-url.js';
import { startWorkers } from '../workers.js';
import type { RoundArrays } from './round-rows.js';
import type { BinnedData } from './binning.js';
import { buildHistogram, histogramStrideOf, type GradientSet } from './histogram.js';
import type { SplitCandidate } from './split.js';

/** Control block slots (Int32Array over a SharedArrayBuffer). */
export const CTRL = { generation: 0, done: 1, start: 2, end: 3, nActive: 4, stop: 5, threads: 6, size: 8 } as const;

/** Builds a node's histogram; the single-threaded and the worker-backed versions agree bit for bit. */
export interface HistogramBuilder {
  /** Threads that build (the calling one included): 1 when workers were not wanted or could not start. */
  readonly threads: number;
  build(gs: GradientSet, idx: Uint32Array, start: number, end: number, features: Int32Array | null, nActive: number, hist: Float64Array): void;
  close(): Promise<void>;
  /** Allocates a node histogram where this builder works best (the wasm arena); plain memory if absent. */
  newHistogram?(size: number): Float64Array;
  /**
   * Stable partition of idx[start..end) by a split on bin column `col` (missing bin nv), using
   * `tmp` as scratch; returns where the right rows begin, or -1 when this builder cannot (the
   * caller partitions itself).
   */
  partition?(idx: Uint32Array, start: number, end: number, split: SplitCandidate, col: Uint8Array | Uint16Array, nv: number, tmp: Uint32Array): number;
  /** quantize.ts's `quantize` on this builder's kernels and threads (same result); null when it cannot. */
  quantize?(grad: Float64Array, hess: Float64Array, idx: Uint32Array, nRows: number, packed: Float64Array, seed: number): [number, number, number] | null;
  /** round-rows' `mapLeaves` over idx positions [0, nRows) on this builder's threads; false when it cannot. */
  leafMap?(idx: Uint32Array, nRows: number, ranges: Int32Array, nRanges: number, leafOf: Uint16Array): boolean;
  /** round-rows' `leafSums` on this builder's threads (same bits); false when it cannot. */
  leafSums?(leafOf: Uint16Array, grad: Float64Array, hess: Float64Array, nLeaves: number, g: Float64Array, h: Float64Array): boolean;
  /**
   * round-rows' `updateRows` over all rows on this builder's threads (same bits), with the loss
   * given when the builder was made if `gradients`; false when it cannot.
   */
  updateRows?(a: RoundArrays, c0: number, c1: number, gradients: boolean): boolean;
}

export const serialHistograms = (data: BinnedData): HistogramBuilder => ({
  threads: 1,
  build: (gs, idx, start, end, features, nActive, hist) => buildHistogram(data, gs, idx, start, end, features, nActive, hist),
  close: async () => {},
});

/** What a worker needs once per fit: every array is shared, so per-node messages carry only numbers. */
export interface WorkerSetup {
  kind: 'histogram';
  bins: SharedArrayBuffer;
  binsBytes: 1 | 2;
  nFeatures: number;
  nBins: Int32Array;
  offsets: Int32Array;
  shift: number;
  nOut: number;
  grad: SharedArrayBuffer;
  hess: SharedArrayBuffer;
  classOf: SharedArrayBuffer | null;
  packed: SharedArrayBuffer | null;
  idx: SharedArrayBuffer;
  features: SharedArrayBuffer;
  hist: SharedArrayBuffer;
  ctrl: SharedArrayBuffer;
  /** This worker's chunk index (the calling thread takes the last chunk). */
  worker: number;
}

export function sharedFloat64(n: number): Float64Array {
  return new Float64Array(new SharedArrayBuffer(Math.max(1, n) * 8));
}

export function sharedUint32(n: number): Uint32Array {
  return new Uint32Array(new SharedArrayBuffer(Math.max(1, n) * 4));
}

/** A copy of binned data whose bins live in shared memory. */
export function shareBinned(data: BinnedData): BinnedData {
  if (data.bins.buffer instanceof SharedArrayBuffer) return data;
  const bins =
    data.bins instanceof Uint8Array ? new Uint8Array(new SharedArrayBuffer(data.bins.length)) : new Uint16Array(new SharedArrayBuffer(data.bins.length * 2));
  bins.set(data.bins);
  return { ...data, bins };
}

/** Contiguous share c of n items split into `parts` (the same split on every thread). */
export function chunk(n: number, parts: number, c: number): [number, number] {
  return [Math.floor((n * c) / parts), Math.floor((n * (c + 1)) / parts)];
}

/**
 * Starts `threads - 1` workers (the calling thread works too). The gradient set's arrays and `idx`
 * must already live in shared memory: the workers read them in place.
 */
export async function parallelHistograms(data: BinnedData, gs: GradientSet, idx: Uint32Array, threads: number): Promise<HistogramBuilder> {
  const nF = data.nFeatures;
  const S = histogramStrideOf(gs);
  const total = data.offsets[nF]! * S;
  const hist = sharedFloat64(total);
  const featureBuf = new Int32Array(new SharedArrayBuffer(Math.max(1, nF) * 4));
  const ctrl = new Int32Array(new SharedArrayBuffer(CTRL.size * 4));
  ctrl[CTRL.threads] = threads;
  const shared = (a: ArrayBufferView): SharedArrayBuffer => {
    if (!(a.buffer instanceof SharedArrayBuffer)) throw new Error('parallel histograms need arrays in shared memory');
    return a.buffer;
  };
  const setups: WorkerSetup[] = [];
  for (let w = 0; w < threads - 1; w++) {
    setups.push({
      kind: 'histogram',
      bins: shared(data.bins),
      binsBytes: data.bins instanceof Uint8Array ? 1 : 2,
      nFeatures: nF,
      nBins: data.nBins,
      offsets: data.offsets,
      shift: data.shift,
      nOut: gs.nOut,
      grad: shared(gs.grad.length > 0 ? gs.grad : sharedFloat64(1)),
      hess: shared(gs.hess),
      classOf: gs.classOf ? shared(gs.classOf) : null,
      packed: gs.packed ? shared(gs.packed) : null,
      idx: shared(idx),
      features: featureBuf.buffer as SharedArrayBuffer,
      hist: hist.buffer as SharedArrayBuffer,
      ctrl: ctrl.buffer as SharedArrayBuffer,
      worker: w,
    });
  }
  const workers = await startWorkers(workerUrl(import.meta.url, './worker.js'), setups);
  const chunkList = new Int32Array(nF);
  let closed = false;
  let failure: Error | null = null;
  for (const w of workers) w.on('error', (e) => (failure = e));

  return {
    threads: workers.length + 1,
    build(g, ix, start, end, features, nActive, out) {
      if (closed) throw new Error('histogram workers are closed');
      if ((g.grad.length > 0 && g.grad.buffer !== gs.grad.buffer) || (g.packed ?? null) !== (gs.packed ?? null)) {
        throw new Error('parallel histograms were set up for other gradient arrays');
      }
      const nA = features === null ? nF : nActive;
      // Small nodes are not worth waking the workers for; the sums are identical either way.
      if ((end - start) * nA < 32_768 || ix !== idx) {
        buildHistogram(data, g, ix, start, end, features, nActive, out);
        return;
      }
      for (let a = 0; a < nA; a++) featureBuf[a] = features === null ? a : features[a]!;
      ctrl[CTRL.start] = start;
      ctrl[CTRL.end] = end;
      ctrl[CTRL.nActive] = nA;
      Atomics.store(ctrl, CTRL.done, 0);
      Atomics.add(ctrl, CTRL.generation, 1);
      Atomics.notify(ctrl, CTRL.generation);
      // The calling thread takes the last chunk.
      const [a0, a1] = chunk(nA, threads, threads - 1);
      for (let a = a0; a < a1; a++) chunkList[a - a0] = featureBuf[a]!;
      buildHistogram(data, g, ix, start, end, chunkList, a1 - a0, hist);
      for (;;) {
        const done = Atomics.load(ctrl, CTRL.done);
        if (done >= threads - 1) break;
        if (failure) throw failure;
        Atomics.wait(ctrl, CTRL.done, done, 1000);
      }
      for (let a = 0; a < nA; a++) {
        const j = featureBuf[a]!;
        const s0 = data.offsets[j]! * S;
        out.set(hist.subarray(s0, data.offsets[j + 1]! * S), s0);
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      Atomics.store(ctrl, CTRL.stop, 1);
      Atomics.add(ctrl, CTRL.generation, 1);
      Atomics.notify(ctrl, CTRL.generation);
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}
