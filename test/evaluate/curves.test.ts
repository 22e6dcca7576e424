// The threshold-count kernels behind ROC and precision-recall curves and their areas.

import { describe, expect, it } from 'vitest';
import { rocAucBinary, thresholdCounts } from '../../src/evaluate/curves.js';
import { rocAuc } from '../../src/evaluate/metrics/index.js';
import { f64, fixtures } from './metrics/fixtures.js';

describe('curve kernels', () => {
  it('when every weight is 1, then the weighted path gives the same curves and areas as the unweighted one', () => {
    const fx = fixtures.find((f) => f.name === 'binary_ties')!;
    const positive = Uint8Array.from(fx.yTrue, (v) => (v === 1 ? 1 : 0));
    const scores = Float64Array.from(fx.yTrue, (_, i) => fx.proba![i * 2 + 1]!);
    const ones = new Float64Array(scores.length).fill(1);
    expect(thresholdCounts(positive, scores, ones)).toEqual(thresholdCounts(positive, scores));
    expect(rocAucBinary(positive, scores, ones)).toBe(rocAucBinary(positive, scores));
  });

  it('when scores include infinities and -0, then they sort and group like numbers (-0 ties with 0)', () => {
    const c = thresholdCounts(Uint8Array.from([1, 0, 1, 0, 1]), f64([Infinity, -0, 0, -Infinity, 0.5]));
    expect(Array.from(c.thresholds)).toEqual([Infinity, 0.5, 0, -Infinity]);
    expect(Array.from(c.tps)).toEqual([1, 2, 3, 3]);
    expect(Array.from(c.fps)).toEqual([0, 0, 1, 2]);
  });

  it('when a score is NaN, then DATA_BAD_VALUE names the row', () => {
    expect(() => rocAuc(f64([0, 1]), f64([0.5, 0.5, NaN, 0.5]), 2)).toThrow(/row 1/);
  });
});
