// The forecasting metric family: point errors over every scored (series, time) point of a
// rolling-origin backtest, the scaled error MASE and the coverage of prediction intervals.
//
//   mae    mean |y - f|                       rmse   sqrt(mean (y - f)^2)
//   wape   sum |y - f| / sum |y|              smape  mean 200 |y - f| / (|y| + |f|), 0 when both are 0 (percent)
//   mase   mean over (series, window) pairs of the pair's MAE divided by the series' in-sample
//          MAE of the seasonal-naive forecast (period = the frequency's season) on the part of
//          its history before the window's origin (Hyndman & Koehler 2006). Pairs whose scale is
//          0 (a constant history) are left out and counted (`mase_skipped`).
//   coverage_L  share of scored points inside the L% interval.
//
// `compute` gives the point metrics from yTrue / yPred (what `TaskSpec.score` needs); MASE and
// coverage need the backtest's structure and are computed by `scoreBacktest`.

import type { MetricFamily, MetricInput } from './family.js';

/** The interval levels a config may ask for (percent). */
export const INTERVAL_LEVELS = [50, 80, 90, 95, 99] as const;

export const coverageName = (level: number): string => `coverage_${level}`;

export const forecastingMetrics: MetricFamily = {
  task: 'forecasting',
  target: 'values',
  metrics: [
    { name: 'mae', direction: 'minimize' },
    { name: 'rmse', direction: 'minimize' },
    { name: 'wape', direction: 'minimize' },
    { name: 'smape', direction: 'minimize' },
    { name: 'mase', direction: 'minimize' },
    // A coverage nearer its nominal level is better; as a gate it reads "coverage_80 >= 0.78".
    ...INTERVAL_LEVELS.map((l) => ({ name: coverageName(l), direction: 'maximize' as const })),
  ],
  defaults: ['mae', 'rmse', 'wape', 'smape', 'mase', 'coverage_80', 'coverage_95'],
  score: 'mase',
  groupMetrics: ['mae', 'wape'],
  compute: (input: MetricInput, names: readonly string[]) => {
    const p = pointErrors(input.yTrue, input.yPred);
    const out: Record<string, number> = {};
    for (const n of names) {
      const v = (p as unknown as Record<string, number>)[n];
      if (v !== undefined && !Number.isNaN(v)) out[n] = v;
    }
    return out;
  },
};

export interface PointErrors {
  points: number;
  mae: number;
  rmse: number;
  wape: number;
  smape: number;
}

/** The point metrics over paired values (NaN where there are no points, or WAPE over a zero sum). */
export function pointErrors(y: ArrayLike<number>, f: ArrayLike<number>): PointErrors {
  let abs = 0;
  let sq = 0;
  let sumY = 0;
  let sm = 0;
  const n = y.length;
  for (let i = 0; i < n; i++) {
    const e = y[i]! - f[i]!;
    abs += Math.abs(e);
    sq += e * e;
    sumY += Math.abs(y[i]!);
    const den = Math.abs(y[i]!) + Math.abs(f[i]!);
    if (den > 0) sm += (200 * Math.abs(e)) / den;
  }
  return { points: n, mae: n > 0 ? abs / n : NaN, rmse: n > 0 ? Math.sqrt(sq / n) : NaN, wape: sumY > 0 ? abs / sumY : NaN, smape: n > 0 ? sm / n : NaN };
}

/** One (series, window) pair of a backtest: its scored points and its MASE scale. */
export interface BacktestPair {
  series: number;
  window: number;
  /** Horizon step (0-based) of each point. */
  step: Int32Array;
  y: Float64Array;
  f: Float64Array;
  /** Interval bounds per level (same order as `levels`), when intervals were measured. */
  lower?: Float64Array[];
  upper?: Float64Array[];
  /** In-sample seasonal-naive MAE of the series before the window's origin (0: constant history). */
  scale: number;
}

export interface BacktestScore {
  metrics: Record<string, number>;
  /** Pairs whose scale was 0, left out of MASE. */
  maseSkipped: number;
  masePairs: number;
}

/** The family's metrics over pairs; `levels` are the interval levels the pairs' bounds are for. */
export function scoreBacktest(pairs: readonly BacktestPair[], levels: readonly number[]): BacktestScore {
  let total = 0;
  for (const p of pairs) total += p.y.length;
  const y = new Float64Array(total);
  const f = new Float64Array(total);
  const inside = new Float64Array(levels.length);
  let at = 0;
  let maseSum = 0;
  let masePairs = 0;
  let skipped = 0;
  for (const p of pairs) {
    y.set(p.y, at);
    f.set(p.f, at);
    at += p.y.length;
    if (p.y.length === 0) continue;
    if (p.scale > 0) {
      let abs = 0;
      for (let i = 0; i < p.y.length; i++) abs += Math.abs(p.y[i]! - p.f[i]!);
      maseSum += abs / p.y.length / p.scale;
      masePairs++;
    } else skipped++;
    if (p.lower && p.upper) {
      for (let l = 0; l < levels.length; l++) {
        const lo = p.lower[l]!;
        const hi = p.upper[l]!;
        for (let i = 0; i < p.y.length; i++) if (p.y[i]! >= lo[i]! && p.y[i]! <= hi[i]!) inside[l]!++;
      }
    }
  }
  const e = pointErrors(y, f);
  const metrics: Record<string, number> = {};
  const put = (k: string, v: number): void => {
    if (Number.isFinite(v)) metrics[k] = v;
  };
  put('mae', e.mae);
  put('rmse', e.rmse);
  put('wape', e.wape);
  put('smape', e.smape);
  put('mase', masePairs > 0 ? maseSum / masePairs : NaN);
  const measured = pairs.some((p) => p.lower !== undefined);
  if (measured && total > 0) levels.forEach((l, k) => put(coverageName(l), inside[k]! / total));
  return { metrics, maseSkipped: skipped, masePairs };
}

/**
 * In-sample MAE of the seasonal-naive forecast with period `m` over `y[0..n)`, counting only
 * pairs where both values were observed (`observed` absent: all were). 0 when there is no pair
 * or every pair agrees.
 */
export function seasonalNaiveScale(y: Float64Array, n: number, m: number, observed?: Uint8Array): number {
  let s = 0;
  let c = 0;
  for (let t = m; t < n; t++) {
    if (observed && (!observed[t] || !observed[t - m])) continue;
    s += Math.abs(y[t]! - y[t - m]!);
    c++;
  }
  return c > 0 ? s / c : 0;
}
