// The forecasting flow's data: one file read (time, target, series keys, known and static
// columns), rows coded by series (the key columns' values joined with "/"), placed on each
// series' time axis (engine/forecast/panel.ts), and the categorical codes and dictionaries the
// global models and `soma forecast` share. A time column of whole numbers between 1000 and 3000
// is read as years (yearly data written as 1700, 1701, ...).

import path from 'node:path';
import { SomaError } from '../../errors.js';
import { numericValues, type Column, type Frame } from '../../data/frame.js';
import { inspectColumns, readFrame } from '../../data/read.js';
import type { DataConfig } from '../../config/types.js';
import type { ForecastConfig } from '../../config/forecast.js';
import { buildPanel, type Panel } from '../../engine/forecast/panel.js';
import type { Frequency } from '../../engine/forecast/frequency.js';
import { documents } from '../../preprocess/text.js';
import { sha256File } from '../../registry/checksums.js';

/** Category dictionaries by column (key, static and categorical known columns). */
export type Dictionaries = Record<string, string[]>;

export interface SeriesTable {
  frame: Frame;
  panel: Panel;
  /** Label per series code ("store-1/book-7"; "" for a single series). */
  labels: string[];
  /** Per series, the value of each key column (in data.series order). */
  keys: string[][];
  /** Per series, the code of each categorical feature (key columns, then static columns; -1 unknown). */
  codes: Int32Array[];
  dictionaries: Dictionaries;
  rows: number;
  source: string;
  sha256: string;
}

/** The values of a column as strings (null = missing). */
function strings(c: Column): (string | null)[] {
  if (c.type === 'numeric' || c.type === 'datetime') return Array.from(numericValues(c), (v) => (Number.isNaN(v) ? null : String(v)));
  return documents(c)!;
}

/** The time column as epoch ms: datetimes as read, whole-number years as 1 January of the year. */
export function timeValues(frame: Frame, name: string, what: string): Float64Array {
  const c = frame.column(name)!;
  if (c.type === 'datetime') return c.values;
  if (c.type === 'numeric') {
    const v = numericValues(c);
    if (v.every((x) => Number.isNaN(x) || (Number.isInteger(x) && x >= 1000 && x <= 3000))) return Float64Array.from(v, (x) => (Number.isNaN(x) ? NaN : Date.UTC(x, 0, 1)));
  }
  const sample = strings(c).find((s) => s !== null);
  throw new SomaError('DATA_BAD_VALUE', `${what}: time column "${name}" is ${c.type} (e.g. ${JSON.stringify(sample)}), expected dates or timestamps`, {
    hint: 'give its strptime format in data.types, e.g. {datetime: "%d/%m/%Y"}',
    details: { column: name },
  });
}

/** Codes values into `dict` (extended when `grow`; else unknown values are -1). */
export function codeValues(values: readonly (string | null)[], dict: string[], grow: boolean): Int32Array {
  const index = new Map(dict.map((d, i) => [d, i]));
  return Int32Array.from(values, (v) => {
    if (v === null) return -1;
    let k = index.get(v);
    if (k === undefined) {
      if (!grow) return -1;
      k = dict.length;
      dict.push(v);
      index.set(v, k);
    }
    return k;
  });
}

export interface ReadSeriesOptions {
  file: string;
  /** How messages name the file. */
  label: string;
  data: Pick<DataConfig, 'format' | 'csv' | 'types' | 'formats'>;
  f: Pick<ForecastConfig, 'time' | 'series' | 'target' | 'known' | 'static' | 'gaps'>;
  frequency: Frequency | undefined;
  /** Saved dictionaries (forecast time): codes of unseen categories are -1. Absent: built from the data. */
  dictionaries?: Dictionaries;
  /** Read without the target (a --future file). */
  noTarget?: boolean;
}

/** Reads the columns the forecast needs, in a fixed order, checking they exist. */
export async function readSeriesFrame(o: ReadSeriesOptions): Promise<Frame> {
  const { f, data } = o;
  const wanted: [string, string][] = [
    ['data.time', f.time],
    ...(o.noTarget ? [] : ([['data.target', f.target]] as [string, string][])),
    ...f.series.map((c): [string, string] => ['data.series', c]),
    ...f.known.map((c): [string, string] => ['forecast.known', c]),
    ...(o.noTarget ? [] : f.static.map((c): [string, string] => ['forecast.static', c])),
  ];
  const present = new Set((await inspectColumns(o.file, data.format, data.csv)).map((c) => c.name));
  const missing = wanted.filter(([, c]) => !present.has(c));
  if (missing.length > 0) {
    throw new SomaError('DATA_MISSING_COLUMN', `${o.label}: ${missing.map(([k, c]) => `${k} column ${JSON.stringify(c)}`).join(', ')} not found (columns: ${[...present].join(', ')})`, { details: { file: o.label, missing: missing.map(([, c]) => c) } });
  }
  const types: Record<string, 'numeric' | 'categorical' | 'text' | 'datetime'> = {};
  for (const c of [...f.series, ...f.static]) types[c] = 'categorical';
  if (!o.noTarget) types[f.target] = 'numeric';
  for (const [k, v] of Object.entries(data.types)) if (wanted.some(([, c]) => c === k)) types[k] = v;
  const formats = Object.fromEntries(Object.entries(data.formats).filter(([k]) => wanted.some(([, c]) => c === k)));
  return readFrame(o.file, { format: data.format, csv: data.csv, columns: [...new Set(wanted.map(([, c]) => c))], types, formats, label: o.label });
}

