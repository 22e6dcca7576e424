// The training flows by workflow name: a task's spec names its flow (`TaskSpec.workflow`, absent
// = rows) and `soma train` runs it. The map is a Record over the Workflow union, so a workflow
// without a flow does not compile.

import type { Workflow } from '../../tasks/spec.js';
import type { TrainFlow } from './flow.js';
import { rowsFlow } from './rows.js';
import { recommendFlow } from './recommend.js';
import { forecastFlow } from './forecast.js';

const FLOWS: Readonly<Record<Workflow, TrainFlow>> = {
  rows: rowsFlow,
  recommend: recommendFlow,
  forecast: forecastFlow,
};

/** The flow of a workflow (undefined: a task decided from the data, which only the row-wise flow does). */
export function flowFor(workflow: Workflow | undefined): TrainFlow {
  return FLOWS[workflow ?? 'rows'];
}
