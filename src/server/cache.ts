// The prediction cache of one served version: a least-recently-used map from a row's canonical
// bytes to its answer cells, `capacity` rows at most. Each version has its own cache, created
// and dropped with it, so a version change can never answer from another version's entries.
//
// A row's key is built from its checked model inputs (after the contract has typed them), not
// from the request's text: the same row sent as a record, as columns, in a CSV body or through
// another protocol has one key. Numbers key by their float64 bits (every NaN alike, -0 apart from
// 0 as their bits are), strings by their length and characters, missing values by a marker. A
// request is answered from the cache only when every one of its rows is there; otherwise all its
// rows are predicted and stored.

import type { Column, Frame } from '../data/frame.js';
import { numericValues } from '../data/frame.js';
import type { JsonValue } from '../util/json.js';

export class PredictionCache {
  private readonly entries = new Map<string, JsonValue[]>();
  hits = 0;
  misses = 0;

  constructor(readonly capacity: number) {}

  get size(): number {
    return this.entries.size;
  }

  /** Every row's cells (one array per row, one value per output column), or null when any row is missing. */
  lookup(keys: readonly string[]): JsonValue[][] | null {
    const found: JsonValue[][] = [];
    for (let i = 0; i < keys.length; i++) {
      const v = this.entries.get(keys[i]!);
      if (v === undefined) {
        // The request is predicted whole: the rows not yet counted are all misses.
        this.hits += i;
        this.misses += keys.length - i;
        return null;
      }
      found.push(v);
    }
    // Most recent last: touch every row that answered.
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i]!;
      const v = found[i]!;
      this.entries.delete(k);
      this.entries.set(k, v);
    }
    this.hits += keys.length;
    return found;
  }

  /** Stores each row's cells, evicting the least recently used beyond capacity. */
  store(keys: readonly string[], rows: readonly JsonValue[][]): void {
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i]!;
      this.entries.delete(k);
      this.entries.set(k, rows[i]!);
    }
    while (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value!);
  }
}

const f64 = new Float64Array(1);
const u16 = new Uint16Array(f64.buffer);

/** One key per row of `features`: its canonical bytes (as a string of UTF-16 units). */
export function rowKeys(features: Frame): string[] {
  const n = features.rows;
  const parts: string[][] = Array.from({ length: n }, () => []);
  for (const c of features.columns) appendColumn(c, parts);
  return parts.map((p) => p.join(''));
}

function appendColumn(c: Column, parts: string[][]): void {
  const n = parts.length;
  switch (c.type) {
    case 'numeric':
    case 'datetime': {
      const v = c.type === 'numeric' ? numericValues(c) : c.values;
      for (let i = 0; i < n; i++) {
        const x = v[i]!;
        f64[0] = Number.isNaN(x) ? NaN : x;
        parts[i]!.push('n', String.fromCharCode(u16[0]!, u16[1]!, u16[2]!, u16[3]!));
      }
      return;
    }
    case 'categorical':
      for (let i = 0; i < n; i++) {
        const code = c.codes[i]!;
        parts[i]!.push(code < 0 ? 'm' : text(c.dictionary[code]!));
      }
      return;
    case 'text':
      for (let i = 0; i < n; i++) {
        const s = c.values[i];
        parts[i]!.push(s === null || s === undefined ? 'm' : text(s));
      }
      return;
  }
}

/** A string with its length in front, so no two different sequences of cells make one key. */
function text(s: string): string {
  return `s${s.length}:${s}`;
}
