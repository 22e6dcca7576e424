import { describe, expect, it } from 'vitest';
import { HyperbandPlan, hyperbandBrackets } from '../../src/search/hyperband.js';
import { RandomSampler } from '../../src/search/random.js';
import { runStudy, type Executor } from '../../src/search/scheduler.js';
import { parseSpace } from '../../src/search/space.js';

describe('hyperband', () => {
  it('when budgets run from 1 to 27 with eta 3, then the brackets are the paper\'s (27@1, 12@3, 6@9, 4@27)', () => {
    expect(hyperbandBrackets(1, 27, 3).map((b) => [b.n, b.r, b.rungs])).toEqual([
      [27, 1, 4],
      [12, 3, 3],
      [6, 9, 2],
      [4, 27, 1],
    ]);
  });

  it('when a study runs, then each rung keeps the best third, survivors get three times the budget, and only survivors reach the top', async () => {
    const space = parseSpace({ x: { uniform: [0, 1] } }, [], new Set());
    // Score improves with budget, and configurations with larger x are better at every budget.
    const exec: Executor = { slots: 3, run: async (job) => ({ ok: true, score: (job.params['x'] as number) + Math.log(job.budget!) }), close: async () => {} };
    const plan = new HyperbandPlan(new RandomSampler(space), { seed: 5, trials: undefined, min: 1, max: 27, eta: 3, direction: 'maximize' });
    const { records } = await runStudy({ plan, executor: exec });
    expect(new Set(records.map((r) => r.trial)).size).toBe(27 + 12 + 6 + 4);
    // Bracket 0 (trials 0..26): 27 at budget 1, 9 at 3, 3 at 9, 1 at 27.
    const b0 = records.filter((r) => r.trial < 27);
    expect([1, 3, 9, 27].map((b) => b0.filter((r) => r.budget === b).length)).toEqual([27, 9, 3, 1]);
    // The survivors of each rung are exactly the best third of it.
    for (const [from, to] of [[1, 3], [3, 9], [9, 27]] as const) {
      const rung = b0.filter((r) => r.budget === from).sort((a, b) => b.score! - a.score!);
      const next = new Set(b0.filter((r) => r.budget === to).map((r) => r.trial));
      expect(new Set(rung.slice(0, next.size).map((r) => r.trial))).toEqual(next);
    }
  });

  it('when trials caps the configurations, then no more are started', async () => {
    const space = parseSpace({ x: { uniform: [0, 1] } }, [], new Set());
    const exec: Executor = { slots: 1, run: async (job) => ({ ok: true, score: job.params['x'] as number }), close: async () => {} };
    const plan = new HyperbandPlan(new RandomSampler(space), { seed: 1, trials: 10, min: 1, max: 9, eta: 3, direction: 'minimize' });
    const { records } = await runStudy({ plan, executor: exec });
    expect(new Set(records.map((r) => r.trial)).size).toBe(10);
  });
});
