// The rolling-origin backtest (statsforecast's and mlforecast's cross_validation): `windows`
// origins `step` periods apart, the last one `horizon` periods before the end of the data. At
// each origin the forecaster is fitted on every series' periods before it and forecasts the
// next `horizon` periods of each series that continues past it; observed periods are scored.
//
// Intervals are split-conformal on residuals scaled by each series' MASE scale (its in-sample
// seasonal-naive MAE before the origin, so one quantile serves series of every size): per
// horizon step k and level L, the ceil((n + 1) L)-th smallest of the n scaled |residuals| at
// step k. The coverage reported for window w uses quantiles from the other windows' residuals
// only (no window is calibrated on itself); the saved intervals use every window's. A series
// whose scale is 0 (a constant history) is scaled by the median scale of the others instead.

import { SomaError } from '../../errors.js';
import { scoreBacktest, seasonalNaiveScale, pointErrors, type BacktestPair, type BacktestScore } from '../../evaluate/metrics/forecasting.js';
import type { Panel } from '../../engine/forecast/panel.js';
import type { ForecastData, ForecastSeries } from '../../models/forecast/data.js';
import type { Forecaster } from '../../models/forecast/forecaster.js';

export interface SeriesTableLike {
  panel: Panel;
  codes: Int32Array[];
}

/** Every series' history before period `origin` (all of it when undefined), known values `h` periods further. */
export function historyData(t: SeriesTableLike, origin: number | undefined, h: number, season: number): { data: ForecastData; index: number[] } {
  const p = t.panel;
  const series: ForecastSeries[] = [];
  const index: number[] = [];
  for (let s = 0; s < p.nSeries; s++) {
    const a = p.offset[s]!;
    const len = p.offset[s + 1]! - a;
    const L = origin === undefined ? len : Math.min(len, origin - p.start[s]!);
    if (L < 1) continue;
    const K = Math.min(len, L + h);
    series.push({ y: p.y.subarray(a, a + L), observed: p.observed.subarray(a, a + L), known: p.known.map((k) => k.subarray(a, a + K)), start: p.start[s]!, codes: t.codes[s]! });
    index.push(s);
  }
  return { data: { frequency: p.frequency, anchor: p.anchor, season, series }, index };
}

export interface BacktestOutcome {
  family: string;
  score: BacktestScore;
  pairs: BacktestPair[];
  origins: number[];
  /** Scaled |residual| per horizon step, over every window. */
  residuals: number[][];
  /** Series that had no history before the first origin. */
  skipped: number;
  seconds: number;
}

export interface BacktestOptions {
  horizon: number;
  windows: number;
  step: number;
  season: number;
  levels: readonly number[];
  nonnegative: boolean;
  signal?: AbortSignal;
}

/** The backtest origins (periods), oldest first; DATA_EMPTY when the data is too short for them. */
export function backtestOrigins(p: Panel, o: Pick<BacktestOptions, 'horizon' | 'windows' | 'step'>, what: string): number[] {
  let end = -Infinity;
  let first = Infinity;
  for (let s = 0; s < p.nSeries; s++) {
    end = Math.max(end, p.start[s]! + p.offset[s + 1]! - p.offset[s]!);
    first = Math.min(first, p.start[s]!);
  }
  const origins = Array.from({ length: o.windows }, (_, w) => end - o.horizon - (o.windows - 1 - w) * o.step);
  if (origins[0]! - first < 2) {
    throw new SomaError('DATA_EMPTY', `${what}: the longest series spans ${end - first} periods, too few for ${o.windows} backtest window${o.windows > 1 ? 's' : ''} of ${o.horizon} periods ${o.step} apart (the first origin needs at least 2 periods of history)`, {
      hint: 'lower forecast.backtest.windows, forecast.backtest.step or forecast.horizon',
    });
  }
  return origins;
}

/** Scale for intervals: the MASE scale, or the median positive one of the window when it is 0. */
function intervalScales(scales: number[]): number[] {
  const pos = scales.filter((s) => s > 0).sort((a, b) => a - b);
  const med = pos.length > 0 ? pos[Math.floor(pos.length / 2)]! : 1;
  return scales.map((s) => (s > 0 ? s : med));
}

/** The split-conformal quantile of `r` at level (0..1): the ceil((n+1)L)-th smallest, the largest when that exceeds n. */
export function conformalQuantile(r: readonly number[], level: number): number {
  if (r.length === 0) return NaN;
  const sorted = [...r].sort((a, b) => a - b);
  const k = Math.ceil((sorted.length + 1) * level);
  return sorted[Math.min(k, sorted.length) - 1]!;
}

/** Per level, per horizon step, the conformal quantile of the scaled residuals. */
export function intervalQuantiles(residuals: readonly (readonly number[])[], levels: readonly number[]): number[][] {
  return levels.map((l) => residuals.map((r) => conformalQuantile(r, l / 100)));
}

