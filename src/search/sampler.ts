// What every sampler shares: the observations it learns from and the one call it answers.
// Samplers always minimise; the study negates scores of metrics that are maximised.

import { Rng } from '../engine/random.js';
import type { Params } from './space.js';

/** A finished trial as samplers see it (failed trials are left out of the history). */
export interface Observation {
  params: Params;
  /** The value to minimise. */
  loss: number;
}

export interface Sampler {
  readonly name: string;
  /**
   * The params of the next trial, from the finished trials of earlier batches, the params already
   * suggested in this batch (still running: a sampler should spread away from them) and a
   * per-trial random stream. `trial` is the trial's number (start-up designs are laid out by it).
   */
  suggest(history: readonly Observation[], rng: Rng, pending: readonly Params[], trial: number): Params;
}

/**
 * The random stream of one trial: a function of the study seed and the trial number only, so a
 * trial's params never depend on which worker ran what before it.
 */
export function trialRng(seed: number, trial: number): Rng {
  let h = Math.imul((seed >>> 0) ^ 0x5bd1e995, 0x27d4eb2d) ^ Math.imul(trial + 1, 0x165667b1);
  h = Math.imul(h ^ (h >>> 15), 0x85ebca6b);
  return new Rng((h ^ (h >>> 13)) >>> 0);
}
