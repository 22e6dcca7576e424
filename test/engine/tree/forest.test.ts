import { describe, expect, it } from 'vitest';
import { ForestBuilder, singleTreeForest, validateForest } from '../../../src/engine/tree/forest.js';
import { threeNodeTree } from './forests.js';

describe('forest', () => {
  it('when trees are added, then each gets its root, output column and category bitset in the flat arrays', () => {
    const t = threeNodeTree();
    t.catLeft[0] = Uint8Array.of(1, 0, 1);
    const b = new ForestBuilder(1, 2);
    b.addTree(threeNodeTree(), 0);
    b.addTree(t, 1);
    const f = b.finish();
    expect(Array.from(f.treeRoots)).toEqual([0, 3]);
    expect(Array.from(f.treeGroup)).toEqual([0, 1]);
    expect(Array.from(f.left)).toEqual([1, -1, -1, 4, -1, -1]);
    // The categorical split stores its bitset offset as the threshold: 3 categories, codes 0 and 2 go left.
    expect(f.threshold[3]).toBe(0);
    expect(Array.from(f.catBits)).toEqual([3, 0b101]);
    expect(validateForest(f, 1)).toBeNull();
  });

  it('when one tree is wrapped as a forest, then it equals a built forest of that tree', () => {
    const b = new ForestBuilder(1, 3);
    b.addTree(threeNodeTree(), 1);
    expect(singleTreeForest(threeNodeTree(), 1, 3, 1)).toEqual(b.finish());
  });

  it('when a saved forest points a child backwards or past the features, then validation rejects it', () => {
    const b = new ForestBuilder(1, 1);
    b.addTree(threeNodeTree(), 0);
    const f = b.finish();
    f.left[0] = 0;
    expect(validateForest(f, 1)).toMatch(/children/);
    // The builder's own forest is valid, unless the model is read with fewer features than it splits on.
    expect(validateForest(b.finish(), 1)).toBeNull();
    expect(validateForest(b.finish(), 0)).toMatch(/splits on feature 0 of 0/);
  });
});
