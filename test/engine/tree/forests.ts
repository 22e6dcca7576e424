// Helpers for the prediction tests: a fitted estimator's forest read back through its saved form,
// and an exact (bit for bit) comparison of raw-score arrays that names the first difference.

import { expect } from 'vitest';
import type { Forest } from '../../../src/engine/tree/predictor.js';
import type { EstimatorJSON } from '../../../src/models/estimator.js';
import { forestFromJSON } from '../../../src/models/gbdt.js';
import type { JsonObject } from '../../../src/util/json.js';

/** The fitted forest, read back through the estimator's saved form. */
export function forestOf(json: EstimatorJSON, nF: number): Forest {
  return forestFromJSON('test', (json.state as JsonObject)['forest'], nF);
}

export function expectSameBits(a: Float64Array, b: Float64Array): void {
  expect(a.length).toBe(b.length);
  let diff = -1;
  for (let i = 0; i < a.length && diff < 0; i++) if (!Object.is(a[i], b[i])) diff = i;
  expect(diff, diff >= 0 ? `entry ${diff}: ${a[diff]} vs ${b[diff]}` : '').toBe(-1);
}
