// Metrics by family (classification.ts, regression.ts), their registry and the `computeMetrics`
// façade, in one import for the rest of soma.

import { classificationMetrics, type ClassificationMetricName } from './classification.js';
import { regressionMetrics, type RegressionMetricName } from './regression.js';

export {
  accuracy,
  balancedAccuracy,
  brierScore,
  classificationMetrics,
  confusionMatrix,
  logLoss,
  prAuc,
  precisionRecallF1,
  rocAuc,
  type Average,
  type ClassificationMetricName,
  type PrecisionRecallF1,
} from './classification.js';
export { explainedVariance, mae, mape, mse, r2, regressionMetrics, rmse, type RegressionMetricName } from './regression.js';
export type { Direction, MetricFamily, MetricInput, MetricSpec } from './family.js';
export {
  computeMetrics,
  isMetricName,
  metricDirection,
  metricFamily,
  metricNames,
  metricNeedsProba,
  registerMetricFamily,
  resolveMetricNames,
  scoreMetrics,
  type ScoredMetrics,
} from './registry.js';

export type MetricName = ClassificationMetricName | RegressionMetricName;

/** The built-in tasks' metric names, in report order (the registry also holds any a task spec adds). */
export const METRIC_NAMES: Readonly<Record<'classification' | 'regression', readonly MetricName[]>> = {
  classification: classificationMetrics.metrics.map((m) => m.name as ClassificationMetricName),
  regression: regressionMetrics.metrics.map((m) => m.name as RegressionMetricName),
};

/** What `computeMetrics` reports for the built-in tasks when no names are given. */
export const DEFAULT_METRICS: Readonly<Record<'classification' | 'regression', readonly MetricName[]>> = {
  classification: classificationMetrics.defaults as readonly ClassificationMetricName[],
  regression: regressionMetrics.defaults as readonly RegressionMetricName[],
};

export { rankingAtK, type RankingInput, type RankingScores } from './ranking.js';
export { parseAtK, rankingNames, recommendationMetrics, RANKING_METRICS, type RankingMetric } from './recommendation.js';
export { atKName } from './registry.js';
export { coverageName, forecastingMetrics, INTERVAL_LEVELS, pointErrors, scoreBacktest, seasonalNaiveScale, type BacktestPair, type BacktestScore } from './forecasting.js';
