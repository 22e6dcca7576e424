// The one place tree estimators (gbdt, random_forest, decision_tree) get dense feature columns:
// the tree engine bins and reads dense Float64Array columns, so sparse (text) features are
// densified here, one column at a time, and refused with a clear error beyond MAX_DENSE_BYTES.
// Native sparse binning in the tree engine would replace this function's body.

import { MAX_DENSE_BYTES, denseBytes, isSparse, toDense } from '../engine/sparse.js';
import type { FeatureMatrix } from '../engine/matrix.js';
import { SomaError } from '../errors.js';

/** Every column of X as dense values (dense columns are shared, sparse ones copied). */
export function denseColumns(X: FeatureMatrix, kind: string): Float64Array[] {
  checkDenseSize(X, kind);
  return X.columns.map(toDense);
}

/** Throws DATA_BAD_VALUE when densifying X's sparse columns would exceed MAX_DENSE_BYTES. */
export function checkDenseSize(X: FeatureMatrix, kind: string): void {
  let sparse = 0;
  let first = '';
  X.columns.forEach((c, j) => {
    if (!isSparse(c)) return;
    if (sparse === 0) first = X.names[j] ?? `#${j}`;
    sparse++;
  });
  const bytes = denseBytes(X.rows, sparse);
  if (bytes <= MAX_DENSE_BYTES) return;
  throw new SomaError(
    'DATA_BAD_VALUE',
    `${kind}: densifying ${sparse} sparse features x ${X.rows} rows (first "${first}") would need ${(bytes / 2 ** 30).toFixed(1)} GiB (limit ${MAX_DENSE_BYTES / 2 ** 30} GiB); ${kind} reads dense columns`,
    {
      hint: 'use a linear or logistic model (they read sparse features natively), lower max_features / n_features of the text step, or predict with a smaller --chunk-rows',
      details: { model: kind, sparseFeatures: sparse, rows: X.rows, bytes, limit: MAX_DENSE_BYTES },
    },
  );
}
