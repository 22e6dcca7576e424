// The gradient boosting loop: bin once, then per round grow one tree per raw output column on a
// row/feature sample, and add the round's leaves to the raw scores through each tree's row -> leaf
// map (no re-prediction of training rows) in one pass that also computes the next gradients
// (round-rows.ts, split across the arena's threads). Early stopping watches the validation metric.

import type { Loss } from '../loss/loss.js';
import { Rng } from '../random.js';
import { TreeArena } from './arena.js';
import { arenaHistograms } from './arena-histograms.js';
import { binMatrix, binnedBytes, fitBinMapper, type BinMapper, type BinnedData } from './binning.js';
import { parallelHistograms, serialHistograms, shareBinned, sharedFloat64, sharedUint32, type HistogramBuilder } from './parallel.js';
import { TreeGrower } from './grower.js';
import { NO_LEAF, updateRows, type RoundArrays } from './round-rows.js';
import { ForestBuilder, singleTreeForest, type Forest } from './forest.js';
import { predictRaw } from './predictor.js';
import { quantize } from './quantize.js';
import { PARALLEL_MIN_CELLS, TrainingAborted, yieldToEventLoop, type TrainData, type TrainHooks } from './training.js';

export interface BoostParams {
  nEstimators: number;
  learningRate: number;
  maxDepth: number;
  maxLeaves: number;
  lossguide: boolean;
  minChildWeight: number;
  minSamplesLeaf: number;
  lambda: number;
  alpha: number;
  gamma: number;
  subsample: number;
  colsampleBytree: number;
  maxBin: number;
  seed: number;
  /** 0 = off. */
  earlyStoppingRounds: number;
  maxCatToOnehot: number;
  maxCatThreshold: number;
  catSmooth: number;
  /** Grow on gradients quantized to a few levels (LightGBM 4's trick); leaf values stay exact. */
  quantized: boolean;
  /** Starting raw score per output column; default: the loss fits it to the targets. */
  baseScore?: Float64Array;
  /** Threads for histogram building (1 = this thread only); the model is identical for any value. */
  threads: number;
  /**
   * Quantized fits run the wasm kernels when the runtime has shared wasm memory (default); false
   * forces the JavaScript loops, which grow the very same model (tests compare the two).
   */
  wasmKernels?: boolean;
}

export interface BoostResult {
  forest: Forest;
  baseScore: Float64Array;
  /** Rounds grown. */
  iterations: number;
  /** Rounds to use at prediction: the best validation round under early stopping, else all. */
  bestIteration: number;
  bestScore: number | null;
  /** The metric on the training rows after the last round grown. */
  finalTrain: number;
  validationHistory: number[];
  /** Threads the fit ran on (the model does not depend on it). */
  threads: number;
}

export async function trainBoosting(data: TrainData, loss: Loss, p: BoostParams, hooks: TrainHooks = {}, validation?: TrainData): Promise<BoostResult> {
  const K = loss.nOut;
  const mapper = fitBinMapper(data.columns, data.categorical, data.cardinality, p.maxBin, p.seed);
  const { binned, histograms, buffers } = await setUp(data, mapper, K, p, loss);
  try {
    return await boost(data, loss, p, hooks, validation, binned, histograms, buffers);
  } finally {
    await histograms.close();
  }
}

/**
 * Bins the data and allocates the fit's buffers where its histogram builder reads them. Quantized
 * fits run the wasm kernels on one shared memory (its rows split across threads); without wasm
 * threads, or with exact gradients, the JavaScript builders take over (feature-split workers).
 */
