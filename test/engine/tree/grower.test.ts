import { describe, expect, it } from 'vitest';
import { binMatrix, fitBinMapper } from '../../../src/engine/tree/binning.js';
import { TreeGrower, type GrowerParams } from '../../../src/engine/tree/grower.js';
import { ForestBuilder } from '../../../src/engine/tree/forest.js';
import { predictRaw } from '../../../src/engine/tree/predictor.js';
import { quantize } from '../../../src/engine/tree/quantize.js';
import { Rng } from '../../../src/engine/random.js';

const base: GrowerParams = {
  lambda: 0, alpha: 0, gamma: 0, minChildWeight: 0, minSamplesLeaf: 1, maxCatToOnehot: 4, maxCatThreshold: 64, catSmooth: 0,
  maxDepth: 6, maxLeaves: 0, lossguide: false, minSamplesSplit: 2, learningRate: 1, maxFeatures: 0,
};

function grow(cols: Float64Array[], y: number[], p: Partial<GrowerParams> = {}) {
  const data = binMatrix(fitBinMapper(cols, cols.map(() => false), cols.map(() => 0), 256, 0), cols);
  const n = y.length;
  const idx = Uint32Array.from({ length: n }, (_, i) => i);
  // Gradients of squared error at a zero prediction: leaves become the mean target.
  const gs = { nOut: 1, grad: Float64Array.from(y, (v) => -v), hess: new Float64Array(n).fill(1), classOf: null };
  const tree = new TreeGrower(data, 1, { ...base, ...p }).grow(gs, idx, n, null, 0, new Rng(1));
  return { tree, idx };
}

function depthOf(t: { feature: number[]; left: number[]; right: number[] }): number {
  const d = new Array(t.feature.length).fill(0);
  let max = 0;
  for (let i = 0; i < t.feature.length; i++) {
    if (t.feature[i]! >= 0) d[t.left[i]!] = d[t.right[i]!] = d[i] + 1;
    max = Math.max(max, d[i]);
  }
  return max;
}

describe('grower', () => {
  it('when a flag column is 1 or missing, then the tree splits on it with an infinite threshold and predicts both sides', () => {
    const x = Float64Array.of(1, NaN, 1, NaN, 1, NaN);
    const { tree } = grow([x], [1, 5, 1, 5, 1, 5]);
    const t = tree.nodes;
    expect(t.feature[0]).toBe(0);
    expect(t.threshold[0]).toBe(Infinity);
    expect(t.defaultLeft[0]).toBe(false);
    const b = new ForestBuilder(1, 1);
    b.addTree(t, 0);
    const out = new Float64Array(3);
    predictRaw(b.finish(), [Float64Array.of(1, NaN, 7)], 0, 1, out);
    expect(Array.from(out)).toEqual([1, 5, 1]);
  });

  it('when gradients are quantized, then min_samples_leaf still counts rows', () => {
    const rng = new Rng(7);
    const n = 4000;
    const x = Float64Array.from({ length: n }, () => rng.next());
    const x2 = Float64Array.from({ length: n }, () => rng.next());
    const y = Array.from(x, (v, i) => Math.sin(12 * v) + x2[i]! * x2[i]! + 0.1 * rng.next());
    const cols = [x, x2];
    const data = binMatrix(fitBinMapper(cols, [false, false], [0, 0], 256, 0), cols);
    for (const minSamplesLeaf of [1, 150]) {
      const idx = Uint32Array.from({ length: n }, (_, i) => i);
      const grad = Float64Array.from(y, (v) => -v);
      const hess = new Float64Array(n).fill(1);
      const packed = new Float64Array(n);
      const [gScale, hScale] = quantize(grad, hess, idx, n, packed, 11);
      const tree = new TreeGrower(data, 1, { ...base, minSamplesLeaf }).grow({ nOut: 1, grad, hess, classOf: null, packed, gScale, hScale }, idx, n, null, 0, null);
      const sizes = Array.from(tree.leafStart, (s, l) => tree.leafEnd[l]! - s);
      expect(Math.min(...sizes)).toBeGreaterThanOrEqual(minSamplesLeaf);
      if (minSamplesLeaf === 1) expect(Math.min(...sizes)).toBeLessThan(150);
    }
  });

  it('when the target steps once, then the tree has three nodes with the step as threshold and the means as leaves', () => {
    const { tree } = grow([Float64Array.of(1, 2, 3, 4)], [0, 0, 10, 10]);
    const t = tree.nodes;
    expect(t.feature).toEqual([0, -1, -1]);
    expect(t.threshold[0]).toBe(2.5);
    expect(t.value).toEqual([5, 0, 10]);
    expect(tree.nLeaves).toBe(2);
  });

  it('when leaves are returned, then their row ranges partition the rows by where each row lands', () => {
    const rng = new Rng(3);
    const cols = [Float64Array.from({ length: 200 }, () => rng.next()), Float64Array.from({ length: 200 }, () => rng.next())];
    const y = Array.from({ length: 200 }, (_, i) => (cols[0]![i]! > 0.3 ? 1 : 0) + (cols[1]![i]! > 0.6 ? 2 : 0));
    const { tree, idx } = grow(cols, y, { maxDepth: 3 });
    const b = new ForestBuilder(1, 1);
    b.addTree(tree.nodes, 0);
    const pred = new Float64Array(200);
    predictRaw(b.finish(), cols, 0, 1, pred);
    const seen = new Set<number>();
    for (let l = 0; l < tree.nLeaves; l++) {
      const v = tree.nodes.value[tree.leafNode[l]!]!;
      for (let i = tree.leafStart[l]!; i < tree.leafEnd[l]!; i++) {
        expect(pred[idx[i]!]).toBe(v);
        seen.add(idx[i]!);
      }
    }
    expect(seen.size).toBe(200);
    // The target is exactly representable with two splits per path.
    for (let i = 0; i < 200; i++) expect(pred[i]).toBeCloseTo(y[i]!, 12);
  });

  it('when max_depth is 2, then no leaf is deeper than 2', () => {
    const x = Float64Array.from({ length: 64 }, (_, i) => i);
    const { tree } = grow([x], Array.from(x, (v) => v * v), { maxDepth: 2 });
    expect(depthOf(tree.nodes)).toBe(2);
    expect(tree.nLeaves).toBe(4);
  });

  it('when growing leaf-wise with num_leaves 3, then exactly 3 leaves are made, best gain first', () => {
    const x = Float64Array.from({ length: 64 }, (_, i) => i);
    const { tree } = grow([x], Array.from(x, (v) => (v < 32 ? 0 : v < 48 ? 100 : 300)), { maxDepth: 0, maxLeaves: 3, lossguide: true });
    expect(tree.nLeaves).toBe(3);
    expect(tree.nodes.threshold[0]).toBe(47.5);
    const leafValues = Array.from(tree.leafNode, (n) => tree.nodes.value[n]!).sort((a, b) => a - b);
    expect(leafValues).toEqual([0, 100, 300]);
  });

  it('when features are drawn per node, then the same seed grows the same tree', () => {
    const rng = new Rng(5);
    const cols = Array.from({ length: 8 }, () => Float64Array.from({ length: 300 }, () => rng.next()));
    const y = Array.from({ length: 300 }, (_, i) => cols[0]![i]! + cols[3]![i]! * 2 + cols[6]![i]!);
    const a = grow(cols, y, { maxFeatures: 2 }).tree.nodes;
    const b = grow(cols, y, { maxFeatures: 2 }).tree.nodes;
    expect(a).toEqual(b);
    expect(new Set(a.feature.filter((f) => f >= 0)).size).toBeGreaterThan(2);
  });
});
