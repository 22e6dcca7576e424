// The preprocessing a model family gets when the config has none (EstimatorSpec.defaultPreprocess):
// a `linear` or `logistic` model on raw columns meets missing values it cannot take and a penalty
// that depends on each column's units, so out of the box it failed on cars and penguins and lost
// 0.03 accuracy to scikit-learn's scaled LogisticRegression on breast cancer (bench/RESULTS.md).
// A config that lists any step gets exactly its steps.

import type { StepConfig } from '../preprocess/pipeline.js';
import type { EstimatorSpec } from '../models/estimator.js';

/** The steps to fit: the config's own, or the family's defaults when the config lists none. */
export function stepsFor(configured: readonly StepConfig[], spec: EstimatorSpec): { steps: StepConfig[]; defaulted: boolean } {
  if (configured.length > 0 || !spec.defaultPreprocess || spec.defaultPreprocess.length === 0) return { steps: [...configured], defaulted: false };
  return { steps: spec.defaultPreprocess.map((s) => ({ name: s.name, params: { ...s.params } })), defaulted: true };
}