async function setUp(
  data: TrainData,
  mapper: BinMapper,
  K: number,
  p: BoostParams,
  loss: Loss,
): Promise<{ binned: BinnedData; histograms: HistogramBuilder; buffers: Buffers }> {
  const { columns } = data;
  const n = data.y.length;
  const nF = columns.length;
  const big = n * nF >= PARALLEL_MIN_CELLS;
  const cap = leafCapacity(p);
  // The arena starts at the binned data's size and grows as the fit allocates.
  const arena = p.quantized && p.wasmKernels !== false ? TreeArena.create(binnedBytes(mapper, n)) : null;
  if (arena) {
    const binned = binMatrix(mapper, columns, arena);
    // Everything a kernel or a worker's row pass reads lives in the arena too.
    const copy = (a: Float64Array): Float64Array => {
      const c = arena.f64(a.length);
      c.set(a);
      return c;
    };
    const round: RoundArrays = {
      K,
      y: copy(data.y),
      w: data.weight ? copy(data.weight) : null,
      raw: arena.f64(n * K),
      grad: arena.f64(n * K),
      hess: arena.f64(n * K),
      leafOf: arena.u16(n * K),
      values: arena.f64(K * cap),
      cap,
    };
    const buffers: Buffers = { round, gk: null, hk: null, idx: arena.u32(n), packed: arena.f64(n) };
    return { binned, histograms: await arenaHistograms(binned, arena, big ? p.threads : 1, loss), buffers };
  }
  const parallel = p.threads > 1 && big;
  const binned = parallel ? shareBinned(binMatrix(mapper, columns)) : binMatrix(mapper, columns);
  const f64 = parallel ? sharedFloat64 : (m: number) => new Float64Array(m);
  const round: RoundArrays = {
    K,
    y: data.y,
    w: data.weight,
    raw: new Float64Array(n * K),
    grad: K > 1 ? new Float64Array(n * K) : f64(n),
    hess: K > 1 ? new Float64Array(n * K) : f64(n),
    leafOf: new Uint16Array(n * K),
    values: new Float64Array(K * cap),
    cap,
  };
  const buffers: Buffers = {
    round,
    // The feature-split workers read one output's gradients from fixed shared buffers.
    gk: K > 1 ? f64(n) : null,
    hk: K > 1 ? f64(n) : null,
    idx: parallel ? sharedUint32(n) : new Uint32Array(n),
    packed: p.quantized ? f64(n) : null,
  };
  let histograms: HistogramBuilder = serialHistograms(binned);
  if (parallel) {
    // Workers that cannot start (say, an unbuilt worker.js) leave us in this thread: same model, slower.
    const gs = { nOut: 1, grad: buffers.gk ?? round.grad, hess: buffers.hk ?? round.hess, classOf: null, packed: buffers.packed };
    histograms = await parallelHistograms(binned, gs, buffers.idx, p.threads).catch(() => histograms);
  }
  return { binned, histograms, buffers };
}

/** Most leaves a tree of these params can have, capped where row -> leaf maps stop (NO_LEAF). */
function leafCapacity(p: BoostParams): number {
  let cap = NO_LEAF;
  if (p.maxLeaves > 0) cap = Math.min(cap, p.maxLeaves);
  if (p.maxDepth > 0 && p.maxDepth < 16) cap = Math.min(cap, 2 ** p.maxDepth);
  return cap;
}

interface Buffers {
  /** Scores, targets, class-major gradients, this round's leaf maps and values. */
  round: RoundArrays;
  /** One output's gradients for builders that read fixed buffers (null: views of round.grad). */
  gk: Float64Array | null;
  hk: Float64Array | null;
  idx: Uint32Array;
  packed: Float64Array | null;
}

