// One tree of a random forest (or the single decision tree) on the shared grower: a bootstrap
// sample drawn from the tree's own seed, then one squared-error step on one-hot class indicators
// (whose variance reduction is exactly the Gini decrease) or on the regression target, with the
// bootstrap counts as row weights and features drawn per node. A tree depends only on its index,
// so the trainer and its worker threads (bagging-workers.ts) grow the same trees.

import { Rng } from '../random.js';
import type { BinnedData } from './binning.js';
import type { TreeNodes } from './forest.js';
import { TreeGrower } from './grower.js';

export interface BaggingParams {
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

/** Seed of tree t: independent of the order trees are grown in, so parallel runs give the same forest. */
function treeSeed(seed: number, t: number): number {
  return (Math.imul(seed >>> 0, 0x01000193) ^ Math.imul(t + 1, 0x9e3779b1)) >>> 0;
}

/** Everything one tree needs; kept apart so a worker can build the same state and grow any tree. */
export interface BaggedTreeContext {
  readonly binned: BinnedData;
  readonly grower: TreeGrower;
  readonly nOut: number;
  readonly y: Float64Array;
  readonly weight: Float64Array | null;
  readonly classOf: Int32Array | null;
  readonly p: BaggingParams;
  readonly hess: Float64Array;
  readonly grad: Float64Array;
  readonly idx: Uint32Array;
  readonly counts: Uint32Array;
}

/** The per-tree state over already binned data (what a forest worker rebuilds from shared memory). */
export function contextFromBinned(binned: BinnedData, y: Float64Array, weight: Float64Array | null, nClasses: number, p: BaggingParams): BaggedTreeContext {
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
export function growBaggedTree(ctx: BaggedTreeContext, t: number): { nodes: TreeNodes; oob: Uint32Array } {
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
