// A streaming Parquet encoder for Frames: columns are buffered up to a fixed number of rows, then
// written as one row group, so memory stays at one row group however many rows pass through and
// the file is finished with its footer at close, with no second pass over the data (writing parts
// through DuckDB and merging them at the end cost a full extra read and write, and added about
// 55 MB to batch prediction's peak at 3M rows). The layout depends only on the rows, never on how they were split
// into frames, so the bytes are the same for any chunk size or worker count.
//
// Format choices: uncompressed pages (prediction columns are mostly doubles, which compress by a
// few percent at most), every column OPTIONAL (NaN, -1 codes and null are written as nulls), one
// data page (v1) per column per row group, numeric -> DOUBLE (dictionary-encoded when a row group
// has few distinct values, as one-hot features do), datetime -> INT64 TIMESTAMP in
// microseconds (not adjusted to UTC, as DuckDB writes TIMESTAMP), categorical -> dictionary-encoded
// UTF-8 strings, text -> plain UTF-8 strings. The footer is Thrift compact protocol.

import { denseRange } from '../engine/sparse.js';
import type { Column, ColumnType } from './frame.js';

/** Rows per row group. */
export const PARQUET_ROW_GROUP_ROWS = 65_536;

/** Most distinct values a numeric column chunk is dictionary-encoded with. */
const DICTIONARY_LIMIT = 4096;

const MAGIC = Uint8Array.of(0x50, 0x41, 0x52, 0x31); // "PAR1"

// Parquet enums (parquet.thrift)
const T_INT64 = 2;
const T_DOUBLE = 5;
const T_BYTE_ARRAY = 6;
const OPTIONAL = 1;
const CT_UTF8 = 0;
const CT_TIMESTAMP_MICROS = 10;
const E_PLAIN = 0;
const E_RLE = 3;
const E_RLE_DICTIONARY = 8;
const PAGE_DATA = 0;
const PAGE_DICTIONARY = 2;
const CODEC_UNCOMPRESSED = 0;

const utf8 = new TextEncoder();

// ---------------------------------------------------------------------------------------------
// A growable byte buffer

class Bytes {
  buf = new Uint8Array(1024);
  view = new DataView(this.buf.buffer);
  length = 0;

