// Helpers for the forest and prediction tests: a three-node tree, a fitted estimator's forest read
// back through its saved form, and an exact (bit for bit) comparison of raw-score arrays that names
// the first difference.

import { expect } from 'vitest';
import { emptyTree, type Forest, type TreeNodes } from '../../../src/engine/tree/forest.js';
import type { EstimatorJSON } from '../../../src/models/estimator.js';
import { forestFromJSON } from '../../../src/models/tree-state.js';
import type { JsonObject } from '../../../src/util/json.js';
import { StateReader } from '../../../src/util/state-reader.js';

/** root: x0 <= 0.5 (missing left) -> leaf -1, else leaf +1. */
export function threeNodeTree(): TreeNodes {
  const t = emptyTree();
  t.feature.push(0, -1, -1);
  t.threshold.push(0.5, 0, 0);
  t.catLeft.push(null, null, null);
  t.left.push(1, -1, -1);
  t.right.push(2, -1, -1);
  t.defaultLeft.push(true, false, false);
  t.gain.push(4, 0, 0);
  t.cover.push(10, 6, 4);
  t.value.push(0, -1, 1);
  return t;
}

/** The fitted forest, read back through the estimator's saved form. */
export function forestOf(json: EstimatorJSON, nF: number): Forest {
  return forestFromJSON(new StateReader('state.forest', (json.state as JsonObject)['forest']), nF);
}

export function expectSameBits(a: Float64Array, b: Float64Array): void {
  expect(a.length).toBe(b.length);
  let diff = -1;
  for (let i = 0; i < a.length && diff < 0; i++) if (!Object.is(a[i], b[i])) diff = i;
  expect(diff, diff >= 0 ? `entry ${diff}: ${a[diff]} vs ${b[diff]}` : '').toBe(-1);
}
