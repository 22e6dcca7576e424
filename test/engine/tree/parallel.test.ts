// Needs dist/ built (`npx tsc -p .`, as `npm test` does): workers run the compiled worker.js.
import { describe, expect, it } from 'vitest';
import { binMatrix, fitBinMapper } from '../../../src/engine/tree/binning.js';
import { buildHistogram } from '../../../src/engine/tree/histogram.js';
import { parallelHistograms, shareBinned, sharedFloat64, sharedUint32 } from '../../../src/engine/tree/parallel.js';
import { trainBoosting, type BoostParams } from '../../../src/engine/tree/boosting.js';
import { PARALLEL_MIN_CELLS } from '../../../src/engine/tree/training.js';
import { createLoss } from '../../../src/engine/loss/index.js';
import { Rng } from '../../../src/engine/random.js';

function data(n: number, nF: number) {
  const rng = new Rng(21);
  const columns = Array.from({ length: nF }, (_, j) => Float64Array.from({ length: n }, () => (j === 3 && rng.next() < 0.05 ? NaN : rng.normal())));
  const y = Float64Array.from({ length: n }, (_, i) => (columns[0]![i]! + columns[1]![i]! * columns[2]![i]! + 0.3 * rng.normal() > 0 ? 1 : 0));
  return { columns, y };
}

describe('parallel histograms', () => {
  it('when workers build a node histogram, then it equals the single-thread one bit for bit', async () => {
    const n = 60_000;
    const { columns } = data(n, 12);
    const binned = shareBinned(binMatrix(fitBinMapper(columns, columns.map(() => false), columns.map(() => 0), 256, 0), columns));
    const grad = sharedFloat64(n);
    const hess = sharedFloat64(n);
    const rng = new Rng(4);
    for (let i = 0; i < n; i++) {
      grad[i] = rng.normal();
      hess[i] = rng.next();
    }
    const idx = sharedUint32(n);
    for (let i = 0; i < n; i++) idx[i] = (i * 7919) % n;
    const gs = { nOut: 1, grad, hess, classOf: null };
    const builder = await parallelHistograms(binned, gs, idx, 3);
    try {
      const size = binned.offsets[12]! * 3;
      const serial = new Float64Array(size);
      const par = new Float64Array(size);
      buildHistogram(binned, gs, idx, 100, 50_100, null, 0, serial);
      builder.build(gs, idx, 100, 50_100, null, 0, par);
      expect(par).toEqual(serial);
      const feats = Int32Array.of(1, 5, 6, 11);
      buildHistogram(binned, gs, idx, 0, n, feats, 4, serial);
      builder.build(gs, idx, 0, n, feats, 4, par);
      expect(par).toEqual(serial);
    } finally {
      await builder.close();
    }
  });

  it('when boosting runs on 1 or 2 threads, then the models are identical', async () => {
    const nF = 10;
    const n = Math.ceil(PARALLEL_MIN_CELLS / nF);
    const { columns, y } = data(n, nF);
    const p: BoostParams = {
      nEstimators: 3, learningRate: 0.3, maxDepth: 4, maxLeaves: 0, lossguide: false, minChildWeight: 1, minSamplesLeaf: 1,
      lambda: 1, alpha: 0, gamma: 0, subsample: 0.8, colsampleBytree: 0.8, maxBin: 256, seed: 3, earlyStoppingRounds: 0,
      maxCatToOnehot: 4, maxCatThreshold: 64, catSmooth: 10, threads: 1, quantized: false,
    };
    const train = { columns, categorical: columns.map(() => false), cardinality: columns.map(() => 0), y, weight: null };
    const one = await trainBoosting(train, createLoss('binary_logistic'), p);
    const two = await trainBoosting(train, createLoss('binary_logistic'), { ...p, threads: 2 });
    expect(two.forest).toEqual(one.forest);
    expect([one.threads, two.threads]).toEqual([1, 2]);
    expect(one.forest.treeRoots.length).toBe(3);
    // The quantized fit runs on the wasm arena: more and deeper trees, so that many nodes are split
    // across threads, gathered (small nodes) and partitioned in parallel.
    const q = { ...p, quantized: true, nEstimators: 12, maxDepth: 7 };
    const q1 = await trainBoosting(train, createLoss('binary_logistic'), q);
    const q2 = await trainBoosting(train, createLoss('binary_logistic'), { ...q, threads: 2 });
    expect(q2.forest).toEqual(q1.forest);
    expect([q1.threads, q2.threads]).toEqual([1, 2]);
  });

  it('when a weighted softmax fit runs on 1 or 2 threads, then score updates and gradients on the workers change no bit', async () => {
    const nF = 6;
    const n = Math.ceil(PARALLEL_MIN_CELLS / nF);
    const { columns } = data(n, nF);
    const rng = new Rng(4);
    // Three classes from two features; weights from 0 to 2 so the weighted gradients matter.
    const y = Float64Array.from({ length: n }, (_, i) => (columns[0]![i]! < -0.4 ? 0 : columns[1]![i]! < 0.3 ? 1 : 2));
    const weight = Float64Array.from({ length: n }, () => 2 * rng.next());
    const p: BoostParams = {
      nEstimators: 4, learningRate: 0.3, maxDepth: 5, maxLeaves: 0, lossguide: false, minChildWeight: 1, minSamplesLeaf: 1,
      lambda: 1, alpha: 0, gamma: 0, subsample: 0.9, colsampleBytree: 1, maxBin: 64, seed: 5, earlyStoppingRounds: 0,
      maxCatToOnehot: 4, maxCatThreshold: 64, catSmooth: 10, threads: 1, quantized: true,
    };
    const train = { columns, categorical: columns.map(() => false), cardinality: columns.map(() => 0), y, weight };
    const history: number[][] = [];
    const fit = async (threads: number) => {
      const trainHistory: number[] = [];
      const r = await trainBoosting(train, createLoss('softmax', { nClasses: 3 }), { ...p, threads }, { onIteration: (it) => trainHistory.push(it.train!) });
      history.push(trainHistory);
      return r;
    };
    const one = await fit(1);
    const two = await fit(2);
    expect(two.forest).toEqual(one.forest);
    expect(two.threads).toBe(2);
    expect(one.forest.treeRoots.length).toBe(12);
    // The train metric reads the updated scores: equal on both, and falling round by round.
    expect(history[1]).toEqual(history[0]);
    expect(history[0]![3]!).toBeLessThan(history[0]![0]!);
  });
});