  reserve(extra: number): void {
    const need = this.length + extra;
    if (need <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < need) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }
  u8(v: number): void {
    this.reserve(1);
    this.buf[this.length++] = v;
  }
  bytes(b: Uint8Array): void {
    this.reserve(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
  }
  u32le(v: number): void {
    this.reserve(4);
    this.view.setUint32(this.length, v, true);
    this.length += 4;
  }
  /** Unsigned LEB128 of a non-negative safe integer. */
  varint(v: number): void {
    while (v >= 0x80) {
      this.u8((v % 0x80) | 0x80);
      v = Math.floor(v / 0x80);
    }
    this.u8(v);
  }
  /** Zigzag varint of a safe integer (Thrift i16/i32/i64). */
  zigzag(v: number): void {
    this.varint(v >= 0 ? v * 2 : -v * 2 - 1);
  }
  take(): Uint8Array {
    return this.buf.subarray(0, this.length);
  }
  clear(): void {
    this.length = 0;
  }
}

// ---------------------------------------------------------------------------------------------
// Thrift compact protocol, just what the footer and page headers need

type Field =
  | [id: number, kind: 'i32' | 'i64', value: number]
  | [id: number, kind: 'bool', value: boolean]
  | [id: number, kind: 'binary', value: string]
  | [id: number, kind: 'struct', value: Field[]]
  | [id: number, kind: 'list-i32' | 'list-binary', value: readonly (number | string)[]]
  | [id: number, kind: 'list-struct', value: Field[][]];

const CT = { TRUE: 1, FALSE: 2, I32: 5, I64: 6, BINARY: 8, LIST: 9, STRUCT: 12 } as const;

function writeStruct(out: Bytes, fields: readonly Field[]): void {
  let last = 0;
  const header = (id: number, type: number): void => {
    const delta = id - last;
    if (delta > 0 && delta <= 15) out.u8((delta << 4) | type);
    else {
      out.u8(type);
      out.zigzag(id);
    }
    last = id;
  };
  for (const f of fields) {
    switch (f[1]) {
      case 'i32':
        header(f[0], CT.I32);
        out.zigzag(f[2]);
        break;
      case 'i64':
        header(f[0], CT.I64);
        out.zigzag(f[2]);
        break;
      case 'bool':
        header(f[0], f[2] ? CT.TRUE : CT.FALSE);
        break;
      case 'binary':
        header(f[0], CT.BINARY);
        writeBinary(out, f[2]);
        break;
      case 'struct':
        header(f[0], CT.STRUCT);
        writeStruct(out, f[2]);
        break;
      case 'list-i32':
        header(f[0], CT.LIST);
        listHeader(out, f[2].length, CT.I32);
        for (const v of f[2]) out.zigzag(v as number);
        break;
      case 'list-binary':
        header(f[0], CT.LIST);
        listHeader(out, f[2].length, CT.BINARY);
        for (const v of f[2]) writeBinary(out, v as string);
        break;
      case 'list-struct':
        header(f[0], CT.LIST);
        listHeader(out, f[2].length, CT.STRUCT);
        for (const s of f[2]) writeStruct(out, s);
        break;
    }
  }
  out.u8(0); // stop
}

function listHeader(out: Bytes, size: number, type: number): void {
  if (size < 15) out.u8((size << 4) | type);
  else {
    out.u8(0xf0 | type);
    out.varint(size);
  }
}

function writeBinary(out: Bytes, s: string): void {
  const b = utf8.encode(s);
  out.varint(b.length);
  out.bytes(b);
}

// ---------------------------------------------------------------------------------------------
// RLE / bit-packing hybrid (definition levels and dictionary indices)

/** `n` values of bit width `width` as one bit-packed run (or one RLE run when all are equal). */
function writeHybrid(out: Bytes, values: Int32Array, n: number, width: number): void {
  let same = n > 0;
  for (let i = 1; i < n && same; i++) same = values[i] === values[0];
  if (same || n === 0) {
    out.varint(n * 2);
    const v = n > 0 ? values[0]! : 0;
    for (let b = 0; b < Math.ceil(width / 8); b++) out.u8((v >>> (8 * b)) & 0xff);
    return;
  }
  const groups = Math.ceil(n / 8);
  out.varint(groups * 2 + 1);
  out.reserve(groups * width);
  // Values packed least significant bit first, 8 per group; the last group is padded with zeros.
  // The accumulator is a double, not an int32, so widths up to 32 bits cannot overflow it.
  let acc = 0;
  let bits = 0;
  for (let i = 0; i < groups * 8; i++) {
    const v = i < n ? values[i]! : 0;
    acc += v * 2 ** bits;
    bits += width;
    while (bits >= 8) {
      out.u8(acc % 256);
      acc = Math.floor(acc / 256);
      bits -= 8;
    }
  }
}

function bitWidth(maxValue: number): number {
  let w = 1;
  while (maxValue >= 2 ** w) w++;
  return w;
}

// ---------------------------------------------------------------------------------------------
// Column buffers: one row group's values, whatever frames they came in

interface Chunk {
  /** Encoded pages of this column for the row group. */
  pages: Uint8Array;
  dictionaryBytes: number;
  meta: Field[];
}

abstract class ColumnBuffer {
  readonly nulls: Int32Array;
  length = 0;
  constructor(
    readonly name: string,
    capacity: number,
  ) {
    this.nulls = new Int32Array(capacity); // 1 = present (the definition level)
  }
  /** Appends rows [from, from+count) of `col`. */
  abstract append(col: Column, from: number, count: number): void;
  abstract physical(): number;
  abstract schemaExtras(): Field[];
  /** Encodes the buffered rows (data page, and dictionary page first when there is one). */
  abstract encode(offset: number): Chunk;
  reset(): void {
    this.length = 0;
  }

  protected definitionLevels(out: Bytes): number {
    const start = out.length;
    out.u32le(0);
    writeHybrid(out, this.nulls, this.length, 1);
    const len = out.length - start - 4;
    out.view.setUint32(start, len, true);
    let present = 0;
    for (let i = 0; i < this.length; i++) present += this.nulls[i]!;
    return present;
  }

  protected page(out: Bytes, body: Bytes, encoding: number): void {
    writeStruct(out, [
      [1, 'i32', PAGE_DATA],
      [2, 'i32', body.length],
      [3, 'i32', body.length],
      [5, 'struct', [
        [1, 'i32', this.length],
        [2, 'i32', encoding],
        [3, 'i32', E_RLE],
        [4, 'i32', E_RLE],
      ]],
    ]);
    out.bytes(body.take());
  }

