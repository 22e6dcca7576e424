import { describe, expect, it } from 'vitest';
import { ForestBuilder } from '../../../src/engine/tree/forest.js';
import { featureImportance } from '../../../src/engine/tree/importance.js';
import { threeNodeTree } from './forests.js';

describe('importance', () => {
  it('when importance is summed, then gain, split count and cover add up per feature', () => {
    const b = new ForestBuilder(1, 1);
    b.addTree(threeNodeTree(), 0);
    b.addTree(threeNodeTree(), 0);
    const imp = featureImportance(b.finish(), 2, 2);
    expect(Array.from(imp.gain)).toEqual([8, 0]);
    expect(Array.from(imp.split)).toEqual([2, 0]);
    expect(Array.from(imp.cover)).toEqual([20, 0]);
  });
});
