// The check a family that cannot take missing values (EstimatorSpec.acceptsMissing false: linear
// models, networks) gets before any fitting: the preprocessed features of every split are
// scanned, and the first missing or infinite value is named with its feature, split and row.
// train runs it after preprocessing, and tune on the development and test data before the study,
// so the two stop alike and before a long run, rather than after the fit or in every trial.

import type { FeatureMatrix } from '../engine/matrix.js';
import { isSparse } from '../engine/sparse.js';
import { SomaError } from '../errors.js';
import type { EstimatorSpec } from '../models/estimator.js';

/** Throws DATA_BAD_VALUE for the first non-finite feature value of the first split that has one. */
export function requireCompleteInput(spec: EstimatorSpec, splits: Readonly<Record<string, FeatureMatrix | undefined>>): void {
  if (spec.acceptsMissing !== false) return;
  for (const [split, X] of Object.entries(splits)) {
    if (!X) continue;
    const bad = firstNonFinite(X);
    if (!bad) continue;
    const missing = Number.isNaN(bad.value);
    throw new SomaError(
      'DATA_BAD_VALUE',
      `feature "${bad.feature}" has ${missing ? 'a missing' : 'an infinite'} value in ${bad.count} row${bad.count === 1 ? '' : 's'} of the ${split} data (first: row ${bad.row}); ${spec.name} needs complete numeric input`,
      {
        hint: missing
          ? `add an impute step to preprocess (e.g. "- impute: {columns: numeric, strategy: median}"), or use a tree model (gbdt), which routes missing values natively`
          : 'clip or drop the infinite values (an outliers step), or fix them in the data',
        details: { feature: bad.feature, split, row: bad.row, rows: bad.count, model: spec.name },
      },
    );
  }
}

function firstNonFinite(X: FeatureMatrix): { feature: string; row: number; value: number; count: number } | undefined {
  for (let j = 0; j < X.columns.length; j++) {
    const col = X.columns[j]!;
    // A sparse column's implicit zeros are finite: only its stored values can be bad.
    const values = isSparse(col) ? col.values : col;
    let first = -1;
    let count = 0;
    for (let k = 0; k < values.length; k++) {
      const v = values[k]!;
      if (v - v !== 0) {
        if (first < 0) first = k;
        count++;
      }
    }
    if (first >= 0) {
      const row = isSparse(col) ? col.index[first]! : first;
      return { feature: X.names[j] ?? `#${j}`, row, value: values[first]!, count };
    }
  }
  return undefined;
}
