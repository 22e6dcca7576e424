// The wasm kernels' side of a boosting fit: node histograms of quantized gradients, node
// partitions and gradient quantization, in this thread or split by rows across worker threads
// that share the arena. For a histogram each thread sums a contiguous block of the node's rows
// into its own histogram (small nodes' rows gathered into contiguous copies first) and the calling
// thread adds the blocks together; packed quantized sums are exact integers in a float64, so the
// result is bit-identical however the rows are split (any n_jobs). Partitions close up per-block
// runs in block order, which is the serial stable partition; quantization packs per-row values.
// The round's row passes (round-rows.ts: score updates with the next gradients, leaf sums) run
// on the same threads by rows. Gradient sets without a packed form, or arrays outside the arena,
// take the JavaScript path.

import type { Worker } from 'node:worker_threads';
import { workerUrl } from '../worker-url.js';
import { startWorkers } from '../workers.js';
import { addr, type TreeArena } from './arena.js';
import type { BinnedData } from './binning.js';
import { buildHistogram, type GradientSet } from './histogram.js';
import { quantScales } from './quantize.js';
import { treeKernels, type SharedWasmMemory, type TreeKernels } from './kernels.js';
import { chunk, type HistogramBuilder } from './parallel.js';
import { addLeafBlocks, leafBlocks, leafSumBlocks, mapLeaves, updateRows, type RoundArrays } from './round-rows.js';
import { createLoss, type Loss, type LossOptions } from '../loss/index.js';

/** Control block slots (Int32Array in the arena). */
const C = {
  generation: 0, done: 1, stop: 2, idx: 3, packed: 4, feats: 5, nActive: 6, start: 7, end: 8,
  /**
   * 0 = build a histogram, 1 = partition (then col, thr, nv, dl, mask and tmp describe it),
   * 2 = largest gradient and hessian, 3 = quantize (grad, hess, seed; gInv, hInv in the f64 scratch),
   * 4 = leaf sums (leafOf, grad, hess over `end` rows, nLeaves, partial),
   * 5 = update rows (raw, y, w, grad, hess, leafOf, values, cap, K over `end` rows, classes c0..c1,
   *     gradients when withGrad is 1),
   * 6 = leaf map (idx positions start..end, leafOf, nLeaves (start, end, leaf) triples at partial).
   */
  job: 9, col: 10, thr: 11, nv: 12, dl: 13, mask: 14, tmp: 15, grad: 16, hess: 17, seed: 18, /** how a histogram job reads rows (READ) */ read: 19,
  leafOf: 20, nLeaves: 21, partial: 22, raw: 23, y: 24, w: 25, values: 26, cap: 27, K: 28, c0: 29, c1: 30, withGrad: 31,
  /** Partition jobs: left-row count of each thread's block, from here on. */
  left: 32,
  size: 32 + 256,
} as const; // prettier-ignore

/**
 * Nodes holding less than 1 / GATHER_DENSITY of the rows are gathered before summing: their rows
 * lie far apart, and summing through the index costs a cache miss per row that the long loop body
 * cannot overlap. Quiet machine, 1 thread: synth_binary 11.0-11.5 s -> 9.9-10.1 s,
 * synth_regression 7.5 s -> 7.3 s, synth_multiclass unchanged.
 */
const GATHER_DENSITY = 8;

/**
 * Nodes with fewer rows are partitioned in the calling thread (as are row passes over fewer rows).
 * Spinning workers take a job within microseconds, so the split pays from a few thousand rows up;
 * 65,536 -> 32,768 (with the next) took 2-thread synth_multiclass from 8.4-9.1 s to 8.1 s.
 */
const PARALLEL_MIN_PARTITION = 32_768;

/** Below this many row-features a node is built in the calling thread: waking workers costs more. */
const PARALLEL_MIN_CELLS = 32_768;

