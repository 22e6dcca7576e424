// Random forests (and the single decision tree) on the shared grower: each tree is one squared-error
// step on one-hot class indicators (whose variance reduction is exactly the Gini decrease) or on the
// regression target, with bootstrap counts as row weights and features drawn per node.

import { Rng } from '../random.js';
import { binMatrix, fitBinMapper, type BinnedData } from './binning.js';
import { PARALLEL_MIN_CELLS, singleTreeForest, TrainingAborted, yieldToEventLoop, type TrainData, type TrainHooks } from './boosting.js';
import { forestWorkers, shareBinned } from './parallel.js';
import { TreeGrower } from './grower.js';
import { ForestBuilder, predictRaw, type Forest, type TreeNodes } from './predictor.js';

export interface ForestParams {
  nEstimators: number;
  /** 0 = unlimited. */
  maxDepth: number;
  /** 0 = unlimited. */
  maxLeaves: number;
  minSamplesLeaf: number;
  minSamplesSplit: number;
  /** Features drawn per node; 0 = all. */
  maxFeatures: number;
  bootstrap: boolean;
  /** Bootstrap draws as a fraction of the rows. */
  maxSamples: number;
  /** Minimum weighted impurity decrease per split, normalised by the total weight as scikit-learn does. */
  minImpurityDecrease: number;
  maxBin: number;
  seed: number;
  maxCatToOnehot: number;
  maxCatThreshold: number;
  /** Predict each tree's out-of-bag rows for the OOB score (costs a prediction pass per tree). */
  computeOob: boolean;
}

export interface ForestResult {
  /** Sum of the trees' outputs; divide by the tree count for the average. */
  forest: Forest;
  /** Out-of-bag accuracy (classification) or R^2 (regression), when bootstrapping left rows out. */
  oobScore: number | null;
  /** Share of rows that were out of bag for at least one tree. */
  oobCoverage: number;
  /** Threads the trees grew on (the forest does not depend on it). */
  threads: number;
}

/** Seed of tree t: independent of the order trees are grown in, so parallel runs give the same forest. */
function treeSeed(seed: number, t: number): number {
  return (Math.imul(seed >>> 0, 0x01000193) ^ Math.imul(t + 1, 0x9e3779b1)) >>> 0;
}

/** Everything one tree needs; kept apart so a worker can build the same state and grow any tree. */
export interface ForestContext {
  readonly binned: BinnedData;
  readonly grower: TreeGrower;
  readonly nOut: number;
  readonly y: Float64Array;
  readonly weight: Float64Array | null;
  readonly classOf: Int32Array | null;
  readonly p: ForestParams;
  readonly hess: Float64Array;
  readonly grad: Float64Array;
  readonly idx: Uint32Array;
  readonly counts: Uint32Array;
}

/** The per-tree state over already binned data (what a forest worker rebuilds from shared memory). */
export function contextFromBinned(binned: BinnedData, y: Float64Array, weight: Float64Array | null, nClasses: number, p: ForestParams): ForestContext {
  const n = y.length;
  const nOut = nClasses > 0 ? nClasses : 1;
  let totalW = 0;
  for (let i = 0; i < n; i++) totalW += weight ? weight[i]! : 1;
  const grower = new TreeGrower(binned, nOut, {
    lambda: 0,
    alpha: 0,
    // Gains are half the weighted squared-error decrease; scikit-learn normalises by the total weight.
    gamma: 0.5 * p.minImpurityDecrease * totalW,
    minChildWeight: 0,
    minSamplesLeaf: p.minSamplesLeaf,
    maxCatToOnehot: p.maxCatToOnehot,
    maxCatThreshold: p.maxCatThreshold,
    catSmooth: 0,
    maxDepth: p.maxDepth,
    maxLeaves: p.maxLeaves,
    lossguide: p.maxLeaves > 0,
    minSamplesSplit: p.minSamplesSplit,
    learningRate: 1,
    maxFeatures: p.maxFeatures,
  });
  const classOf = nClasses > 0 ? Int32Array.from(y) : null;
  return {
    binned,
    grower,
    nOut,
    y,
    weight,
    classOf,
    p,
    hess: new Float64Array(n),
    grad: new Float64Array(nClasses > 0 ? 0 : n),
    idx: new Uint32Array(n),
    counts: new Uint32Array(n),
  };
}

/** Grows tree t; returns its nodes and the out-of-bag rows (rows no bootstrap draw picked). */
export function growForestTree(ctx: ForestContext, t: number): { nodes: TreeNodes; oob: Uint32Array } {
  const { p, hess, grad, idx, counts, y, weight, classOf } = ctx;
  const n = y.length;
  const rng = new Rng(treeSeed(p.seed, t));
  if (p.bootstrap) {
    counts.fill(0);
    const draws = Math.max(1, Math.round(p.maxSamples * n));
    for (let d = 0; d < draws; d++) counts[rng.int(n)]++;
  } else counts.fill(1);
  let m = 0;
  let nOob = 0;
  for (let i = 0; i < n; i++) if (counts[i] === 0) nOob++;
  const oob = new Uint32Array(nOob);
  nOob = 0;
  for (let i = 0; i < n; i++) {
    const c = counts[i]!;
    if (c === 0) {
      oob[nOob++] = i;
      hess[i] = 0;
      continue;
    }
    idx[m++] = i;
    const wi = c * (weight ? weight[i]! : 1);
    hess[i] = wi;
    if (!classOf) grad[i] = -wi * y[i]!;
  }
  const grown = ctx.grower.grow({ nOut: ctx.nOut, grad, hess, classOf }, idx, m, null, 0, rng);
  return { nodes: grown.nodes, oob };
}

/** Grows trees in worker threads; results come back in any order and are used in tree order. */
export interface TreeSource {
  /** Threads growing trees (1: this one). */
  readonly threads: number;
  next(t: number): Promise<{ nodes: TreeNodes; oob: Uint32Array }>;
  close(): Promise<void>;
}

export async function trainForest(data: TrainData, nClasses: number, p: ForestParams, hooks: TrainHooks = {}, threads = 1): Promise<ForestResult> {
  const mapper = fitBinMapper(data.columns, data.categorical, data.cardinality, p.maxBin, p.seed);
  const n = data.y.length;
  const parallel = threads > 1 && p.nEstimators > 1 && n * data.columns.length >= PARALLEL_MIN_CELLS / 4;
  const binned = parallel ? shareBinned(binMatrix(mapper, data.columns)) : binMatrix(mapper, data.columns);
  const K = nClasses > 0 ? nClasses : 1;
  const serial = (): TreeSource => {
    const ctx = contextFromBinned(binned, data.y, data.weight, nClasses, p);
    return { threads: 1, next: async (t) => growForestTree(ctx, t), close: async () => {} };
  };
  // Workers that cannot start leave us in this thread: the same forest, grown more slowly.
  const source: TreeSource = parallel ? await forestWorkers(binned, data.y, data.weight, nClasses, p, threads).catch(serial) : serial();
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
