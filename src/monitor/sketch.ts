// Streaming column sketches for drift: what one pass over a file keeps per column, in memory that
// does not grow with the file. A numeric sketch counts values on fixed bin edges (the stored
// reference's, or edges learned from the reference file) and keeps, per bin, where in the bin
// its values lie (Σ distance to the bin's upper edge), the range, the moments, and the first few
// distinct values (Evidently picks a categorical test for numeric columns with few values). A
// categorical sketch counts values by their string. Missing values (NaN, -1 codes) and
// infinities are counted apart and left out of the tests, as the drift anchor drops them.

import { sortFloats } from '../engine/sort.js';

/** Distinct values remembered per numeric column; past it only "many" is known. */
export const DISTINCT_CAP = 11;
/** A categorical column with more distinct values than this is not tested (an id, free text). */
export const CATEGORY_CAP = 100_000;

export class NumericSketch {
  readonly edges: Float64Array;
  /** Rows per value bin: bin b holds edges[b-1] < v <= edges[b] (countOnEdges' bins). */
  readonly counts: Float64Array;
  /** Per bin b < m: Σ (edges[b] - v); last bin: Σ (v - edges[m-1]). */
  readonly offsets: Float64Array;
  missing = 0;
  infinite = 0;
  /** Finite values counted. */
  n = 0;
  min = Infinity;
  max = -Infinity;
  mean = 0;
  /** Σ (v - mean)², combined chunk by chunk (Chan et al.), so large offsets do not cancel. */
  m2 = 0;
  /** The distinct finite values seen, while there are at most DISTINCT_CAP of them; null after. */
  distinct: Set<number> | null = new Set();

  constructor(edges: Float64Array) {
    this.edges = edges;
    this.counts = new Float64Array(edges.length + 1);
    this.offsets = new Float64Array(edges.length + 1);
  }

  add(values: ArrayLike<number>): void {
    const e = this.edges;
    const m = e.length;
    const counts = this.counts;
    const offsets = this.offsets;
    let n = 0;
    let sum = 0;
    let lo = this.min;
    let hi = this.max;
    for (let i = 0; i < values.length; i++) {
      const v = values[i]!;
      if (v !== v) {
        this.missing++;
        continue;
      }
      if (v === Infinity || v === -Infinity) {
        this.infinite++;
        continue;
      }
      let a = 0;
      let b = m;
      while (a < b) {
        const mid = (a + b) >>> 1;
        if (e[mid]! < v) a = mid + 1;
        else b = mid;
      }
      counts[a]!++;
      offsets[a]! += a < m ? e[a]! - v : v - e[m - 1]!;
      n++;
      sum += v;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    this.min = lo;
    this.max = hi;
    if (n === 0) return;
    const mean = sum / n;
    let m2 = 0;
    const distinct = this.distinct;
    for (let i = 0; i < values.length; i++) {
      const v = values[i]!;
      if (v !== v || v === Infinity || v === -Infinity) continue;
      m2 += (v - mean) * (v - mean);
    }
    if (distinct) {
      for (let i = 0; i < values.length && distinct.size <= DISTINCT_CAP; i++) {
        const v = values[i]!;
        if (v === v && v !== Infinity && v !== -Infinity) distinct.add(v);
      }
      if (distinct.size > DISTINCT_CAP) this.distinct = null;
    }
    const total = this.n + n;
    const delta = mean - this.mean;
    this.m2 += m2 + (delta * delta * this.n * n) / total;
    this.mean += (delta * n) / total;
    this.n = total;
  }

  /** Population standard deviation of the finite values (numpy's std). */
  get std(): number {
    return this.n > 0 ? Math.sqrt(this.m2 / this.n) : NaN;
  }
}

export class CategoricalSketch {
  readonly counts = new Map<string, number>();
  missing = 0;
  n = 0;
  /** More than CATEGORY_CAP distinct values: counting stopped (not tested). */
  overflow = false;

  /** Adds a chunk's codes into its dictionary (-1 missing). */
  add(codes: Int32Array, dictionary: readonly string[]): void {
    const byCode = new Float64Array(dictionary.length);
    for (let i = 0; i < codes.length; i++) {
      const c = codes[i]!;
      if (c < 0) this.missing++;
      else byCode[c]!++;
    }
    if (this.overflow) return;
    for (let k = 0; k < byCode.length; k++) {
      const c = byCode[k]!;
      if (c === 0) continue;
      const name = dictionary[k]!;
      this.counts.set(name, (this.counts.get(name) ?? 0) + c);
      this.n += c;
    }
    if (this.counts.size > CATEGORY_CAP) this.overflow = true;
  }

