import { describe, expect, it } from 'vitest';
import { binMatrix, binOf, fitBinMapper } from '../../../src/engine/tree/binning.js';
import { Rng } from '../../../src/engine/random.js';

describe('binning', () => {
  it('when a feature has few distinct values, then each gets its own bin with midpoint edges', () => {
    const col = Float64Array.of(3, 1, 2, 1, 3, NaN);
    const m = fitBinMapper([col], [false], [0], 256, 0);
    expect(Array.from(m.thresholds[0]!)).toEqual([1.5, 2.5]);
    expect(m.nValueBins[0]).toBe(3);
    const b = binMatrix(m, [col]);
    // Missing values get the bin after the value bins.
    expect(Array.from(b.bins)).toEqual([2, 0, 1, 0, 2, 3]);
    expect(Array.from(b.nBins)).toEqual([4]);
  });

  it('when there are more distinct values than bins, then bins hold about equal row counts', () => {
    const n = 10_000;
    const col = new Float64Array(n);
    for (let i = 0; i < n; i++) col[i] = Math.sin(i) * 1000;
    const m = fitBinMapper([col], [false], [0], 11, 0);
    expect(m.nValueBins[0]).toBe(10);
    const b = binMatrix(m, [col]);
    const counts = new Array(11).fill(0);
    for (const v of b.bins) counts[v]++;
    for (let k = 0; k < 10; k++) expect(counts[k]).toBeGreaterThan(900);
    expect(counts[10]).toBe(0);
    expect(b.bins).toBeInstanceOf(Uint8Array);
  });

  it('when bins are packed, then they are row-major with all features of a row adjacent', () => {
    const a = Float64Array.of(0, 1, 2);
    const c = Float64Array.of(1, 0, NaN);
    const m = fitBinMapper([a, c], [false, true], [0, 2], 256, 0);
    const b = binMatrix(m, [a, c]);
    expect(Array.from(b.bins)).toEqual([0, 1, 1, 0, 2, 2]);
    // Every feature spans the same power of two (4 here), so a bin slot is (feature << 2) | bin.
    expect(Array.from(b.offsets)).toEqual([0, 4, 8]);
    expect(b.shift).toBe(2);
  });

  it('when a categorical code was never seen or is out of range, then it falls in the missing bin', () => {
    const m = fitBinMapper([Float64Array.of(0, 1, 2)], [true], [3], 256, 0);
    expect(binOf(m, 0, 1)).toBe(1);
    expect(binOf(m, 0, 7)).toBe(3);
    expect(binOf(m, 0, -1)).toBe(3);
    expect(binOf(m, 0, NaN)).toBe(3);
  });

  it('when a categorical feature has more categories than bins, then the most frequent keep theirs and the rare share one', () => {
    // Codes 0..5; 5 is absent, 1 and 4 are the rarest. max_bin 4 leaves 3 value bins: 2 kept + 1 shared.
    const col = Float64Array.of(0, 0, 0, 2, 2, 2, 2, 3, 3, 1, 4, NaN);
    const m = fitBinMapper([col], [true], [6], 4, 0);
    expect(m.nValueBins[0]).toBe(3);
    expect(Array.from(m.categoryBins![0]!)).toEqual([0, 2, 1, 2, 2, 3]);
    expect(Array.from(binMatrix(m, [col]).bins)).toEqual([0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3]);
    expect(binOf(m, 0, 2)).toBe(1);
    expect(binOf(m, 0, 5)).toBe(3);
    expect(binOf(m, 0, 9)).toBe(3);
    // Within the cap, codes are their own bins and no map is kept.
    expect(fitBinMapper([col], [true], [6], 256, 0).categoryBins![0]).toBeNull();
  });

  it('when values sit on, between and beyond the edges, then the grid lookup agrees with a binary search', () => {
    const rng = new Rng(3);
    const train = Float64Array.from({ length: 5000 }, () => Math.exp(rng.normal() * 2));
    const m = fitBinMapper([train], [false], [0], 256, 0);
    const t = m.thresholds[0]!;
    const probe = Float64Array.from([...t, ...Array.from({ length: 3000 }, () => Math.exp(rng.normal() * 3)), -1, 0, 1e9, NaN, t[0]! - 1e-12, t[t.length - 1]! + 1e-9]);
    const b = binMatrix(m, [probe]);
    for (let i = 0; i < probe.length; i++) expect(b.bins[i], `value ${probe[i]}`).toBe(binOf(m, 0, probe[i]!));
  });

  it('when max_bin exceeds 256, then bins are stored in a Uint16Array', () => {
    const col = Float64Array.from({ length: 2000 }, (_, i) => i);
    const m = fitBinMapper([col], [false], [0], 1000, 0);
    const b = binMatrix(m, [col]);
    expect(b.bins).toBeInstanceOf(Uint16Array);
    expect(m.nValueBins[0]).toBe(999);
    for (let i = 0; i < 2000; i += 97) expect(b.bins[i]).toBe(binOf(m, 0, i));
  });
});
