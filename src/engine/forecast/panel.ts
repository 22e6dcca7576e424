// Many series on one time axis: rows (series code, timestamp, target, known values) placed at
// their period in each series' own span, first to last observed period. Placing rows by period
// needs no sort; a second row in the same slot is a duplicated (series, time). The frequency, when
// not given, is the coarsest one every timestamp fits without two rows of a series in one period
// (daily data fits hourly too, but then has 23 empty hours a day). Periods missing inside a span
// (gaps, or a row with a missing target) are an error or filled by the gap policy; filled
// periods feed features but are never training targets nor scored (`observed` = 0).

import { SomaError } from '../../errors.js';
import { FREQUENCIES, SEASON, fitAnchor, formatTime, periodOf, timeOf, type Anchor, type Frequency } from './frequency.js';

export type GapPolicy = 'error' | 'zero' | 'previous';

export interface PanelInput {
  /** Series code per row, 0..nSeries-1. */
  series: Int32Array;
  nSeries: number;
  /** Epoch ms per row (NaN: a missing timestamp, an error). */
  time: Float64Array;
  /** Target per row (NaN = missing: treated as a gap). */
  y: Float64Array;
  /** Known-in-advance columns, per row. */
  known: readonly Float64Array[];
  frequency: Frequency | undefined;
  gaps: GapPolicy;
  /** Names for messages: the series of a code, the data (`data/demand.csv`), the time column. */
  label: (series: number) => string;
  what: string;
  timeColumn: string;
}

export interface Panel {
  frequency: Frequency;
  anchor: Anchor;
  season: number;
  nSeries: number;
  /** First period of each series. */
  start: Float64Array;
  /** Series s occupies [offset[s], offset[s+1]) of the value arrays. */
  offset: Int32Array;
  y: Float64Array;
  /** 1 where a row gave the target (0: a filled gap). */
  observed: Uint8Array;
  known: Float64Array[];
  /** Periods filled by the gap policy. */
  filled: number;
}

export function buildPanel(input: PanelInput): Panel {
  const n = input.time.length;
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(input.time[i]!)) throw new SomaError('DATA_BAD_VALUE', `${input.what}: time column "${input.timeColumn}" is missing in data row ${i + 1}`, { details: { column: input.timeColumn, row: i + 1 } });
  }
  const frequency = input.frequency ?? inferFrequency(input);
  const anchored = fitAnchor(input.time, frequency);
  if ('bad' in anchored) {
    throw new SomaError('DATA_BAD_VALUE', `${input.what}: ${input.timeColumn} ${formatTime(anchored.bad)} does not fit frequency ${frequency} (the first timestamp sets every period's position: ${describeAnchor(anchored.expected, frequency)})`, {
      hint: input.frequency ? 'check forecast.frequency, or leave it out to infer it' : 'every timestamp must fall at the same point of its period',
      details: { column: input.timeColumn, value: formatTime(anchored.bad), frequency },
    });
  }
  const periods = new Float64Array(n);
  for (let i = 0; i < n; i++) periods[i] = periodOf(input.time[i]!, frequency);
  const { start, offset } = spans(input.series, input.nSeries, periods);
  const size = offset[input.nSeries]!;
  const slotRow = new Int32Array(size).fill(-1);
  for (let i = 0; i < n; i++) {
    const s = input.series[i]!;
    const slot = offset[s]! + (periods[i]! - start[s]!);
    const prev = slotRow[slot]!;
    if (prev >= 0) {
      const same = input.time[prev] === input.time[i];
      throw new SomaError('DATA_BAD_VALUE', `${input.what}: series ${input.label(s)} has two rows for ${same ? formatTime(input.time[i]!) : `one ${frequency} period (${formatTime(input.time[prev]!)} and ${formatTime(input.time[i]!)})`} (data rows ${prev + 1} and ${i + 1})`, {
        hint: same ? 'a (series, time) pair must appear once: aggregate the rows first, or add the key column that tells them apart to data.series' : 'set forecast.frequency to the data\'s period, or aggregate the rows to it',
        details: { series: input.label(s), rows: [prev + 1, i + 1] },
      });
    }
    slotRow[slot] = i;
  }
  const y = new Float64Array(size).fill(NaN);
  const observed = new Uint8Array(size);
  const known = input.known.map(() => new Float64Array(size).fill(NaN));
  for (let slot = 0; slot < size; slot++) {
    const r = slotRow[slot]!;
    if (r < 0) continue;
    const v = input.y[r]!;
    if (Number.isFinite(v)) {
      y[slot] = v;
      observed[slot] = 1;
    }
    for (let k = 0; k < known.length; k++) known[k]![slot] = input.known[k]![r]!;
  }
  let filled = 0;
  for (let s = 0; s < input.nSeries; s++) {
    const a = offset[s]!;
    const b = offset[s + 1]!;
    for (let t = a; t < b; t++) {
      if (observed[t]) continue;
      if (input.gaps === 'error') {
        const when = formatTime(timeOf(start[s]! + (t - a), frequency, anchored.anchor));
        const row = slotRow[t]!;
        throw new SomaError('DATA_BAD_VALUE', `${input.what}: series ${input.label(s)} ${row >= 0 ? `has a missing target at ${when} (data row ${row + 1})` : `has no row for ${when}, inside its history (a gap in the ${frequency} periods)`}`, {
          hint: 'set forecast.gaps: zero (a missing period means 0, e.g. no sales) or previous (carry the last value), or fill the data',
          details: { series: input.label(s), time: when },
        });
      }
      // The first period is always observed (spans start at an observed row), so t > a here.
      y[t] = input.gaps === 'zero' ? 0 : y[t - 1]!;
      filled++;
    }
    // Known values of filled periods: the previous period's (they describe the same conditions).
    for (const k of known) {
      for (let t = a + 1; t < b; t++) if (Number.isNaN(k[t]!)) k[t] = k[t - 1]!;
    }
  }
  return { frequency, anchor: anchored.anchor, season: SEASON[frequency], nSeries: input.nSeries, start, offset, y, observed, known, filled };
}

