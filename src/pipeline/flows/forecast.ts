// The forecasting training flow: read the series file and lay it out by series and period
// (pipeline/forecast/data.ts), resolve the frequency's default lags, rolling windows and calendar
// features, run the rolling-origin backtest for every family model.type names (several: the
// smallest backtest MASE wins), fit the chosen one on the whole history, and calibrate its
// prediction intervals on the backtest residuals. Metrics are `{backtest}`, which the gates
// judge. After the gates pass: the forecaster (bundle.ts), metrics with per-series scores and
// the candidates' results, the input contract and the report. Contract: flows/flow.ts.

import { SomaError } from '../../errors.js';
import { resolveForecastConfig } from '../../config/forecast.js';
import { profileFrame } from '../../data/profile.js';
import { DEFAULT_CALENDAR, DEFAULT_LAGS, DEFAULT_ROLLING, SEASON, type CalendarFeature } from '../../engine/forecast/frequency.js';
import type { FeatureSpec } from '../../engine/forecast/features.js';
import { INTERVAL_LEVELS } from '../../evaluate/metrics/forecasting.js';
import { createForecaster } from '../../models/forecast/forecaster.js';
import { findTask } from '../../tasks/registry.js';
import { canonicalJson } from '../../registry/bump.js';
import { sha256 } from '../../util/hash.js';
import type { JsonObject } from '../../util/json.js';
import { backtest, historyData, intervalQuantiles, perSeries, type BacktestOutcome } from '../forecast/backtest.js';
import { forecasterJson, type ForecasterState } from '../forecast/bundle.js';
import { loadSeries, resolveIn } from '../forecast/data.js';
import { renderForecastHtml, renderForecastMarkdown, sampleCharts } from '../forecast/report.js';
import { withoutRuntimeParams } from './rows.js';
import type { FittedRun, FlowContext, RunArtifacts, TrainFlow } from './flow.js';

export const forecastFlow: TrainFlow = { fit: fitForecast };

