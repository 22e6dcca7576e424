// `soma forecast REF --history FILE [--future FILE] [--horizon N] --output FILE`: forecasts from a
// registered forecasting version. The history is laid out as in training (same columns,
// frequency and gap policy, checked against the version: a timestamp off its frequency or a
// duplicated (series, time) is a data error); each series is forecast `horizon` periods after
// its own last period; known columns for those periods come from --future (a missing value is a
// data error naming the series, column and time). Output: one row per series and step, the key
// columns, the time, `forecast` and the interval bounds `lower_L` / `upper_L` per saved level.

import { SomaError } from '../errors.js';
import { Frame, type Column } from '../data/frame.js';
import { writeFrame } from '../data/write.js';
import { formatTime, periodOf, timeOf } from '../engine/forecast/frequency.js';
import { seasonalNaiveScale } from '../evaluate/metrics/forecasting.js';
import { registerBuiltinEstimators } from '../models/index.js';
import { restoreForecaster } from '../models/forecast/forecaster.js';
import type { ForecastData } from '../models/forecast/data.js';
import { Registry } from '../registry/store.js';
import { readVersionJson } from '../registry/version-files.js';
import { registerBuiltinTasks } from '../tasks/index.js';
import { readForecasterState, type ForecasterState } from './forecast/bundle.js';
import { historyData } from './forecast/backtest.js';
import { knownValues, loadSeries, readSeriesFrame, seriesOf, timeValues } from './forecast/data.js';

export interface ForecastOptions {
  ref: string;
  registryDir: string;
  history: string;
  future?: string;
  horizon?: number;
  output: string;
  onWarning?: (message: string) => void;
}

export interface ForecastResult {
  ref: string;
  id: string;
  version: string;
  family: string;
  series: number;
  horizon: number;
  rows: number;
  output: string;
  unknown_series: number;
}

export async function forecast(o: ForecastOptions): Promise<ForecastResult> {
  registerBuiltinEstimators();
  registerBuiltinTasks();
  const warn = o.onWarning ?? (() => {});
  const resolved = await new Registry(o.registryDir).load(o.ref);
  if (resolved.metadata.task !== 'forecasting') {
    throw new SomaError('USAGE', `${resolved.metadata.id} is a ${resolved.metadata.task} model, not a forecaster (soma forecast needs a model trained with task: forecasting)`, { hint: resolved.metadata.task === 'recommendation' ? 'use soma recommend for it' : 'use soma predict for it' });
  }
  const { params, state } = readForecasterState(await readVersionJson(resolved.dir, 'model'), `${resolved.dir}/model/model.json`);
  const h = o.horizon ?? state.horizon;
  if (!(Number.isInteger(h) && h >= 1)) throw new SomaError('USAGE', `--horizon ${h}: expected a whole number >= 1`);
  if (h > state.horizon) {
    throw new SomaError('USAGE', `--horizon ${h}: ${resolved.metadata.id} was trained and calibrated for ${state.horizon} periods ahead`, { hint: 'retrain with a larger forecast.horizon' });
  }
  const f = { time: state.time, series: state.series, target: state.target, known: state.known, static: state.static, gaps: state.gaps };
  const data = { format: undefined, csv: {}, types: {}, formats: {} };
  const table = await loadSeries({ file: o.history, label: o.history, data, f, frequency: state.frequency, dictionaries: state.dictionaries }, warn);
  if (table.panel.anchor.ms !== state.anchor.ms || table.panel.anchor.month !== state.anchor.month || table.panel.anchor.day !== state.anchor.day) {
    throw new SomaError('DATA_BAD_VALUE', `${o.history}: the timestamps fall at another point of their ${state.frequency} period than the training data's`, { hint: 'give the history at the frequency and times the model was trained on' });
  }
  const { data: fd } = historyData(table, undefined, 0, state.season);
  const known = state.known.length > 0 ? await futureKnown(o, state, table, fd, h) : undefined;
  if (known) fd.series.forEach((s, i) => (s.known = known[i]!));
  const model = restoreForecaster(state.family, params, state.global, state.horizon);
  const F = model.forecast(fd, h, { nonnegative: state.nonnegative });
  const unknown = state.series.length === 0 ? 0 : table.codes.filter((c) => c.some((v, j) => j < state.series.length && v < 0)).length;
  if (unknown > 0 && !state.local) warn(`${unknown} series ${unknown > 1 ? 'are' : 'is'} not in the training data: the global model sees their key as an unknown category`);

  // Rows: series in label order, steps in time order.
  const p = table.panel;
  const n = p.nSeries * h;
  const keyCols = state.series.map(() => new Array<string>(n));
  const times = new Float64Array(n);
  const mean = new Float64Array(n);
  const lo = state.intervals.levels.map(() => new Float64Array(n));
  const hi = state.intervals.levels.map(() => new Float64Array(n));
  for (let s = 0; s < p.nSeries; s++) {
    const series = fd.series[s]!;
    const L = series.y.length;
    const scale0 = seasonalNaiveScale(series.y, L, state.season, series.observed);
    const scale = scale0 > 0 ? scale0 : medianScale(fd, state.season);
    for (let k = 0; k < h; k++) {
      const r = s * h + k;
      state.series.forEach((_, j) => (keyCols[j]![r] = table.keys[s]![j]!));
      times[r] = timeOf(series.start + L + k, state.frequency, state.anchor);
      const v = F[s]![k]!;
      mean[r] = v;
      state.intervals.levels.forEach((_, l) => {
        const q = state.intervals.quantiles[l]![k]!;
        const low = v - q * scale;
        lo[l]![r] = state.nonnegative && low < 0 ? 0 : low;
        hi[l]![r] = v + q * scale;
      });
    }
  }
  const columns: Column[] = [
    ...state.series.map((name, j): Column => ({ type: 'text', name, values: keyCols[j]! })),
    // Dates as the data writes them (2024-01-31; with the time when it is not midnight), so the rows join back.
    { type: 'text', name: state.time, values: Array.from(times, formatTime) },
    { type: 'numeric', name: 'forecast', values: mean },
    ...state.intervals.levels.flatMap((l, i): Column[] => [
      { type: 'numeric', name: `lower_${l}`, values: lo[i]! },
      { type: 'numeric', name: `upper_${l}`, values: hi[i]! },
    ]),
  ];
  await writeFrame(o.output, new Frame(columns));
  return { ref: o.ref, id: resolved.metadata.id, version: resolved.metadata.version, family: state.family, series: p.nSeries, horizon: h, rows: n, output: o.output, unknown_series: unknown };
}