  protected meta(encodings: number[], total: number, dataOffset: number, dictOffset: number | undefined): Field[] {
    return [
      [1, 'i32', this.physical()],
      [2, 'list-i32', encodings],
      [3, 'list-binary', [this.name]],
      [4, 'i32', CODEC_UNCOMPRESSED],
      [5, 'i64', this.length],
      [6, 'i64', total],
      [7, 'i64', total],
      [9, 'i64', dataOffset],
      ...(dictOffset !== undefined ? ([[11, 'i64', dictOffset]] as Field[]) : []),
    ];
  }
}

/** numeric (DOUBLE) and datetime (INT64 microseconds) columns. */
class FixedBuffer extends ColumnBuffer {
  private readonly values: Float64Array;
  constructor(
    name: string,
    private readonly kind: 'numeric' | 'datetime',
    capacity: number,
  ) {
    super(name, capacity);
    this.values = new Float64Array(capacity);
  }
  physical(): number {
    return this.kind === 'numeric' ? T_DOUBLE : T_INT64;
  }
  schemaExtras(): Field[] {
    if (this.kind === 'numeric') return [];
    return [
      [6, 'i32', CT_TIMESTAMP_MICROS],
      [10, 'struct', [[8, 'struct', [[1, 'bool', false], [2, 'struct', [[2, 'struct', []]]]]]]],
    ];
  }
  append(col: Column, from: number, count: number): void {
    if (col.type !== 'numeric' && col.type !== 'datetime') throw new Error(`column ${this.name}: expected ${this.kind}, got ${col.type}`);
    // A sparse column (text features) is made dense for this range only.
    const sparse = col.type === 'numeric' ? col.sparse : undefined;
    const v = sparse ? denseRange(sparse, from, from + count) : col.values!;
    const at = sparse ? 0 : from;
    for (let i = 0; i < count; i++) {
      const x = v[at + i]!;
      const ok = this.kind === 'numeric' ? !Number.isNaN(x) : Number.isFinite(x) && Math.abs(x) <= 8.64e15;
      this.nulls[this.length] = ok ? 1 : 0;
      this.values[this.length++] = x;
    }
  }
  encode(offset: number): Chunk {
    const dictionary = this.kind === 'numeric' ? this.dictionary() : undefined;
    if (dictionary) return this.encodeDictionary(offset, dictionary);
    const body = new Bytes();
    const present = this.definitionLevels(body);
    body.reserve(present * 8);
    const view = body.view;
    let at = body.length;
    for (let i = 0; i < this.length; i++) {
      if (this.nulls[i] === 0) continue;
      const x = this.values[i]!;
      if (this.kind === 'numeric') view.setFloat64(at, x, true);
      else {
        const us = Math.round(x * 1000);
        if (Number.isSafeInteger(us)) {
          // Two 32-bit halves: exact for every safe integer, and no BigInt per value.
          const hi = Math.floor(us / 4294967296);
          view.setUint32(at, us - hi * 4294967296, true);
          view.setInt32(at + 4, hi, true);
        } else view.setBigInt64(at, BigInt(us), true);
      }
      at += 8;
    }
    body.length = at;
    const out = new Bytes();
    this.page(out, body, E_PLAIN);
    return { pages: out.take(), dictionaryBytes: 0, meta: this.meta([E_PLAIN, E_RLE], out.length, offset, undefined) };
  }

  /**
   * The distinct values and each present row's index into them, when there are few enough to
   * be worth it (one-hot and other low-cardinality feature columns shrink from 8 bytes a row to
   * a bit or a few); undefined as soon as there are too many, so prediction probabilities cost
   * little to try. -0 keeps its sign only in plain encoding (a Map key does not), so it opts out.
   */
  private dictionary(): { values: number[]; codes: Int32Array } | undefined {
    const limit = Math.min(DICTIONARY_LIMIT, this.length >>> 2);
    const index = new Map<number, number>();
    const values: number[] = [];
    const codes = new Int32Array(this.length);
    let j = 0;
    for (let i = 0; i < this.length; i++) {
      if (this.nulls[i] === 0) continue;
      const x = this.values[i]!;
      if (x === 0 && 1 / x < 0) return undefined;
      let k = index.get(x);
      if (k === undefined) {
        if (values.length >= limit) return undefined;
        k = values.length;
        index.set(x, k);
        values.push(x);
      }
      codes[j++] = k;
    }
    return { values, codes: codes.subarray(0, j) };
  }