export async function backtest(t: SeriesTableLike, make: () => Forecaster, o: BacktestOptions, what: string): Promise<BacktestOutcome> {
  const origins = backtestOrigins(t.panel, o, what);
  const p = t.panel;
  const pairs: BacktestPair[] = [];
  const pairScale: number[] = [];
  const started = performance.now();
  let family = '';
  let skipped = 0;
  for (let w = 0; w < origins.length; w++) {
    const origin = origins[w]!;
    const { data, index } = historyData(t, origin, o.horizon, o.season);
    if (w === 0) skipped = p.nSeries - index.length;
    // Forecast only the series that go on past the origin; every series with history trains.
    const go = index.map((s) => p.start[s]! + p.offset[s + 1]! - p.offset[s]! > origin);
    const model = make();
    family = model.family;
    await model.fit(data, { nonnegative: o.nonnegative, ...(o.signal ? { signal: o.signal } : {}) });
    const fdata: ForecastData = { ...data, series: data.series.filter((_, i) => go[i]) };
    const fIndex = index.filter((_, i) => go[i]);
    const F = model.forecast(fdata, o.horizon, { nonnegative: o.nonnegative, ...(o.signal ? { signal: o.signal } : {}) });
    const scales: number[] = [];
    fIndex.forEach((s, i) => {
      const a = p.offset[s]!;
      const len = p.offset[s + 1]! - a;
      const L = origin - p.start[s]!;
      const hist = fdata.series[i]!;
      const scale = seasonalNaiveScale(hist.y, L, o.season, hist.observed);
      const step: number[] = [];
      const y: number[] = [];
      const f: number[] = [];
      for (let k = 0; k < o.horizon && L + k < len; k++) {
        if (!p.observed[a + L + k]) continue;
        step.push(k);
        y.push(p.y[a + L + k]!);
        f.push(F[i]![k]!);
      }
      pairs.push({ series: s, window: w, step: Int32Array.from(step), y: Float64Array.from(y), f: Float64Array.from(f), scale });
      scales.push(scale);
    });
    pairScale.push(...intervalScales(scales));
  }
  // Scaled residuals per step and window.
  const byWindow: number[][][] = origins.map(() => Array.from({ length: o.horizon }, () => []));
  pairs.forEach((pr, j) => {
    for (let i = 0; i < pr.y.length; i++) byWindow[pr.window]![pr.step[i]!]!.push(Math.abs(pr.y[i]! - pr.f[i]!) / pairScale[j]!);
  });
  const residuals = Array.from({ length: o.horizon }, (_, k) => byWindow.flatMap((bw) => bw[k]!));
  if (origins.length > 1 && o.levels.length > 0) {
    const q = origins.map((_, w) => intervalQuantiles(Array.from({ length: o.horizon }, (_, k) => byWindow.flatMap((bw, v) => (v === w ? [] : bw[k]!))), o.levels));
    pairs.forEach((pr, j) => {
      const qw = q[pr.window]!;
      pr.lower = o.levels.map((_, l) => Float64Array.from(pr.f, (f, i) => bound(f - qw[l]![pr.step[i]!]! * pairScale[j]!, o.nonnegative)));
      pr.upper = o.levels.map((_, l) => Float64Array.from(pr.f, (f, i) => f + qw[l]![pr.step[i]!]! * pairScale[j]!));
    });
  }
  const score = scoreBacktest(pairs, o.levels);
  return { family, score, pairs, origins, residuals, skipped, seconds: (performance.now() - started) / 1000 };
}

const bound = (v: number, nonneg: boolean): number => (nonneg && v < 0 ? 0 : v);

export interface SeriesScore {
  series: string;
  points: number;
  mae: number | null;
  rmse: number | null;
  wape: number | null;
  smape: number | null;
  mase: number | null;
}

/** Metrics per series over every window (MASE: the mean over its pairs with a positive scale). */
export function perSeries(pairs: readonly BacktestPair[], labels: readonly string[]): SeriesScore[] {
  const by = new Map<number, BacktestPair[]>();
  for (const p of pairs) {
    const l = by.get(p.series) ?? [];
    l.push(p);
    by.set(p.series, l);
  }
  const nn = (v: number): number | null => (Number.isFinite(v) ? v : null);
  return [...by.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([s, ps]) => {
      const y = ps.flatMap((p) => [...p.y]);
      const f = ps.flatMap((p) => [...p.f]);
      const e = pointErrors(y, f);
      const scaled = ps.filter((p) => p.scale > 0 && p.y.length > 0).map((p) => pointErrors(p.y, p.f).mae / p.scale);
      return { series: labels[s]!, points: y.length, mae: nn(e.mae), rmse: nn(e.rmse), wape: nn(e.wape), smape: nn(e.smape), mase: scaled.length > 0 ? scaled.reduce((a, b) => a + b, 0) / scaled.length : null };
    });
}
