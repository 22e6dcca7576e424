// The series engine: frequency and anchor inference, the per-series time axis, duplicate and gap
// checks with their messages, and features that never read a row's own or a later target.

import { describe, expect, it } from 'vitest';
import { SomaError } from '../../../src/errors.js';
import { buildFeatures, type FeatureSpec, type SeriesView } from '../../../src/engine/forecast/features.js';
import { calendarValue, fitAnchor, periodOf, timeOf } from '../../../src/engine/forecast/frequency.js';
import { buildPanel, type PanelInput } from '../../../src/engine/forecast/panel.js';

const day = (iso: string): number => Date.parse(`${iso}T00:00:00Z`);

function input(times: string[], series?: number[], over: Partial<PanelInput> = {}): PanelInput {
  const s = Int32Array.from(series ?? times.map(() => 0));
  return {
    series: s,
    nSeries: Math.max(...s) + 1,
    time: Float64Array.from(times, day),
    y: Float64Array.from(times, (_, i) => i + 1),
    known: [],
    frequency: undefined,
    gaps: 'error',
    label: (k) => `s${k}`,
    what: 'data.csv',
    timeColumn: 'date',
    ...over,
  };
}

function caught(fn: () => unknown): SomaError {
  try {
    fn();
  } catch (e) {
    return e as SomaError;
  }
  throw new Error('did not throw');
}

describe('frequency inference', () => {
  it('when timestamps are daily, weekly, monthly (1st or month end), quarterly or yearly, then the coarsest fitting frequency is found', () => {
    expect(buildPanel(input(['2024-01-01', '2024-01-02', '2024-01-04'], undefined, { gaps: 'zero' })).frequency).toBe('daily');
    expect(buildPanel(input(['2024-01-06', '2024-01-13', '2024-01-20'])).frequency).toBe('weekly');
    expect(buildPanel(input(['2024-01-01', '2024-02-01', '2024-03-01'])).frequency).toBe('monthly');
    const ends = buildPanel(input(['2024-01-31', '2024-02-29', '2024-03-31', '2024-04-30']));
    expect(ends.frequency).toBe('monthly');
    expect(ends.anchor.day).toBe(0);
    expect(new Date(timeOf(ends.start[0]! + 5, 'monthly', ends.anchor)).toISOString().slice(0, 10)).toBe('2024-06-30');
    expect(buildPanel(input(['2023-03-31', '2023-06-30', '2023-09-30'])).frequency).toBe('quarterly');
    expect(buildPanel(input(['2020-01-01', '2021-01-01', '2022-01-01'])).frequency).toBe('yearly');
  });

  it('when two series interleave, then each has its own span and the frequency holds for both', () => {
    const p = buildPanel(input(['2024-01-03', '2024-01-01', '2024-01-02', '2024-01-02'], [0, 0, 0, 1]));
    expect(p.frequency).toBe('daily');
    expect(Array.from(p.offset)).toEqual([0, 3, 4]);
    // Placed by period: series 0 in time order whatever the row order.
    expect(Array.from(p.y.subarray(0, 3))).toEqual([2, 3, 1]);
  });

  it('when a timestamp falls elsewhere in its period than the first, then it does not fit the frequency', () => {
    expect('bad' in fitAnchor(Float64Array.from(['2024-01-01', '2024-02-15'], day), 'monthly')).toBe(true);
    const e = caught(() => buildPanel(input(['2024-01-01', '2024-02-01', '2024-03-15'], undefined, { frequency: 'monthly' })));
    expect(e.code).toBe('DATA_BAD_VALUE');
    expect(e.exitCode).toBe(3);
    expect(e.message).toBe('data.csv: date 2024-03-15 does not fit frequency monthly (the first timestamp sets every period\'s position: on day 1 at 00:00:00)');
  });

  it('when a (series, time) pair repeats, then the error names the series, the time and both rows', () => {
    const e = caught(() => buildPanel(input(['2024-01-01', '2024-01-02', '2024-01-02'])));
    expect(e.code).toBe('DATA_BAD_VALUE');
    expect(e.message).toBe('data.csv: series s0 has two rows for 2024-01-02 (data rows 2 and 3)');
  });

  it('when a period is missing inside a series, then gaps: error names it, zero fills 0 and previous the last value, and filled periods are not observed', () => {
    const times = ['2024-01-01', '2024-01-02', '2024-01-04'];
    const e = caught(() => buildPanel(input(times, undefined, { frequency: 'daily' })));
    expect(e.message).toBe('data.csv: series s0 has no row for 2024-01-03, inside its history (a gap in the daily periods)');
    expect(e.hint).toMatch(/forecast.gaps: zero/);
    const zero = buildPanel(input(times, undefined, { frequency: 'daily', gaps: 'zero' }));
    expect(Array.from(zero.y)).toEqual([1, 2, 0, 3]);
    expect(Array.from(zero.observed)).toEqual([1, 1, 0, 1]);
    expect(zero.filled).toBe(1);
    const prev = buildPanel(input(times, undefined, { frequency: 'daily', gaps: 'previous' }));
    expect(Array.from(prev.y)).toEqual([1, 2, 2, 3]);
  });

  it('when periods are numbered, then weeks count from Mondays and calendar values follow pandas (Monday 0, ISO weeks)', () => {
    expect(periodOf(day('2024-01-07'), 'weekly')).toBe(periodOf(day('2024-01-01'), 'weekly'));
    expect(periodOf(day('2024-01-08'), 'weekly')).toBe(periodOf(day('2024-01-01'), 'weekly') + 1);
    expect(calendarValue(day('2024-01-01'), 'dayofweek')).toBe(0);
    expect(calendarValue(day('2024-12-30'), 'weekofyear')).toBe(1);
    expect(calendarValue(day('2024-12-31'), 'dayofyear')).toBe(366);
  });
});

