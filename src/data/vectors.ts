// Copying DuckDB result vectors into Frame columns. Numeric data is copied a whole vector at a
// time (typed data plus validity mask) through the C API binding; strings are dictionary-encoded
// from their raw bytes as they arrive, and only a value not seen before becomes a JS string.

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
function copyDoubles(b: Bindings, chunk: DuckDBDataChunk, index: number, from: number, count: number, out: Float64Array, at: number): void {
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

/**
 * Byte strings -> dense codes, without making a JS string per row: an open-addressing hash table
 * over the UTF-8 bytes, which are kept in one pool. Millions of rows of a few hundred distinct
 * values would otherwise allocate a string each, and those short-lived strings were what grew
 * the young generation (and peak memory) over a long streaming read.
 */
class ByteDictionary {
  private pool = new Uint8Array(1024);
  private used = 0;
  private starts = new Int32Array(64);
  private lengths = new Int32Array(64);
  private hashes = new Int32Array(64);
  /** code + 1, 0 = empty. */
  private slots = new Int32Array(128);
  size = 0;

  /** The code of bytes [at, at+len) of `src`, or -1 when absent. */
  find(src: Uint8Array, at: number, len: number, h: number): number {
    const mask = this.slots.length - 1;
    for (let s = h & mask; ; s = (s + 1) & mask) {
      const k = this.slots[s]! - 1;
      if (k < 0) return -1;
      if (this.hashes[k] === h && this.lengths[k] === len && this.same(k, src, at, len)) return k;
    }
  }

  private same(k: number, src: Uint8Array, at: number, len: number): boolean {
    const pool = this.pool;
    const start = this.starts[k]!;
    for (let i = 0; i < len; i++) if (pool[start + i] !== src[at + i]) return false;
    return true;
  }

  /** Adds bytes not present yet; returns their code (the next one). */
  add(src: Uint8Array, at: number, len: number, h: number): number {
    const k = this.size++;
    if (k >= this.starts.length) {
      this.starts = grow(this.starts, k + 1);
      this.lengths = grow(this.lengths, k + 1);
      this.hashes = grow(this.hashes, k + 1);
    }
    if (this.used + len > this.pool.length) {
      const next = new Uint8Array(Math.max(this.pool.length * 2, this.used + len));
      next.set(this.pool.subarray(0, this.used));
      this.pool = next;
    }
    this.pool.set(src.subarray(at, at + len), this.used);
    this.starts[k] = this.used;
    this.lengths[k] = len;
    this.hashes[k] = h;
    this.used += len;
    if (this.size * 2 > this.slots.length) this.rehash();
    else this.place(k, h);
    return k;
  }

  private place(k: number, h: number): void {
    const mask = this.slots.length - 1;
    let s = h & mask;
    while (this.slots[s] !== 0) s = (s + 1) & mask;
    this.slots[s] = k + 1;
  }

  private rehash(): void {
    this.slots = new Int32Array(this.slots.length * 2);
    for (let k = 0; k < this.size; k++) this.place(k, this.hashes[k]!);
  }
}

function grow(a: Int32Array, need: number): Int32Array<ArrayBuffer> {
  const next = new Int32Array(Math.max(need, a.length * 2));
  next.set(a);
  return next;
}

/** FNV-1a over bytes [at, at+len). */
function hashBytes(src: Uint8Array, at: number, len: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < len; i++) h = Math.imul(h ^ src[at + i]!, 0x01000193);
  return h | 0;
}

const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder();

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
    private readonly format?: string,
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
    if (this.type === 'datetime' && this.format !== undefined) return { type: 'datetime', name: this.name, values: this.buf.take(), format: this.format };
    return { type: this.type, name: this.name, values: this.buf.take() };
  }
}

/**
 * Dictionary-encoded strings. With `infer`, `finish` applies the categorical/text rule of
 * infer.ts; `seed` puts known categories first so their codes match a trained schema.
 */
export class StringSink implements ColumnSink {
  private readonly codes: Int32Buffer;
  private readonly bytes = new ByteDictionary();
  private readonly dictionary: string[] = [];
  private counts: Int32Array;
  constructor(
    private readonly b: Bindings,
    readonly name: string,
    private readonly type: 'categorical' | 'text' | 'infer',
    capacity: number,
    seed: readonly string[] = [],
  ) {
    this.codes = new Int32Buffer(capacity);
    this.counts = new Int32Array(Math.max(16, seed.length));
    for (const s of seed) {
      const u = utf8.encode(s);
      const h = hashBytes(u, 0, u.length);
      if (this.bytes.find(u, 0, u.length, h) < 0) this.addCode(u, 0, u.length, h, s);
    }
  }
  get length(): number {
    return this.codes.length;
  }
  /** A new dictionary entry: `text` when the caller has the string already (a seed), else decoded. */
  private addCode(src: Uint8Array, at: number, len: number, h: number, text?: string): number {
    const k = this.bytes.add(src, at, len, h);
    this.dictionary.push(text ?? fromUtf8.decode(src.subarray(at, at + len)));
    if (k >= this.counts.length) this.counts = grow(this.counts, k + 1);
    return k;
  }
  append(chunk: DuckDBDataChunk, index: number, from: number, count: number): void {
    this.codes.reserve(count);
    const b = this.b;
    const vec = b.data_chunk_get_vector(chunk.chunk, index);
    const n = from + count;
    // duckdb_string_t, 16 bytes: uint32 length, then up to 12 bytes inline, or (when longer) a
    // 4-byte prefix and a pointer to the bytes.
    const data = b.vector_get_data(vec, n * 16);
    const view = new DataView(data.buffer, data.byteOffset, n * 16);
    const valid = b.vector_get_validity(vec, Math.ceil(n / 64) * 8) as Uint8Array | null | undefined;
    const out = this.codes.data;
    let at = this.codes.length;
    for (let i = from; i < n; i++) {
      if (valid && ((valid[i >>> 3]! >>> (i & 7)) & 1) === 0) {
        out[at++] = -1;
        continue;
      }
      const off = i * 16;
      const len = view.getUint32(off, true);
      let src: Uint8Array;
      let start: number;
      if (len <= 12) {
        src = data;
        start = off + 4;
      } else {
        src = b.get_data_from_pointer(data.buffer as ArrayBuffer, data.byteOffset + off + 8, len);
        start = 0;
      }
      const h = hashBytes(src, start, len);
      let k = this.bytes.find(src, start, len, h);
      if (k < 0) k = this.addCode(src, start, len, h);
      this.counts[k]!++; // addCode may have grown the array
      out[at++] = k;
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

/** `format`: a datetime column's strptime format, recorded on the column it finishes. */
export function makeSink(db: DuckDB, name: string, wire: 'double' | 'varchar', type: ColumnType | 'infer', capacity: number, categories?: readonly string[], format?: string): ColumnSink {
  if (wire === 'double') return new DoubleSink(db.bindings, name, type === 'datetime' ? 'datetime' : 'numeric', capacity, format);
  return new StringSink(db.bindings, name, type === 'categorical' || type === 'text' ? type : 'infer', capacity, categories);
}
