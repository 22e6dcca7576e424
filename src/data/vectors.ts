// Copying DuckDB result vectors into Frame columns. Numeric data is copied a whole vector at a
// time (typed data plus validity mask) through the C API binding; strings are decoded once each
// and dictionary-encoded as they arrive.

import type { DuckDBDataChunk } from '@duckdb/node-api';
import type { DuckDB } from './duckdb.js';
import type { Column, ColumnType } from './frame.js';
import { inferStringType, stringStats } from './infer.js';

type Bindings = DuckDB['bindings'];

/** Receives one column of a stream of DuckDB chunks and builds a Frame column from it. */
export interface ColumnSink {
  readonly name: string;
  /** Rows received so far. */
  readonly length: number;
  /** Appends rows [from, from + count) of column `index` of `chunk`. */
  append(chunk: DuckDBDataChunk, index: number, from: number, count: number): void;
  /** The column holding everything appended, with type `type` (or the inferred one). */
  finish(): Column;
}

/** Copies rows [from, from+count) of a DOUBLE vector into out[at..], NaN where invalid. */
export function copyDoubles(b: Bindings, chunk: DuckDBDataChunk, index: number, from: number, count: number, out: Float64Array, at: number): void {
  const vec = b.data_chunk_get_vector(chunk.chunk, index);
  const n = from + count;
  const bytes = b.vector_get_data(vec, n * 8);
  if (bytes.byteOffset % 8 === 0) {
    out.set(new Float64Array(bytes.buffer, bytes.byteOffset + from * 8, count), at);
  } else {
    new Uint8Array(out.buffer, out.byteOffset + at * 8, count * 8).set(bytes.subarray(from * 8, n * 8));
  }
  const valid = b.vector_get_validity(vec, Math.ceil(n / 64) * 8) as Uint8Array | null | undefined;
  if (!valid) return;
  // A null's data slot holds garbage; the mask (bit i of the little-endian words) says which.
  for (let i = from; i < n; ) {
    const byte = valid[i >>> 3]!;
    if (byte === 0xff && (i & 7) === 0 && i + 8 <= n) {
      i += 8;
      continue;
    }
    if (((byte >>> (i & 7)) & 1) === 0) out[at + i - from] = NaN;
    i++;
  }
}

/** The strings of rows [from, from+count) of a VARCHAR column; null for missing. */
function stringsOf(chunk: DuckDBDataChunk, index: number, from: number, count: number, out: (string | null)[]): void {
  const vec = chunk.getColumnVector(index);
  for (let i = 0; i < count; i++) out[i] = vec.getItem(from + i) as string | null;
}

/** Growable Float64Array. */
class DoubleBuffer {
  data: Float64Array;
  length = 0;
  constructor(capacity: number) {
    this.data = new Float64Array(capacity);
  }
  reserve(extra: number): void {
    const need = this.length + extra;
    if (need <= this.data.length) return;
    let cap = Math.max(16, this.data.length * 2);
    while (cap < need) cap *= 2;
    const next = new Float64Array(cap);
    next.set(this.data.subarray(0, this.length));
    this.data = next;
  }
  /** The values, trimmed to length (a copy only when capacity was left over). */
  take(): Float64Array {
    return this.length === this.data.length ? this.data : this.data.slice(0, this.length);
  }
}

class Int32Buffer {
  data: Int32Array;
  length = 0;
  constructor(capacity: number) {
    this.data = new Int32Array(capacity);
  }
  reserve(extra: number): void {
    const need = this.length + extra;
    if (need <= this.data.length) return;
    let cap = Math.max(16, this.data.length * 2);
    while (cap < need) cap *= 2;
    const next = new Int32Array(cap);
    next.set(this.data.subarray(0, this.length));
    this.data = next;
  }
  take(): Int32Array {
    return this.length === this.data.length ? this.data : this.data.slice(0, this.length);
  }
}

/** numeric or datetime column, from a DOUBLE vector. */
export class DoubleSink implements ColumnSink {
  private readonly buf: DoubleBuffer;
  constructor(
    private readonly b: Bindings,
    readonly name: string,
    private readonly type: 'numeric' | 'datetime',
    capacity: number,
  ) {
    this.buf = new DoubleBuffer(capacity);
  }
  get length(): number {
    return this.buf.length;
  }
  append(chunk: DuckDBDataChunk, index: number, from: number, count: number): void {
    this.buf.reserve(count);
    copyDoubles(this.b, chunk, index, from, count, this.buf.data, this.buf.length);
    this.buf.length += count;
  }
  finish(): Column {
    return { type: this.type, name: this.name, values: this.buf.take() };
  }
}

/**
 * Dictionary-encoded strings. With `infer`, `finish` applies the categorical/text rule of
 * infer.ts; `seed` puts known categories first so their codes match a trained schema.
 */
export class StringSink implements ColumnSink {
  private readonly codes: Int32Buffer;
  private readonly index = new Map<string, number>();
  private readonly dictionary: string[] = [];
  private counts: Int32Array;
  private readonly scratch: (string | null)[] = [];
  constructor(
    readonly name: string,
    private readonly type: 'categorical' | 'text' | 'infer',
    capacity: number,
    seed: readonly string[] = [],
  ) {
    this.codes = new Int32Buffer(capacity);
    this.counts = new Int32Array(Math.max(16, seed.length));
    for (const s of seed) this.code(s);
  }
  get length(): number {
    return this.codes.length;
  }
  private code(s: string): number {
    let k = this.index.get(s);
    if (k === undefined) {
      k = this.dictionary.length;
      this.index.set(s, k);
      this.dictionary.push(s);
      if (k >= this.counts.length) {
        const next = new Int32Array(this.counts.length * 2);
        next.set(this.counts);
        this.counts = next;
      }
    }
    return k;
  }
  append(chunk: DuckDBDataChunk, index: number, from: number, count: number): void {
    this.codes.reserve(count);
    const s = this.scratch;
    stringsOf(chunk, index, from, count, s);
    const out = this.codes.data;
    let at = this.codes.length;
    for (let i = 0; i < count; i++) {
      const v = s[i];
      if (v === null || v === undefined) {
        out[at++] = -1;
      } else {
        const k = this.code(v);
        this.counts[k]!++;
        out[at++] = k;
      }
    }
    this.codes.length = at;
  }
  /** The soma type this column gets: asked for, or inferred from the values seen. */
  resolvedType(): 'categorical' | 'text' {
    if (this.type !== 'infer') return this.type;
    return inferStringType(stringStats(this.dictionary, this.counts));
  }
  finish(): Column {
    const codes = this.codes.take();
    if (this.resolvedType() === 'categorical') return { type: 'categorical', name: this.name, codes, dictionary: this.dictionary };
    const values = new Array<string | null>(codes.length);
    for (let i = 0; i < codes.length; i++) values[i] = codes[i]! < 0 ? null : this.dictionary[codes[i]!]!;
    return { type: 'text', name: this.name, values };
  }
}

export function makeSink(db: DuckDB, name: string, wire: 'double' | 'varchar', type: ColumnType | 'infer', capacity: number, categories?: readonly string[]): ColumnSink {
  if (wire === 'double') return new DoubleSink(db.bindings, name, type === 'datetime' ? 'datetime' : 'numeric', capacity);
  return new StringSink(name, type === 'categorical' || type === 'text' ? type : 'infer', capacity, categories);
}
