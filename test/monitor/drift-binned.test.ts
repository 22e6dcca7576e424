// Drift tests on sketches (what a stream leaves) against the same tests on raw values: exact
// where the design says exact (KS on edges at every value, Wasserstein with in-bin offsets when
// the CDF gap keeps its sign, category tests), and chunked counting equal to one pass.

import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/engine/random.js';
import { columnDrift, type NumericSummary } from '../../src/monitor/column-drift.js';
import { NumericSketch, CategoricalSketch, groupsOnEdges, mergeEdges, psiEdges, sampleEdges } from '../../src/monitor/sketch.js';
import { ks2samp } from '../../src/monitor/stats/ks.js';
import { normedWasserstein, wasserstein } from '../../src/monitor/stats/wasserstein.js';
import { chiSquareCounts } from '../../src/monitor/stats/chisquare.js';

function sample(n: number, seed: number, f: (r: Rng) => number): Float64Array {
  const r = new Rng(seed);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = f(r);
  return out;
}

function summary(s: NumericSketch): NumericSummary {
  return { kind: 'numeric', edges: s.edges, counts: s.counts, offsets: s.offsets, n: s.n, missing: s.missing, min: s.min, max: s.max, std: s.std, distinct: s.distinct ? s.distinct.size : null };
}

function sketch(edges: Float64Array, values: Float64Array, chunk = values.length): NumericSketch {
  const s = new NumericSketch(edges);
  for (let i = 0; i < values.length; i += chunk) s.add(values.subarray(i, i + chunk));
  return s;
}

describe('drift on sketches', () => {
  it('when the edges hold every reference value, then binned KS equals ks_2samp on the raw values', () => {
    const ref = sample(600, 1, (r) => Math.round(r.normal() * 40) / 10);
    const cur = sample(900, 2, (r) => Math.round((r.normal() + 0.2) * 40) / 10);
    const edges = sampleEdges(ref, 1024, 2048);
    const got = columnDrift(summary(sketch(edges, ref)), summary(sketch(edges, cur, 128)))!;
    const want = ks2samp(ref, cur);
    expect(got.method).toBe('ks');
    expect(got.statistic).toBeCloseTo(want.statistic, 12);
    expect(got.p_value).toBeCloseTo(want.pValue, 12);
  });

  it('when a large sample is shifted, then binned Wasserstein with offsets equals the raw distance over the reference std', () => {
    const ref = sample(20_000, 3, (r) => r.normal() * 2 + 5);
    const cur = sample(15_000, 4, (r) => r.normal() * 2 + 5.4);
    const edges = sampleEdges(ref.subarray(0, 5000), 256, 100);
    const rs = sketch(edges, ref, 4096);
    const got = columnDrift(summary(rs), summary(sketch(edges, cur, 1000)))!;
    const want = normedWasserstein(wasserstein(ref, cur), rs.std);
    expect(got.method).toBe('wasserstein');
    // Exact but for the bins where the CDF gap changes sign (a handful in the far tails).
    expect(Math.abs(got.statistic - want)).toBeLessThan(1e-3 * want);
    expect(got.drift).toBe(want >= 0.1);
  });

  it('when values arrive in chunks, then the sketch equals one pass (counts, offsets, moments)', () => {
    const v = sample(10_000, 5, (r) => (r.next() < 0.01 ? NaN : r.normal() * 1e6 + 1e9));
    const edges = sampleEdges(v.filter((x) => !Number.isNaN(x)), 64, 10);
    const a = sketch(edges, v);
    const b = sketch(edges, v, 777);
    expect(Array.from(b.counts)).toEqual(Array.from(a.counts));
    for (let k = 0; k < a.offsets.length; k++) expect(b.offsets[k]).toBeCloseTo(a.offsets[k]!, 0);
    expect(b.missing).toBe(a.missing);
    expect(b.std).toBeCloseTo(a.std, 3);
    expect(b.mean).toBeCloseTo(a.mean, 3);
  });

  it('when a numeric column has few values, then it gets the categorical tests on its values, as Evidently', () => {
    const ref = sample(500, 6, (r) => Math.floor(r.next() * 3));
    const cur = sample(400, 7, (r) => (r.next() < 0.5 ? 0 : Math.floor(r.next() * 3)));
    const edges = sampleEdges(ref, 1024, 2048);
    const got = columnDrift(summary(sketch(edges, ref)), summary(sketch(edges, cur)))!;
    const count = (v: Float64Array): number[] => [0, 1, 2].map((k) => v.filter((x) => x === k).length);
    expect(got.method).toBe('chi2');
    expect(got.p_value).toBeCloseTo(chiSquareCounts(count(ref), count(cur)).pValue, 12);
    expect(got.drift).toBe(true);
  });

  it('when a categorical column is large, then Jensen-Shannon decides, and chi-square when the reference is small', () => {
    const cats = ['a', 'b', 'c', 'd'];
    const make = (n: number, seed: number, skew: number): CategoricalSketch => {
      const r = new Rng(seed);
      const codes = new Int32Array(n);
      for (let i = 0; i < n; i++) codes[i] = r.next() < skew ? 0 : Math.floor(r.next() * 4);
      const s = new CategoricalSketch();
      s.add(codes, cats);
      return s;
    };
    const big = make(5000, 8, 0);
    const shifted = make(5000, 9, 0.4);
    const r = columnDrift({ kind: 'categorical', counts: big.counts, n: big.n, missing: 0 }, { kind: 'categorical', counts: shifted.counts, n: shifted.n, missing: 0 })!;
    expect(r.method).toBe('jensenshannon');
    expect(r.drift).toBe(true);
    const small = make(800, 10, 0);
    const r2 = columnDrift({ kind: 'categorical', counts: small.counts, n: small.n, missing: 0 }, { kind: 'categorical', counts: big.counts, n: big.n, missing: 0 })!;
    expect(r2.method).toBe('chi2');
    // Observed = current counts, expected = the reference's shares (Evidently's chi-square).
    const order = (m: ReadonlyMap<string, number>): number[] => cats.map((c) => m.get(c) ?? 0);
    expect(r2.p_value).toBeCloseTo(chiSquareCounts(order(small.counts), order(big.counts)).pValue, 12);
  });

  it('when PSI bins are the reference deciles, then values equal to an edge count in the bin above (numpy searchsorted right)', () => {
    const ref = Float64Array.from([1, 2, 2, 3, 4, 5, 5, 5, 6, 7, 8, 9, 10, 10]);
    const deciles = psiEdges(ref, 10);
    const edges = mergeEdges(sampleEdges(ref, 1024, 2048), deciles);
    const groups = groupsOnEdges(edges, deciles);
    const s = sketch(edges, ref);
    const byGroup = new Float64Array(deciles.length + 1);
    s.counts.forEach((c, b) => (byGroup[groups[b]!]! += c));
    expect(byGroup.reduce((a, b) => a + b, 0)).toBe(ref.length);
    // np.quantile(ref, 0.5) = 5 exactly: the three 5s are counted at or above it.
    const median = deciles.findIndex((e) => e < 5 && e > 4.999);
    expect(median).toBeGreaterThanOrEqual(0);
    const below = byGroup.slice(0, median + 1).reduce((a, b) => a + b, 0);
    expect(below).toBe(5);
  });
});
