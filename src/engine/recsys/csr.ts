// Sparse user-item matrices in compressed sparse row form on typed arrays: row r's entries are
// indices[indptr[r] .. indptr[r + 1]) (column ascending) with their values. The same type holds
// the transpose (item rows, user columns: the CSC view of the user-item matrix), item neighbour
// lists and item attribute vectors, so every kernel walks one shape.

export interface Csr {
  readonly rows: number;
  readonly cols: number;
  /** rows + 1 offsets into indices/values. */
  readonly indptr: Int32Array;
  /** Column of each entry, ascending within a row. */
  readonly indices: Int32Array;
  readonly values: Float64Array;
}

/** How repeated (row, column) pairs combine when a matrix is built from triplets. */
export type DuplicatePolicy = 'last' | 'sum' | 'mean' | 'max';

export interface BuiltCsr {
  matrix: Csr;
  /** Entries dropped by combining repeated pairs. */
  duplicates: number;
}

/**
 * A CSR matrix from (row, col, value) triplets in any order. Repeated pairs combine by `policy`
 * ('last' keeps the value that comes last in the input order, e.g. the latest rating when the
 * input is in time order). Rows and columns must be valid indices (the caller coded them).
 */
export function csrFromTriplets(
  rowsOf: Int32Array,
  colsOf: Int32Array,
  valuesOf: Float64Array,
  rows: number,
  cols: number,
  policy: DuplicatePolicy = 'last',
): BuiltCsr {
  const n = rowsOf.length;
  if (colsOf.length !== n || valuesOf.length !== n) throw new Error(`csrFromTriplets: ${n} rows, ${colsOf.length} cols, ${valuesOf.length} values`);
  // Counting sort by row keeps input order within a row; a stable sort by column then follows.
  const count = new Int32Array(rows + 1);
  for (let e = 0; e < n; e++) count[rowsOf[e]! + 1]!++;
  for (let r = 0; r < rows; r++) count[r + 1]! += count[r]!;
  const order = new Int32Array(n);
  const fill = count.slice(0, rows);
  for (let e = 0; e < n; e++) order[fill[rowsOf[e]!]!++] = e;
  const outPtr = new Int32Array(rows + 1);
  const idx = new Int32Array(n);
  const val = new Float64Array(n);
  let o = 0;
  let duplicates = 0;
  const seg: number[] = [];
  for (let r = 0; r < rows; r++) {
    const a = count[r]!;
    const b = count[r + 1]!;
    seg.length = 0;
    for (let t = a; t < b; t++) seg.push(order[t]!);
    // Stable: equal columns keep input order, so 'last' is the latest entry.
    seg.sort((x, y) => colsOf[x]! - colsOf[y]! || x - y);
    let t = 0;
    while (t < seg.length) {
      const c = colsOf[seg[t]!]!;
      let v = valuesOf[seg[t]!]!;
      let m = 1;
      let u = t + 1;
      for (; u < seg.length && colsOf[seg[u]!] === c; u++, m++) {
        const w = valuesOf[seg[u]!]!;
        v = policy === 'last' ? w : policy === 'max' ? Math.max(v, w) : v + w;
      }
      if (policy === 'mean') v /= m;
      duplicates += m - 1;
      idx[o] = c;
      val[o++] = v;
      t = u;
    }
    outPtr[r + 1] = o;
  }
  return { matrix: { rows, cols, indptr: outPtr, indices: idx.slice(0, o), values: val.slice(0, o) }, duplicates };
}

/** The transpose (the CSC view of `m` as a CSR matrix of its columns), columns ascending per row. */
export function transpose(m: Csr): Csr {
  const nnz = m.indices.length;
  const ptr = new Int32Array(m.cols + 1);
  for (let e = 0; e < nnz; e++) ptr[m.indices[e]! + 1]!++;
  for (let c = 0; c < m.cols; c++) ptr[c + 1]! += ptr[c]!;
  const fill = ptr.slice(0, m.cols);
  const idx = new Int32Array(nnz);
  const val = new Float64Array(nnz);
  // Walking rows in order writes each column's entries with ascending row indices.
  for (let r = 0; r < m.rows; r++) {
    for (let e = m.indptr[r]!; e < m.indptr[r + 1]!; e++) {
      const p = fill[m.indices[e]!]!++;
      idx[p] = r;
      val[p] = m.values[e]!;
    }
  }
  return { rows: m.cols, cols: m.rows, indptr: ptr, indices: idx, values: val };
}

/** Entries per row. */
export function rowCounts(m: Csr): Int32Array {
  const out = new Int32Array(m.rows);
  for (let r = 0; r < m.rows; r++) out[r] = m.indptr[r + 1]! - m.indptr[r]!;
  return out;
}

/** The same pattern with every value replaced by f(value). */
export function mapValues(m: Csr, f: (v: number) => number): Csr {
  const values = new Float64Array(m.values.length);
  for (let e = 0; e < values.length; e++) values[e] = f(m.values[e]!);
  return { ...m, values };
}

/** Each row scaled to unit Euclidean norm (empty and all-zero rows stay as they are). */
export function normalizeRows(m: Csr): Csr {
  const values = new Float64Array(m.values);
  for (let r = 0; r < m.rows; r++) {
    let s = 0;
    for (let e = m.indptr[r]!; e < m.indptr[r + 1]!; e++) s += values[e]! * values[e]!;
    if (s > 0) {
      const inv = 1 / Math.sqrt(s);
      for (let e = m.indptr[r]!; e < m.indptr[r + 1]!; e++) values[e]! *= inv;
    }
  }
  return { ...m, values };
}

/** Whether row r holds column c (binary search over the row's ascending columns). */
export function hasEntry(m: Csr, r: number, c: number): boolean {
  let lo = m.indptr[r]!;
  let hi = m.indptr[r + 1]!;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const v = m.indices[mid]!;
    if (v === c) return true;
    if (v < c) lo = mid + 1;
    else hi = mid;
  }
  return false;
}
