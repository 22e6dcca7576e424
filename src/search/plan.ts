// Which trials a study runs: the plan for each search method (grid, random, bayesian, tpe,
// hyperband) built from the config's search settings, and the defaults those settings leave
// open (the start-up count, the batch size, Hyperband's rung budgets).

import type { JsonObject } from '../util/json.js';
import { GpSampler } from './gp.js';
import { gridPoints } from './grid.js';
import { HyperbandPlan } from './hyperband.js';
import { RandomSampler } from './random.js';
import { samplerPlan, SequentialPlan, type Plan } from './scheduler.js';
import type { SearchSpace } from './space.js';
import { TpeSampler } from './tpe.js';

/** The search settings a plan depends on (the config's `search:` section has them all). */
export interface PlanSettings {
  method: 'grid' | 'random' | 'bayesian' | 'tpe' | 'hyperband';
  /** Undefined: every grid point, else 30. */
  trials: number | undefined;
  seed: number;
  /** Bayesian and TPE: trials suggested from the same history (default DEFAULT_BATCH). */
  batch: number | undefined;
  /** Bayesian and TPE: random trials before the model takes over (default defaultStartup). */
  startup: number | undefined;
  hyperband: { min: number | undefined; max: number | undefined; eta: number };
}

/**
 * The plan of a study. `budgetParam` is Hyperband's resource (its configured value in `params`
 * is the default top budget); `startupOfStudy` is the start-up count a resumed study began with,
 * which wins over the settings so that raising `trials` extends the study instead of changing it.
 */
export function makePlan(search: PlanSettings, space: SearchSpace, direction: 'maximize' | 'minimize', budgetParam: string | undefined, params: JsonObject, startupOfStudy: number | undefined): Plan {
  switch (search.method) {
    case 'grid': {
      const points = gridPoints(space);
      const n = Math.min(search.trials ?? points.length, points.length);
      // Grid points never depend on outcomes: one batch, nothing ever waits.
      return new SequentialPlan((k) => points[k]!, n, Math.max(1, n), direction);
    }
    case 'random': {
      const n = search.trials ?? 30;
      return samplerPlan(new RandomSampler(space), search.seed, n, Math.max(1, n), direction);
    }
    case 'bayesian':
    case 'tpe': {
      const n = search.trials ?? 30;
      const startup = startupOfStudy ?? search.startup ?? defaultStartup(n);
      const sampler = search.method === 'tpe' ? new TpeSampler(space, { startup, seed: search.seed }) : new GpSampler(space, { startup, seed: search.seed });
      // Start-up trials are random and do not wait; later ones wait for the batch before theirs.
      return samplerPlan(sampler, search.seed, n, search.batch ?? DEFAULT_BATCH, direction, startup);
    }
    case 'hyperband': {
      const configured = budgetParam ? params[budgetParam] : undefined;
      const max = search.hyperband.max ?? (typeof configured === 'number' ? configured : 100);
      return new HyperbandPlan(new RandomSampler(space), {
        seed: search.seed,
        trials: search.trials,
        min: search.hyperband.min ?? Math.max(1, Math.round(max / search.hyperband.eta ** 3)),
        max,
        eta: search.hyperband.eta,
        direction,
      });
    }
  }
}

/**
 * Bayesian trials are suggested in batches of this many from the same history, whatever n_jobs
 * is, so up to 4 run in parallel and the study is the same for any n_jobs. (On the benchmark
 * functions batches of 4 find optima as good as batches of 1; see bench/RESULTS.md.)
 */
const DEFAULT_BATCH = 4;

/** About a quarter of the budget explores at random first, within 5 to 12 trials. */
export function defaultStartup(trials: number): number {
  return Math.max(1, Math.min(trials, Math.max(5, Math.min(12, Math.round(trials / 4)))));
}