async function boost(
  data: TrainData,
  loss: Loss,
  p: BoostParams,
  hooks: TrainHooks,
  validation: TrainData | undefined,
  binned: BinnedData,
  histograms: HistogramBuilder,
  { round, gk, hk, idx, packed }: Buffers,
): Promise<BoostResult> {
  const n = data.y.length;
  const nF = data.columns.length;
  const K = loss.nOut;
  const grower = new TreeGrower(binned, 1, {
    lambda: p.lambda,
    alpha: p.alpha,
    gamma: p.gamma,
    minChildWeight: p.minChildWeight,
    minSamplesLeaf: p.minSamplesLeaf,
    maxCatToOnehot: p.maxCatToOnehot,
    maxCatThreshold: p.maxCatThreshold,
    catSmooth: p.catSmooth,
    maxDepth: p.maxDepth,
    maxLeaves: p.maxLeaves,
    lossguide: p.lossguide,
    minSamplesSplit: 2,
    learningRate: p.learningRate,
    maxFeatures: 0,
  }, histograms);
  const rng = new Rng(p.seed);
  const { raw, grad, hess, leafOf, values, cap } = round;
  if (p.baseScore && p.baseScore.length !== K) throw new RangeError(`trainBoosting: baseScore has ${p.baseScore.length} values for ${K} output columns`);
  const base = p.baseScore ? Float64Array.from(p.baseScore) : loss.baseScore(data.y, data.weight);
  for (let i = 0; i < n; i++) for (let k = 0; k < K; k++) raw[i * K + k] = base[k]!;
  const nv = validation ? validation.y.length : 0;
  const rawV = new Float64Array(nv * K);
  for (let i = 0; i < nv; i++) for (let k = 0; k < K; k++) rawV[i * K + k] = base[k]!;
  const sample = new Uint32Array(n);
  const outOfSample = new Uint32Array(n);
  const featureAll = new Int32Array(nF);
  for (let j = 0; j < nF; j++) featureAll[j] = j;
  const nCol = p.colsampleBytree < 1 ? Math.max(1, Math.round(p.colsampleBytree * nF)) : nF;
  const features = nCol < nF ? new Int32Array(nCol) : null;
  const builder = new ForestBuilder(1, K);
  const validationHistory: number[] = [];
  let bestScore = Infinity;
  let bestIteration = 0;
  let iterations = 0;

  /** Adds this round's leaves of outputs [c0, c1) to the scores, then (if asked) the next gradients. */
  const rowPass = (c0: number, c1: number, gradients: boolean): void => {
    if (!histograms.updateRows?.(round, c0, c1, gradients)) updateRows(round, gradients ? loss : null, 0, n, c0, c1);
  };
  rowPass(0, 0, true);

  for (let it = 0; it < p.nEstimators; it++) {
    if (hooks.signal?.aborted) throw new TrainingAborted();
    // Row subsample (Bernoulli, as XGBoost) kept in ascending order for sequential histogram reads.
    let nS = n;
    let nOut = 0;
    if (p.subsample < 1) {
      nS = 0;
      for (let i = 0; i < n; i++) {
        if (rng.next() < p.subsample) {
          sample[nS++] = i;
        } else {
          outOfSample[nOut++] = i;
        }
      }
    } else if (it === 0) for (let i = 0; i < n; i++) sample[i] = i;
    if (features) {
      for (let j = 0; j < nF; j++) featureAll[j] = j;
      for (let a = 0; a < nCol; a++) {
        const b = a + rng.int(nF - a);
        const t = featureAll[a]!;
        featureAll[a] = featureAll[b]!;
        featureAll[b] = t;
      }
      features.set(featureAll.subarray(0, nCol));
      features.sort();
    }
    for (let k = 0; k < K; k++) {
      // Output k's gradients are one contiguous run (class-major); some builders want a copy.
      let g = grad.subarray(k * n, (k + 1) * n);
      let h = hess.subarray(k * n, (k + 1) * n);
      if (gk && hk) {
        gk.set(g);
        hk.set(h);
        g = gk;
        h = hk;
      }
      idx.set(sample.subarray(0, nS));
      let gScale = 1;
      let hScale = 1;
      let packedTotal: number | undefined;
      if (packed) {
        const seed = rng.nextU32();
        [gScale, hScale, packedTotal] = histograms.quantize?.(g, h, idx, nS, packed, seed) ?? quantize(g, h, idx, nS, packed, seed);
      }
      const leafOfK = leafOf.subarray(k * n, (k + 1) * n);
      const grown = grower.grow({ nOut: 1, grad: g, hess: h, classOf: null, packed, gScale, hScale, packedTotal }, idx, nS, features, nCol, null, leafOfK);
      const nodes = grown.nodes.value;
      if (loss.leafValue) {
        // Scores are not updated before the round ends: the refit sees the scores the tree grew on.
        for (let l = 0; l < grown.nLeaves; l++) {
          const node = grown.leafNode[l]!;
          nodes[node] = loss.leafValue(idx, grown.leafStart[l]!, grown.leafEnd[l]!, data.y, raw, data.weight) * p.learningRate;
        }
      }
      if (grown.leafOf) {
        for (let l = 0; l < grown.nLeaves; l++) values[k * cap + l] = nodes[grown.leafNode[l]!]!;
      } else {
        // No row -> leaf map (exact gradients, or too many leaves): add the leaves through their row ranges now.
        leafOfK.fill(NO_LEAF);
        for (let l = 0; l < grown.nLeaves; l++) {
          const v = nodes[grown.leafNode[l]!]!;
          const e = grown.leafEnd[l]!;
          for (let i = grown.leafStart[l]!; i < e; i++) raw[idx[i]! * K + k] += v;
        }
      }
      builder.addTree(grown.nodes, k);
      if (nOut > 0 || nv > 0) {
        const one = singleTreeForest(grown.nodes, 1, K, k);
        if (nOut > 0) predictRaw(one, data.columns, 0, 1, raw, outOfSample.subarray(0, nOut));
        if (nv > 0) predictRaw(one, validation!.columns, 0, 1, rawV);
      }
    }
    // The round's leaves join the scores in one pass, which also computes the next round's gradients.
    rowPass(0, K, it + 1 < p.nEstimators);
    iterations = it + 1;
    let validMetric: number | undefined;
    if (nv > 0) {
      validMetric = loss.evalMetric(validation!.y, rawV, validation!.weight);
      validationHistory.push(validMetric);
      if (validMetric < bestScore) {
        bestScore = validMetric;
        bestIteration = iterations;
      }
    }
    if (hooks.onIteration) {
      let train: number | undefined;
      hooks.onIteration({
        iteration: iterations,
        total: p.nEstimators,
        get train() {
          return (train ??= loss.evalMetric(data.y, raw, data.weight));
        },
        validation: validMetric,
      });
    }
    if (p.earlyStoppingRounds > 0 && nv > 0 && iterations - bestIteration >= p.earlyStoppingRounds) break;
    await yieldToEventLoop();
  }
  const useBest = p.earlyStoppingRounds > 0 && nv > 0;
  return {
    forest: builder.finish(),
    baseScore: base,
    iterations,
    bestIteration: useBest ? bestIteration : iterations,
    bestScore: nv > 0 ? bestScore : null,
    finalTrain: loss.evalMetric(data.y, raw, data.weight),
    validationHistory,
    threads: histograms.threads,
  };
}
