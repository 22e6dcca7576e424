// Time order for the time-series steps (lag, rolling, diff): rows sorted by group key, then time,
// with each row's "past" being the rows of its group strictly before its timestamp. Rows sharing
// a timestamp share their past (none of them sees another's value), and rows with no timestamp
// have no past and are no one's past, so no feature can carry information from its own row or
// from the future whatever order the file is in.

import { SomaError } from '../errors.js';
import { columnLength, numericValues, type Column, type Frame } from '../data/frame.js';
import type { JsonObject } from '../util/json.js';
import { columnSelectorSchema, parseSelector, resolveColumns, type ColumnSelector } from './columns.js';
import { namesParam, requiredName } from './params.js';

export interface TimeOrder {
  /** Row indices sorted by (group, time, row); rows without a time are left out. */
  sorted: Int32Array;
  /** For sorted position p: the first position of its group. */
  groupStart: Int32Array;
  /** For sorted position p: the first position with the same group and time (its past ends there). */
  tieStart: Int32Array;
}

/** Group id per row from one or more key columns, by value (codes are per chunk). */
function groupIds(frame: Frame, by: readonly string[], step: string): Int32Array {
  const n = frame.rows;
  let ids = new Int32Array(n);
  for (const name of by) {
    const c = frame.column(name);
    if (!c) throw new SomaError('DATA_MISSING_COLUMN', `preprocess ${step}: group column "${name}" not in the data (columns: ${frame.names.join(', ')})`);
    const key = keyIds(c);
    // Pairs (previous id, this key's id) renumbered densely: numbers only, no per-row strings.
    const pair = new Map<number, number>();
    const out = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const k = ids[i]! * key.count + key.ids[i]!;
      let id = pair.get(k);
      if (id === undefined) {
        id = pair.size;
        pair.set(k, id);
      }
      out[i] = id;
    }
    ids = out;
  }
  return ids;
}

/** Dense ids of one key column's values; every missing value shares one id. */
function keyIds(c: Column): { ids: Int32Array; count: number } {
  const n = columnLength(c);
  const ids = new Int32Array(n);
  if (c.type === 'categorical') {
    // Ids by the dictionary's strings, computed once per entry rather than once per row.
    const byValue = new Map<string, number>();
    const ofCode = c.dictionary.map((d) => {
      let id = byValue.get(d);
      if (id === undefined) {
        id = byValue.size + 1;
        byValue.set(d, id);
      }
      return id;
    });
    for (let i = 0; i < n; i++) ids[i] = c.codes[i]! < 0 ? 0 : ofCode[c.codes[i]!]!;
    return { ids, count: byValue.size + 1 };
  }
  const seen = new Map<number | string, number>();
  const values = c.type === 'text' ? c.values : numericValues(c);
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (v === null || v === undefined || (typeof v === 'number' && Number.isNaN(v))) {
      ids[i] = 0;
      continue;
    }
    let id = seen.get(v);
    if (id === undefined) {
      id = seen.size + 1;
      seen.set(v, id);
    }
    ids[i] = id;
  }
  return { ids, count: seen.size + 1 };
}

export function timeOrder(frame: Frame, by: readonly string[], order: string, step: string): TimeOrder {
  const t = frame.column(order);
  if (!t) throw new SomaError('DATA_MISSING_COLUMN', `preprocess ${step}: order column "${order}" not in the data (columns: ${frame.names.join(', ')})`);
  if (t.type !== 'datetime' && t.type !== 'numeric') {
    throw new SomaError('CONFIG_INVALID', `preprocess ${step}: order column "${order}" is ${t.type} (expected a datetime or numeric column)`);
  }
  const time = numericValues(t);
  const group = groupIds(frame, by, step);
  const rows: number[] = [];
  for (let i = 0; i < frame.rows; i++) if (!Number.isNaN(time[i]!)) rows.push(i);
  rows.sort((a, b) => group[a]! - group[b]! || time[a]! - time[b]! || a - b);
  const sorted = Int32Array.from(rows);
  const m = sorted.length;
  const groupStart = new Int32Array(m);
  const tieStart = new Int32Array(m);
  for (let p = 0; p < m; p++) {
    const r = sorted[p]!;
    const newGroup = p === 0 || group[sorted[p - 1]!] !== group[r];
    groupStart[p] = newGroup ? p : groupStart[p - 1]!;
    tieStart[p] = newGroup || time[sorted[p - 1]!] !== time[r] ? p : tieStart[p - 1]!;
  }
  return { sorted, groupStart, tieStart };
}

/** The params every time-series step shares, resolved against the training frame. */
export interface SeriesParams {
  selector: ColumnSelector;
  by: string[];
  order: string;
}

export function seriesParams(params: JsonObject, step: string): SeriesParams {
  return { selector: parseSelector(params['columns'], 'numeric'), by: namesParam(params, step, 'by'), order: requiredName(params, step, 'order') };
}

/** Value columns of a time-series step: the selected numeric columns except the keys. */
export function seriesColumns(frame: Frame, p: SeriesParams, step: string): string[] {
  for (const name of [p.order, ...p.by]) {
    if (!frame.has(name)) throw new SomaError('DATA_MISSING_COLUMN', `preprocess ${step}: column "${name}" not in the data (columns: ${frame.names.join(', ')})`);
  }
  const t = frame.column(p.order)!;
  if (t.type !== 'datetime' && t.type !== 'numeric') {
    throw new SomaError('CONFIG_INVALID', `preprocess ${step}: order column "${p.order}" is ${t.type} (expected a datetime or numeric column)`);
  }
  const keys = new Set([p.order, ...p.by]);
  return resolveColumns(frame, p.selector, ['numeric'], step).filter((n) => !keys.has(n));
}

export const seriesSchemaProperties: JsonObject = {
  columns: columnSelectorSchema,
  by: {
    anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' }, minItems: 1 }],
    description: 'Group key column(s): each group (a store, a product) is its own series',
  },
  order: { type: 'string', description: 'Datetime or numeric column giving time order (required)' },
};
