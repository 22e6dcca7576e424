// Data-parallel gradients for the network: each optimiser step's batch is cut into contiguous
// shards, one per thread; worker threads hold replicas of the network (own wasm memory), read the
// training rows from shared memory, and return their shard's gradient, which the calling thread
// combines (weighted by shard size) with its own before the optimiser step. Synchronisation is a
// shared control block with Atomics.wait/notify, so a step costs no message passing. Results
// depend on n_jobs only through the order gradients are summed in and the dropout streams.

import { workerUrl } from '../worker-url.js';
import { startWorkers } from '../workers.js';
import type { Network, NetworkSpec } from './network.js';

/** Control block slots (Int32Array over a SharedArrayBuffer). */
export const NN_CTRL = { generation: 0, done: 1, start: 2, rows: 3, stop: 4, size: 8 } as const;

export interface NnWorkerSetup {
  spec: NetworkSpec;
  maxRows: number;
  seed: number;
  /** This worker's shard index (the calling thread takes the last shard). */
  shard: number;
  threads: number;
  inputs: number;
  xs: SharedArrayBuffer;
  ys: SharedArrayBuffer;
  ws: SharedArrayBuffer | null;
  order: SharedArrayBuffer;
  params: SharedArrayBuffer;
  grads: SharedArrayBuffer;
  losses: SharedArrayBuffer;
  l2: number;
  ctrl: SharedArrayBuffer;
}

/** Rows [from, to) of a batch of `rows` that shard s of `threads` takes. */
export function shardRange(rows: number, threads: number, s: number): [number, number] {
  const base = Math.floor(rows / threads);
  const extra = rows % threads;
  const from = s * base + Math.min(s, extra);
  return [from, from + base + (s < extra ? 1 : 0)];
}

/** Copies batch rows order[start + from .. start + to) into the network's input, targets and weights. */
export function loadShard(net: Network, xs: Float32Array, K: number, ys: Float64Array, ws: Float64Array | null, order: Int32Array, start: number, from: number, to: number, yb: Float64Array, wb: Float64Array | null): void {
  const f = net.gemm.f32;
  for (let r = 0; r < to - from; r++) {
    const i = order[start + from + r]!;
    const src = i * K;
    const dst = net.X + r * K;
    for (let k = 0; k < K; k++) f[dst + k] = xs[src + k]!;
    yb[r] = ys[i]!;
    if (wb) wb[r] = ws![i]!;
  }
}

export interface GradientPool {
  /**
   * Forward and backward over batch rows order[start .. start + rows) across all threads; leaves
   * the combined gradient of the batch's weighted mean loss in `net`'s gradient block and returns
   * the weighted loss sum.
   */
  step(start: number, rows: number): number;
  close(): Promise<void>;
}

export async function startGradientPool(
  net: Network,
  data: { xs: Float32Array; ys: Float64Array; ws: Float64Array | null; order: Int32Array },
  options: { threads: number; batch: number; seed: number; l2: number },
): Promise<GradientPool> {
  const T = options.threads;
  const K = net.spec.inputs;
  const P = net.paramCount;
  const shared = <A extends Float32Array | Float64Array | Int32Array>(a: A): SharedArrayBuffer => {
    if (a.buffer instanceof SharedArrayBuffer) return a.buffer;
    throw new Error('parallel gradients need the training data in shared memory');
  };
  const params = new Float32Array(new SharedArrayBuffer(P * 4));
  const grads = new Float32Array(new SharedArrayBuffer(Math.max(1, (T - 1) * P) * 4));
  const losses = new Float64Array(new SharedArrayBuffer(T * 8));
  const ctrl = new Int32Array(new SharedArrayBuffer(NN_CTRL.size * 4));
  const maxRows = Math.ceil(options.batch / T);
  const setups: NnWorkerSetup[] = [];
  for (let s = 0; s < T - 1; s++) {
    setups.push({
      spec: net.spec,
      maxRows,
      seed: options.seed + 1 + s,
      shard: s,
      threads: T,
      inputs: K,
      xs: shared(data.xs),
      ys: shared(data.ys),
      ws: data.ws ? shared(data.ws) : null,
      order: shared(data.order),
      params: params.buffer as SharedArrayBuffer,
      grads: grads.buffer as SharedArrayBuffer,
      losses: losses.buffer as SharedArrayBuffer,
      l2: options.l2,
      ctrl: ctrl.buffer as SharedArrayBuffer,
    });
  }
  const workers = await startWorkers(workerUrl(import.meta.url, './worker.js'), setups);
  let failure: Error | null = null;
  for (const w of workers) w.on('error', (e) => (failure = e));
  const yb = new Float64Array(maxRows);
  const wb = data.ws ? new Float64Array(maxRows) : null;
  const shardWeight = (start: number, from: number, to: number): number => {
    if (!data.ws) return to - from;
    let s = 0;
    for (let r = from; r < to; r++) s += data.ws[data.order[start + r]!]!;
    return s;
  };

  return {
    step(start: number, rows: number): number {
      params.set(net.paramView());
      Atomics.store(ctrl, NN_CTRL.start, start);
      Atomics.store(ctrl, NN_CTRL.rows, rows);
      Atomics.store(ctrl, NN_CTRL.done, 0);
      Atomics.add(ctrl, NN_CTRL.generation, 1);
      Atomics.notify(ctrl, NN_CTRL.generation);
      // This thread's shard meanwhile.
      const [from, to] = shardRange(rows, T, T - 1);
      let loss = 0;
      if (to > from) {
        loadShard(net, data.xs, K, data.ys, data.ws, data.order, start, from, to, yb, wb);
        net.forward(to - from, true);
        loss = net.backward(to - from, yb, 0, wb, options.l2);
      } else net.gradView().fill(0);
      for (;;) {
        const d = Atomics.load(ctrl, NN_CTRL.done);
        if (d >= T - 1) break;
        if (failure) throw failure;
        Atomics.wait(ctrl, NN_CTRL.done, d, 1000);
      }
      // Each shard's gradient is of its own weighted mean: combine by shard weight.
      const weights = Array.from({ length: T }, (_, s) => {
        const [a, b] = shardRange(rows, T, s);
        return shardWeight(start, a, b);
      });
      const total = weights.reduce((x, y) => x + y, 0);
      const g = net.gradView();
      const own = total > 0 ? weights[T - 1]! / total : 0;
      for (let i = 0; i < P; i++) g[i] = g[i]! * own;
      for (let s = 0; s < T - 1; s++) {
        const c = total > 0 ? weights[s]! / total : 0;
        loss += losses[s]!;
        if (c === 0) continue;
        const o = s * P;
        for (let i = 0; i < P; i++) g[i] = g[i]! + c * grads[o + i]!;
      }
      return loss;
    },
    async close(): Promise<void> {
      Atomics.store(ctrl, NN_CTRL.stop, 1);
      Atomics.add(ctrl, NN_CTRL.generation, 1);
      Atomics.notify(ctrl, NN_CTRL.generation);
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}