  private encodeDictionary(offset: number, d: { values: number[]; codes: Int32Array }): Chunk {
    const out = new Bytes();
    const dict = new Bytes();
    dict.reserve(d.values.length * 8);
    for (const v of d.values) {
      dict.view.setFloat64(dict.length, v, true);
      dict.length += 8;
    }
    writeStruct(out, [
      [1, 'i32', PAGE_DICTIONARY],
      [2, 'i32', dict.length],
      [3, 'i32', dict.length],
      [7, 'struct', [[1, 'i32', d.values.length], [2, 'i32', E_PLAIN]]],
    ]);
    out.bytes(dict.take());
    const dictionaryBytes = out.length;
    const body = new Bytes();
    const present = this.definitionLevels(body);
    const width = bitWidth(Math.max(0, d.values.length - 1));
    body.u8(width);
    writeHybrid(body, d.codes, present, width);
    this.page(out, body, E_RLE_DICTIONARY);
    return { pages: out.take(), dictionaryBytes, meta: this.meta([E_PLAIN, E_RLE, E_RLE_DICTIONARY], out.length, offset + dictionaryBytes, offset) };
  }
}

/** categorical columns: the row group's own dictionary (each frame's entries mapped once) and codes. */
class DictionaryBuffer extends ColumnBuffer {
  private readonly codes: Int32Array;
  private readonly index = new Map<string, number>();
  private dictionary: string[] = [];
  constructor(name: string, capacity: number) {
    super(name, capacity);
    this.codes = new Int32Array(capacity);
  }
  physical(): number {
    return T_BYTE_ARRAY;
  }
  schemaExtras(): Field[] {
    return utf8StringSchema();
  }
  append(col: Column, from: number, count: number): void {
    if (col.type !== 'categorical') throw new Error(`column ${this.name}: expected categorical, got ${col.type}`);
    // Frame code -> row-group code, looked up per dictionary entry, not per row.
    const map = new Int32Array(col.dictionary.length).fill(-1);
    const codes = col.codes;
    for (let i = 0; i < count; i++) {
      const c = codes[from + i]!;
      if (c < 0) {
        this.nulls[this.length] = 0;
        this.codes[this.length++] = 0;
        continue;
      }
      let k = map[c]!;
      if (k < 0) {
        const s = col.dictionary[c]!;
        k = this.index.get(s) ?? -1;
        if (k < 0) {
          k = this.dictionary.length;
          this.index.set(s, k);
          this.dictionary.push(s);
        }
        map[c] = k;
      }
      this.nulls[this.length] = 1;
      this.codes[this.length++] = k;
    }
  }
  override reset(): void {
    super.reset();
    this.index.clear();
    this.dictionary = [];
  }
  encode(offset: number): Chunk {
    const out = new Bytes();
    const dict = new Bytes();
    for (const s of this.dictionary) {
      const b = utf8.encode(s);
      dict.u32le(b.length);
      dict.bytes(b);
    }
    writeStruct(out, [
      [1, 'i32', PAGE_DICTIONARY],
      [2, 'i32', dict.length],
      [3, 'i32', dict.length],
      [7, 'struct', [[1, 'i32', this.dictionary.length], [2, 'i32', E_PLAIN]]],
    ]);
    out.bytes(dict.take());
    const dictionaryBytes = out.length;
    const body = new Bytes();
    const present = this.definitionLevels(body);
    const packed = new Int32Array(present);
    for (let i = 0, j = 0; i < this.length; i++) if (this.nulls[i] === 1) packed[j++] = this.codes[i]!;
    const width = bitWidth(Math.max(0, this.dictionary.length - 1));
    body.u8(width);
    writeHybrid(body, packed, present, width);
    this.page(out, body, E_RLE_DICTIONARY);
    return { pages: out.take(), dictionaryBytes, meta: this.meta([E_PLAIN, E_RLE, E_RLE_DICTIONARY], out.length, offset + dictionaryBytes, offset) };
  }
}

/** Schema fields of a UTF-8 string column (converted type UTF8, logical type STRING). */
function utf8StringSchema(): Field[] {
  return [
    [6, 'i32', CT_UTF8],
    [10, 'struct', [[1, 'struct', []]]],
  ];
}

/** text columns: plain UTF-8 strings. */
class TextBuffer extends ColumnBuffer {
  private readonly values: (string | null)[] = [];
  physical(): number {
    return T_BYTE_ARRAY;
  }
  schemaExtras(): Field[] {
    return utf8StringSchema();
  }
  append(col: Column, from: number, count: number): void {
    if (col.type !== 'text') throw new Error(`column ${this.name}: expected text, got ${col.type}`);
    for (let i = 0; i < count; i++) {
      const s = col.values[from + i] ?? null;
      this.nulls[this.length] = s === null ? 0 : 1;
      this.values[this.length++] = s;
    }
  }
  override reset(): void {
    super.reset();
    this.values.length = 0;
  }
  encode(offset: number): Chunk {
    const body = new Bytes();
    this.definitionLevels(body);
    for (let i = 0; i < this.length; i++) {
      const s = this.values[i];
      if (s === null || s === undefined) continue;
      const b = utf8.encode(s);
      body.u32le(b.length);
      body.bytes(b);
    }
    const out = new Bytes();
    this.page(out, body, E_PLAIN);
    return { pages: out.take(), dictionaryBytes: 0, meta: this.meta([E_PLAIN, E_RLE], out.length, offset, undefined) };
  }
}

function columnBuffer(name: string, type: ColumnType, capacity: number): ColumnBuffer {
  switch (type) {
    case 'numeric':
    case 'datetime':
      return new FixedBuffer(name, type, capacity);
    case 'categorical':
      return new DictionaryBuffer(name, capacity);
    case 'text':
      return new TextBuffer(name, capacity);
  }
}

// ---------------------------------------------------------------------------------------------
// The encoder

/**
 * Turns appended columns into Parquet bytes. `append` and `finish` return the bytes to write next
 * (in order); nothing else is kept beyond one row group of values and the footer's metadata.
 */
export class ParquetEncoder {
  private readonly buffers: ColumnBuffer[];
  private readonly rowGroups: Field[][] = [];
  private offset = 0;
  private rows = 0;

