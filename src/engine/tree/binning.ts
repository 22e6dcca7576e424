// Per-feature quantile binning: raw float columns -> small integer bins packed row-major, so the
// histogram loop reads all features of a row from adjacent bytes. Missing values get their own bin.

import { Rng } from '../random.js';
import { sortFloats } from '../sort.js';
import type { TreeArena } from './arena.js';

/** How each feature maps raw values to bins; learned on the training data only. */
export interface BinMapper {
  readonly nFeatures: number;
  /** Value bins per feature (categories for categorical features); the missing bin comes after them. */
  readonly nValueBins: Int32Array;
  /** 1 for categorical features (bin = category code), 0 for numeric. */
  readonly categorical: Uint8Array;
  /**
   * Numeric features: upper edges of the value bins except the last (length nValueBins - 1);
   * a value v falls in the first bin b with v <= thresholds[b]. Empty for categorical features.
   */
  readonly thresholds: readonly Float64Array[];
  /**
   * Categorical features with more categories than value bins: category code -> bin. The most
   * frequent categories keep a bin each (in code order), the rest share the last value bin, and
   * codes no training row has go to the missing bin. Null (or absent) where bin = code.
   */
  readonly categoryBins?: readonly (Int32Array | null)[];
}

/** A binned training matrix: bins[row * nFeatures + feature], missing bin = nValueBins[feature]. */
export interface BinnedData {
  readonly rows: number;
  readonly nFeatures: number;
  readonly bins: Uint8Array | Uint16Array;
  /** Bins per feature including the missing bin. */
  readonly nBins: Int32Array;
  /** Start of each feature's bins in a node histogram; offsets[nFeatures] = total bins. */
  readonly offsets: Int32Array;
  /** offsets[j] = j << shift: every feature gets the same power-of-two span, so the histogram loop
   * computes a bin's slot with a shift instead of loading an offset. */
  readonly shift: number;
  readonly mapper: BinMapper;
  /**
   * The same bins column-major, one array per feature: partitioning a node reads one feature of
   * scattered rows, which stays in cache from a column but not from the packed rows.
   */
  readonly columns?: readonly (Uint8Array | Uint16Array)[];
  /** The shared wasm memory holding `bins` and `columns`, when the fit runs the wasm kernels. */
  readonly arena?: TreeArena;
}

/** Quantiles are estimated on at most this many rows: beyond it they barely move and sorting costs. */
const QUANTILE_SAMPLE = 200_000;

/**
 * Learns bin edges. `maxBin` counts the missing bin too, so max_bin=256 fits a Uint8Array.
 * Categorical features use their codes as bins; past `maxBin - 1` categories, the `maxBin - 2`
 * most frequent keep their own bins and the rarer ones share one (see `categoryBins`).
 */
export function fitBinMapper(
  columns: readonly Float64Array[],
  categorical: ArrayLike<boolean | number>,
  cardinality: ArrayLike<number>,
  maxBin: number,
  seed: number,
): BinMapper {
  const nF = columns.length;
  const maxValueBins = Math.max(1, maxBin - 1);
  const nValueBins = new Int32Array(nF);
  const cat = new Uint8Array(nF);
  const thresholds: Float64Array[] = [];
  const categoryBins: (Int32Array | null)[] = new Array<Int32Array | null>(nF).fill(null);
  const rows = nF > 0 ? columns[0]!.length : 0;
  let sample: Uint32Array | null = null;
  if (rows > QUANTILE_SAMPLE) {
    // One row sample shared by all features: cheap and deterministic for a seed.
    const rng = new Rng(seed ^ 0x5bd1e995);
    sample = new Uint32Array(QUANTILE_SAMPLE);
    for (let i = 0; i < QUANTILE_SAMPLE; i++) sample[i] = rng.int(rows);
  }
  const buf = new Float64Array(sample ? sample.length : rows);
  const scratch = new Float64Array(buf.length);
  for (let j = 0; j < nF; j++) {
    const col = columns[j]!;
    if (categorical[j]) {
      cat[j] = 1;
      let card = Math.max(1, Math.floor(cardinality[j] ?? 0));
      if (card <= 1) {
        // Cardinality unknown: take it from the codes present.
        let mx = -1;
        for (let i = 0; i < rows; i++) if (col[i]! > mx) mx = col[i]!;
        card = Math.max(1, Math.floor(mx) + 1);
      }
      if (card > maxValueBins) categoryBins[j] = frequentCategoryBins(col, card, maxValueBins);
      nValueBins[j] = Math.min(card, maxValueBins);
      thresholds.push(new Float64Array(0));
      continue;
    }
    let n = 0;
    if (sample) {
      for (let i = 0; i < sample.length; i++) {
        const v = col[sample[i]!]!;
        if (v === v) buf[n++] = v;
      }
    } else {
      for (let i = 0; i < rows; i++) {
        const v = col[i]!;
        if (v === v) buf[n++] = v;
      }
    }
    const sorted = sortFloats(buf.subarray(0, n), scratch);
    const t = quantileEdges(sorted, maxValueBins);
    thresholds.push(t);
    nValueBins[j] = t.length + 1;
  }
  return { nFeatures: nF, nValueBins, categorical: cat, thresholds, categoryBins };
}

