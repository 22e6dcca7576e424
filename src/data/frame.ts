// The in-memory table: named, equally long, typed columns. No per-row objects anywhere:
// numeric and datetime columns are Float64Array (NaN = missing), categorical columns are
// Int32Array codes into a dictionary (-1 = missing), text columns are plain string arrays.
// A numeric column may instead be sparse (text features: the non-zeros only, see
// engine/sparse.ts); it has the type 'numeric' like any other, so selectors and steps see a
// numeric column, and `numericValues` densifies it for code that needs every row.

import { lowerBound, rowInverse, sliceSparse, takeSparse, toDense, type RowInverse, type SparseVector } from '../engine/sparse.js';

export type ColumnType = 'numeric' | 'categorical' | 'text' | 'datetime';

export interface NumericColumn {
  readonly type: 'numeric';
  readonly name: string;
  readonly values: Float64Array;
  readonly sparse?: undefined;
}

/** A numeric column stored as its non-zero entries; implicit rows are 0 (never missing). */
export interface SparseNumericColumn {
  readonly type: 'numeric';
  readonly name: string;
  readonly sparse: SparseVector;
  readonly values?: undefined;
}

export interface CategoricalColumn {
  readonly type: 'categorical';
  readonly name: string;
  /** Index into `dictionary`, -1 for missing. */
  readonly codes: Int32Array;
  readonly dictionary: readonly string[];
}

export interface TextColumn {
  readonly type: 'text';
  readonly name: string;
  /** null for missing. */
  readonly values: readonly (string | null)[];
}

export interface DatetimeColumn {
  readonly type: 'datetime';
  readonly name: string;
  /** Epoch milliseconds (UTC), NaN for missing. */
  readonly values: Float64Array;
  /** The strptime format its strings were read with (`%b %d %Y`), when they were not ISO. */
  readonly format?: string;
}

export type Column = NumericColumn | SparseNumericColumn | CategoricalColumn | TextColumn | DatetimeColumn;

export class Frame {
  readonly rows: number;
  private readonly byName: Map<string, Column>;

  constructor(readonly columns: readonly Column[]) {
    this.rows = columns.length > 0 ? columnLength(columns[0]!) : 0;
    this.byName = new Map();
    for (const c of columns) {
      if (columnLength(c) !== this.rows) {
        throw new Error(`column ${c.name} has ${columnLength(c)} rows, expected ${this.rows}`);
      }
      if (this.byName.has(c.name)) throw new Error(`duplicate column name ${c.name}`);
      this.byName.set(c.name, c);
    }
  }

  get names(): string[] {
    return this.columns.map((c) => c.name);
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  column(name: string): Column | undefined {
    return this.byName.get(name);
  }

  /** A frame with only these columns (in this order). */
  select(names: readonly string[]): Frame {
    return new Frame(names.map((n) => {
      const c = this.byName.get(n);
      if (!c) throw new Error(`no column ${n}`);
      return c;
    }));
  }

  drop(names: readonly string[]): Frame {
    const gone = new Set(names);
    return new Frame(this.columns.filter((c) => !gone.has(c.name)));
  }

  /** Rows `idx`, in that order. */
  take(idx: Int32Array | Uint32Array): Frame {
    // One row inverse serves every sparse column of the frame.
    let inv: RowInverse | undefined;
    return new Frame(this.columns.map((c) => (isSparseColumn(c) ? takeColumn(c, idx, (inv ??= rowInverse(idx, this.rows))) : takeColumn(c, idx))));
  }

  /** Rows [start, end). Dense typed columns share memory with this frame; sparse ones are copied. */
  slice(start: number, end: number): Frame {
    return new Frame(this.columns.map((c): Column => {
      switch (c.type) {
        case 'numeric':
          return c.sparse ? { ...c, sparse: sliceSparse(c.sparse, start, end) } : { ...c, values: c.values.subarray(start, end) };
        case 'datetime':
          return { ...c, values: c.values.subarray(start, end) };
        case 'categorical':
          return { ...c, codes: c.codes.subarray(start, end) };
        case 'text':
          return { ...c, values: c.values.slice(start, end) };
      }
    }));
  }

  /** This frame with `column` replacing the column of the same name in place, or appended. */
  with(column: Column): Frame {
    const i = this.columns.findIndex((c) => c.name === column.name);
    if (i < 0) return new Frame([...this.columns, column]);
    const columns = this.columns.slice();
    columns[i] = column;
    return new Frame(columns);
  }
}

export function isSparseColumn(c: Column): c is SparseNumericColumn {
  return c.type === 'numeric' && c.sparse !== undefined;
}

export function columnLength(c: Column): number {
  if (c.type === 'categorical') return c.codes.length;
  return isSparseColumn(c) ? c.sparse.length : c.values.length;
}

/** Rows `idx` of a column (`inv`: the selection's row inverse, for sparse columns). */
function takeColumn(c: Column, idx: Int32Array | Uint32Array, inv?: RowInverse): Column {
  if (isSparseColumn(c)) return { ...c, sparse: takeSparse(c.sparse, inv ?? rowInverse(idx, c.sparse.length), idx.length) };
  switch (c.type) {
    case 'numeric':
    case 'datetime': {
      const out = new Float64Array(idx.length);
      for (let i = 0; i < idx.length; i++) out[i] = c.values[idx[i]!]!;
      return { ...c, values: out };
    }
    case 'categorical': {
      const out = new Int32Array(idx.length);
      for (let i = 0; i < idx.length; i++) out[i] = c.codes[idx[i]!]!;
      return { ...c, codes: out };
    }
    case 'text': {
      const out = new Array<string | null>(idx.length);
      for (let i = 0; i < idx.length; i++) out[i] = c.values[idx[i]!]!;
      return { ...c, values: out };
    }
  }
}

/** Whether row i of a column is missing. */
export function isMissing(c: Column, i: number): boolean {
  if (isSparseColumn(c)) return Number.isNaN(sparseAt(c.sparse, i));
  switch (c.type) {
    case 'numeric':
    case 'datetime':
      return Number.isNaN(c.values[i]!);
    case 'categorical':
      return c.codes[i]! < 0;
    case 'text':
      return c.values[i] === null;
  }
}

/** Number of missing cells in a column. */
export function countMissing(c: Column): number {
  let n = 0;
  if (isSparseColumn(c)) {
    for (const v of c.sparse.values) if (Number.isNaN(v)) n++;
    return n;
  }
  const len = columnLength(c);
  for (let i = 0; i < len; i++) if (isMissing(c, i)) n++;
  return n;
}

/** Value of row i of a sparse column (a binary search: for occasional lookups, not loops). */
function sparseAt(v: SparseVector, i: number): number {
  const k = lowerBound(v.index, i);
  return k < v.index.length && v.index[k] === i ? v.values[k]! : 0;
}

/** Value of row i of a numeric or datetime column (dense or sparse). */
export function valueAt(c: NumericColumn | SparseNumericColumn | DatetimeColumn, i: number): number {
  return c.type === 'numeric' && c.sparse ? sparseAt(c.sparse, i) : c.values![i]!;
}

/**
 * Every row of a numeric or datetime column as dense values: the column's own array when it is
 * dense (do not mutate it), a new array when it is sparse. Densify one column at a time.
 */
export function numericValues(c: NumericColumn | SparseNumericColumn | DatetimeColumn): Float64Array {
  return c.type === 'numeric' && c.sparse ? toDense(c.sparse) : c.values!;
}
