// The model families soma ships, registered once in the catalog. Adding a family is one import
// and one list entry here; the config schema and README tables follow from its spec.

import { registerEstimator, estimatorSpecs } from './catalog.js';
import type { EstimatorSpec } from './estimator.js';
import { gbdtSpec } from './gbdt.js';
import { randomForestSpec } from './random_forest.js';
import { decisionTreeSpec } from './decision_tree.js';
import { linearSpec } from './linear.js';
import { logisticSpec } from './logistic.js';
import { mlpSpec } from './mlp.js';
import { recommendationSpecs } from './recommend/index.js';
import { registerFamily } from './families.js';
import { localFamilies } from './forecast/local.js';

const builtins: EstimatorSpec[] = [gbdtSpec, randomForestSpec, decisionTreeSpec, linearSpec, logisticSpec, mlpSpec, ...recommendationSpecs];

let registered = false;
export function registerBuiltinEstimators(): void {
  if (registered) return;
  registered = true;
  for (const spec of builtins) registerEstimator(spec);
  // Forecasting's local families are trained by the forecasting flow, not through the estimator catalog.
  for (const f of localFamilies) registerFamily({ name: f.name, ...(f.aliases ? { aliases: f.aliases } : {}), description: f.description, tasks: f.tasks, paramsSchema: f.paramsSchema });
}

export { estimatorSpecs };