  /** Adds string values (text columns; null missing). */
  addStrings(values: readonly (string | null)[]): void {
    for (const v of values) {
      if (v === null) {
        this.missing++;
        continue;
      }
      if (this.overflow) continue;
      this.counts.set(v, (this.counts.get(v) ?? 0) + 1);
      this.n++;
    }
    if (this.counts.size > CATEGORY_CAP) this.overflow = true;
  }
}

/**
 * Quantile edges for `sample` (finite values): at most `bins` - 1 distinct interior edges at
 * evenly spaced ranks. When the sample has at most `exactCap` distinct values, the edges hold
 * every distinct value v and the largest double below it, so the bins separate "= v" from the
 * open gaps between values: cumulative counts at the edges are then the CDFs at every value, and
 * KS on them is exact.
 */
export function sampleEdges(sample: Float64Array, bins: number, exactCap: number, isSorted = false): Float64Array {
  const sorted = isSorted ? sample : sortedCopy(sample);
  const distinct: number[] = [];
  for (let i = 0; i < sorted.length && distinct.length <= exactCap; i++) if (i === 0 || sorted[i] !== sorted[i - 1]) distinct.push(sorted[i]!);
  if (distinct.length <= exactCap) {
    const out: number[] = [];
    for (const v of distinct) {
      const below = nextDown(v);
      if (out.length === 0 || out[out.length - 1]! < below) out.push(below);
      out.push(v);
    }
    return Float64Array.from(out);
  }
  const out: number[] = [];
  for (let k = 1; k < bins; k++) {
    const v = sorted[Math.min(sorted.length - 1, Math.floor((k * sorted.length) / bins))]!;
    if (out.length === 0 || out[out.length - 1]! < v) out.push(v);
  }
  return Float64Array.from(out);
}

/** A sorted copy of finite values (the radix sort of the tree binning). */
export function sortedCopy(values: Float64Array): Float64Array {
  return sortFloats(Float64Array.from(values), new Float64Array(values.length));
}

const f64 = new Float64Array(1);
const u64 = new BigInt64Array(f64.buffer);

/** The largest double below x (x finite). */
export function nextDown(x: number): number {
  if (x === 0) return -Number.MIN_VALUE;
  f64[0] = x;
  u64[0] = x > 0 ? u64[0]! - 1n : u64[0]! + 1n;
  return f64[0]!;
}

/**
 * The drift anchor's PSI bin edges: numpy's linear-interpolation quantiles of the sample at
 * 0.1 ... 0.9, distinct. Its bins put a value equal to an edge in the bin above (searchsorted
 * right); here bins hold values <= their upper edge, so the edge used is the double just below.
 */
export function psiEdges(sample: Float64Array, bins: number, isSorted = false): Float64Array {
  const sorted = isSorted ? sample : sortedCopy(sample);
  const n = sorted.length;
  if (n === 0) return new Float64Array(0);
  const out: number[] = [];
  for (let k = 1; k < bins; k++) {
    const h = ((n - 1) * k) / bins;
    const lo = Math.floor(h);
    const t = h - lo;
    const a = sorted[lo]!;
    const b = sorted[Math.min(n - 1, lo + 1)]!;
    // numpy's _lerp: from the nearer end, so the result stays within [a, b].
    const q = t >= 0.5 ? b - (b - a) * (1 - t) : a + (b - a) * t;
    const e = nextDown(q);
    if (out.length === 0 || out[out.length - 1]! < e) out.push(e);
  }
  return Float64Array.from(out);
}

/** The sorted union of two edge lists. */
export function mergeEdges(a: Float64Array, b: Float64Array): Float64Array {
  const all = new Float64Array(a.length + b.length);
  all.set(a);
  all.set(b, a.length);
  all.sort();
  const out: number[] = [];
  for (const v of all) if (out.length === 0 || out[out.length - 1]! < v) out.push(v);
  return Float64Array.from(out);
}

/** Fine bin -> PSI bin for bins on `edges` when `groupEdges` is a subset of them. */
export function groupsOnEdges(edges: Float64Array, groupEdges: Float64Array): Int32Array {
  const map = new Int32Array(edges.length + 1);
  let g = 0;
  for (let b = 0; b < edges.length; b++) {
    while (g < groupEdges.length && groupEdges[g]! < edges[b]!) g++;
    map[b] = g;
  }
  map[edges.length] = groupEdges.length;
  return map;
}