async function fitForecast(ctx: FlowContext): Promise<FittedRun> {
  const { loaded, timer, warn, options } = ctx;
  const { config } = loaded;
  const task = findTask('forecasting');
  if (config.search) throw new SomaError('CONFIG_INVALID', 'search: hyperparameter search is not available for task forecasting yet; model.type may list several families, which the backtest compares', { hint: 'remove the search: section' });
  if (config.preprocess.length > 0) warn('preprocess: steps do not apply to task forecasting (its features are forecast.lags, rolling, calendar, known and static) and were ignored');
  const fc = resolveForecastConfig(loaded.raw);
  const d = config.data;
  if (d.source === undefined) throw new SomaError('CONFIG_INVALID', 'data.source: task forecasting reads one file of every series\' history (the backtest makes its own splits)', { hint: 'merge data.train/validation/test into one file and set data.source' });
  for (const l of fc.intervals) if (!(INTERVAL_LEVELS as readonly number[]).includes(l)) throw new SomaError('CONFIG_INVALID', `forecast.intervals: ${l} is not one of ${INTERVAL_LEVELS.join(', ')}`);
  const overlap = [...fc.known, ...fc.static].filter((c) => c === fc.target || c === fc.time || fc.series.includes(c));
  if (overlap.length > 0) throw new SomaError('CONFIG_INVALID', `forecast.known/static: ${overlap.join(', ')} is the time, target or a series key column`);

  const table = await timer.time('load', () => loadSeries({ file: resolveIn(loaded.dir, d.source!), label: d.source!, data: d, f: fc, frequency: fc.frequency }, warn));
  const p = table.panel;
  const freq = p.frequency;
  const season = SEASON[freq];
  const calendar: CalendarFeature[] = fc.calendar === true ? [...DEFAULT_CALENDAR[freq]] : fc.calendar === false ? [] : (fc.calendar as CalendarFeature[]);
  const spec: FeatureSpec = {
    lags: fc.lags ?? [...DEFAULT_LAGS[freq]],
    rolling: fc.rolling ?? [...DEFAULT_ROLLING[freq]],
    calendar,
    known: fc.known,
    categorical: [...fc.series, ...fc.static].map((name) => ({ name, cardinality: table.dictionaries[name]?.length ?? 0 })),
    shift: 0,
  };
  let minY = Infinity;
  for (let i = 0; i < p.y.length; i++) if (p.observed[i] && p.y[i]! < minY) minY = p.y[i]!;
  const nonnegative = fc.nonnegative ?? minY >= 0;
  const families = config.model.candidates;
  const params = config.model.params;
  const make = (family: string) => () => createForecaster(family, families.length > 1 ? {} : params, spec, fc.strategy, fc.horizon, fc.scaling);
  if (families.length > 1 && Object.keys(params).length > 0) warn('model.params: ignored when model.type lists several families (each runs with its defaults)');
  // Fail on a family that cannot forecast before any backtest.
  for (const f of families) make(f)();

  const bt = { horizon: fc.horizon, windows: fc.backtest.windows, step: fc.backtest.step, season, levels: fc.intervals, nonnegative, ...(options.signal ? { signal: options.signal } : {}) };
  const outcomes: BacktestOutcome[] = [];
  await timer.time('evaluate', async () => {
    for (const f of families) outcomes.push(await backtest(table, make(f), bt, d.source!));
  });
  if (fc.backtest.windows < 2 && fc.intervals.length > 0) warn('forecast.backtest.windows: 1 window cannot measure interval coverage (each window is scored with quantiles from the others); the saved intervals use its residuals');
  const rank = (o: BacktestOutcome): number => o.score.metrics['mase'] ?? o.score.metrics['wape'] ?? o.score.metrics['mae'] ?? Infinity;
  const best = outcomes.reduce((a, b) => (rank(b) < rank(a) ? b : a));
  const chosen = families[outcomes.indexOf(best)]!;
  const model = make(chosen)();
  const full = historyData(table, undefined, 0, season);
  await timer.time('fit', () => model.fit(full.data, { nonnegative, ...(options.signal ? { signal: options.signal } : {}) }));
  const quantiles = intervalQuantiles(best.residuals, fc.intervals);

  const backtestMetrics = { ...best.score.metrics };
  const metrics = { backtest: backtestMetrics };
  const points = best.pairs.reduce((a, pr) => a + pr.y.length, 0);
  const rows = { train: table.rows, validation: 0, test: points };

  const artifacts = async ({ gates }: Parameters<FittedRun['artifacts']>[0]): Promise<RunArtifacts> => {
    const series = perSeries(best.pairs, table.labels);
    const state: ForecasterState = {
      family: model.family,
      local: model.local,
      time: fc.time,
      series: fc.series,
      target: fc.target,
      known: fc.known,
      static: fc.static,
      gaps: fc.gaps,
      horizon: fc.horizon,
      strategy: fc.strategy,
      nonnegative,
      frequency: freq,
      anchor: p.anchor,
      season,
      spec: model.global?.spec ?? spec,
      dictionaries: table.dictionaries,
      intervals: { levels: fc.intervals, quantiles },
      global: model.global ? model.global.state() : null,
    };
    const counts = {
      series: p.nSeries,
      rows: table.rows,
      filled_periods: p.filled,
      series_skipped: best.skipped,
      scored_points: points,
      mase_pairs: best.score.masePairs,
      mase_skipped: best.score.maseSkipped,
    };
    const candidates: JsonObject = Object.fromEntries(outcomes.map((o, i) => [families[i]!, { ...o.score.metrics, mase_skipped: o.score.maseSkipped, seconds: o.seconds }]));
    const stepMae = Array.from({ length: fc.horizon }, (_, k) => {
      let s = 0;
      let c = 0;
      for (const pr of best.pairs) for (let i = 0; i < pr.y.length; i++) if (pr.step[i] === k) {
        s += Math.abs(pr.y[i]! - pr.f[i]!);
        c++;
      }
      return c > 0 ? s / c : null;
    });
    const metricsJson: JsonObject = {
      backtest: backtestMetrics,
      backtest_setup: { windows: fc.backtest.windows, step: fc.backtest.step, horizon: fc.horizon, origins: best.origins.length, frequency: freq, season, levels: fc.intervals },
      counts,
      candidates,
      by_step: { mae: stepMae, interval_quantiles: Object.fromEntries(fc.intervals.map((l, i) => [String(l), quantiles[i]!])) },
      backtest_series: series as unknown as JsonObject[],
    };
    const columns = [
      { name: fc.time, type: 'datetime' },
      ...fc.series.map((name) => ({ name, type: 'categorical' })),
      { name: fc.target, type: 'numeric' },
      ...fc.known.map((name) => ({ name, type: table.frame.column(name)!.type })),
      ...fc.static.map((name) => ({ name, type: 'categorical' })),
    ];
    const preprocessSha = sha256(canonicalJson({ spec, frequency: freq, gaps: fc.gaps, strategy: fc.strategy, scaling: fc.scaling } as unknown as JsonObject));
    const facts: [string, string][] = [
      ['task', 'forecasting'],
      ['algorithm', `${model.family}${model.local ? ' (local, per series)' : ` (global over all series, ${fc.strategy})`}`],
      ['data', `${d.source} (${table.rows} rows, ${p.nSeries} series, ${freq})`],
      ['horizon', `${fc.horizon} periods`],
      ['backtest', `${best.origins.length} windows, ${fc.backtest.step} periods apart; ${points} scored points`],
      ...(model.local ? [] : ([['features', model.global!.features().join(', ')]] as [string, string][])),
      ...(families.length > 1 ? ([['chosen from', families.join(', ')]] as [string, string][]) : []),
    ];
    const charts = sampleCharts(table, best, series);
    const report = { name: config.name, description: config.description, facts, metrics, gates, candidates: outcomes.map((o, i) => ({ family: families[i]!, metrics: o.score.metrics, seconds: o.seconds })), series, stepMae, levels: fc.intervals, quantiles, charts, config: loaded.resolvedYaml, counts };
    const hyper = { ...model.params, family: model.family } as JsonObject;
    return {
      files: {
        model: forecasterJson(model.params, state),
        preprocess: { formatVersion: 1, steps: [], forecast: { lags: spec.lags, rolling: spec.rolling, calendar: spec.calendar, known: spec.known, categorical: spec.categorical.map((c) => c.name) } },
        features: { formatVersion: 1, task: 'forecasting', target: fc.target, classes: [], id: null, columns: columns.map((c) => ({ ...c, missing_share: 0 })) },
        metrics: metricsJson,
        profile: { rows: table.rows, columns: profileFrame(table.frame) },
        report: renderForecastMarkdown(report),
        reportHtml: renderForecastHtml(report),
      },
      bump: {
        task: 'forecasting',
        target: fc.target,
        algorithm: model.family,
        features: columns,
        preprocess_sha256: preprocessSha,
        hyperparameters: withoutRuntimeParams(model.params),
        data_sha256: table.sha256,
        rows: table.rows,
      },
      metadata: {
        target: fc.target,
        features: columns,
        hyperparameters: hyper,
        metrics: metricsJson,
        trainedOn: { source: d.source!, sha256: table.sha256, rows: table.rows },
        preprocessSha256: preprocessSha,
        summary: { ...counts, frequency: freq, horizon: fc.horizon, ...(model.global ? { train_rows: model.global.trainRows } : {}) },
      },
    };
  };

  return {
    task,
    algorithm: model.family,
    metrics,
    gateSplit: 'backtest',
    rows,
    features: model.global ? model.global.features().length : 0,
    overview: `forecasting · ${model.family} · ${p.nSeries} series · ${freq} · horizon ${fc.horizon} · backtest ${best.origins.length} windows, ${points} points`,
    artifacts,
  };
}
