// Sparse numeric columns: one column of `length` rows stored as its non-zero entries only
// (compressed sparse column: ascending row indices and their values; every other row is an
// implicit 0, never missing). Text features are almost all zeros, so storing only the non-zeros
// keeps memory proportional to the text instead of documents x vocabulary.
//
// Code that can use sparsity walks `index`/`values`; code that cannot calls `toDense` one column
// at a time, so at most one dense copy of a sparse column exists per consumer at once.

export interface SparseVector {
  readonly kind: 'sparse';
  /** Rows of the column (stored and implicit). */
  readonly length: number;
  /** Rows of the stored entries, strictly ascending. */
  readonly index: Uint32Array;
  /** Values of the stored entries (NaN is allowed and means missing; implicit rows are 0). */
  readonly values: Float64Array;
}

/** A feature column: dense values, or the non-zeros of a sparse column. */
export type FeatureColumn = Float64Array | SparseVector;

/** Above this many bytes a dense copy is refused (callers name the step and columns). */
export const MAX_DENSE_BYTES = 2 ** 31;

export function sparseVector(length: number, index: Uint32Array, values: Float64Array): SparseVector {
  if (index.length !== values.length) throw new Error(`sparse column has ${index.length} indices and ${values.length} values`);
  return { kind: 'sparse', length, index, values };
}

export function isSparse(c: FeatureColumn): c is SparseVector {
  return !(c instanceof Float64Array);
}

/** Bytes held by a column's arrays. */
export function columnBytes(c: FeatureColumn): number {
  return isSparse(c) ? c.index.byteLength + c.values.byteLength : c.byteLength;
}

/** Bytes a dense copy of `columns` columns of `rows` rows needs. */
export function denseBytes(rows: number, columns: number): number {
  return rows * columns * 8;
}

/** Dense values of a column; a dense column is returned as is (callers must not mutate it). */
export function toDense(c: FeatureColumn): Float64Array {
  if (!isSparse(c)) return c;
  const out = new Float64Array(c.length);
  scatter(c, out, 0, c.length, 0);
  return out;
}

/** out[offset + r - from] = c[r] for the stored rows r in [from, to); other slots are left alone. */
export function scatter(c: SparseVector, out: Float64Array | Float32Array, from: number, to: number, offset: number, stride = 1): void {
  const { index, values } = c;
  for (let k = lowerBound(index, from); k < index.length; k++) {
    const r = index[k]!;
    if (r >= to) break;
    out[offset + (r - from) * stride] = values[k]!;
  }
}

/** Rows [from, to) of a column as new dense values. */
export function denseRange(c: SparseVector, from: number, to: number): Float64Array {
  const out = new Float64Array(to - from);
  scatter(c, out, from, to, 0);
  return out;
}

/**
 * A reader of row values for rows visited in non-decreasing order (writers, row-by-row scans):
 * a cursor makes each read O(1) amortised; a backwards step falls back to a binary search.
 */
export function rowReader(c: SparseVector): (row: number) => number {
  let k = 0;
  let last = -1;
  return (row) => {
    if (row < last) k = lowerBound(c.index, row);
    last = row;
    while (k < c.index.length && c.index[k]! < row) k++;
    return k < c.index.length && c.index[k] === row ? c.values[k]! : 0;
  };
}

/** The sparse form of dense values (exact zeros are left implicit; NaN is stored). */
export function fromDense(values: ArrayLike<number>): SparseVector {
  let nnz = 0;
  for (let i = 0; i < values.length; i++) if (values[i] !== 0) nnz++;
  const index = new Uint32Array(nnz);
  const out = new Float64Array(nnz);
  for (let i = 0, k = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v !== 0) {
      index[k] = i;
      out[k++] = v;
    }
  }
  return sparseVector(values.length, index, out);
}

