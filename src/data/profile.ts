// Column summaries of a Frame (what `soma profile F` prints, and the reference statistics kept
// for drift checks): type, missing share, cardinality, ranges, top categories.

import { sortFloats } from '../engine/sort.js';
import { numericValues, type Column, type ColumnType, type Frame } from './frame.js';

export interface TopValue {
  value: string;
  count: number;
}

export interface ColumnProfile {
  name: string;
  type: ColumnType;
  rows: number;
  missing: number;
  missing_share: number;
  /** Distinct non-missing values. */
  unique: number;
  /** numeric and datetime only (datetime in epoch ms); null when every value is missing. */
  min?: number | null;
  max?: number | null;
  mean?: number | null;
  /** Population standard deviation. */
  std?: number | null;
  /** categorical and text: the most frequent values, most frequent first (ties by value). */
  top?: TopValue[];
}

export interface ProfileOptions {
  /** How many top values to keep per categorical/text column. Default 5. */
  top?: number;
}

export function profileFrame(frame: Frame, options: ProfileOptions = {}): ColumnProfile[] {
  const top = options.top ?? 5;
  return frame.columns.map((c) => profileColumn(c, top));
}

export function profileColumn(c: Column, top = 5): ColumnProfile {
  switch (c.type) {
    case 'numeric':
    case 'datetime':
      return numericProfile(c.name, c.type, numericValues(c));
    case 'categorical': {
      const counts = new Float64Array(c.dictionary.length);
      let missing = 0;
      for (let i = 0; i < c.codes.length; i++) {
        const k = c.codes[i]!;
        if (k < 0) missing++;
        else counts[k]!++;
      }
      // Dictionaries can hold the same string twice (per-chunk dictionaries merged): count by value.
      const byValue = new Map<string, number>();
      for (let k = 0; k < counts.length; k++) if (counts[k]! > 0) byValue.set(c.dictionary[k]!, (byValue.get(c.dictionary[k]!) ?? 0) + counts[k]!);
      return stringProfile(c.name, 'categorical', c.codes.length, missing, byValue, top);
    }
    case 'text': {
      const byValue = new Map<string, number>();
      let missing = 0;
      for (const v of c.values) {
        if (v === null) missing++;
        else byValue.set(v, (byValue.get(v) ?? 0) + 1);
      }
      return stringProfile(c.name, 'text', c.values.length, missing, byValue, top);
    }
  }
}

function numericProfile(name: string, type: 'numeric' | 'datetime', v: Float64Array | Float32Array): ColumnProfile {
  const m = numericMoments(v);
  const k = m.present;
  // Distinct values from a radix sort of the present ones (-0 and +0 are one value).
  const present = new Float64Array(k);
  let w = 0;
  for (let i = 0; i < v.length; i++) {
    const x = v[i]!;
    if (x === x) present[w++] = x === 0 ? 0 : x;
  }
  const sorted = sortFloats(present, new Float64Array(k));
  let unique = 0;
  for (let i = 0; i < k; i++) if (i === 0 || sorted[i] !== sorted[i - 1]) unique++;
  const rows = v.length;
  return {
    name,
    type,
    rows,
    missing: m.missing,
    missing_share: rows === 0 ? 0 : m.missing / rows,
    unique,
    min: m.min,
    max: m.max,
    mean: m.mean,
    std: m.std,
  };
}

/** Count, missing count, range, mean and population standard deviation of a numeric column. */
export interface Moments {
  /** Non-missing values. */
  present: number;
  missing: number;
  /** null when every value is missing. */
  min: number | null;
  max: number | null;
  mean: number | null;
  std: number | null;
}

/** The moments of `v` (NaN = missing), in one pass. */
export function numericMoments(v: ArrayLike<number>): Moments {
  let missing = 0;
  let min = Infinity;
  let max = -Infinity;
  // Welford's update: one pass, no catastrophic cancellation on large offsets (epoch ms).
  let mean = 0;
  let m2 = 0;
  let k = 0;
  for (let i = 0; i < v.length; i++) {
    const x = v[i]!;
    if (Number.isNaN(x)) {
      missing++;
      continue;
    }
    if (x < min) min = x;
    if (x > max) max = x;
    k++;
    const d = x - mean;
    mean += d / k;
    m2 += d * (x - mean);
  }
  return k > 0 ? { present: k, missing, min, max, mean, std: Math.sqrt(m2 / k) } : { present: 0, missing, min: null, max: null, mean: null, std: null };
}

function stringProfile(name: string, type: 'categorical' | 'text', rows: number, missing: number, counts: Map<string, number>, top: number): ColumnProfile {
  const entries = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return {
    name,
    type,
    rows,
    missing,
    missing_share: rows === 0 ? 0 : missing / rows,
    unique: counts.size,
    top: entries.slice(0, top).map(([value, count]) => ({ value, count })),
  };
}

/** The profile as an aligned text table, one row per column. */
export function renderProfile(profile: readonly ColumnProfile[]): string {
  const header = ['column', 'type', 'missing', 'unique', 'min', 'max', 'mean', 'std', 'top values'];
  const rows = profile.map((p) => {
    const dt = p.type === 'datetime';
    // One format per column: dates when min and max both fall on midnight, full instants otherwise.
    const dateOnly = dt && [p.min, p.max].every((x) => x === null || x === undefined || isMidnight(x));
    const fmt = (x: number | null | undefined): string => (x === null || x === undefined ? '' : dt ? isoInstant(x, dateOnly) : num(x));
    return [
      p.name,
      p.type,
      `${p.missing} (${(p.missing_share * 100).toFixed(1)}%)`,
      String(p.unique),
      fmt(p.min),
      fmt(p.max),
      dt ? '' : fmt(p.mean),
      dt ? '' : fmt(p.std),
      p.top ? p.top.map((t) => `${clip(t.value, 24)} (${t.count})`).join(', ') : '',
    ];
  });
  const rightAligned = new Set([2, 3, 4, 5, 6, 7]);
  const widths = header.map((h, j) => Math.max(h.length, ...rows.map((r) => r[j]!.length)));
  const line = (cells: string[]): string =>
    cells
      .map((cell, j) => (j === cells.length - 1 ? cell : rightAligned.has(j) ? cell.padStart(widths[j]!) : cell.padEnd(widths[j]!)))
      .join('  ')
      .trimEnd();
  const n = profile[0]?.rows ?? 0;
  return [`${n} rows, ${profile.length} columns`, line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n') + '\n';
}

function num(x: number): string {
  if (Number.isInteger(x) && Math.abs(x) < 1e15) return String(x);
  const a = Math.abs(x);
  if (a !== 0 && (a >= 1e6 || a < 1e-3)) return x.toExponential(3);
  return String(+x.toPrecision(5));
}

function isMidnight(ms: number): boolean {
  return new Date(ms).toISOString().endsWith('T00:00:00.000Z');
}

function isoInstant(ms: number, dateOnly: boolean): string {
  const s = new Date(ms).toISOString();
  return dateOnly ? s.slice(0, 10) : s.replace('.000Z', 'Z');
}

function clip(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}
