// Random search: every active dimension drawn uniformly (log dims on the log scale), independent
// of the history. The baseline the Bayesian samplers must beat.

import type { Rng } from '../engine/random.js';
import type { Observation, Sampler } from './sampler.js';
import { samplePoint, type Params, type SearchSpace } from './space.js';

export class RandomSampler implements Sampler {
  readonly name = 'random';

  constructor(private readonly space: SearchSpace) {}

  suggest(_history: readonly Observation[], rng: Rng, _pending: readonly Params[], _trial: number): Params {
    return samplePoint(this.space, rng);
  }
}
