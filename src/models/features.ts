// Matching prediction input to the features a model was trained on: by count for the tree models
// (their columns arrive in training order), by name for the linear models and the mlp.

import type { FeatureMatrix } from '../engine/matrix.js';
import type { FeatureColumn } from '../engine/sparse.js';
import { SomaError } from '../errors.js';

export function checkFeatures(kind: string, names: readonly string[], X: FeatureMatrix): void {
  if (X.columns.length !== names.length) {
    throw new SomaError('DATA_FORMAT', `${kind}: the model was trained on ${names.length} features, got ${X.columns.length}`, {
      details: { expected: [...names], got: [...X.names] },
    });
  }
}

/** The columns of X in the order the model was trained on, matched by name. */
export function alignColumns(X: FeatureMatrix, features: readonly string[]): FeatureColumn[] {
  if (X.names.length === features.length && X.names.every((n, i) => n === features[i])) return [...X.columns];
  const index = new Map(X.names.map((n, i) => [n, i] as const));
  const missing = features.filter((f) => !index.has(f));
  if (missing.length > 0) {
    throw new SomaError('DATA_MISSING_COLUMN', `input lacks feature(s) the model was trained on: ${missing.join(', ')}`, { details: { missing } });
  }
  return features.map((f) => X.columns[index.get(f)!]!);
}
