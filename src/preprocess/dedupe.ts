// `dedupe`: drops repeated training rows, exact (every column) or by key columns, keeping the
// first or last occurrence. Training only: at prediction every input row gets a prediction.
// Rows are hashed column by column (no per-row key strings); equal hashes are confirmed value by
// value, so a hash collision never drops a distinct row.

import { valueAt, type Column, type Frame } from '../data/frame.js';
import { rowReader } from '../engine/sparse.js';
import type { JsonObject } from '../util/json.js';
import { columnSelectorSchema, parseSelector, resolveColumns, type ColumnSelector } from './columns.js';
import { enumParam, stateOf } from './params.js';
import type { FitContext, StepJSON, StepSpec, Transformer } from './transformer.js';

export class Dedupe implements Transformer {
  readonly step = 'dedupe';
  private readonly selector: ColumnSelector;
  private readonly keep: 'first' | 'last';
  private columns: string[] = [];
  /** Training rows removed, for the record in preprocess.json. */
  private removed = 0;
  /** The training target while fitting: for exact-row dedupe the target is part of the row. */
  private fitTarget: Float64Array | undefined;

  constructor(readonly params: JsonObject) {
    this.selector = parseSelector(params['columns'], 'all');
    this.keep = enumParam(params, dedupeSpec, 'keep');
  }

  fit(frame: Frame, context: FitContext = {}): void {
    this.columns = resolveColumns(frame, this.selector, ['numeric', 'categorical', 'text', 'datetime'], 'dedupe');
    // Two rows with equal features but different targets are not duplicates of each other.
    this.fitTarget = this.selector === 'all' ? context.target?.values : undefined;
  }

  keepRows(frame: Frame): Int32Array | undefined {
    const cols: Column[] = this.columns.map((n) => frame.column(n)).filter((c): c is Column => c !== undefined);
    const n = frame.rows;
    const hashes = new Uint32Array(n).fill(0x811c9dc5);
    if (this.fitTarget?.length === n) cols.push({ type: 'numeric', name: '\u0000target', values: this.fitTarget });
    for (const c of cols) mixColumn(c, hashes);
    // Kept rows chained by hash: head maps a hash to the last kept row with it, next[] links
    // the earlier ones, so a collision costs a comparison and never a per-row allocation.
    const head = new Map<number, number>();
    const next = new Int32Array(n).fill(-1);
    const keepFlag = new Uint8Array(n);
    // Walk in the order that makes the kept occurrence the first one met.
    const from = this.keep === 'first' ? 0 : n - 1;
    const step = this.keep === 'first' ? 1 : -1;
    for (let i = from; i >= 0 && i < n; i += step) {
      const h = hashes[i]!;
      const first = head.get(h);
      let dup = false;
      for (let j = first ?? -1; j >= 0; j = next[j]!) {
        if (sameRow(cols, i, j)) {
          dup = true;
          break;
        }
      }
      if (dup) continue;
      if (first !== undefined) next[i] = first;
      head.set(h, i);
      keepFlag[i] = 1;
    }
    let k = 0;
    for (let i = 0; i < n; i++) k += keepFlag[i]!;
    this.removed = n - k;
    this.fitTarget = undefined;
    if (k === n) return undefined;
    const out = new Int32Array(k);
    k = 0;
    for (let i = 0; i < n; i++) if (keepFlag[i]) out[k++] = i;
    return out;
  }

  transform(frame: Frame): Frame {
    return frame;
  }

  toJSON(): StepJSON {
    return { step: this.step, params: this.params, state: { columns: this.columns, removed_training_rows: this.removed } };
  }

  static fromJSON(json: StepJSON): Dedupe {
    const t = new Dedupe(json.params);
    t.columns = stateOf<string[]>(json, 'columns');
    return t;
  }
}

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);

function mix(h: number, v: number): number {
  return Math.imul(h ^ v, 0x01000193) >>> 0;
}

function stringHash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

function mixColumn(c: Column, hashes: Uint32Array): void {
  switch (c.type) {
    case 'numeric':
    case 'datetime': {
      // A sparse column is read in row order through a cursor, never densified.
      const at = c.type === 'numeric' && c.sparse ? rowReader(c.sparse) : ((values) => (i: number) => values[i]!)(c.values!);
      for (let i = 0; i < hashes.length; i++) {
        const v = at(i);
        // Every NaN hashes alike (missing equals missing, as pandas' duplicated does).
        f64[0] = Number.isNaN(v) ? NaN : v === 0 ? 0 : v;
        hashes[i] = mix(mix(hashes[i]!, u32[0]!), u32[1]!);
      }
      return;
    }
    case 'categorical': {
      // Hash dictionary strings once; codes are per-frame and not comparable by value.
      const dh = c.dictionary.map(stringHash);
      for (let i = 0; i < hashes.length; i++) {
        const code = c.codes[i]!;
        hashes[i] = mix(hashes[i]!, code < 0 ? 0x9e3779b9 : dh[code]!);
      }
      return;
    }
    case 'text':
      for (let i = 0; i < hashes.length; i++) {
        const v = c.values[i];
        hashes[i] = mix(hashes[i]!, v === null || v === undefined ? 0x9e3779b9 : stringHash(v));
      }
  }
}

function sameRow(cols: readonly Column[], a: number, b: number): boolean {
  for (const c of cols) {
    switch (c.type) {
      case 'numeric':
      case 'datetime': {
        const x = valueAt(c, a);
        const y = valueAt(c, b);
        if (!(x === y || (Number.isNaN(x) && Number.isNaN(y)))) return false;
        break;
      }
      case 'categorical': {
        const x = c.codes[a]!;
        const y = c.codes[b]!;
        if (x !== y && (x < 0 || y < 0 || c.dictionary[x] !== c.dictionary[y])) return false;
        break;
      }
      case 'text':
        if (c.values[a] !== c.values[b]) return false;
    }
  }
  return true;
}

export const dedupeSpec: StepSpec = {
  name: 'dedupe',
  description: 'Drop repeated training rows (all columns, or the key columns given); training only, prediction keeps every row',
  paramsSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      columns: columnSelectorSchema,
      keep: { type: 'string', enum: ['first', 'last'], default: 'first', description: 'Which occurrence of a repeated row stays' },
    },
  },
  create: (params) => new Dedupe(params),
  fromJSON: (json) => Dedupe.fromJSON(json),
};
