// Feature importance of the tree models as they report it: total gain per feature, with split
// counts and cover beside it, by feature name.

import type { TreeImportance } from '../engine/tree/importance.js';
import type { JsonObject } from '../util/json.js';
import type { FeatureImportance } from './estimator.js';

/** The three measures as {measure: {feature: value}}, for a model's summary. */
export function importanceSummary(names: readonly string[], imp: TreeImportance): JsonObject {
  const obj = (a: Float64Array): JsonObject => Object.fromEntries(names.map((n, j) => [n, a[j]!]));
  return { gain: obj(imp.gain), split: obj(imp.split), cover: obj(imp.cover) };
}

/** A tree model's importance: total gain per feature, with split counts and cover beside it. */
export function treeImportance(names: readonly string[], imp: TreeImportance): FeatureImportance {
  return { kind: 'gain', names: [...names], values: Array.from(imp.gain), also: { split: Array.from(imp.split), cover: Array.from(imp.cover) } };
}
