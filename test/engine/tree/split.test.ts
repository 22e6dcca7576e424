import { describe, expect, it } from 'vitest';
import { binMatrix, fitBinMapper } from '../../../src/engine/tree/binning.js';
import { buildHistogram } from '../../../src/engine/tree/histogram.js';
import { newCandidate, SplitFinder, type SplitParams } from '../../../src/engine/tree/split.js';

const params: SplitParams = { lambda: 1, alpha: 0, gamma: 0, minChildWeight: 0, minSamplesLeaf: 1, maxCatToOnehot: 4, maxCatThreshold: 64, catSmooth: 0 };

function bestSplit(col: number[], grad: number[], categorical = false, p: Partial<SplitParams> = {}) {
  const c = Float64Array.from(col);
  const data = binMatrix(fitBinMapper([c], [categorical], [categorical ? Math.max(...col.filter((v) => v === v)) + 1 : 0], 256, 0), [c]);
  const n = col.length;
  const gs = { nOut: 1, grad: Float64Array.from(grad), hess: new Float64Array(n).fill(1), classOf: null };
  const hist = new Float64Array(data.offsets[1]! * 3);
  buildHistogram(data, gs, Uint32Array.from({ length: n }, (_, i) => i), 0, n, null, 0, hist);
  const out = newCandidate(1);
  const G = Float64Array.of(grad.reduce((a, b) => a + b, 0));
  new SplitFinder(data, 1, { ...params, ...p }).find(hist, null, 0, G, n, n, out);
  return { out, data };
}

describe('split', () => {
  it('when gradients change sign along a feature, then the split falls between them with the XGBoost gain', () => {
    const { out, data } = bestSplit([0, 1, 2, 3, 4, 5], [-1, -1, -1, 1, 1, 1]);
    expect(out.feature).toBe(0);
    expect(data.mapper.thresholds[0]![out.bin]).toBe(2.5);
    // 0.5 * (3^2/(3+1) + 3^2/(3+1) - 0^2/(6+1))
    expect(out.gain).toBeCloseTo(2.25, 12);
    expect(out.hl).toBe(3);
    expect(out.gl[0]).toBe(-3);
  });

  it('when missing rows look like the high values, then missing values default right', () => {
    const { out } = bestSplit([0, 1, NaN, NaN, 2, 3], [-1, -1, 1, 1, 1, 1]);
    expect(out.feature).toBe(0);
    expect(out.defaultLeft).toBe(false);
    expect(out.cl).toBe(2);
  });

  it('when missing rows look like the low values, then missing values default left', () => {
    const { out } = bestSplit([0, 1, NaN, NaN, 2, 3], [-1, -1, -1, -1, 1, 1]);
    expect(out.defaultLeft).toBe(true);
    expect(out.cl).toBe(4);
    expect(out.gl[0]).toBe(-4);
  });

  it('when a flag column is 1 or missing, then the split sends every value left and the missing rows right', () => {
    const { out, data } = bestSplit([1, NaN, 1, NaN, 1, NaN], [-1, 1, -1, 1, -1, 1]);
    expect(out.feature).toBe(0);
    expect(out.bin).toBe(data.nBins[0]! - 2);
    expect(out.defaultLeft).toBe(false);
    expect(out.cl).toBe(3);
    expect(out.gl[0]).toBe(-3);
  });

  it('when one category is present besides missing rows, then it is split from them', () => {
    const { out } = bestSplit([2, NaN, 2, NaN, 2], [1, -1, 1, -1, 1], true);
    expect(out.feature).toBe(0);
    expect(Array.from(out.catLeft!)).toEqual([0, 0, 1]);
    expect(out.defaultLeft).toBe(false);
    expect(out.cl).toBe(3);
  });

  it('when categories interleave in gradient sign, then the sorted partition groups them by sign', () => {
    const codes = [0, 1, 2, 3, 4, 5, 0, 1, 2, 3, 4, 5];
    const grad = codes.map((c) => (c % 2 === 1 ? -1 : 1));
    const { out } = bestSplit(codes, grad, true);
    expect(out.feature).toBe(0);
    const left = Array.from(out.catLeft!.keys()).filter((c) => out.catLeft![c] === 1);
    expect([[1, 3, 5], [0, 2, 4]]).toContainEqual(left);
  });

  it('when a feature has few categories, then one category is split off from the rest', () => {
    const codes = [0, 1, 2, 0, 1, 2, 0, 1, 2];
    const grad = codes.map((c) => (c === 2 ? 2 : -1));
    const { out } = bestSplit(codes, grad, true);
    expect(Array.from(out.catLeft!)).toEqual([0, 0, 1]);
  });

  it('when gamma exceeds the best gain, then no split is made', () => {
    const { out } = bestSplit([0, 1, 2, 3, 4, 5], [-1, -1, -1, 1, 1, 1], false, { gamma: 2.5 });
    expect(out.feature).toBe(-1);
  });

  it('when min_samples_leaf cannot be met, then the split moves or disappears', () => {
    const { out, data } = bestSplit([0, 1, 2, 3, 4, 5], [-1, 1, 1, 1, 1, 1], false, { minSamplesLeaf: 2 });
    expect(out.cl).toBeGreaterThanOrEqual(2);
    expect(data.mapper.thresholds[0]![out.bin]).toBeGreaterThan(1);
    expect(bestSplit([0, 1, 2, 3], [-1, 1, 1, 1], false, { minSamplesLeaf: 3 }).out.feature).toBe(-1);
  });
});