/** What an arena histogram worker needs; everything else arrives as addresses in the control block. */
export interface ArenaWorkerSetup {
  kind: 'arena-histogram';
  memory: SharedWasmMemory;
  bins: number;
  wide: boolean;
  /** Training rows (a row -> leaf map's length). */
  rows: number;
  nFeatures: number;
  shift: number;
  offsets: Int32Array;
  ctrl: number;
  /** f64 scratch: [gInv, hInv], then two slots per thread for its results. */
  scratch: number;
  /** Where sparse nodes' rows are gathered. */
  gather: GatherScratch;
  /** This worker's own histogram (address) and its block index (the calling thread takes the last). */
  hist: number;
  worker: number;
  threads: number;
  /** The fit's loss, for row passes that compute gradients (null: they are not run on workers). */
  loss: { name: string; options: LossOptions } | null;
}

/**
 * Polls ctrl[slot] while `waiting` holds, for a short while, and returns the last value read.
 * Between the nodes of a tree the next job comes within microseconds; a thread asleep in
 * Atomics.wait takes far longer to wake on a virtual machine (an idle vCPU is halted), which
 * measured as ~0.4 ms lost per job on this machine's 2 vCPUs.
 */
function spinWhile(ctrl: Int32Array, slot: number, waiting: (v: number) => boolean): number {
  let v = Atomics.load(ctrl, slot);
  for (let i = 0; i < SPIN && waiting(v); i++) v = Atomics.load(ctrl, slot);
  return v;
}

/**
 * Polls before sleeping (see spinWhile), about a millisecond: 2-thread fits measured 8.0 s without
 * polling, 6.9 s with 20k polls and 6.4 s with 300k (synth_regression, quiet machine).
 */
const SPIN = 300_000;

/** Zeroes the listed features' bins of a stride-1 histogram (all of them when feats is null). */
function clearBins(hist: Float64Array, offsets: Int32Array, nF: number, feats: Int32Array | null, nActive: number): void {
  if (feats === null) hist.fill(0, 0, offsets[nF]!);
  else for (let a = 0; a < nActive; a++) hist.fill(0, offsets[feats[a]!]!, offsets[feats[a]! + 1]!);
}

/** Where a sparse node's rows are gathered before summing (addresses), and a row's bin bytes. */
interface GatherScratch {
  rows: number;
  packed: number;
  rowBytes: number;
}

/** How a node's rows are read: through the index, gathered first, or in place (rows from..to themselves). */
const READ = { index: 0, gather: 1, inPlace: 2 } as const;
type ReadMode = (typeof READ)[keyof typeof READ];

/**
 * Sums rows idx[from..to) of a node starting at nodeStart into hist. Gathered, the rows are first
 * copied to g (at their offset in the node, so threads use disjoint parts) and summed in place;
 * thread `slot`'s part is shifted by 8 bytes per slot: the gather's last word may spill past its
 * last row, and must not land on the next thread's first row. In place, from..to are the rows
 * themselves: a node holding every row sums the same exact integers in any order.
 */
function runKernel(
  k: TreeKernels,
  wide: boolean,
  idx: number,
  from: number,
  to: number,
  packed: number,
  bins: number,
  nF: number,
  hist: number,
  shift: number,
  feats: number,
  nActive: number,
  mode: ReadMode,
  g: GatherScratch,
  nodeStart: number,
  slot: number,
): void {
  if (to <= from || nActive === 0) return;
  if (mode === READ.inPlace) {
    if (feats === 0) (wide ? k.hist16Direct : k.hist8Direct)(0, from, to, packed, bins, nF, hist, shift);
    else (wide ? k.hist16SubsetDirect : k.hist8SubsetDirect)(0, from, to, packed, bins, nF, hist, shift, feats, nActive);
    return;
  }
  if (mode === READ.gather) {
    const lo = from - nodeStart;
    const rows = g.rows + slot * 8;
    k.gather(idx, from, to, bins, g.rowBytes, packed, rows + lo * g.rowBytes, g.packed + lo * 8);
    if (feats === 0) (wide ? k.hist16Direct : k.hist8Direct)(0, lo, lo + (to - from), g.packed, rows, nF, hist, shift);
    else (wide ? k.hist16SubsetDirect : k.hist8SubsetDirect)(0, lo, lo + (to - from), g.packed, rows, nF, hist, shift, feats, nActive);
    return;
  }
  if (feats === 0) (wide ? k.hist16 : k.hist8)(idx, from, to, packed, bins, nF, hist, shift);
  else (wide ? k.hist16Subset : k.hist8Subset)(idx, from, to, packed, bins, nF, hist, shift, feats, nActive);
}

