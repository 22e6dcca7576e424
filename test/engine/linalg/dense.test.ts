// Column statistics and the one-pass blocked weighted Gram matrix (SIMD and scalar kernels).

import { describe, expect, it } from 'vitest';
import { gramStatistics, standardization } from '../../../src/engine/linalg/dense.js';
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

  for (const [label, weighted, p, kernel] of [
    ['unweighted, 7 features, SIMD', false, 7, 'auto'],
    ['weighted, 6 features, SIMD', true, 6, 'auto'],
    ['unweighted, 8 features, scalar', false, 8, 'scalar'],
    ['weighted, 5 features, scalar', true, 5, 'scalar'],
    ['one feature, SIMD', false, 1, 'auto'],
  ] as const) {
    it(`when rows span several blocks (${label}), then one-pass Gram statistics equal the explicit two-pass sums`, () => {
      const rng = new Rng(9);
      const n = 1300; // more than two 512-row blocks, with a ragged last block
      // Offsets of 1e4 make a naive uncentred formula lose digits; the shifted one must not.
      const cols = Array.from({ length: p }, (_, j) => Float64Array.from({ length: n }, () => (j + 1) * rng.normal() + 1e4 * j));
      const w = weighted ? Float64Array.from({ length: n }, () => rng.next() * 2) : null;
      const y = Float64Array.from({ length: n }, () => rng.normal() + 7);
      const gs = gramStatistics(cols, n, w, y, true, kernel);
      const st = standardization(cols, w, true);
      const W = w ? w.reduce((s, v) => s + v, 0) : n;
      const wi = (i: number) => (w ? w[i]! : 1);
      const ym = y.reduce((s, v, i) => s + wi(i) * v, 0) / W;
      expect(gs.targetMean).toBeCloseTo(ym, 10);
      for (let j = 0; j < p; j++) {
        const m = cols[j]!.reduce((s, v, i) => s + wi(i) * v, 0) / W;
        const sd = Math.sqrt(cols[j]!.reduce((s, v, i) => s + wi(i) * (v - m) ** 2, 0) / W);
        expect(gs.st.means[j]).toBeCloseTo(m, 8);
        expect(gs.st.scales[j]! / sd).toBeCloseTo(1, 10);
        expect(st.scales[j]! / sd).toBeCloseTo(1, 10);
      }
      const z = cols.map((c, j) => c.map((v, i) => (v - gs.st.means[j]!) / gs.st.scales[j]! + 0 * i));
      for (let j = 0; j < p; j++) {
        let sy = 0;
        for (let i = 0; i < n; i++) sy += wi(i) * z[j]![i]! * (y[i]! - ym);
        expect(gs.xty[j]! - sy).toBeCloseTo(0, 7);
        for (let k = 0; k < p; k++) {
          let s = 0;
          for (let i = 0; i < n; i++) s += wi(i) * z[j]![i]! * z[k]![i]!;
          expect(gs.gram[j * p + k]! - s).toBeCloseTo(0, 7);
        }
      }
    });
  }
});
