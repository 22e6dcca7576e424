import { describe, expect, it } from 'vitest';
import type { Job } from '../../src/search/scheduler.js';
import { defaultStartup, makePlan, type PlanSettings } from '../../src/search/plan.js';
import { parseSpace } from '../../src/search/space.js';

const settings = (over: Partial<PlanSettings>): PlanSettings => ({ method: 'random', trials: undefined, seed: 1, batch: undefined, startup: undefined, hyperband: { min: undefined, max: undefined, eta: 3 }, ...over });

/** The jobs a plan hands out before it first waits or is done. */
function drain(plan: ReturnType<typeof makePlan>): Job[] {
  const jobs: Job[] = [];
  for (let next = plan.next(); next !== 'wait' && next !== 'done'; next = plan.next()) jobs.push(next);
  return jobs;
}

describe('defaultStartup', () => {
  it('when trials grow, then the start-up is a quarter of them kept within 5 to 12, and never more than the trials', () => {
    expect([1, 3, 8, 20, 40, 48, 100, 1000].map(defaultStartup)).toEqual([1, 3, 5, 5, 10, 12, 12, 12]);
  });
});

describe('makePlan', () => {
  const grid = parseSpace({ a: [1, 2, 3], b: ['x', 'y'] }, [], new Set());

  it('when the method is grid without trials, then every point runs in one batch', () => {
    const jobs = drain(makePlan(settings({ method: 'grid' }), grid, 'maximize', undefined, {}, undefined));
    expect(jobs.map((j) => j.params)).toHaveLength(6);
    expect(new Set(jobs.map((j) => JSON.stringify(j.params))).size).toBe(6);
  });

  it('when grid trials are fewer than the points, then only that many run', () => {
    expect(drain(makePlan(settings({ method: 'grid', trials: 4 }), grid, 'maximize', undefined, {}, undefined))).toHaveLength(4);
  });

  it('when the method is bayesian, then the start-up trials run at once and the next batch waits for them', () => {
    const space = parseSpace({ x: { uniform: [0, 1] } }, [], new Set());
    const plan = makePlan(settings({ method: 'bayesian', trials: 20, startup: 3 }), space, 'minimize', undefined, {}, undefined);
    expect(drain(plan).map((j) => j.trial)).toEqual([0, 1, 2]);
    // A resumed study keeps the start-up it began with, whatever the settings say now.
    const resumed = makePlan(settings({ method: 'bayesian', trials: 20, startup: 3 }), space, 'minimize', undefined, {}, 6);
    expect(drain(resumed).map((j) => j.trial)).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('when the method is hyperband, then the configured budget param is the top rung and the first rung is max / eta^3', () => {
    const space = parseSpace({ x: { uniform: [0, 1] } }, [], new Set());
    const jobs = drain(makePlan(settings({ method: 'hyperband', trials: 9 }), space, 'minimize', 'n_estimators', { n_estimators: 270 }, undefined));
    const budgets = jobs.map((j) => j.budget!);
    expect(jobs.length).toBeGreaterThan(0);
    expect(Math.min(...budgets)).toBe(10);
    expect(Math.max(...budgets)).toBeLessThanOrEqual(270);
  });
});
