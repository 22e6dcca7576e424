import { describe, expect, it } from 'vitest';
import { binMatrix, fitBinMapper } from '../../../src/engine/tree/binning.js';
import { buildHistogram, subtractHistogram } from '../../../src/engine/tree/histogram.js';
import { Rng } from '../../../src/engine/random.js';

function fixture(n: number) {
  const rng = new Rng(7);
  const cols = [0, 1, 2].map(() => Float64Array.from({ length: n }, () => (rng.next() < 0.1 ? NaN : Math.floor(rng.next() * 5))));
  const data = binMatrix(fitBinMapper(cols, [false, false, true], [0, 0, 5], 256, 0), cols);
  const grad = Float64Array.from({ length: n }, () => rng.normal());
  const hess = Float64Array.from({ length: n }, () => rng.next());
  return { cols, data, grad, hess };
}

describe('histogram', () => {
  it('when built over rows, then each bin holds the sums of its rows', () => {
    const { data, grad, hess } = fixture(500);
    const idx = Uint32Array.from({ length: 500 }, (_, i) => i);
    const hist = new Float64Array(data.offsets[3]! * 3).fill(99);
    buildHistogram(data, { nOut: 1, grad, hess, classOf: null }, idx, 0, 500, null, 0, hist);
    for (let j = 0; j < 3; j++) {
      for (let b = 0; b < data.nBins[j]!; b++) {
        let g = 0;
        let h = 0;
        let c = 0;
        for (let r = 0; r < 500; r++) if (data.bins[r * 3 + j] === b) {
          g += grad[r]!;
          h += hess[r]!;
          c++;
        }
        const k = (data.offsets[j]! + b) * 3;
        expect(hist[k]).toBeCloseTo(g, 9);
        expect(hist[k + 1]).toBeCloseTo(h, 9);
        expect(hist[k + 2]).toBe(c);
      }
    }
  });

  it('when a child is the parent minus its sibling, then it equals the child built directly', () => {
    const { data, grad, hess } = fixture(400);
    const gs = { nOut: 1, grad, hess, classOf: null };
    const idx = Uint32Array.from({ length: 400 }, (_, i) => i);
    const size = data.offsets[3]! * 3;
    const parent = new Float64Array(size);
    const left = new Float64Array(size);
    const right = new Float64Array(size);
    buildHistogram(data, gs, idx, 0, 400, null, 0, parent);
    buildHistogram(data, gs, idx, 0, 150, null, 0, left);
    buildHistogram(data, gs, idx, 150, 400, null, 0, right);
    subtractHistogram(data, 3, parent, left, null, 0, parent);
    for (let i = 0; i < size; i++) expect(parent[i]).toBeCloseTo(right[i]!, 9);
  });

  it('when classes are given one-hot, then each class channel holds minus the class weight', () => {
    const { data, hess } = fixture(300);
    const classOf = Int32Array.from({ length: 300 }, (_, i) => i % 3);
    const idx = Uint32Array.from({ length: 300 }, (_, i) => i);
    const hist = new Float64Array(data.offsets[3]! * 5);
    buildHistogram(data, { nOut: 3, grad: new Float64Array(0), hess, classOf }, idx, 0, 300, Int32Array.of(1), 1, hist);
    const j = 1;
    let total = [0, 0, 0];
    for (let b = 0; b < data.nBins[j]!; b++) {
      const k = (data.offsets[j]! + b) * 5;
      total = total.map((t, c) => t + hist[k + c]!);
    }
    const expected = [0, 1, 2].map((c) => -hess.reduce((s, h, r) => (r % 3 === c ? s + h : s), 0));
    total.forEach((t, c) => expect(t).toBeCloseTo(expected[c]!, 9));
    // Features not listed are left untouched (zero here).
    expect(hist.subarray(0, data.offsets[1]! * 5).every((v) => v === 0)).toBe(true);
  });
});