/** Each series' first period and its place in the value arrays (rows with a missing target count for the span only when observed rows surround them). */
function spans(series: Int32Array, nSeries: number, periods: Float64Array): { start: Float64Array; offset: Int32Array } {
  const lo = new Float64Array(nSeries).fill(Infinity);
  const hi = new Float64Array(nSeries).fill(-Infinity);
  for (let i = 0; i < periods.length; i++) {
    const s = series[i]!;
    if (periods[i]! < lo[s]!) lo[s] = periods[i]!;
    if (periods[i]! > hi[s]!) hi[s] = periods[i]!;
  }
  const offset = new Int32Array(nSeries + 1);
  for (let s = 0; s < nSeries; s++) offset[s + 1] = offset[s]! + (Number.isFinite(lo[s]!) ? hi[s]! - lo[s]! + 1 : 0);
  if (offset[nSeries]! > 2 ** 30) throw new SomaError('DATA_BAD_VALUE', `the series span ${offset[nSeries]} periods in all: the frequency is too fine for the time range`, { hint: 'set forecast.frequency' });
  return { start: lo, offset };
}

/** The coarsest frequency every timestamp fits with at most one row per series and period. */
function inferFrequency(input: PanelInput): Frequency {
  const n = input.time.length;
  for (const f of [...FREQUENCIES].reverse()) {
    if ('bad' in fitAnchor(input.time, f)) continue;
    const periods = new Float64Array(n);
    for (let i = 0; i < n; i++) periods[i] = periodOf(input.time[i]!, f);
    const { start, offset } = spans(input.series, input.nSeries, periods);
    const seen = new Uint8Array(offset[input.nSeries]!);
    let clash = -1;
    for (let i = 0; i < n && clash < 0; i++) {
      const slot = offset[input.series[i]!]! + (periods[i]! - start[input.series[i]!]!);
      if (seen[slot]) clash = i;
      seen[slot] = 1;
    }
    if (clash < 0) return f;
    // Rows closer than this frequency: finer data, or a duplicate; the finer frequencies decide.
  }
  const seen = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const key = `${input.series[i]}|${input.time[i]}`;
    const prev = seen.get(key);
    if (prev !== undefined) {
      throw new SomaError('DATA_BAD_VALUE', `${input.what}: series ${input.label(input.series[i]!)} has two rows for ${formatTime(input.time[i]!)} (data rows ${prev + 1} and ${i + 1})`, {
        hint: 'a (series, time) pair must appear once: aggregate the rows first, or add the key column that tells them apart to data.series',
        details: { series: input.label(input.series[i]!), rows: [prev + 1, i + 1] },
      });
    }
    seen.set(key, i);
  }
  throw new SomaError('DATA_BAD_VALUE', `${input.what}: cannot infer the frequency of ${input.timeColumn}: the timestamps fit none of ${FREQUENCIES.join(', ')} with one row per series and period`, {
    hint: 'set forecast.frequency; repeated (series, time) rows must be aggregated first, and data finer than hourly aggregated to hours',
  });
}

function describeAnchor(a: Anchor, f: Frequency): string {
  const hms = new Date(a.ms % 86_400_000).toISOString().slice(11, 19);
  switch (f) {
    case 'hourly':
      return `${a.ms / 60000} minutes past the hour`;
    case 'daily':
      return `at ${hms}`;
    case 'weekly':
      return `on ${['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'][Math.floor(a.ms / 86_400_000)]} at ${hms}`;
    default:
      return `${a.day === 0 ? 'at month end' : `on day ${a.day}`}${f !== 'monthly' ? ` of month ${a.month + 1} of the ${f === 'quarterly' ? 'quarter' : 'year'}` : ''} at ${hms}`;
  }
}
