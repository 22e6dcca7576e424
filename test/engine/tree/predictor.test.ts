import { describe, expect, it } from 'vitest';
import { CATEGORICAL, DEFAULT_LEFT, emptyTree, ForestBuilder, validateForest, type TreeNodes } from '../../../src/engine/tree/forest.js';
import { predictRaw, wasmWalkAvailable } from '../../../src/engine/tree/predictor.js';
import { threeNodeTree } from './forests.js';

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

  it('when random trees with missing values and categorical splits predict, then the blocked walks equal a node-by-node reference exactly', async () => {
    const { Rng } = await import('../../../src/engine/random.js');
    const rng = new Rng(17);
    const nF = 5;
    const nCat = 7;
    const catFeature = 4;
    /** A random tree in creation order (children after parents); leaves stop early at random so depths are uneven. */
    const randomTree = (maxDepth: number, catChance: number, nOut: number): TreeNodes => {
      const t = emptyTree();
      const add = (): number => {
        t.feature.push(-1);
        t.threshold.push(0);
        t.catLeft.push(null);
        t.left.push(-1);
        t.right.push(-1);
        t.defaultLeft.push(false);
        t.gain.push(0);
        t.cover.push(1);
        for (let k = 0; k < nOut; k++) t.value.push(Math.round(rng.normal() * 1000) / 7);
        return t.feature.length - 1;
      };
      const queue: [number, number][] = [[add(), 0]];
      while (queue.length > 0) {
        const [node, depth] = queue.shift()!;
        if (depth >= maxDepth || (depth > 0 && rng.next() < 0.25)) continue;
        if (rng.next() < catChance) {
          t.feature[node] = catFeature;
          t.catLeft[node] = Uint8Array.from({ length: 1 + Math.floor(rng.next() * nCat) }, () => (rng.next() < 0.5 ? 1 : 0));
        } else {
          t.feature[node] = Math.floor(rng.next() * catFeature);
          // Coarse thresholds so some values land exactly on them.
          t.threshold[node] = Math.round(rng.normal() * 4) / 4;
        }
        t.defaultLeft[node] = rng.next() < 0.5;
        t.left[node] = add();
        t.right[node] = add();
        queue.push([t.left[node]!, depth + 1], [t.right[node]!, depth + 1]);
      }
      return t;
    };
    const n = 1000;
    const cols = Array.from({ length: nF }, (_, j) =>
      Float64Array.from({ length: n }, () => {
        if (rng.next() < 0.1) return NaN;
        if (j === catFeature) return Math.floor(rng.next() * (nCat + 2)) - 1;
        const u = rng.next();
        return u < 0.02 ? Infinity : u < 0.04 ? -Infinity : Math.round(rng.normal() * 8) / 8;
      }),
    );
    // Numeric trees of depth 0-6, trees with categorical splits, and trees too deep for the complete layout.
    const cases: { nOut: number; nGroups: number; trees: [TreeNodes, number][] }[] = [
      { nOut: 1, nGroups: 1, trees: Array.from({ length: 30 }, (_, i): [TreeNodes, number] => [randomTree(i % 7, i % 3 === 0 ? 0.3 : 0, 1), 0]) },
      { nOut: 1, nGroups: 3, trees: Array.from({ length: 12 }, (_, i): [TreeNodes, number] => [randomTree(i < 4 ? 14 : 5, 0, 1), i % 3]) },
      { nOut: 3, nGroups: 3, trees: Array.from({ length: 8 }, (_, i): [TreeNodes, number] => [randomTree(6, i % 2 ? 0.2 : 0, 3), -1]) },
    ];
    for (const c of cases) {
      const b = new ForestBuilder(c.nOut, c.nGroups);
      for (const [t, g] of c.trees) b.addTree(t, g);
      const f = b.finish();
      expect(validateForest(f, nF)).toBeNull();
      const T = c.trees.length;
      const want = new Float64Array(n * c.nGroups);
      for (let i = 0; i < n; i++) {
        for (let t = 0; t < T; t++) {
          let node = f.treeRoots[t]!;
          while (f.feature[node]! >= 0) {
            const v = cols[f.feature[node]!]![i]!;
            const missingLeft = (f.flags[node]! & DEFAULT_LEFT) !== 0;
            let left: boolean;
            if (f.flags[node]! & CATEGORICAL) {
              const off = f.threshold[node]!;
              const known = v === v && v >= 0 && v < f.catBits[off]!;
              left = known ? ((f.catBits[off + 1 + (v >>> 5)]! >>> (v & 31)) & 1) === 1 : missingLeft;
            } else {
              left = v !== v ? missingLeft : v <= f.threshold[node]!;
            }
            node = left ? f.left[node]! : f.right[node]!;
          }
          const g = f.treeGroup[t]!;
          if (g >= 0) want[i * c.nGroups + g] += f.value[node * c.nOut]!;
          else for (let k = 0; k < c.nOut; k++) want[i * c.nGroups + k] += f.value[node * c.nOut + k]!;
        }
      }
      // Both walks: the JS one, and the wasm one where the runtime has WebAssembly.
      for (const kernel of wasmWalkAvailable() ? (['js', 'wasm'] as const) : (['js'] as const)) {
        const got = new Float64Array(n * c.nGroups);
        predictRaw(f, cols, 0, T, got, null, kernel);
        expect(Array.from(got)).toEqual(Array.from(want));
        const subset = Uint32Array.from({ length: 300 }, (_, i) => (i * 7) % n);
        const some = new Float64Array(n * c.nGroups);
        predictRaw(f, cols, 0, T, some, subset, kernel);
        for (const r of subset) for (let k = 0; k < c.nGroups; k++) expect(some[r * c.nGroups + k]).toBe(want[r * c.nGroups + k]);
      }
    }
  });

  it('when asked for trees the forest does not have, then predictRaw refuses instead of walking past the end', () => {
    const b = new ForestBuilder(1, 1);
    b.addTree(threeNodeTree(), 0);
    const f = b.finish();
    const out = new Float64Array(2);
    expect(() => predictRaw(f, [Float64Array.of(1, 5)], 0, 2, out)).toThrow(/trees \[0, 2\) are outside the forest's 1/);
    expect(() => predictRaw(f, [Float64Array.of(1, 5)], 1, 0, out)).toThrow(RangeError);
    predictRaw(f, [Float64Array.of(0, 5)], 0, 1, out);
    expect(Array.from(out)).toEqual([-1, 1]);
  });
});
