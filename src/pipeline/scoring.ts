// Predictions and metrics of a fitted model on one labelled split.

import type { FeatureMatrix, Target } from '../engine/matrix.js';
import type { Estimator } from '../models/estimator.js';
import { computeMetrics, confusionMatrix } from '../evaluate/metrics.js';
import { predictMatrix, type Predictions } from './predictions.js';

export interface SplitScore {
  metrics: Record<string, number>;
  /** K x K counts, rows = true class (classification only). */
  confusion?: number[][];
  /** The predictions the metrics were computed from (kept for the reference profile's outputs). */
  predictions: Predictions;
}

export function scoreSplit(model: Estimator, X: FeatureMatrix, y: Target, metricNames: readonly string[] | undefined): SplitScore {
  const predictions = predictMatrix(model, X, y.task, y.nClasses);
  const { values: yPred, proba } = predictions;
  if (y.task === 'regression') {
    return { metrics: computeMetrics('regression', { yTrue: y.values, yPred }, metricNames), predictions };
  }
  const metrics = computeMetrics('classification', { yTrue: y.values, yPred, nClasses: y.nClasses, ...(proba ? { proba } : {}) }, metricNames);
  const cm = confusionMatrix(y.values, yPred, y.nClasses);
  const confusion: number[][] = [];
  for (let i = 0; i < y.nClasses; i++) confusion.push(Array.from(cm.subarray(i * y.nClasses, (i + 1) * y.nClasses)));
  return { metrics, confusion, predictions };
}
