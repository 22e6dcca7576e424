// Small statistics shared by the numeric steps, on typed arrays with NaN as missing (and on
// sparse columns, whose implicit zeros are present values).

import type { SparseVector } from '../engine/sparse.js';

/** The non-missing values, sorted ascending. */
export function sortedPresent(values: ArrayLike<number>): Float64Array {
  let n = 0;
  for (let i = 0; i < values.length; i++) if (!Number.isNaN(values[i]!)) n++;
  const out = new Float64Array(n);
  let k = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isNaN(v)) out[k++] = v;
  }
  return out.sort();
}

/** Quantile q of sorted values with linear interpolation (numpy's default); NaN when empty. */
export function quantileSorted(sorted: Float64Array, q: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const pos = q * (n - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(n - 1, lo + 1);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

/** Mean and population standard deviation of the present values (one pass, Welford). */
export function meanStd(values: ArrayLike<number>): { mean: number; std: number; n: number } {
  let n = 0;
  let mean = 0;
  let m2 = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (Number.isNaN(v)) continue;
    n++;
    const d = v - mean;
    mean += d / n;
    m2 += d * (v - mean);
  }
  return { mean: n > 0 ? mean : NaN, std: n > 0 ? Math.sqrt(m2 / n) : NaN, n };
}

/**
 * The k-th smallest present value (0-based) by quickselect on a scratch copy: median imputation
 * needs one order statistic, not a full sort.
 */
function selectKth(scratch: Float64Array, k: number): number {
  let lo = 0;
  let hi = scratch.length - 1;
  while (hi > lo) {
    const pivot = median3(scratch[lo]!, scratch[(lo + hi) >> 1]!, scratch[hi]!);
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (scratch[i]! < pivot) i++;
      while (scratch[j]! > pivot) j--;
      if (i <= j) {
        const t = scratch[i]!;
        scratch[i] = scratch[j]!;
        scratch[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return scratch[k]!;
  }
  return scratch[k]!;
}

function median3(a: number, b: number, c: number): number {
  return a < b ? (b < c ? b : a < c ? c : a) : a < c ? a : b < c ? c : b;
}

/** Median of the present values; NaN when there are none. */
export function medianOf(values: ArrayLike<number>): number {
  let n = 0;
  for (let i = 0; i < values.length; i++) if (!Number.isNaN(values[i]!)) n++;
  if (n === 0) return NaN;
  const scratch = new Float64Array(n);
  let k = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isNaN(v)) scratch[k++] = v;
  }
  const mid = n >> 1;
  const upper = selectKth(scratch, mid);
  if (n % 2 === 1) return upper;
  // After selecting `mid`, every value left of it is <= it: the lower middle is their maximum.
  let lower = -Infinity;
  for (let i = 0; i < mid; i++) if (scratch[i]! > lower) lower = scratch[i]!;
  return (lower + upper) / 2;
}

/**
 * Quantile q (linear interpolation, as quantileSorted) of a sparse column's present values,
 * implicit zeros included, without densifying: sorted, they are the stored negatives, then every
 * zero, then the stored positives. NaN when no value is present.
 */
export function sparseQuantile(c: SparseVector, q: number): number {
  const stored = sortedPresent(c.values);
  let missing = 0;
  for (let k = 0; k < c.values.length; k++) if (Number.isNaN(c.values[k]!)) missing++;
  const n = c.length - missing;
  if (n === 0) return NaN;
  let negatives = 0;
  while (negatives < stored.length && stored[negatives]! < 0) negatives++;
  let positives = negatives;
  while (positives < stored.length && stored[positives] === 0) positives++;
  // Zeros in all: the implicit rows plus any stored zeros.
  const zeros = n - stored.length + (positives - negatives);
  const at = (k: number): number => (k < negatives ? stored[k]! : k < negatives + zeros ? 0 : stored[positives + k - negatives - zeros]!);
  const pos = q * (n - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(n - 1, lo + 1);
  return at(lo) + (at(hi) - at(lo)) * (pos - lo);
}

/** Median of a sparse column's present values, implicit zeros included. */
export const sparseMedian = (c: SparseVector): number => sparseQuantile(c, 0.5);

/**
 * Population variance and count of a sparse column's present values, implicit zeros included, in
 * two passes over the stored values (centred sums, no cancellation); exactly 0 when every present
 * value is equal, as Welford's pass gives for a dense constant column.
 */
export function sparseVariance(c: SparseVector): { variance: number; n: number } {
  let sum = 0;
  let n = 0;
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of c.values) {
    if (Number.isNaN(v)) continue;
    sum += v;
    n++;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const zeros = c.length - c.values.length;
  if (zeros > 0) {
    lo = Math.min(lo, 0);
    hi = Math.max(hi, 0);
  }
  const count = n + zeros;
  if (count === 0) return { variance: NaN, n: 0 };
  if (lo === hi) return { variance: 0, n: count };
  const mean = sum / count;
  let ss = zeros * mean * mean;
  for (const v of c.values) if (!Number.isNaN(v)) ss += (v - mean) * (v - mean);
  return { variance: ss / count, n: count };
}