describe('features', () => {
  const spec: FeatureSpec = { lags: [1, 3], rolling: [2], calendar: ['dayofweek'], known: ['price'], categorical: [{ name: 'store', cardinality: 2 }], shift: 0 };
  const view = (y: number[]): SeriesView => ({ y: Float64Array.from(y), known: [Float64Array.from(y, (_, i) => 10 + i)], start: periodOf(day('2024-01-01'), 'daily'), codes: Int32Array.from([1]) });
  const anchor = { month: 0, day: 0, ms: 0 };

  it('when features are built at a position, then lags and rolling windows read only earlier values, and the known value and codes are the period\'s', () => {
    const X = buildFeatures(spec, [view([1, 2, 4, 8, 16])], Int32Array.from([0, 0]), Int32Array.from([1, 4]), 'daily', anchor);
    expect(X.names).toEqual(['lag1', 'lag3', 'rolling_mean_2', 'rolling_std_2', 'dayofweek', 'price', 'store']);
    expect(X.kinds).toEqual(['numeric', 'numeric', 'numeric', 'numeric', 'numeric', 'numeric', 'categorical']);
    const row = (r: number): number[] => X.columns.map((c) => (c as Float64Array)[r]!);
    expect(row(0)).toEqual([1, NaN, NaN, NaN, 1, 11, 1]);
    expect(row(1)).toEqual([8, 2, 6, Math.sqrt(8), 4, 14, 1]);
  });

  it('when the target at and after a position changes, then that position\'s features do not (no leakage), at every shift', () => {
    for (const shift of [0, 2]) {
      const s = { ...spec, shift };
      const a = buildFeatures(s, [view([1, 2, 4, 8, 16, 32])], Int32Array.from([0]), Int32Array.from([4]), 'daily', anchor);
      const b = buildFeatures(s, [view([1, 2, 4, 8, -99, -99].map((v, i) => (i >= 4 - shift ? -1000 + i : v)))], Int32Array.from([0]), Int32Array.from([4]), 'daily', anchor);
      const lagCols = (X: typeof a): number[] => X.columns.slice(0, 4).map((c) => (c as Float64Array)[0]!);
      expect(lagCols(b)).toEqual(lagCols(a));
      expect(a.names[0]).toBe(`lag${1 + shift}`);
    }
  });
});
