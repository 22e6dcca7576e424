// The forecasting keys of a validated config (`data.time`, `data.series`, the `forecast:`
// section), resolved with their defaults. The task spec (tasks/forecasting.ts) declares their
// schema; the forecasting flow reads this. Defaults that depend on the data's frequency (lags,
// rolling windows, calendar features) stay undefined here and are filled once it is known
// (engine/forecast/frequency.ts).

import type { JsonObject, JsonValue } from '../util/json.js';
import type { Frequency } from '../engine/forecast/frequency.js';

export type Strategy = 'recursive' | 'direct';
/** What a missing period inside a series' history becomes: an error, 0, or the previous value. */
export type GapPolicy = 'error' | 'zero' | 'previous';

export interface ForecastConfig {
  time: string;
  series: string[];
  target: string;
  horizon: number;
  frequency: Frequency | undefined;
  lags: number[] | undefined;
  rolling: number[] | undefined;
  /** true: the frequency's calendar features; false: none; a list: these. */
  calendar: boolean | string[];
  known: string[];
  static: string[];
  strategy: Strategy;
  /** Global models: each series divided by its mean |value| before fitting (mean), or as is (none). */
  scaling: 'mean' | 'none';
  intervals: number[];
  backtest: { windows: number; step: number };
  gaps: GapPolicy;
  /** Forecasts clipped at 0; undefined = when the training target is never negative. */
  nonnegative: boolean | undefined;
}

const obj = (v: JsonValue | undefined): JsonObject => (v && typeof v === 'object' && !Array.isArray(v) ? v : {});
const str = (v: JsonValue | undefined): string | undefined => (typeof v === 'string' ? v : undefined);
const nums = (v: JsonValue | undefined): number[] | undefined => (Array.isArray(v) ? v.map(Number) : undefined);
const strs = (v: JsonValue | undefined): string[] => (Array.isArray(v) ? v.map(String) : typeof v === 'string' ? [v] : []);

/** Resolves the forecasting keys of `raw` (the validated document). */
export function resolveForecastConfig(raw: JsonObject): ForecastConfig {
  const data = obj(raw['data']);
  const f = obj(raw['forecast']);
  const bt = obj(f['backtest']);
  const horizon = typeof f['horizon'] === 'number' ? f['horizon'] : 1;
  const cal = f['calendar'];
  return {
    time: str(data['time'])!,
    series: strs(data['series']),
    target: str(data['target'])!,
    horizon,
    frequency: str(f['frequency']) as Frequency | undefined,
    lags: nums(f['lags']),
    rolling: nums(f['rolling']),
    calendar: typeof cal === 'boolean' ? cal : Array.isArray(cal) ? cal.map(String) : true,
    known: strs(f['known']),
    static: strs(f['static']),
    strategy: (str(f['strategy']) ?? 'recursive') as Strategy,
    scaling: str(f['scaling']) === 'none' ? 'none' : 'mean',
    intervals: nums(f['intervals']) ?? [80, 95],
    backtest: { windows: typeof bt['windows'] === 'number' ? bt['windows'] : 3, step: typeof bt['step'] === 'number' ? bt['step'] : horizon },
    gaps: (str(f['gaps']) ?? 'error') as GapPolicy,
    nonnegative: typeof f['nonnegative'] === 'boolean' ? f['nonnegative'] : undefined,
  };
}
