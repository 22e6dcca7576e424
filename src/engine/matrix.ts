// The numeric input every estimator trains on: equally long feature columns, column-major,
// with missing values as NaN. Categorical features hold integer codes (0..k-1) so tree models
// can split on them natively; linear models only ever see numeric columns (the preprocessing
// pipeline one-hot encodes categoricals for them). A numeric feature may be sparse (text
// features: only the non-zeros stored, see sparse.ts); estimators that cannot use that densify
// it one column at a time with `toDense`. The target the matrix is fitted to is a task-layer
// type (tasks/task.ts): the kernels get what they need of it as numbers (classes, a loss).

import { isSparse, rowInverse, takeColumnRows, type FeatureColumn, type RowInverse } from './sparse.js';

export type FeatureKind = 'numeric' | 'categorical';

export interface FeatureMatrix {
  readonly rows: number;
  readonly names: readonly string[];
  readonly kinds: readonly FeatureKind[];
  /** Number of categories of each categorical feature (0 for numeric features). */
  readonly cardinality: readonly number[];
  /** One column per feature; NaN marks a missing value, categorical codes are 0..k-1. */
  readonly columns: readonly FeatureColumn[];
}

export function numericMatrix(names: string[], columns: FeatureColumn[]): FeatureMatrix {
  const rows = columns.length > 0 ? columns[0]!.length : 0;
  for (const [i, c] of columns.entries()) {
    if (c.length !== rows) throw new Error(`column ${names[i]} has ${c.length} rows, expected ${rows}`);
  }
  return { rows, names, kinds: names.map(() => 'numeric'), cardinality: names.map(() => 0), columns };
}

/** Rows `idx` of a matrix, as a new matrix (used by splits and cross-validation). */
export function takeRows(m: FeatureMatrix, idx: Int32Array | Uint32Array): FeatureMatrix {
  // One row inverse serves every sparse column.
  let inv: RowInverse | undefined;
  const columns = m.columns.map((c) => takeColumnRows(c, idx, isSparse(c) ? (inv ??= rowInverse(idx, m.rows)) : undefined));
  return { ...m, rows: idx.length, columns };
}
