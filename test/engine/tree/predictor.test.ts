import { describe, expect, it } from 'vitest';
import { emptyTree, featureImportance, ForestBuilder, predictRaw, validateForest, type TreeNodes } from '../../../src/engine/tree/predictor.js';

/** root: x0 <= 0.5 (missing left) -> leaf -1, else leaf +1. */
function threeNodeTree(): TreeNodes {
  const t = emptyTree();
  t.feature.push(0, -1, -1);
  t.threshold.push(0.5, 0, 0);
  t.catLeft.push(null, null, null);
  t.left.push(1, -1, -1);
  t.right.push(2, -1, -1);
  t.defaultLeft.push(true, false, false);
  t.gain.push(4, 0, 0);
  t.cover.push(10, 6, 4);
  t.value.push(0, -1, 1);
  return t;
}

describe('predictor', () => {
  it('when a three-node tree predicts, then rows go left at or below the threshold and missing goes the default way', () => {
    const b = new ForestBuilder(1, 1);
    b.addTree(threeNodeTree(), 0);
    const f = b.finish();
    expect(validateForest(f, 1)).toBeNull();
    const out = new Float64Array(4);
    predictRaw(f, [Float64Array.of(0.2, 0.5, 0.8, NaN)], 0, 1, out);
    expect(Array.from(out)).toEqual([-1, -1, 1, -1]);
  });

  it('when a categorical split predicts, then listed codes go left and unseen codes go the default way', () => {
    const t = threeNodeTree();
    t.feature[0] = 1;
    t.catLeft[0] = Uint8Array.of(1, 0, 1);
    t.defaultLeft[0] = false;
    const b = new ForestBuilder(1, 1);
    b.addTree(t, 0);
    const f = b.finish();
    const out = new Float64Array(6);
    predictRaw(f, [new Float64Array(6), Float64Array.of(0, 1, 2, 5, NaN, -1)], 0, 1, out);
    expect(Array.from(out)).toEqual([-1, 1, -1, 1, 1, 1]);
  });

  it('when trees feed different output columns, then each adds to its own column', () => {
    const b = new ForestBuilder(1, 2);
    b.addTree(threeNodeTree(), 0);
    b.addTree(threeNodeTree(), 1);
    b.addTree(threeNodeTree(), 1);
    const f = b.finish();
    const out = new Float64Array(4);
    predictRaw(f, [Float64Array.of(0, 1)], 0, 3, out);
    expect(Array.from(out)).toEqual([-1, -2, 1, 2]);
    const some = new Float64Array(4);
    predictRaw(f, [Float64Array.of(0, 1)], 0, 3, some, Uint32Array.of(1));
    expect(Array.from(some)).toEqual([0, 0, 1, 2]);
  });

  it('when grown trees of uneven depth predict many rows, then every row matches a node-by-node walk', async () => {
    const { binMatrix, fitBinMapper } = await import('../../../src/engine/tree/binning.js');
    const { TreeGrower } = await import('../../../src/engine/tree/grower.js');
    const { Rng } = await import('../../../src/engine/random.js');
    const rng = new Rng(9);
    const n = 301;
    const cols = [0, 1, 2].map(() => Float64Array.from({ length: n }, () => (rng.next() < 0.1 ? NaN : rng.normal())));
    const y = Float64Array.from({ length: n }, (_, i) => (cols[0]![i]! > 0 ? 3 : 0) + (cols[1]! [i]! !== cols[1]![i]! ? 5 : 0) + rng.normal());
    const data = binMatrix(fitBinMapper(cols, [false, false, false], [0, 0, 0], 256, 0), cols);
    const b = new ForestBuilder(1, 1);
    for (let t = 0; t < 5; t++) {
      const g = new TreeGrower(data, 1, {
        lambda: 1, alpha: 0, gamma: 0, minChildWeight: 0, minSamplesLeaf: 3 + t, maxCatToOnehot: 4, maxCatThreshold: 64, catSmooth: 0,
        maxDepth: 0, maxLeaves: 6 + 3 * t, lossguide: true, minSamplesSplit: 2, learningRate: 1, maxFeatures: 0,
      });
      b.addTree(g.grow({ nOut: 1, grad: Float64Array.from(y, (v) => -v), hess: new Float64Array(n).fill(1), classOf: null }, Uint32Array.from({ length: n }, (_, i) => i), n, null, 0, null).nodes, 0);
    }
    const f = b.finish();
    const out = new Float64Array(n);
    predictRaw(f, cols, 0, 5, out);
    for (let i = 0; i < n; i++) {
      let want = 0;
      for (let t = 0; t < 5; t++) {
        let node = f.treeRoots[t]!;
        while (f.feature[node]! >= 0) {
          const v = cols[f.feature[node]!]![i]!;
          const left = v !== v ? (f.flags[node]! & 1) === 1 : v <= f.threshold[node]!;
          node = left ? f.left[node]! : f.right[node]!;
        }
        want += f.value[node]!;
      }
      expect(out[i]).toBeCloseTo(want, 12);
    }
  });

  it('when importance is summed, then gain, split count and cover add up per feature', () => {
    const b = new ForestBuilder(1, 1);
    b.addTree(threeNodeTree(), 0);
    b.addTree(threeNodeTree(), 0);
    const imp = featureImportance(b.finish(), 2, 2);
    expect(Array.from(imp.gain)).toEqual([8, 0]);
    expect(Array.from(imp.split)).toEqual([2, 0]);
    expect(Array.from(imp.cover)).toEqual([20, 0]);
  });

  it('when a saved forest points a child backwards, then validation rejects it', () => {
    const b = new ForestBuilder(1, 1);
    b.addTree(threeNodeTree(), 0);
    const f = b.finish();
    f.left[0] = 0;
    expect(validateForest(f, 1)).toMatch(/children/);
    expect(validateForest(b.finish(), 0)).toBeNull;
  });
});
