// Column statistics, standardised packing and the blocked weighted Gram matrix.

import { describe, expect, it } from 'vitest';
import { packStandardized, standardization, weightedGram } from '../../../src/engine/linalg/dense.js';
import { Rng } from '../../../src/engine/random.js';

describe('dense helpers', () => {
  it('when weights are given, then means and scales are the weighted ones; a constant column gets scale 1', () => {
    const st = standardization([Float64Array.from([1, 2, 4]), Float64Array.from([5, 5, 5])], Float64Array.from([1, 1, 2]), true);
    // weighted mean (1 + 2 + 8) / 4 = 2.75; variance (1.75^2 + 0.75^2 + 2*1.25^2) / 4
    expect(st.means[0]).toBeCloseTo(2.75, 14);
    expect(st.scales[0]).toBeCloseTo(Math.sqrt((1.75 ** 2 + 0.75 ** 2 + 2 * 1.25 ** 2) / 4), 14);
    expect(st.means[1]).toBe(5);
    expect(st.scales[1]).toBe(1);
  });

  it('when not centring, then the mean is 0 and the scale is the root mean square', () => {
    const st = standardization([Float64Array.from([3, 4])], null, false);
    expect(st.means[0]).toBe(0);
    expect(st.scales[0]).toBeCloseTo(Math.sqrt(12.5), 14);
  });

  it('when packed, then rows hold the standardised features side by side', () => {
    const cols = [Float64Array.from([1, 3]), Float64Array.from([10, 20])];
    const x = packStandardized(cols, 2, { means: Float64Array.from([2, 15]), scales: Float64Array.from([1, 5]) });
    expect(Array.from(x)).toEqual([-1, -1, 1, 1]);
  });

  it('when rows span several blocks, then the Gram matrix equals the explicit weighted sums', () => {
    const rng = new Rng(9);
    const n = 2500; // more than two 1024-row blocks
    const cols = [0, 1, 2].map(() => Float64Array.from({ length: n }, () => rng.normal() + 3));
    const w = Float64Array.from({ length: n }, () => rng.next() * 2);
    const y = Float64Array.from({ length: n }, () => rng.normal());
    const st = standardization(cols, w, true);
    const { gram, xty } = weightedGram(cols, n, st, w, y, 0.5);
    const z = cols.map((c, j) => c.map((v) => (v - st.means[j]!) / st.scales[j]!));
    for (let j = 0; j < 3; j++) {
      let sy = 0;
      for (let i = 0; i < n; i++) sy += w[i]! * z[j]![i]! * (y[i]! - 0.5);
      expect(xty[j]).toBeCloseTo(sy, 8);
      for (let k = 0; k < 3; k++) {
        let s = 0;
        for (let i = 0; i < n; i++) s += w[i]! * z[j]![i]! * z[k]![i]!;
        expect(gram[j * 3 + k]).toBeCloseTo(s, 8);
      }
    }
  });
});
