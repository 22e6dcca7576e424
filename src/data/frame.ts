// The in-memory table: named, equally long, typed columns. No per-row objects anywhere:
// numeric and datetime columns are Float64Array (NaN = missing), categorical columns are
// Int32Array codes into a dictionary (-1 = missing), text columns are plain string arrays.

export type ColumnType = 'numeric' | 'categorical' | 'text' | 'datetime';

export interface NumericColumn {
  readonly type: 'numeric';
  readonly name: string;
  readonly values: Float64Array;
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
}

export type Column = NumericColumn | CategoricalColumn | TextColumn | DatetimeColumn;

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
    return new Frame(this.columns.map((c) => takeColumn(c, idx)));
  }

  /** Rows [start, end). Typed columns share memory with this frame. */
  slice(start: number, end: number): Frame {
    return new Frame(this.columns.map((c): Column => {
      switch (c.type) {
        case 'numeric':
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

export function columnLength(c: Column): number {
  return c.type === 'categorical' ? c.codes.length : c.values.length;
}

export function takeColumn(c: Column, idx: Int32Array | Uint32Array): Column {
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
  const len = columnLength(c);
  for (let i = 0; i < len; i++) if (isMissing(c, i)) n++;
  return n;
}