  constructor(
    private readonly columns: readonly { name: string; type: ColumnType }[],
    private readonly rowGroupRows = PARQUET_ROW_GROUP_ROWS,
  ) {
    this.buffers = columns.map((c) => columnBuffer(c.name, c.type, rowGroupRows));
  }

  /** The file's first bytes. */
  start(): Uint8Array {
    this.offset = MAGIC.length;
    return MAGIC;
  }

  /** Buffers the columns' rows; returns the row groups they completed (possibly none). */
  append(cols: readonly Column[], rows: number): Uint8Array[] {
    const out: Uint8Array[] = [];
    for (let from = 0; from < rows; ) {
      const take = Math.min(rows - from, this.rowGroupRows - this.buffers[0]!.length);
      for (let j = 0; j < cols.length; j++) this.buffers[j]!.append(cols[j]!, from, take);
      from += take;
      if (this.buffers[0]!.length === this.rowGroupRows) out.push(...this.flush());
    }
    return out;
  }

  /** The last row group (if any rows are buffered) and the footer. */
  finish(): Uint8Array[] {
    const out = this.buffers[0] && this.buffers[0].length > 0 ? this.flush() : [];
    const meta = new Bytes();
    writeStruct(meta, [
      [1, 'i32', 1],
      [2, 'list-struct', [
        [[4, 'binary', 'schema'], [5, 'i32', this.columns.length]],
        ...this.buffers.map((b): Field[] => [[1, 'i32', b.physical()], [3, 'i32', OPTIONAL], [4, 'binary', b.name], ...b.schemaExtras()]),
      ]],
      [3, 'i64', this.rows],
      [4, 'list-struct', this.rowGroups],
      [6, 'binary', 'soma'],
    ]);
    const tail = new Bytes();
    tail.u32le(meta.length);
    tail.bytes(MAGIC);
    out.push(meta.take(), tail.take());
    return out;
  }

  private flush(): Uint8Array[] {
    const n = this.buffers[0]!.length;
    const start = this.offset;
    const pages: Uint8Array[] = [];
    const chunks: Field[][] = [];
    for (const b of this.buffers) {
      const chunk = b.encode(this.offset);
      chunks.push([[2, 'i64', this.offset], [3, 'struct', chunk.meta]]);
      this.offset += chunk.pages.length;
      pages.push(chunk.pages);
      b.reset();
    }
    const size = this.offset - start;
    this.rowGroups.push([
      [1, 'list-struct', chunks],
      [2, 'i64', size],
      [3, 'i64', n],
      [5, 'i64', start],
      [6, 'i64', size],
    ]);
    this.rows += n;
    return pages;
  }
}