/**
 * Code -> bin for a categorical column with more categories than `nValueBins`: the
 * nValueBins - 1 most frequent present categories (ties: lower code) get bins 0.. in code order,
 * the other present ones share bin nValueBins - 1, absent ones get the missing bin nValueBins.
 */
function frequentCategoryBins(col: Float64Array, card: number, nValueBins: number): Int32Array {
  const count = new Float64Array(card);
  for (let i = 0; i < col.length; i++) {
    const v = col[i]!;
    const c = Math.floor(v);
    if (v === v && c >= 0 && c < card) count[c]! += 1;
  }
  const byCount = Array.from({ length: card }, (_, c) => c).sort((a, b) => count[b]! - count[a]! || a - b);
  const keep = new Uint8Array(card);
  for (let r = 0; r < nValueBins - 1 && count[byCount[r]!]! > 0; r++) keep[byCount[r]!] = 1;
  const map = new Int32Array(card);
  let next = 0;
  for (let c = 0; c < card; c++) map[c] = count[c] === 0 ? nValueBins : keep[c] ? next++ : nValueBins - 1;
  return map;
}

/** Bin edges for sorted values: midpoints between distinct values when few, else quantiles. */
function quantileEdges(sorted: Float64Array, maxValueBins: number): Float64Array {
  const n = sorted.length;
  if (n === 0) return new Float64Array(0);
  let distinct = 1;
  for (let i = 1; i < n && distinct <= maxValueBins; i++) if (sorted[i] !== sorted[i - 1]) distinct++;
  if (distinct <= maxValueBins) {
    const out = new Float64Array(distinct - 1);
    let k = 0;
    for (let i = 1; i < n; i++) {
      if (sorted[i] !== sorted[i - 1]) out[k++] = (sorted[i - 1]! + sorted[i]!) / 2;
    }
    return out;
  }
  const edges: number[] = [];
  let last = -Infinity;
  for (let b = 1; b < maxValueBins; b++) {
    const v = sorted[Math.min(n - 1, Math.floor((b * n) / maxValueBins))]!;
    // An edge equal to the maximum would leave the last bin empty.
    if (v > last && v < sorted[n - 1]!) {
      edges.push(v);
      last = v;
    }
  }
  return Float64Array.from(edges);
}

