// Features of a (series, period) from the series' own past, as mlforecast builds them: lags of the
// target, rolling mean and standard deviation of the target up to the previous period, calendar
// features of the period, known-in-advance values at the period, and the series' key and static
// attributes as categorical codes. A feature at position `pos` reads only values at positions
// `< pos - shift`, so a training row never sees its own or a later target; `shift` is the
// direct strategy's (the model for horizon step h + 1 sees nothing after the origin: shift h).
// The same code builds the training rows and, over a buffer the forecasts are appended to, the
// rows forecast step by step.

import type { FeatureMatrix } from '../matrix.js';
import { calendarValue, timeOf, type Anchor, type CalendarFeature, type Frequency } from './frequency.js';

export interface FeatureSpec {
  lags: number[];
  rolling: number[];
  calendar: CalendarFeature[];
  /** Known-in-advance columns, numeric values per period. */
  known: string[];
  /** Categorical per-series features (key columns, then static columns) with their category counts. */
  categorical: { name: string; cardinality: number }[];
  shift: number;
}

/** One series as the features see it: values and known values from its first period on. */
export interface SeriesView {
  y: Float64Array;
  known: readonly Float64Array[];
  /** Period number of position 0. */
  start: number;
  /** Category code of each categorical feature (-1: unknown). */
  codes: Int32Array;
}

export function featureNames(spec: FeatureSpec): string[] {
  return [
    ...spec.lags.map((k) => `lag${k + spec.shift}`),
    ...spec.rolling.flatMap((w) => [`rolling_mean_${w}`, `rolling_std_${w}`]),
    ...spec.calendar,
    ...spec.known,
    ...spec.categorical.map((c) => c.name),
  ];
}

/** The feature matrix of rows (series index into `views`, position in the series). */
export function buildFeatures(spec: FeatureSpec, views: readonly SeriesView[], series: Int32Array, pos: Int32Array, f: Frequency, anchor: Anchor): FeatureMatrix {
  const n = series.length;
  const names = featureNames(spec);
  const cols: Float64Array[] = names.map(() => new Float64Array(n));
  const sh = spec.shift;
  // Calendar values per period, computed once per distinct period of the rows.
  let pLo = Infinity;
  let pHi = -Infinity;
  for (let i = 0; i < n; i++) {
    const p = views[series[i]!]!.start + pos[i]!;
    if (p < pLo) pLo = p;
    if (p > pHi) pHi = p;
  }
  const nCal = spec.calendar.length;
  const cal = new Float64Array(n > 0 && nCal > 0 ? (pHi - pLo + 1) * nCal : 0);
  if (n > 0 && nCal > 0) {
    for (let p = pLo; p <= pHi; p++) {
      const ms = timeOf(p, f, anchor);
      for (let c = 0; c < nCal; c++) cal[(p - pLo) * nCal + c] = calendarValue(ms, spec.calendar[c]!);
    }
  }
  for (let i = 0; i < n; i++) {
    const v = views[series[i]!]!;
    const t = pos[i]!;
    const y = v.y;
    let c = 0;
    for (const k of spec.lags) {
      const at = t - sh - k;
      cols[c++]![i] = at >= 0 ? y[at]! : NaN;
    }
    for (const w of spec.rolling) {
      const hi = t - sh; // exclusive
      const lo = hi - w;
      if (lo < 0) {
        cols[c++]![i] = NaN;
        cols[c++]![i] = NaN;
        continue;
      }
      let s = 0;
      for (let j = lo; j < hi; j++) s += y[j]!;
      const mean = s / w;
      let ss = 0;
      for (let j = lo; j < hi; j++) ss += (y[j]! - mean) * (y[j]! - mean);
      cols[c++]![i] = mean;
      cols[c++]![i] = w > 1 ? Math.sqrt(ss / (w - 1)) : NaN;
    }
    const p = v.start + t;
    for (let k = 0; k < nCal; k++) cols[c++]![i] = cal[(p - pLo) * nCal + k]!;
    for (let k = 0; k < spec.known.length; k++) cols[c++]![i] = t < v.known[k]!.length ? v.known[k]![t]! : NaN;
    for (let k = 0; k < spec.categorical.length; k++) {
      const code = v.codes[k]!;
      cols[c++]![i] = code >= 0 ? code : NaN;
    }
  }
  const nNum = names.length - spec.categorical.length;
  return {
    rows: n,
    names,
    kinds: names.map((_, j) => (j < nNum ? 'numeric' : 'categorical')),
    cardinality: names.map((_, j) => (j < nNum ? 0 : spec.categorical[j - nNum]!.cardinality)),
    columns: cols,
  };
}
