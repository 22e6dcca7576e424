// The tasks soma ships, registered once. Adding a task is one spec file, one import and one list
// entry here; the config schema, metric names and task inference follow from its spec.

import { registerTask, taskSpecs } from './registry.js';
import type { TaskSpec } from './spec.js';
import { classificationTask } from './classification.js';
import { regressionTask } from './regression.js';
import { recommendationTask } from './recommendation.js';
import { forecastingTask } from './forecasting.js';

/** In inference order: a family supporting both infers classification for non-numeric targets first. */
const builtins: TaskSpec[] = [classificationTask, regressionTask, recommendationTask, forecastingTask];

let registered = false;
export function registerBuiltinTasks(): void {
  if (registered) return;
  registered = true;
  for (const spec of builtins) registerTask(spec);
}

export { taskSpecs };
