// Hyperband (Li et al., 2018): brackets of successive halving over a budget param (n_estimators,
// epochs). A bracket starts n random configurations at a small budget, keeps the best 1/eta of
// each rung and gives the survivors eta times the budget, up to the maximum; brackets differ in
// how aggressively they prune, which hedges against a budget too small to rank configurations.
// Rungs are synchronous (a rung is complete before its survivors are chosen), so pruning
// decisions, and with them the whole study, are the same for any number of parallel slots.

import { SomaError } from '../errors.js';
import type { TrialRecord } from './journal.js';
import { trialRng, type Sampler } from './sampler.js';
import type { Job, Plan } from './scheduler.js';
import type { Params } from './space.js';

export interface HyperbandOptions {
  seed: number;
  /** Cap on configurations (default: one full Hyperband iteration). */
  trials: number | undefined;
  min: number;
  max: number;
  eta: number;
  direction: 'maximize' | 'minimize';
}

interface Bracket {
  /** Configurations at rung 0 and the budget of rung 0. */
  n: number;
  r: number;
  rungs: number;
}

/** The brackets of one Hyperband iteration, most aggressive first. */
export function hyperbandBrackets(min: number, max: number, eta: number): Bracket[] {
  if (!(min >= 1) || !(max >= min)) throw new SomaError('CONFIG_INVALID', `search.hyperband: min ${min} and max ${max} (expected 1 <= min <= max)`);
  const sMax = Math.floor(Math.log(max / min) / Math.log(eta) + 1e-9);
  const out: Bracket[] = [];
  for (let s = sMax; s >= 0; s--) {
    out.push({ n: Math.ceil(((sMax + 1) / (s + 1)) * eta ** s), r: max / eta ** s, rungs: s + 1 });
  }
  return out;
}

export class HyperbandPlan implements Plan {
  private readonly brackets: Bracket[];
  private bracket = 0;
  private rung = 0;
  /** Trials alive in the current rung, and the jobs not yet handed out. */
  private alive: { trial: number; params: Params }[] = [];
  private queue: Job[] = [];
  private told = new Map<number, TrialRecord>();
  private nextTrial = 0;
  private started = false;
  private readonly cap: number;

  constructor(
    private readonly sampler: Sampler,
    private readonly options: HyperbandOptions,
  ) {
    this.brackets = hyperbandBrackets(options.min, options.max, options.eta);
    const perIteration = this.brackets.reduce((s, b) => s + b.n, 0);
    this.cap = options.trials ?? perIteration;
  }

  private budget(b: Bracket, rung: number): number {
    return Math.max(1, Math.round(b.r * this.options.eta ** rung));
  }

  /** Starts the next bracket (cycling through them) with fresh configurations; false when the cap is hit. */
  private openBracket(): boolean {
    const remaining = this.cap - this.nextTrial;
    if (remaining <= 0) return false;
    const b = this.brackets[this.bracket % this.brackets.length]!;
    const n = Math.min(b.n, remaining);
    this.alive = [];
    for (let i = 0; i < n; i++) {
      const trial = this.nextTrial++;
      this.alive.push({ trial, params: this.sampler.suggest([], trialRng(this.options.seed, trial), [], trial) });
    }
    this.rung = 0;
    this.fillQueue(b);
    return true;
  }

  private fillQueue(b: Bracket): void {
    const budget = this.budget(b, this.rung);
    this.told.clear();
    this.queue = this.alive.map((a) => ({ trial: a.trial, rung: this.rung, params: a.params, budget }));
  }

  next(): Job | 'wait' | 'done' {
    if (!this.started) {
      this.started = true;
      if (!this.openBracket()) return 'done';
    }
    for (;;) {
      const job = this.queue.shift();
      if (job) return job;
      if (this.told.size < this.alive.length) return 'wait';
      // The rung is complete: promote the best 1/eta, or move to the next bracket.
      const b = this.brackets[this.bracket % this.brackets.length]!;
      const keep = Math.floor(this.alive.length / this.options.eta);
      if (this.rung + 1 < b.rungs && keep >= 1) {
        const sign = this.options.direction === 'maximize' ? -1 : 1;
        const ranked = [...this.alive].sort((x, y) => {
          const rx = this.told.get(x.trial)!;
          const ry = this.told.get(y.trial)!;
          const lx = rx.state === 'complete' && rx.score !== undefined ? sign * rx.score : Infinity;
          const ly = ry.state === 'complete' && ry.score !== undefined ? sign * ry.score : Infinity;
          return lx - ly || x.trial - y.trial;
        });
        this.alive = ranked.slice(0, keep).filter((a) => this.told.get(a.trial)!.state === 'complete');
        if (this.alive.length > 0) {
          this.rung++;
          this.fillQueue(b);
          continue;
        }
      }
      this.bracket++;
      if (!this.openBracket()) return 'done';
    }
  }

  tell(record: TrialRecord): void {
    if (record.rung === this.rung) this.told.set(record.trial, record);
  }
}