/** Bin of one raw value (numeric or categorical), as training and the split scan see it. */
export function binOf(mapper: BinMapper, j: number, v: number): number {
  const nv = mapper.nValueBins[j]!;
  if (v !== v) return nv;
  if (mapper.categorical[j]) {
    const c = Math.floor(v);
    const map = mapper.categoryBins?.[j];
    if (map) return c >= 0 && c < map.length ? map[c]! : nv;
    return c >= 0 && c < nv ? c : nv;
  }
  const t = mapper.thresholds[j]!;
  let lo = 0;
  let hi = t.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (t[mid]! < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Bytes the binned form of rows x nFeatures takes (packed rows plus the column copy). */
export function binnedBytes(mapper: BinMapper, rows: number): number {
  let maxBins = 1;
  for (let j = 0; j < mapper.nFeatures; j++) maxBins = Math.max(maxBins, mapper.nValueBins[j]! + 1);
  return 2 * rows * mapper.nFeatures * (maxBins <= 256 ? 1 : 2);
}

/**
 * Bins a matrix with a fitted mapper into the row-major packed layout (and a column-major copy).
 * With an arena, both live in its shared memory, where the wasm kernels read them.
 */
export function binMatrix(mapper: BinMapper, columns: readonly Float64Array[], arena?: TreeArena): BinnedData {
  const nF = mapper.nFeatures;
  const rows = nF > 0 ? columns[0]!.length : 0;
  const nBins = new Int32Array(nF);
  const offsets = new Int32Array(nF + 1);
  let maxBins = 1;
  for (let j = 0; j < nF; j++) {
    nBins[j] = mapper.nValueBins[j]! + 1;
    if (nBins[j]! > maxBins) maxBins = nBins[j]!;
  }
  let shift = 0;
  while (1 << shift < maxBins) shift++;
  for (let j = 0; j <= nF; j++) offsets[j] = j << shift;
  const small = maxBins <= 256;
  const newBins = (n: number): Uint8Array | Uint16Array =>
    arena ? (small ? arena.u8(n) : arena.u16(n)) : small ? new Uint8Array(n) : new Uint16Array(n);
  const bins = newBins(rows * nF);
  const binColumns: (Uint8Array | Uint16Array)[] = [];
  for (let j = 0; j < nF; j++) {
    const col = columns[j]!;
    const nv = mapper.nValueBins[j]!;
    const out = newBins(rows);
    binColumns.push(out);
    if (mapper.categorical[j]) {
      const map = mapper.categoryBins?.[j];
      const card = map ? map.length : nv;
      for (let i = 0; i < rows; i++) {
        const v = col[i]!;
        const c = Math.floor(v);
        const bin = v === v && c >= 0 && c < card ? c : -1;
        out[i] = bin < 0 ? nv : map ? map[bin]! : bin;
      }
      continue;
    }
    const t = mapper.thresholds[j]!;
    const m = t.length;
    if (m === 0) {
      for (let i = 0; i < rows; i++) out[i] = col[i]! === col[i]! ? 0 : nv;
    } else {
      // A binary search mispredicts a branch at almost every step; instead a uniform grid over the
      // edges gives each value a starting bin, and a short forward scan finishes (same result).
      const lo = t[0]!;
      const span = t[m - 1]! - lo;
      const cells = GRID_CELLS;
      const scale = span > 0 ? cells / span : 0;
      const start = gridStarts(t, cells, lo, span);
      for (let i = 0; i < rows; i++) {
        const v = col[i]!;
        if (v !== v) {
          out[i] = nv;
          continue;
        }
        let b: number;
        if (v <= lo) b = 0;
        else {
          const c = Math.min(cells - 1, Math.floor((v - lo) * scale));
          b = start[c]!;
          while (b < m && t[b]! < v) b++;
        }
        out[i] = b;
      }
    }
  }
  // Rows are packed a block at a time: a block's rows stay in cache while every feature is
  // written into them, where one feature at a time over all rows would stream the matrix nF times.
  for (let i0 = 0; i0 < rows; i0 += PACK_BLOCK) {
    const i1 = Math.min(rows, i0 + PACK_BLOCK);
    for (let j = 0; j < nF; j++) {
      const col = binColumns[j]!;
      for (let i = i0; i < i1; i++) bins[i * nF + j] = col[i]!;
    }
  }
  return { rows, nFeatures: nF, bins, nBins, offsets, shift, mapper, columns: binColumns, ...(arena ? { arena } : {}) };
}

const GRID_CELLS = 4096;

/** Rows per block when packing the columns into rows. */
const PACK_BLOCK = 2048;

/** For each grid cell [lo + c * w, lo + (c + 1) * w): the first edge index not below the cell's start. */
function gridStarts(t: Float64Array, cells: number, lo: number, span: number): Int32Array {
  const start = new Int32Array(cells);
  let b = 0;
  for (let c = 0; c < cells; c++) {
    const x = lo + (span * c) / cells;
    while (b < t.length && t[b]! < x) b++;
    // Rounding in x may land one edge late; stepping back keeps the scan's start at or before the answer.
    start[c] = b > 0 ? b - 1 : 0;
  }
  return start;
}