function medianScale(fd: ForecastData, m: number): number {
  const s = fd.series.map((x) => seasonalNaiveScale(x.y, x.y.length, m, x.observed)).filter((v) => v > 0).sort((a, b) => a - b);
  return s.length > 0 ? s[Math.floor(s.length / 2)]! : 1;
}

/** Each series' known values over its history and the h periods after it, the latter from --future. */
async function futureKnown(o: ForecastOptions, state: ForecasterState, table: Awaited<ReturnType<typeof loadSeries>>, fd: ForecastData, h: number): Promise<Float64Array[][]> {
  if (o.future === undefined) {
    throw new SomaError('USAGE', `the model uses known columns (${state.known.join(', ')}): give their values for the periods ahead with --future FILE`, { hint: `a file with ${[...state.series, state.time, ...state.known].join(', ')} for each series and the next ${h} periods` });
  }
  const frame = await readSeriesFrame({ file: o.future, label: o.future, data: { format: undefined, csv: {}, types: {}, formats: {} }, f: { ...state, gaps: state.gaps }, frequency: state.frequency, noTarget: true });
  const { code, labels } = seriesOf(frame, state.series, o.future);
  const time = timeValues(frame, state.time, o.future);
  const dicts = structuredClone(state.dictionaries);
  const values = knownValues(frame, state.known, dicts, false);
  const index = new Map(table.labels.map((l, i) => [l, i]));
  const out = fd.series.map((s) => state.known.map((_, k) => {
    const a = new Float64Array(s.y.length + h).fill(NaN);
    a.set(s.known[k]!.subarray(0, s.y.length));
    return a;
  }));
  for (let r = 0; r < frame.rows; r++) {
    const s = index.get(labels[code[r]!]!);
    if (s === undefined) continue;
    const pos = periodOf(time[r]!, state.frequency) - fd.series[s]!.start;
    if (pos < fd.series[s]!.y.length || pos >= fd.series[s]!.y.length + h) continue;
    for (let k = 0; k < state.known.length; k++) out[s]![k]![pos] = values[k]![r]!;
  }
  for (let s = 0; s < fd.series.length; s++) {
    const L = fd.series[s]!.y.length;
    for (let k = 0; k < state.known.length; k++) {
      for (let j = L; j < L + h; j++) {
        if (Number.isNaN(out[s]![k]![j]!)) {
          const when = formatTime(timeOf(fd.series[s]!.start + j, state.frequency, state.anchor));
          throw new SomaError('DATA_BAD_VALUE', `${o.future}: no ${state.known[k]} for series ${table.labels[s] === '' ? '(the only series)' : JSON.stringify(table.labels[s])} at ${when} (known columns are needed for every period forecast)`, {
            details: { file: o.future, column: state.known[k], series: table.labels[s], time: when },
          });
        }
      }
    }
  }
  return out;
}
