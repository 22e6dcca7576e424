// Predictions and metrics of a fitted model on one labelled split, scored the task's way.

import type { FeatureMatrix } from '../engine/matrix.js';
import type { Estimator } from '../models/estimator.js';
import type { SplitScore, TaskSpec } from '../tasks/spec.js';
import type { Target } from '../tasks/task.js';
import { predictMatrix } from './predictions.js';

export function scoreSplit(task: TaskSpec, model: Estimator, X: FeatureMatrix, y: Target, metricNames: readonly string[] | undefined): SplitScore {
  return task.score(y, predictMatrix(model, X, y.nClasses), metricNames);
}
