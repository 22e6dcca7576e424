// The first Wasserstein (earth mover's) distance between two one-dimensional distributions,
// ∫ |F_a(x) - F_b(x)| dx (scipy's wasserstein_distance), on raw values and on histograms.
// Evidently's default test for large numeric columns divides it by the reference's standard
// deviation (at least 0.001) and calls 0.1 drift.

/** On raw values (NaN dropped by the caller): the CDF gap summed over the merged sorted values. */
export function wasserstein(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const x = Float64Array.from(a).sort();
  const y = Float64Array.from(b).sort();
  const all = new Float64Array(x.length + y.length);
  all.set(x);
  all.set(y, x.length);
  all.sort();
  let i = 0;
  let j = 0;
  let sum = 0;
  for (let k = 0; k < all.length - 1; k++) {
    const v = all[k]!;
    while (i < x.length && x[i]! <= v) i++;
    while (j < y.length && y[j]! <= v) j++;
    sum += Math.abs(i / x.length - j / y.length) * (all[k + 1]! - v);
  }
  return sum;
}

/** One sample counted on shared edges: value bins as countOnEdges makes them, plus where in each bin the values lie. */
export interface BinnedSample {
  /** Rows per value bin (edges.length + 1 bins). */
  counts: ArrayLike<number>;
  /**
   * Per bin, Σ (upper edge - v) over its values, and for the last bin Σ (v - last edge) (with
   * no edges at all, the one bin is taken as uniform); or undefined when only counts are known (a stored profile), in which case the values are taken
   * as spread evenly over each bin.
   */
  offsets?: ArrayLike<number>;
  /** Smallest and largest value (they bound the first and the last bin). */
  min: number;
  max: number;
}

/**
 * The distance from two samples counted on the same `edges`. Within a bin each sample's CDF
 * integrates exactly from its offsets, so the result is exact wherever F_a - F_b keeps its sign
 * across a bin and otherwise at most the bin's share of the true distance below it. Without
 * offsets, a sample's values are taken as uniform within each bin.
 */
export function wassersteinBinned(edges: ArrayLike<number>, a: BinnedSample, b: BinnedSample): number {
  const m = edges.length;
  const na = total(a.counts);
  const nb = total(b.counts);
  if (na === 0 || nb === 0) return NaN;
  const lo = Math.min(a.min, b.min);
  const hi = Math.max(a.max, b.max);
  let ca = 0;
  let cb = 0;
  let sum = 0;
  for (let k = 0; k <= m; k++) {
    const left = k === 0 ? Math.min(lo, m > 0 ? edges[0]! : lo) : edges[k - 1]!;
    const right = k === m ? Math.max(hi, left) : edges[k]!;
    const width = right - left;
    const ia = withinIntegral(a, k, m, left, right, edges);
    const ib = withinIntegral(b, k, m, left, right, edges);
    sum += Math.abs(width * (ca / na - cb / nb) + ia / na - ib / nb);
    ca += a.counts[k]!;
    cb += b.counts[k]!;
  }
  return sum;
}

/** ∫ over bin k of (count of its values <= x) dx, from the offsets (or the uniform assumption). */
function withinIntegral(s: BinnedSample, k: number, m: number, left: number, right: number, edges: ArrayLike<number>): number {
  const c = s.counts[k]!;
  if (c === 0) return 0;
  if (!s.offsets || m === 0) return (c * (right - left)) / 2;
  const off = s.offsets[k]!;
  if (k < m) return off; // Σ (upper edge - v)
  // Last bin: Σ (right - v) = c·(right - last edge) - Σ (v - last edge).
  return c * (right - edges[m - 1]!) - off;
}

function total(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]!;
  return s;
}

/** Evidently's normalisation: the distance over the reference's (population) standard deviation, at least 0.001. */
export function normedWasserstein(distance: number, referenceStd: number): number {
  return distance / Math.max(referenceStd, 0.001);
}
