// The counting kernels: a hand-built histogram, agreement with the tree binning's own bin of every
// value, and chunked counting adding up to one pass (as drift will stream a file through them).

import { describe, expect, it } from 'vitest';
import { binMatrix, fitBinMapper } from '../../src/engine/tree/binning.js';
import { Rng } from '../../src/engine/random.js';
import { countCodes, countOnEdges } from '../../src/monitor/histogram.js';

describe('countOnEdges', () => {
  it('when values fall between, on and beyond the edges, then bin b holds edges[b-1] < v <= edges[b], and NaN is counted last', () => {
    const edges = Float64Array.of(1, 2.5, 4);
    const out = new Float64Array(5);
    countOnEdges(edges, Float64Array.of(-Infinity, 0, 1, 1.0000001, 2.5, 3, 4, 4.5, Infinity, NaN, NaN), out);
    expect(Array.from(out)).toEqual([3, 2, 2, 2, 2]);
  });

  it('when there are no edges, then every present value is in the one value bin', () => {
    const out = new Float64Array(2);
    countOnEdges(new Float64Array(0), [5, -1, NaN], out);
    expect(Array.from(out)).toEqual([2, 1]);
  });

  it('when a column is binned by the tree binning, then countOnEdges counts exactly the rows binMatrix puts in each bin', () => {
    const rng = new Rng(7);
    const n = 20_000;
    const col = new Float64Array(n);
    for (let i = 0; i < n; i++) col[i] = i % 97 === 0 ? NaN : i % 5 === 0 ? Math.round(rng.normal() * 3) : rng.normal() * 100;
    const mapper = fitBinMapper([col], [0], [0], 256, 3);
    const edges = mapper.thresholds[0]!;
    const binned = binMatrix(mapper, [col]);
    const expected = new Float64Array(edges.length + 2);
    for (const b of binned.columns![0]!) expected[b]!++;
    const out = new Float64Array(edges.length + 2);
    countOnEdges(edges, col, out);
    expect(Array.from(out)).toEqual(Array.from(expected));
    expect(out[edges.length + 1]).toBe(Math.ceil(n / 97));
  });

  it('when a stream is counted chunk by chunk, then the counts add up to one pass over all of it', () => {
    const rng = new Rng(11);
    const values = Float64Array.from({ length: 5000 }, () => rng.normal());
    const edges = Float64Array.of(-1, -0.25, 0, 0.5, 2);
    const whole = new Float64Array(edges.length + 2);
    countOnEdges(edges, values, whole);
    const chunked = new Float64Array(edges.length + 2);
    for (let i = 0; i < values.length; i += 777) countOnEdges(edges, values.subarray(i, i + 777), chunked);
    expect(Array.from(chunked)).toEqual(Array.from(whole));
    expect(whole.reduce((a, b) => a + b, 0)).toBe(5000);
  });

  it('when out is too short for the bins and the missing slot, then it throws', () => {
    expect(() => countOnEdges(Float64Array.of(1, 2), [1], new Float64Array(3))).toThrow(/expected at least 4/);
  });
});

describe('countCodes', () => {
  it('when codes map through slots, then each slot adds its rows and -1 goes to the missing slot', () => {
    const out = new Float64Array(4);
    countCodes(Int32Array.of(0, 1, 2, 2, -1, 0, 1), Int32Array.of(1, 2, 0), 3, out);
    expect(Array.from(out)).toEqual([2, 2, 2, 1]);
  });
});
