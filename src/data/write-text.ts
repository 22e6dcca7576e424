// Formatting Frame rows as CSV, TSV, NDJSON or JSON bytes, straight into one reusable buffer.
//
// Batch prediction writes millions of rows; building a string per row and joining them cost more
// than the prediction itself (a profile of 1M rows to CSV: about 2 s on the main thread) and left
// young-generation garbage behind every chunk. Here each cell is written as bytes at the buffer's
// end: dictionary entries, quoting and JSON keys are encoded once per frame, and numbers go
// through String(x) (the shortest string that reads back as the same double) copied byte by byte,
// so the output is exactly what the string-building writer produced.

import { rowReader } from '../engine/sparse.js';
import type { Column, Frame } from './frame.js';

export type TextFormat = 'csv' | 'tsv' | 'ndjson' | 'json';

/** A growable byte buffer that is filled, flushed to the file and reused. */
export class ByteBuffer {
  buf: Buffer;
  pos = 0;

  constructor(capacity = 1 << 20) {
    this.buf = Buffer.allocUnsafe(capacity);
  }

  /** Room for `n` more bytes. */
  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.pos + n) cap *= 2;
    const next = Buffer.allocUnsafe(cap);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  byte(b: number): void {
    this.ensure(1);
    this.buf[this.pos++] = b;
  }

  /** A string known to be ASCII (numbers, ISO dates): copied code unit by code unit. */
  ascii(s: string): void {
    const n = s.length;
    this.ensure(n);
    const buf = this.buf;
    let p = this.pos;
    for (let k = 0; k < n; k++) buf[p++] = s.charCodeAt(k);
    this.pos = p;
  }

  bytes(b: Uint8Array): void {
    const n = b.length;
    this.ensure(n);
    const buf = this.buf;
    let p = this.pos;
    if (n <= 16) for (let k = 0; k < n; k++) buf[p++] = b[k]!;
    else {
      buf.set(b, p);
      p += n;
    }
    this.pos = p;
  }

  utf8(s: string): void {
    this.ensure(s.length * 3); // the most bytes a UTF-16 code unit needs
    this.pos += this.buf.write(s, this.pos, 'utf8');
  }
}

/** Writes row i's cell of one column. */
type Cell = (i: number) => void;

const COMMA = 0x2c;
const TAB = 0x09;
const NEWLINE = 0x0a;

/** RFC 4180 quoting: only when the value holds the delimiter, a quote, a line break or edge spaces. */
function csvQuote(s: string, sep: string): string {
  if (s.length === 0) return '""';
  if (s.includes(sep) || s.includes('"') || s.includes('\n') || s.includes('\r') || s[0] === ' ' || s[s.length - 1] === ' ') {
    return `"${s.replaceAll('"', '""')}"`;
  }
  return s;
}

/** ISO-8601 UTC, or '' when the time is missing or outside what Date can show. */
export function iso(ms: number): string {
  return Number.isNaN(ms) || Math.abs(ms) > 8.64e15 ? '' : new Date(ms).toISOString();
}

/** The header line (CSV/TSV), or the opening bracket (JSON). */
export function textHead(format: TextFormat, names: readonly string[]): string {
  switch (format) {
    case 'csv':
      return names.map((n) => csvQuote(n, ',')).join(',') + '\n';
    case 'tsv':
      return names.map((n) => csvQuote(n, '\t')).join('\t') + '\n';
    case 'json':
      return '[\n';
    case 'ndjson':
      return '';
  }
}

/** Formats the rows of one frame into a ByteBuffer, in slices the caller flushes between. */
export class TextRows {
  private readonly cells: Cell[];
  private readonly keys: Uint8Array[];
  private readonly json: boolean;

  constructor(
    private readonly format: TextFormat,
    frame: Frame,
    private readonly out: ByteBuffer,
  ) {
    this.json = format === 'ndjson' || format === 'json';
    const enc = new TextEncoder();
    this.keys = frame.names.map((n, j) => enc.encode(`${j === 0 ? '{' : ','}${JSON.stringify(n)}:`));
    this.cells = frame.columns.map((c) => this.cell(c));
  }

  /**
   * Writes rows from `start` on until the buffer holds at least `limit` bytes or the frame ends;
   * returns the next row. `first`: whether row `start` is the file's first row (JSON separators).
   */
  write(start: number, end: number, limit: number, first: boolean): number {
    const out = this.out;
    const cells = this.cells;
    const m = cells.length;
    let i = start;
    if (this.json) {
      const keys = this.keys;
      const array = this.format === 'json';
      for (; i < end && out.pos < limit; i++) {
        if (array && !(first && i === start)) out.ascii(',\n');
        for (let j = 0; j < m; j++) {
          out.bytes(keys[j]!);
          cells[j]!(i);
        }
        out.byte(0x7d); // }
        if (!array) out.byte(NEWLINE);
      }
      return i;
    }
    const sep = this.format === 'tsv' ? TAB : COMMA;
    for (; i < end && out.pos < limit; i++) {
      cells[0]!(i);
      for (let j = 1; j < m; j++) {
        out.byte(sep);
        cells[j]!(i);
      }
      out.byte(NEWLINE);
    }
    return i;
  }

  private cell(c: Column): Cell {
    const out = this.out;
    const json = this.json;
    const enc = new TextEncoder();
    const sep = this.format === 'tsv' ? '\t' : ',';
    const quote = json ? (s: string): string => JSON.stringify(s) : (s: string): string => csvQuote(s, sep);
    const nil = enc.encode(json ? 'null' : '');
    switch (c.type) {
      case 'numeric': {
        // Sparse columns are read in row order through a cursor: never densified whole.
        const read = c.sparse ? rowReader(c.sparse) : undefined;
        const v = c.values;
        return (i) => {
          const x = read ? read(i) : v![i]!;
          // JSON has no NaN/Infinity; CSV leaves missing empty.
          if (Number.isNaN(x) || (json && !Number.isFinite(x))) out.bytes(nil);
          else out.ascii(String(x));
        };
      }
      case 'datetime': {
        const v = c.values;
        return (i) => {
          const s = iso(v[i]!);
          if (s === '') out.bytes(nil);
          else if (json) {
            out.byte(0x22);
            out.ascii(s);
            out.byte(0x22);
          } else out.ascii(s);
        };
      }
      case 'categorical': {
        // Each dictionary entry is quoted and encoded once per frame, not once per row.
        const encoded = c.dictionary.map((s) => enc.encode(quote(s)));
        const codes = c.codes;
        return (i) => {
          const k = codes[i]!;
          out.bytes(k < 0 ? nil : encoded[k]!);
        };
      }
      case 'text': {
        const v = c.values;
        return (i) => {
          const s = v[i];
          if (s === null || s === undefined) out.bytes(nil);
          else out.utf8(quote(s));
        };
      }
    }
  }
}
