// Forecasting: one or many time series (`data.series` key columns, `data.time`, `data.target`),
// forecast `forecast.horizon` periods ahead. Trained by its own flow (pipeline/flows/forecast.ts:
// a per-series time index, lag/rolling/calendar features from the target's own past, a global
// row-wise model or local statistical models, a rolling-origin backtest); scored by MAE, RMSE,
// WAPE, sMAPE, MASE and interval coverage over the backtest windows; used by `soma forecast`.

import { computeMetrics, forecastingMetrics, INTERVAL_LEVELS } from '../evaluate/metrics/index.js';
import { CALENDAR_FEATURES, FREQUENCIES } from '../engine/forecast/frequency.js';
import { encodeValues } from './encode.js';
import type { TaskSpec } from './spec.js';
import type { JsonObject } from '../util/json.js';

const positiveInts = (description: string): JsonObject => ({ type: 'array', items: { type: 'integer', minimum: 1 }, minItems: 1, uniqueItems: true, description });
const columns = (description: string): JsonObject => ({ anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' }, uniqueItems: true }], description });

const forecastSection: JsonObject = {
  type: 'object',
  additionalProperties: false,
  required: ['horizon'],
  description: 'Forecasting (task forecasting): how far ahead, the features built from the series\' own past, the strategy, intervals and backtest',
  properties: {
    horizon: { type: 'integer', minimum: 1, maximum: 10000, description: 'Periods to forecast ahead' },
    frequency: { type: 'string', enum: [...FREQUENCIES], description: 'The series\' period (default: inferred from the smallest step between timestamps)' },
    lags: positiveInts('Lags of the target used as features by global models (default by frequency: daily 1, 7, 14, 28; hourly 1, 2, 3, 24, 48, 168; weekly 1, 2, 4, 52; monthly 1, 2, 3, 12; quarterly 1, 2, 4; yearly 1, 2, 3)'),
    rolling: positiveInts('Windows of rolling mean and standard deviation of the target up to the previous period (default by frequency: daily 7, 28; hourly 24, 168; weekly 4, 13; monthly 3, 12; quarterly 4; yearly 3)'),
    calendar: {
      anyOf: [{ type: 'boolean' }, { type: 'array', items: { type: 'string', enum: [...CALENDAR_FEATURES] }, uniqueItems: true }],
      default: true,
      description: `Calendar features of each period: true for the frequency's own (daily: dayofweek, dayofmonth, dayofyear, month), false for none, or a list of ${CALENDAR_FEATURES.join(', ')}`,
    },
    known: columns('Columns known in advance (price, promotion, holiday): features at the period forecast; soma forecast reads their future values from --future'),
    static: columns('Per-series attribute columns (genre, region): one value per series, categorical features of global models'),
    strategy: { type: 'string', enum: ['recursive', 'direct'], default: 'recursive', description: 'Global models: recursive (one model, each forecast feeds the next step\'s lags) or direct (one model per horizon step, features only from the history)' },
    scaling: { type: 'string', enum: ['mean', 'none'], default: 'mean', description: 'Global models: divide each series by the mean absolute value of its history before building features and targets (forecasts are multiplied back), so series of every size share one model; none: as is' },
    intervals: { type: 'array', items: { type: 'integer', enum: [...INTERVAL_LEVELS] }, uniqueItems: true, default: [80, 95], description: 'Prediction interval levels (percent), calibrated on the backtest residuals per horizon step (conformal)' },
    backtest: {
      type: 'object',
      additionalProperties: false,
      description: 'The rolling-origin backtest that scores the model: the last `windows` origins, `step` periods apart',
      properties: {
        windows: { type: 'integer', minimum: 1, maximum: 100, default: 3, description: 'Backtest windows (origins)' },
        step: { type: 'integer', minimum: 1, description: 'Periods between origins (default: the horizon)' },
      },
    },
    gaps: { type: 'string', enum: ['error', 'zero', 'previous'], default: 'error', description: 'Periods missing inside a series\' history: a data error (exit 3), filled with 0 (demand: no sales), or with the previous value. Filled periods are inputs only, never training targets nor scored' },
    nonnegative: { type: 'boolean', description: 'Clip forecasts and interval bounds at 0 (default: when the training target is never negative)' },
  },
};

export const forecastingTask: TaskSpec = {
  name: 'forecasting',
  workflow: 'forecast',
  command: 'forecast',
  config: {
    sections: { forecast: forecastSection },
    data: {
      time: { type: 'string', description: 'The timestamp column: forecasting\'s time index (required with task forecasting); recommendation\'s per-user split by time' },
      series: columns('Forecasting: the key column(s) naming each series (store, book); absent = one series'),
    },
    rules: [{ if: { properties: { task: { const: 'forecasting' } }, required: ['task'] }, then: { required: ['forecast'], properties: { data: { required: ['time', 'target'] } } } }],
  },
  target: {
    readAs: 'numeric',
    minLabels: 0,
    // Never inferred from a target column: a config says task: forecasting (or names only local families).
    claims: () => false,
    suggests: () => false,
    labels: () => [],
    encode: (frame, name, _labels, what) => encodeValues(frame, name, 'forecasting', what, 'a forecasting target must be numeric'),
  },
  metrics: forecastingMetrics,
  stratify: false,
  searchMetric: 'mase',
  headlineMetric: 'mase',
  starter: { metrics: ['mae', 'rmse', 'wape', 'smape', 'mase', 'coverage_80'], gate: ['mase', '< 1'] },
  score: (y, { values: yPred }, metrics) => ({ metrics: computeMetrics('forecasting', { yTrue: y.values, yPred }, (metrics ?? ['mae', 'rmse', 'wape', 'smape']).filter((m) => ['mae', 'rmse', 'wape', 'smape'].includes(m))) }),
  predictionColumns: ({ values }) => [{ type: 'numeric', name: 'forecast', values }],
};
