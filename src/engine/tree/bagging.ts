// The random-forest trainer (bagging): bins the data once, grows every tree from its own
// bootstrap sample (bagged-tree.ts), in worker threads when the data is large enough, adds them to
// the forest in tree order and scores each tree on the rows it left out (the out-of-bag score).
// The forest does not depend on the thread count.

import { binMatrix, fitBinMapper } from './binning.js';
import { contextFromBinned, growBaggedTree, type BaggingParams } from './bagged-tree.js';
import { baggingWorkers, type TreeSource } from './bagging-workers.js';
import { ForestBuilder, singleTreeForest, type Forest, type TreeNodes } from './forest.js';
import { shareBinned } from './parallel.js';
import { predictRaw } from './predictor.js';
import { PARALLEL_MIN_CELLS, TrainingAborted, yieldToEventLoop, type TrainData, type TrainHooks } from './training.js';

export interface BaggingResult {
  /** Sum of the trees' outputs; divide by the tree count for the average. */
  forest: Forest;
  /** Out-of-bag accuracy (classification) or R^2 (regression), when bootstrapping left rows out. */
  oobScore: number | null;
  /** Share of rows that were out of bag for at least one tree. */
  oobCoverage: number;
  /** Threads the trees grew on (the forest does not depend on it). */
  threads: number;
}

/** Grows a random forest (nClasses 0: regression); `threads` only changes how fast. */
export async function trainRandomForest(data: TrainData, nClasses: number, p: BaggingParams, hooks: TrainHooks = {}, threads = 1): Promise<BaggingResult> {
  const mapper = fitBinMapper(data.columns, data.categorical, data.cardinality, p.maxBin, p.seed);
  const n = data.y.length;
  const parallel = threads > 1 && p.nEstimators > 1 && n * data.columns.length >= PARALLEL_MIN_CELLS / 4;
  const binned = parallel ? shareBinned(binMatrix(mapper, data.columns)) : binMatrix(mapper, data.columns);
  const K = nClasses > 0 ? nClasses : 1;
  const serial = (): TreeSource => {
    const ctx = contextFromBinned(binned, data.y, data.weight, nClasses, p);
    return { threads: 1, next: async (t) => growBaggedTree(ctx, t), close: async () => {} };
  };
  // Workers that cannot start leave us in this thread: the same forest, grown more slowly.
  const source: TreeSource = parallel ? await baggingWorkers(binned, data.y, data.weight, nClasses, p, threads).catch(serial) : serial();
  const builder = new ForestBuilder(K, K);
  const oobSum = new Float64Array(n * K);
  const oobCount = new Uint32Array(n);
  try {
    // Keep every worker busy: ask for trees ahead, consume them strictly in order.
    const ahead = threads * 2;
    const queue: Promise<{ nodes: TreeNodes; oob: Uint32Array }>[] = [];
    let asked = 0;
    for (let t = 0; t < p.nEstimators; t++) {
      if (hooks.signal?.aborted) throw new TrainingAborted();
      while (asked < p.nEstimators && asked < t + ahead) queue.push(source.next(asked++));
      const { nodes, oob } = await queue.shift()!;
      builder.addTree(nodes, -1);
      if (p.computeOob && oob.length > 0) {
        predictRaw(singleTreeForest(nodes, K, K, -1), data.columns, 0, 1, oobSum, oob);
        for (let i = 0; i < oob.length; i++) oobCount[oob[i]!]++;
      }
      hooks.onIteration?.({ iteration: t + 1, total: p.nEstimators });
      await yieldToEventLoop();
    }
  } finally {
    await source.close();
  }
  const { score, coverage } = oobScore(data.y, nClasses, oobSum, oobCount);
  return { forest: builder.finish(), oobScore: score, oobCoverage: coverage, threads: source.threads };
}

/** Accuracy or R^2 of the out-of-bag averages over rows that had any. */
export function oobScore(y: Float64Array, nClasses: number, sum: Float64Array, count: Uint32Array): { score: number | null; coverage: number } {
  const n = y.length;
  const K = nClasses > 0 ? nClasses : 1;
  let m = 0;
  let correct = 0;
  let mean = 0;
  for (let i = 0; i < n; i++) if (count[i]! > 0) {
    m++;
    mean += y[i]!;
  }
  if (m === 0) return { score: null, coverage: 0 };
  mean /= m;
  let ssRes = 0;
  let ssTot = 0;
  for (let i = 0; i < n; i++) {
    const c = count[i]!;
    if (c === 0) continue;
    if (nClasses > 0) {
      let best = 0;
      for (let k = 1; k < K; k++) if (sum[i * K + k]! > sum[i * K + best]!) best = k;
      if (best === y[i]) correct++;
    } else {
      const pred = sum[i]! / c;
      ssRes += (y[i]! - pred) ** 2;
      ssTot += (y[i]! - mean) ** 2;
    }
  }
  const score = nClasses > 0 ? correct / m : ssTot > 0 ? 1 - ssRes / ssTot : 0;
  return { score, coverage: m / n };
}