/** First position k with index[k] >= row. */
export function lowerBound(index: Uint32Array, row: number): number {
  let lo = 0;
  let hi = index.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (index[mid]! < row) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Rows [start, end) as a new column (indices are rebased, so they cannot share memory). */
export function sliceSparse(c: SparseVector, start: number, end: number): SparseVector {
  const a = lowerBound(c.index, start);
  const b = lowerBound(c.index, end);
  const index = new Uint32Array(b - a);
  for (let k = a; k < b; k++) index[k - a] = c.index[k]! - start;
  return sparseVector(end - start, index, c.values.slice(a, b));
}

/**
 * Where each source row goes in a row selection `idx` (rows may repeat or be out of order), as
 * CSR lists: the output positions of source row r are pos[start[r] .. start[r+1]). Built once
 * per selection and shared by every sparse column taken with it.
 */
export interface RowInverse {
  readonly start: Uint32Array;
  readonly pos: Uint32Array;
  /** Whether idx is strictly ascending (then taken indices need no sort). */
  readonly ascending: boolean;
}

export function rowInverse(idx: Int32Array | Uint32Array, length: number): RowInverse {
  const start = new Uint32Array(length + 1);
  let ascending = true;
  for (let i = 0; i < idx.length; i++) {
    start[idx[i]! + 1]++;
    if (i > 0 && idx[i]! <= idx[i - 1]!) ascending = false;
  }
  for (let r = 0; r < length; r++) start[r + 1] += start[r]!;
  const fill = start.slice(0, length);
  const pos = new Uint32Array(idx.length);
  for (let i = 0; i < idx.length; i++) pos[fill[idx[i]!]!++] = i;
  return { start, pos, ascending };
}

/** Rows `idx` of a sparse column (with `inv` = rowInverse(idx, c.length)). */
export function takeSparse(c: SparseVector, inv: RowInverse, rows: number): SparseVector {
  const { start, pos } = inv;
  let nnz = 0;
  for (let k = 0; k < c.index.length; k++) {
    const r = c.index[k]!;
    nnz += start[r + 1]! - start[r]!;
  }
  let index = new Uint32Array(nnz);
  let values = new Float64Array(nnz);
  let o = 0;
  for (let k = 0; k < c.index.length; k++) {
    const r = c.index[k]!;
    const v = c.values[k]!;
    for (let t = start[r]!; t < start[r + 1]!; t++) {
      index[o] = pos[t]!;
      values[o++] = v;
    }
  }
  if (!inv.ascending && nnz > 1) {
    // Output positions arrive in source-row order: sort the entries by position.
    const order = new Uint32Array(nnz);
    for (let k = 0; k < nnz; k++) order[k] = k;
    const src = index;
    order.sort((a, b) => src[a]! - src[b]!);
    const si = new Uint32Array(nnz);
    const sv = new Float64Array(nnz);
    for (let k = 0; k < nnz; k++) {
      si[k] = index[order[k]!]!;
      sv[k] = values[order[k]!]!;
    }
    index = si;
    values = sv;
  }
  return sparseVector(rows, index, values);
}

/** Rows `idx` of any feature column (`inv` is built on demand when absent and needed). */
export function takeColumnRows(c: FeatureColumn, idx: Int32Array | Uint32Array, inv?: RowInverse): FeatureColumn {
  if (isSparse(c)) return takeSparse(c, inv ?? rowInverse(idx, c.length), idx.length);
  const out = new Float64Array(idx.length);
  for (let i = 0; i < idx.length; i++) out[i] = c[idx[i]!]!;
  return out;
}

/** The same column with every stored value mapped (f(0) must be 0 for the result to be right). */
export function mapStored(c: SparseVector, f: (v: number) => number): SparseVector {
  const values = new Float64Array(c.values.length);
  for (let k = 0; k < values.length; k++) values[k] = f(c.values[k]!);
  return sparseVector(c.length, c.index, values);
}

/**
 * Sum, sum of squares and count of the present values, implicit zeros included (they add to the
 * count only); NaN stored values are skipped.
 */
export function sparseMoments(c: SparseVector): { sum: number; sumSq: number; n: number } {
  let sum = 0;
  let sumSq = 0;
  let missing = 0;
  for (let k = 0; k < c.values.length; k++) {
    const v = c.values[k]!;
    if (Number.isNaN(v)) {
      missing++;
      continue;
    }
    sum += v;
    sumSq += v * v;
  }
  return { sum, sumSq, n: c.length - missing };
}

/**
 * Accumulates entries row by row (rows in ascending order, any column order within a row) and
 * turns them into sparse columns: one counting sort by column keeps each column's rows ascending.
 * Memory is 16 bytes per entry while building (amortised growth aside), 12 in the result.
 */
export class SparseBuilder {
  private rows: Uint32Array;
  private cols: Uint32Array;
  private vals: Float64Array;
  private n = 0;

  constructor(initial = 1024) {
    this.rows = new Uint32Array(initial);
    this.cols = new Uint32Array(initial);
    this.vals = new Float64Array(initial);
  }

  get entries(): number {
    return this.n;
  }

  push(row: number, col: number, value: number): void {
    if (this.n === this.rows.length) this.grow();
    this.rows[this.n] = row;
    this.cols[this.n] = col;
    this.vals[this.n++] = value;
  }

  private grow(): void {
    const size = this.rows.length * 2;
    const r = new Uint32Array(size);
    const c = new Uint32Array(size);
    const v = new Float64Array(size);
    r.set(this.rows);
    c.set(this.cols);
    v.set(this.vals);
    this.rows = r;
    this.cols = c;
    this.vals = v;
  }

  /**
   * `columns` sparse columns of `length` rows. Each column gets its own buffers (not views of
   * one shared buffer), so a column can be transferred or dropped on its own.
   */
  build(columns: number, length: number): SparseVector[] {
    const n = this.n;
    const counts = new Uint32Array(columns);
    for (let e = 0; e < n; e++) counts[this.cols[e]!]++;
    const index = Array.from(counts, (k) => new Uint32Array(k));
    const values = Array.from(counts, (k) => new Float64Array(k));
    const fill = new Uint32Array(columns);
    for (let e = 0; e < n; e++) {
      const j = this.cols[e]!;
      const k = fill[j]!++;
      index[j]![k] = this.rows[e]!;
      values[j]![k] = this.vals[e]!;
    }
    return index.map((ix, j) => sparseVector(length, ix, values[j]!));
  }
}
