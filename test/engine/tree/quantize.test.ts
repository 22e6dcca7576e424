import { describe, expect, it } from 'vitest';
import { binMatrix, fitBinMapper } from '../../../src/engine/tree/binning.js';
import { buildHistogram, decodePacked } from '../../../src/engine/tree/histogram.js';
import { PACK, quantize, quantLevels, unpack } from '../../../src/engine/tree/quantize.js';
import { TreeGrower } from '../../../src/engine/tree/grower.js';
import { Rng } from '../../../src/engine/random.js';

describe('quantized gradients', () => {
  it('when packed values are summed, then the gradient and hessian level sums come back exactly', () => {
    const n = 1_000_000;
    const L = quantLevels(n);
    expect(n * L).toBeLessThan(PACK);
    // Worst case: every row at the extreme levels.
    let sum = 0;
    for (let i = 0; i < n; i++) sum += (i % 2 === 0 ? -L : L - 1) * PACK + L;
    expect(unpack(sum)).toEqual([-n / 2, n * L]);
    expect(unpack(-3 * PACK + 5)).toEqual([-3, 5]);
  });

  it('when gradients are rounded stochastically, then level sums are unbiased estimates of the true sums', () => {
    const n = 50_000;
    const rng = new Rng(1);
    const grad = Float64Array.from({ length: n }, () => rng.normal());
    const hess = Float64Array.from({ length: n }, () => rng.next() * 0.25);
    const rows = Uint32Array.from({ length: n }, (_, i) => i);
    const packed = new Float64Array(n);
    const [gs, hs] = quantize(grad, hess, rows, n, packed, 7);
    let sum = 0;
    let g = 0;
    let h = 0;
    for (let i = 0; i < n; i++) {
      sum += packed[i]!;
      g += grad[i]!;
      h += hess[i]!;
    }
    const [gq, hq] = unpack(sum);
    // Rounding noise per row is below one level; summed over n rows it grows like sqrt(n).
    expect(Math.abs(gq * gs - g)).toBeLessThan(4 * Math.sqrt(n) * gs);
    expect(Math.abs(hq * hs - h)).toBeLessThan(4 * Math.sqrt(n) * hs);
  });

  it('when a tree grows on quantized gradients, then it splits where the exact one does and its leaves are exact', () => {
    const n = 2000;
    const rng = new Rng(2);
    const x = Float64Array.from({ length: n }, () => rng.next());
    const y = Float64Array.from(x, (v) => (v < 0.3 ? -2 : v < 0.7 ? 1 : 3));
    const data = binMatrix(fitBinMapper([x], [false], [0], 256, 0), [x]);
    const grad = Float64Array.from(y, (v) => -v);
    const hess = new Float64Array(n).fill(1);
    // A small gamma: rounding noise inside a pure node has a tiny positive gain that would otherwise split it.
    const params = {
      lambda: 0, alpha: 0, gamma: 0.01, minChildWeight: 0, minSamplesLeaf: 1, maxCatToOnehot: 4, maxCatThreshold: 64, catSmooth: 0,
      maxDepth: 2, maxLeaves: 0, lossguide: false, minSamplesSplit: 2, learningRate: 1, maxFeatures: 0,
    };
    const idx = Uint32Array.from({ length: n }, (_, i) => i);
    const exact = new TreeGrower(data, 1, params).grow({ nOut: 1, grad, hess, classOf: null }, idx.slice(), n, null, 0, null);
    const packed = new Float64Array(n);
    const [gScale, hScale] = quantize(grad, hess, idx, n, packed, 3);
    const q = new TreeGrower(data, 1, params).grow({ nOut: 1, grad, hess, classOf: null, packed, gScale, hScale }, idx.slice(), n, null, 0, null);
    expect(q.nodes.feature).toEqual(exact.nodes.feature);
    expect(q.nodes.threshold).toEqual(exact.nodes.threshold);
    const leaves = (t: typeof q) => Array.from(t.leafNode, (id) => t.nodes.value[id]!);
    leaves(q).forEach((v, i) => expect(v).toBeCloseTo(leaves(exact)[i]!, 12));
  });

  it('when a packed histogram is decoded, then each bin holds its level sums times the scales and a row count from its hessian share', () => {
    const x = Float64Array.of(0, 1, 1, NaN);
    const data = binMatrix(fitBinMapper([x], [false], [0], 256, 0), [x]);
    const packed = Float64Array.of(2 * PACK + 1, -1 * PACK + 3, -4 * PACK + 0, 5 * PACK + 2);
    const hist = new Float64Array(data.offsets[1]!);
    buildHistogram(data, { nOut: 1, grad: new Float64Array(4), hess: new Float64Array(4), classOf: null, packed }, Uint32Array.of(0, 1, 2, 3), 0, 4, null, 0, hist);
    const out = new Float64Array(hist.length * 3);
    // 4 rows over 6 hessian levels would be 2/3 of a row per level; 0.5 keeps the numbers exact.
    decodePacked(data, hist, 0.5, 0.25, 0.5, null, 0, out);
    expect(Array.from(out.subarray(0, 9))).toEqual([1, 0.25, 0.5, -2.5, 0.75, 1.5, 2.5, 0.5, 1]);
  });
});
