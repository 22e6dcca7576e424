// Predictions of a fitted estimator on a feature matrix, computed once. Every classifier's
// predict() is the first argmax of predictProba(), so models of class targets are asked for
// probabilities only and the classes derived from them: asking for both would walk every tree
// (or run every layer) twice, the dominant cost of scoring and batch prediction.

import type { FeatureMatrix } from '../engine/matrix.js';
import type { Estimator } from '../models/estimator.js';
import type { Predictions } from '../tasks/spec.js';

/** `nClasses` > 0 for a class target (probabilities when the model has them), 0 for values. */
export function predictMatrix(estimator: Estimator, X: FeatureMatrix, nClasses: number): Predictions {
  if (nClasses > 0 && estimator.predictProba) {
    const proba = estimator.predictProba(X);
    return { values: argmaxRows(proba, X.rows, nClasses), proba };
  }
  return { values: estimator.predict(X) };
}

/** Index of the largest value in each row of a row-major rows x k matrix; the first one on ties. */
function argmaxRows(p: Float64Array, rows: number, k: number): Float64Array {
  const out = new Float64Array(rows);
  for (let i = 0, o = 0; i < rows; i++, o += k) {
    let best = 0;
    for (let j = 1; j < k; j++) if (p[o + j]! > p[o + best]!) best = j;
    out[i] = best;
  }
  return out;
}
