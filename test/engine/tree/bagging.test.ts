// Needs dist/ built (`npx tsc -p .`, as `npm test` does): bagging workers run the compiled worker.js.
import { describe, expect, it } from 'vitest';
import { trainRandomForest } from '../../../src/engine/tree/bagging.js';
import { PARALLEL_MIN_CELLS } from '../../../src/engine/tree/training.js';
import { Rng } from '../../../src/engine/random.js';

function data(n: number, nF: number) {
  const rng = new Rng(21);
  const columns = Array.from({ length: nF }, (_, j) => Float64Array.from({ length: n }, () => (j === 3 && rng.next() < 0.05 ? NaN : rng.normal())));
  const y = Float64Array.from({ length: n }, (_, i) => (columns[0]![i]! + columns[1]![i]! * columns[2]![i]! + 0.3 * rng.normal() > 0 ? 1 : 0));
  return { columns, y };
}

describe('bagging', () => {
  it('when a forest grows on 1 or 3 threads, then the trees and OOB score are identical', async () => {
    // Large enough that trainRandomForest starts workers.
    const n = Math.ceil(PARALLEL_MIN_CELLS / 4 / 8);
    const { columns, y } = data(n, 8);
    const train = { columns, categorical: columns.map(() => false), cardinality: columns.map(() => 0), y, weight: null };
    const p = {
      nEstimators: 7, maxDepth: 8, maxLeaves: 0, minSamplesLeaf: 1, minSamplesSplit: 2, maxFeatures: 3, bootstrap: true, maxSamples: 1,
      minImpurityDecrease: 0, maxBin: 256, seed: 5, maxCatToOnehot: 4, maxCatThreshold: 64, computeOob: true,
    };
    const one = await trainRandomForest(train, 2, p, {}, 1);
    const three = await trainRandomForest(train, 2, p, {}, 3);
    expect(three.forest).toEqual(one.forest);
    expect([one.threads, three.threads]).toEqual([1, 3]);
    expect(three.oobScore).toBe(one.oobScore);
    expect(one.oobScore!).toBeGreaterThan(0.8);
  });
});
