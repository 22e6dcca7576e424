// Predictions and metrics of a fitted model on one labelled split, scored the task's way.

import type { FeatureMatrix } from '../engine/matrix.js';
import type { Estimator } from '../models/estimator.js';
import type { SplitScore, TaskSpec } from '../tasks/spec.js';
import type { Target } from '../tasks/task.js';
import { predictMatrix } from './predictions.js';
import type { Predictions } from '../tasks/spec.js';

/** A split's score with the predictions it was computed from (kept for the reference profile's outputs). */
export interface ScoredSplit extends SplitScore {
  predictions: Predictions;
}

export function scoreSplit(task: TaskSpec, model: Estimator, X: FeatureMatrix, y: Target, metricNames: readonly string[] | undefined): ScoredSplit {
  const predictions = predictMatrix(model, X, y.nClasses);
  return { ...task.score(y, predictions, metricNames), predictions };
}

/**
 * One warning per metric that is undefined on some split, naming each split and why:
 * "mape is undefined on test: the target is 0 in 2 rows and MAPE divides by the target (...)".
 */
export function undefinedMetricWarnings(bySplit: Readonly<Record<string, SplitScore | undefined>>): string[] {
  const reasons = new Map<string, string[]>();
  for (const [split, score] of Object.entries(bySplit)) {
    for (const [metric, why] of Object.entries(score?.undefined ?? {})) {
      let list = reasons.get(metric);
      if (!list) reasons.set(metric, (list = []));
      list.push(`${split}: ${why}`);
    }
  }
  return [...reasons].map(([metric, list]) => `${metric} is undefined (not reported) on ${list.join('; ')}`);
}