/** Series codes of the rows: key values joined with "/", labels sorted. */
export function seriesOf(frame: Frame, keys: readonly string[], what: string): { code: Int32Array; labels: string[]; keyValues: string[][] } {
  const cols = keys.map((k) => strings(frame.column(k)!));
  const joined: string[] = new Array<string>(frame.rows);
  for (let i = 0; i < frame.rows; i++) {
    const parts: string[] = [];
    for (let k = 0; k < cols.length; k++) {
      const v = cols[k]![i];
      if (v === null || v === undefined) throw new SomaError('DATA_BAD_VALUE', `${what}: data.series column "${keys[k]}" is missing in data row ${i + 1}`, { details: { column: keys[k], row: i + 1 } });
      parts.push(v);
    }
    joined[i] = parts.join('/');
  }
  const labels = [...new Set(joined)].sort();
  const index = new Map(labels.map((l, i) => [l, i]));
  const code = Int32Array.from(joined, (l) => index.get(l)!);
  const keyValues: string[][] = labels.map(() => []);
  const done = new Uint8Array(labels.length);
  for (let i = 0; i < frame.rows; i++) {
    const s = code[i]!;
    if (done[s]) continue;
    done[s] = 1;
    keyValues[s] = cols.map((c) => c[i]!);
  }
  return { code, labels, keyValues };
}

/** Known columns as numbers per row: numeric as read, categorical as codes of their dictionary. */
export function knownValues(frame: Frame, known: readonly string[], dicts: Dictionaries, grow: boolean): Float64Array[] {
  return known.map((k) => {
    const c = frame.column(k)!;
    if (c.type === 'numeric' || c.type === 'datetime') return Float64Array.from(numericValues(c));
    const d = (dicts[k] ??= []);
    return Float64Array.from(codeValues(strings(c), d, grow), (v) => (v < 0 ? NaN : v));
  });
}

/** Reads the series file and lays it out by series and period. */
export async function loadSeries(o: ReadSeriesOptions, warn: (m: string) => void): Promise<SeriesTable> {
  const frame = await readSeriesFrame(o);
  if (frame.rows === 0) throw new SomaError('DATA_EMPTY', `${o.label}: no rows`);
  const { f } = o;
  const grow = o.dictionaries === undefined;
  const dictionaries: Dictionaries = o.dictionaries ? structuredClone(o.dictionaries) : {};
  const { code, labels, keyValues } = seriesOf(frame, f.series, o.label);
  const time = timeValues(frame, f.time, o.label);
  const target = frame.column(f.target)!;
  const y = target.type === 'numeric' ? numericValues(target) : new Float64Array(frame.rows).fill(NaN);
  const panel = buildPanel({
    series: code,
    nSeries: labels.length,
    time,
    y,
    known: knownValues(frame, f.known, dictionaries, grow),
    frequency: o.frequency,
    gaps: f.gaps,
    label: (s) => (labels[s] === '' ? '(the only series)' : JSON.stringify(labels[s])),
    what: o.label,
    timeColumn: f.time,
  });
  // Categorical features per series: its key values, then its static attributes (the latest row's).
  const codes = labels.map(() => new Int32Array(f.series.length + f.static.length).fill(-1));
  f.series.forEach((k, j) => {
    const d = (dictionaries[k] ??= []);
    const c = codeValues(keyValues.map((kv) => kv[j]!), d, grow);
    c.forEach((v, s) => (codes[s]![j] = v));
  });
  let changed = 0;
  f.static.forEach((k, j) => {
    const d = (dictionaries[k] ??= []);
    const c = codeValues(strings(frame.column(k)!), d, grow);
    const at = f.series.length + j;
    const seen = new Uint8Array(labels.length);
    for (let i = 0; i < frame.rows; i++) {
      const s = code[i]!;
      if (seen[s] && codes[s]![at] !== c[i]) changed++;
      seen[s] = 1;
      codes[s]![at] = c[i]!;
    }
  });
  if (changed > 0) warn(`forecast.static: ${changed} row${changed > 1 ? 's' : ''} change a series' static attribute; each series keeps its latest value (a value that changes over time belongs in forecast.known)`);
  if (panel.filled > 0) warn(`${o.label}: ${panel.filled} missing period${panel.filled > 1 ? 's' : ''} inside the series filled (forecast.gaps: ${f.gaps}); they feed features but are never training targets nor scored`);
  return { frame, panel, labels, keys: keyValues, codes, dictionaries, rows: frame.rows, source: o.label, sha256: await sha256File(o.file) };
}

export const resolveIn = (dir: string, p: string): string => (path.isAbsolute(p) ? p : path.join(dir, p));
