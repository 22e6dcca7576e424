// The start-up design of the model-based samplers (GP, TPE): a Latin hypercube over the unit cube.

import type { Rng } from '../engine/random.js';

/**
 * n points in [0, 1)^d, one in each of the n equal slices of every axis (a random permutation of
 * the slices per axis, a uniform position inside each slice), so even a few points cover every
 * range of every param.
 */
export function latinHypercube(n: number, d: number, rng: Rng): Float64Array[] {
  const rows = Array.from({ length: n }, () => new Float64Array(d));
  for (let k = 0; k < d; k++) {
    const perm = Int32Array.from({ length: n }, (_, i) => i);
    rng.shuffle(perm);
    for (let i = 0; i < n; i++) rows[i]![k] = (perm[i]! + rng.next()) / n;
  }
  return rows;
}
