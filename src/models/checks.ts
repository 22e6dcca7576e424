// The checks estimators run on what they are given: a target that fits the task, feature values
// a family cannot take missing, and params that apply to one task only. Errors name the model,
// the row or feature, the value and what was expected.

import { isSparse } from '../engine/sparse.js';
import type { FeatureMatrix } from '../engine/matrix.js';
import type { Target, Task } from '../tasks/task.js';
import { SomaError } from '../errors.js';
import type { JsonObject } from '../util/json.js';

/** Rows, target length, task, and every target value (class indices in range, finite values). */
export function checkTarget(kind: string, X: FeatureMatrix, y: Target, task: Task): void {
  if (X.rows === 0) throw new SomaError('DATA_EMPTY', `${kind}: no training rows`);
  if (y.values.length !== X.rows) throw new SomaError('DATA_BAD_VALUE', `${kind}: ${X.rows} feature rows but ${y.values.length} target values`);
  if (y.task !== task) throw new SomaError('PARAM_INVALID', `${kind}: created for ${task} but given a ${y.task} target`);
  if (task === 'classification') {
    if (y.nClasses < 2) throw new SomaError('DATA_BAD_VALUE', `${kind}: classification needs at least 2 classes, got ${y.nClasses}`);
    for (let i = 0; i < y.values.length; i++) {
      const v = y.values[i]!;
      if (!(Number.isInteger(v) && v >= 0 && v < y.nClasses)) {
        throw new SomaError('DATA_BAD_VALUE', `${kind}: class index ${v} at row ${i} is outside 0..${y.nClasses - 1}`);
      }
    }
  } else {
    for (let i = 0; i < y.values.length; i++) {
      if (!Number.isFinite(y.values[i]!)) throw new SomaError('DATA_BAD_VALUE', `${kind}: target value ${y.values[i]} at row ${i} is not finite`);
    }
  }
}

/** Params that only mean something for classification fail loudly on a regression model. */
export function checkTaskParams(kind: string, params: JsonObject, task: Task): void {
  if (task === 'regression' && params['class_weight'] === 'balanced') {
    throw new SomaError('PARAM_INVALID', `${kind}: parameter class_weight = "balanced" applies to classification only (this model is regression)`, { details: { param: 'class_weight', value: 'balanced' } });
  }
}

/** Throws DATA_BAD_VALUE naming the first feature with a missing or infinite value. */
export function checkFinite(X: FeatureMatrix): void {
  for (let j = 0; j < X.columns.length; j++) {
    const col = X.columns[j]!;
    // A sparse column's implicit zeros are finite: only its stored values can be bad.
    const c = isSparse(col) ? col.values : col;
    for (let k = 0; k < c.length; k++) {
      const v = c[k]!;
      if (v - v !== 0) {
        const i = isSparse(col) ? col.index[k]! : k;
        const name = X.names[j] ?? `#${j}`;
        throw new SomaError('DATA_BAD_VALUE', `feature "${name}" has ${Number.isNaN(v) ? 'a missing (NaN)' : 'an infinite'} value at row ${i}; linear models need complete numeric input`, {
          hint: `add an impute step to preprocess (e.g. "- impute: {columns: numeric, strategy: median}")`,
          details: { feature: name, row: i },
        });
      }
    }
  }
}