/**
 * A histogram builder on the arena's kernels; starts `threads - 1` workers when threads > 1. Given
 * the fit's loss, its row passes compute gradients on the workers too.
 */
export async function arenaHistograms(data: BinnedData, arena: TreeArena, requested: number, loss: Loss | null = null): Promise<HistogramBuilder> {
  // The control block has a left-count slot per thread.
  const threads = Math.max(1, Math.min(256, requested));
  const nF = data.nFeatures;
  const total = data.offsets[nF]!;
  const wide = data.bins instanceof Uint16Array;
  const feats = arena.i32(Math.max(1, nF));
  const ctrl = arena.i32(C.size);
  let maxBins = 1;
  for (let j = 0; j < nF; j++) maxBins = Math.max(maxBins, data.nBins[j]!);
  const mask = arena.u8(maxBins);
  const scratch = arena.f64(2 + 2 * threads);
  const rowBytes = nF * (wide ? 2 : 1);
  const gather: GatherScratch = { rows: addr(arena.u8(data.rows * rowBytes + 8 * threads)), packed: addr(arena.f64(data.rows)), rowBytes };
  const k = arena.kernels;
  const partials: Float64Array[] = [];
  let workers: Worker[] = [];
  if (threads > 1) {
    const setups: ArenaWorkerSetup[] = [];
    for (let w = 0; w < threads - 1; w++) {
      const hist = arena.f64(total);
      partials.push(hist);
      const setup: ArenaWorkerSetup = {
        kind: 'arena-histogram',
        memory: arena.memory,
        bins: addr(data.bins),
        wide,
        rows: data.rows,
        nFeatures: nF,
        shift: data.shift,
        offsets: data.offsets,
        ctrl: addr(ctrl),
        scratch: addr(scratch),
        gather,
        hist: addr(hist),
        worker: w,
        threads,
        loss: loss ? { name: loss.name, options: loss.options } : null,
      };
      setups.push(setup);
    }
    try {
      workers = await startWorkers(workerUrl(import.meta.url, './worker.js'), setups);
    } catch {
      // Workers that cannot start (an unbuilt worker.js, say) leave the work to this thread.
    }
  }
  let failure: Error | null = null;
  for (const w of workers) w.on('error', (e) => (failure = e));
  // Leaf-sum partials, grown as trees with more leaves come.
  let partialBuf: Float64Array = new Float64Array(0);
  const partialSums = (size: number): Float64Array => {
    if (partialBuf.length < size) partialBuf = arena.f64(Math.max(size, 2 * partialBuf.length));
    return partialBuf;
  };
  const nThreads = workers.length + 1;
  // Leaf ranges of leaf-map jobs, grown as trees with more leaves come.
  let rangeBuf = arena.i32(3 * 64);
  let closed = false;

  /** Wakes the workers for the job described in ctrl and waits until they are all done. */
  const runWorkers = (mine: () => void): void => {
    Atomics.store(ctrl, C.done, 0);
    Atomics.add(ctrl, C.generation, 1);
    Atomics.notify(ctrl, C.generation);
    mine();
    for (;;) {
      const done = spinWhile(ctrl, C.done, (v) => v < nThreads - 1);
      if (done >= nThreads - 1) break;
      if (failure) throw failure;
      Atomics.wait(ctrl, C.done, done, 1000);
    }
  };

  return {
    threads: nThreads,
    newHistogram: (size: number) => arena.f64(size),
    quantize(grad, hess, idx, nRows, packed, seed) {
      if (closed || ![grad, hess, idx, packed].every((a) => arena.owns(a))) return null;
      const parallel = nThreads > 1 && nRows >= PARALLEL_MIN_PARTITION;
      const blocks = parallel ? nThreads : 1;
      const [g, h, ix, pk] = [addr(grad), addr(hess), addr(idx), addr(packed)];
      const slot = (b: number): number => addr(scratch) + (2 + 2 * b) * 8;
      const mine = (job: () => void): void => (parallel ? runWorkers(job) : job());
      if (parallel) {
        ctrl[C.job] = 2;
        ctrl[C.idx] = ix;
        ctrl[C.start] = 0;
        ctrl[C.end] = nRows;
        ctrl[C.grad] = g;
        ctrl[C.hess] = h;
      }
      mine(() => {
        const [s0, s1] = chunk(nRows, blocks, blocks - 1);
        k.quantMax(ix, s0, s1, g, h, slot(blocks - 1));
      });
      let gmax = 0;
      let hmax = 0;
      for (let b = 0; b < blocks; b++) {
        gmax = Math.max(gmax, scratch[2 + 2 * b]!);
        hmax = Math.max(hmax, scratch[3 + 2 * b]!);
      }
      const [gScale, hScale] = quantScales(gmax, hmax, nRows);
      scratch[0] = 1 / gScale;
      scratch[1] = 1 / hScale;
      if (parallel) {
        ctrl[C.job] = 3;
        ctrl[C.packed] = pk;
        ctrl[C.seed] = seed | 0;
      }
      mine(() => {
        const [s0, s1] = chunk(nRows, blocks, blocks - 1);
        scratch[2 + 2 * (blocks - 1)] = k.quantize(ix, s0, s1, g, h, pk, scratch[0]!, scratch[1]!, seed | 0);
      });
      // Block totals are exact integers: their sum does not depend on the blocks.
      let total = 0;
      for (let b = 0; b < blocks; b++) total += scratch[2 + 2 * b]!;
      return [gScale, hScale, total];
    },
    partition(idx, start, end, s, col, nv, tmp) {
      if (closed || !arena.owns(idx) || !arena.owns(col) || !arena.owns(tmp)) return -1;
      let maskAddr = 0;
      if (s.catLeft) {
        // Category bins past the split's mask go right, as in the grower's loop.
        mask.fill(0);
        mask.set(s.catLeft.subarray(0, Math.min(s.catLeft.length, maxBins)));
        maskAddr = addr(mask);
      }
      const part = col instanceof Uint8Array ? k.partition8 : k.partition16;
      const dl = s.defaultLeft ? 1 : 0;
      if (nThreads === 1 || end - start < PARALLEL_MIN_PARTITION) {
        const w = part(addr(idx), start, end, addr(col), s.bin, nv, dl, addr(tmp), maskAddr);
        idx.set(tmp.subarray(0, end - w), w);
        return w;
      }
      // Each thread partitions its block of rows: left rows stay at the block's start, right rows
      // go to tmp at the block's offset. Then the left runs close up and the right runs follow in
      // block order, which is exactly the serial stable partition.
      ctrl[C.job] = 1;
      ctrl[C.idx] = addr(idx);
      ctrl[C.start] = start;
      ctrl[C.end] = end;
      ctrl[C.col] = addr(col);
      ctrl[C.thr] = s.bin;
      ctrl[C.nv] = nv;
      ctrl[C.dl] = dl;
      ctrl[C.mask] = maskAddr;
      ctrl[C.tmp] = addr(tmp);
      runWorkers(() => {
        const [s0, s1] = chunk(end - start, nThreads, nThreads - 1);
        const w = part(addr(idx), start + s0, start + s1, addr(col), s.bin, nv, dl, addr(tmp) + s0 * 4, maskAddr);
        ctrl[C.left + nThreads - 1] = w - (start + s0);
      });
      let pos = start;
      for (let b = 0; b < nThreads; b++) {
        const [s0] = chunk(end - start, nThreads, b);
        const nLeft = ctrl[C.left + b]!;
        if (pos !== start + s0) idx.copyWithin(pos, start + s0, start + s0 + nLeft);
        pos += nLeft;
      }
      const mid = pos;
      for (let b = 0; b < nThreads; b++) {
        const [s0, s1] = chunk(end - start, nThreads, b);
        const nRight = s1 - s0 - ctrl[C.left + b]!;
        idx.set(tmp.subarray(s0, s0 + nRight), pos);
        pos += nRight;
      }
      return mid;
    },
    build(gs: GradientSet, idx: Uint32Array, start: number, end: number, features: Int32Array | null, nActive: number, hist: Float64Array): void {
      const packed = gs.packed;
      if (!packed || gs.nOut !== 1 || gs.classOf || !arena.owns(packed) || !arena.owns(idx) || !arena.owns(hist) || !arena.owns(data.bins)) {
        buildHistogram(data, gs, idx, start, end, features, nActive, hist);
        return;
      }
      if (closed) throw new Error('histogram workers are closed');
      const nA = features === null ? nF : nActive;
      let featAddr = 0;
      if (features !== null) {
        feats.set(features.subarray(0, nA));
        featAddr = addr(feats);
      }
      clearBins(hist, data.offsets, nF, features === null ? null : feats, nA);
      // A node of every row (a root grown on all rows) is read in place, without the index; nodes
      // of few rows are gathered first.
      const mode = end - start === data.rows ? READ.inPlace : (end - start) * GATHER_DENSITY < data.rows ? READ.gather : READ.index;
      if (nThreads === 1 || (end - start) * nA < PARALLEL_MIN_CELLS) {
        runKernel(k, wide, addr(idx), start, end, addr(packed), addr(data.bins), nF, addr(hist), data.shift, featAddr, nA, mode, gather, start, 0);
        return;
      }
      ctrl[C.job] = 0;
      ctrl[C.read] = mode;
      ctrl[C.idx] = addr(idx);
      ctrl[C.packed] = addr(packed);
      ctrl[C.feats] = featAddr;
      ctrl[C.nActive] = nA;
      ctrl[C.start] = start;
      ctrl[C.end] = end;
      runWorkers(() => {
        const [s0, s1] = chunk(end - start, nThreads, nThreads - 1);
        runKernel(k, wide, addr(idx), start + s0, start + s1, addr(packed), addr(data.bins), nF, addr(hist), data.shift, featAddr, nA, mode, gather, start, nThreads - 1);
      });
      for (const part of partials) {
        for (let a = 0; a < nA; a++) {
          const j = features === null ? a : feats[a]!;
          const e = data.offsets[j + 1]!;
          for (let b = data.offsets[j]!; b < e; b++) hist[b] += part[b]!;
        }
      }
    },
    leafMap(idx, nRows, ranges, nRanges, leafOf) {
      if (closed || nThreads === 1 || nRows < PARALLEL_MIN_PARTITION || !arena.owns(idx) || !arena.owns(leafOf)) return false;
      if (rangeBuf.length < ranges.length) rangeBuf = arena.i32(Math.max(ranges.length, 2 * rangeBuf.length));
      rangeBuf.set(ranges);
      ctrl[C.job] = 6;
      ctrl[C.idx] = addr(idx);
      ctrl[C.start] = 0;
      ctrl[C.end] = nRows;
      ctrl[C.leafOf] = addr(leafOf);
      ctrl[C.nLeaves] = nRanges;
      ctrl[C.partial] = addr(rangeBuf);
      runWorkers(() => {
        const [s0, s1] = chunk(nRows, nThreads, nThreads - 1);
        mapLeaves(idx, rangeBuf, nRanges, s0, s1, leafOf);
      });
      return true;
    },
    leafSums(leafOf, grad, hess, nLeaves, g, h) {
      const n = leafOf.length;
      const nBlocks = leafBlocks(n);
      if (closed || nThreads === 1 || nBlocks < 2 || ![leafOf, grad, hess].every((a) => arena.owns(a))) return false;
      const partial = partialSums(nBlocks * nLeaves * 2);
      ctrl[C.job] = 4;
      ctrl[C.start] = 0;
      ctrl[C.leafOf] = addr(leafOf);
      ctrl[C.grad] = addr(grad);
      ctrl[C.hess] = addr(hess);
      ctrl[C.end] = n;
      ctrl[C.nLeaves] = nLeaves;
      ctrl[C.partial] = addr(partial);
      runWorkers(() => {
        const [b0, b1] = chunk(nBlocks, nThreads, nThreads - 1);
        leafSumBlocks(leafOf, grad, hess, nLeaves, b0, b1, partial);
      });
      addLeafBlocks(partial, nBlocks, nLeaves, g, h);
      return true;
    },
    updateRows(a, c0, c1, gradients) {
      const n = a.y.length;
      const arrays = [a.raw, a.y, a.grad, a.hess, a.leafOf, a.values, ...(a.w ? [a.w] : [])];
      if (closed || nThreads === 1 || n < PARALLEL_MIN_PARTITION || (gradients && !loss) || !arrays.every((x) => arena.owns(x))) return false;
      ctrl[C.job] = 5;
      ctrl[C.start] = 0;
      ctrl[C.raw] = addr(a.raw);
      ctrl[C.y] = addr(a.y);
      ctrl[C.w] = a.w ? addr(a.w) : 0;
      ctrl[C.grad] = addr(a.grad);
      ctrl[C.hess] = addr(a.hess);
      ctrl[C.leafOf] = addr(a.leafOf);
      ctrl[C.values] = addr(a.values);
      ctrl[C.cap] = a.cap;
      ctrl[C.K] = a.K;
      ctrl[C.end] = n;
      ctrl[C.c0] = c0;
      ctrl[C.c1] = c1;
      ctrl[C.withGrad] = gradients ? 1 : 0;
      runWorkers(() => {
        const [s0, s1] = chunk(n, nThreads, nThreads - 1);
        updateRows(a, gradients ? loss : null, s0, s1, c0, c1);
      });
      return true;
    },
    async close() {
      if (closed) return;
      closed = true;
      if (workers.length === 0) return;
      Atomics.store(ctrl, C.stop, 1);
      Atomics.add(ctrl, C.generation, 1);
      Atomics.notify(ctrl, C.generation);
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}

/** The worker side: waits for a node, sums its block of rows into its own histogram, reports done. */
export function runArenaHistogramWorker(s: ArenaWorkerSetup, ready: () => void): void {
  const k = treeKernels(s.memory);
  if (k === null) throw new Error('wasm kernels are unavailable in this worker');
  const loss = s.loss ? createLoss(s.loss.name, s.loss.options) : null;
  const ctrl = new Int32Array(s.memory.buffer, s.ctrl, C.size);
  const hist = new Float64Array(s.memory.buffer, s.hist, s.offsets[s.nFeatures]!);
  // Read the generation before saying ready: the first node may be announced the moment after.
  let seen = Atomics.load(ctrl, C.generation);
  ready();
  for (;;) {
    if (spinWhile(ctrl, C.generation, (v) => v === seen) === seen) Atomics.wait(ctrl, C.generation, seen);
    seen = Atomics.load(ctrl, C.generation);
    if (Atomics.load(ctrl, C.stop) === 1) break;
    const start = ctrl[C.start]!;
    const end = ctrl[C.end]!;
    const [s0, s1] = chunk(end - start, s.threads, s.worker);
    const slot = s.scratch + (2 + 2 * s.worker) * 8;
    if (ctrl[C.job] === 4) runLeafSums(s, ctrl);
    else if (ctrl[C.job] === 6) runLeafMap(s, ctrl, start + s0, start + s1);
    else if (ctrl[C.job] === 5) runUpdateRows(s, ctrl, loss, s0, s1);
    else if (ctrl[C.job] === 2) k.quantMax(ctrl[C.idx]!, s0, s1, ctrl[C.grad]!, ctrl[C.hess]!, slot);
    else if (ctrl[C.job] === 3) {
      const f = new Float64Array(s.memory.buffer, s.scratch, 2 + 2 * s.threads);
      f[2 + 2 * s.worker] = k.quantize(ctrl[C.idx]!, s0, s1, ctrl[C.grad]!, ctrl[C.hess]!, ctrl[C.packed]!, f[0]!, f[1]!, ctrl[C.seed]!);
    } else if (ctrl[C.job] === 1) {
      const part = s.wide ? k.partition16 : k.partition8;
      const w = part(ctrl[C.idx]!, start + s0, start + s1, ctrl[C.col]!, ctrl[C.thr]!, ctrl[C.nv]!, ctrl[C.dl]!, ctrl[C.tmp]! + s0 * 4, ctrl[C.mask]!);
      ctrl[C.left + s.worker] = w - (start + s0);
    } else {
      const nA = ctrl[C.nActive]!;
      const featAddr = ctrl[C.feats]!;
      // Views made now see the memory as it has grown since the worker started.
      const feats = featAddr === 0 ? null : new Int32Array(s.memory.buffer, featAddr, nA);
      clearBins(hist, s.offsets, s.nFeatures, feats, nA);
      runKernel(k, s.wide, ctrl[C.idx]!, start + s0, start + s1, ctrl[C.packed]!, s.bins, s.nFeatures, s.hist, s.shift, featAddr, nA, ctrl[C.read] as ReadMode, s.gather, start, s.worker);
    }
    Atomics.add(ctrl, C.done, 1);
    Atomics.notify(ctrl, C.done);
  }
}

/** Addresses in the control block are unsigned (the memory may pass 2 GiB). */
const at = (ctrl: Int32Array, slot: number): number => ctrl[slot]! >>> 0;

/** A worker's share of a leaf-sum job: its run of blocks. */
function runLeafSums(s: ArenaWorkerSetup, ctrl: Int32Array): void {
  const buf = s.memory.buffer;
  const n = ctrl[C.end]!;
  const nLeaves = ctrl[C.nLeaves]!;
  const nBlocks = leafBlocks(n);
  const [b0, b1] = chunk(nBlocks, s.threads, s.worker);
  const partial = new Float64Array(buf, at(ctrl, C.partial), nBlocks * nLeaves * 2);
  leafSumBlocks(new Uint16Array(buf, at(ctrl, C.leafOf), n), new Float64Array(buf, at(ctrl, C.grad), n), new Float64Array(buf, at(ctrl, C.hess), n), nLeaves, b0, b1, partial);
}

/** A worker's share of a leaf-map job: index positions [p0, p1). */
function runLeafMap(s: ArenaWorkerSetup, ctrl: Int32Array, p0: number, p1: number): void {
  const buf = s.memory.buffer;
  const nRows = ctrl[C.end]!;
  const nRanges = ctrl[C.nLeaves]!;
  const leafOf = new Uint16Array(buf, at(ctrl, C.leafOf), s.rows);
  mapLeaves(new Uint32Array(buf, at(ctrl, C.idx), nRows), new Int32Array(buf, at(ctrl, C.partial), 3 * nRanges), nRanges, p0, p1, leafOf);
}

/** A worker's share of an update-rows job: rows [s0, s1). Views are made per job: the memory may have grown. */
function runUpdateRows(s: ArenaWorkerSetup, ctrl: Int32Array, loss: Loss | null, s0: number, s1: number): void {
  const buf = s.memory.buffer;
  const n = ctrl[C.end]!;
  const K = ctrl[C.K]!;
  const cap = ctrl[C.cap]!;
  const w = at(ctrl, C.w);
  const a: RoundArrays = {
    K,
    y: new Float64Array(buf, at(ctrl, C.y), n),
    w: w === 0 ? null : new Float64Array(buf, w, n),
    raw: new Float64Array(buf, at(ctrl, C.raw), n * K),
    grad: new Float64Array(buf, at(ctrl, C.grad), n * K),
    hess: new Float64Array(buf, at(ctrl, C.hess), n * K),
    leafOf: new Uint16Array(buf, at(ctrl, C.leafOf), n * K),
    values: new Float64Array(buf, at(ctrl, C.values), cap * K),
    cap,
  };
  updateRows(a, ctrl[C.withGrad] === 1 ? loss : null, s0, s1, ctrl[C.c0]!, ctrl[C.c1]!);
}
