import { describe, expect, it } from 'vitest';
import { registerBuiltinEstimators } from '../../src/models/index.js';
import { applyParams } from '../../src/pipeline/search-objective.js';
import type { StepConfig } from '../../src/preprocess/pipeline.js';
import type { JsonObject } from '../../src/util/json.js';
import { WorkerPool } from '../../src/search/pool.js';

registerBuiltinEstimators();

describe('applyParams', () => {
  const base: { family: string; baseParams: Record<string, JsonObject>; preprocess: StepConfig[] } = {
    family: 'gbdt',
    baseParams: { gbdt: { n_estimators: 50 }, logistic: {} },
    preprocess: [
      { name: 'impute', params: { columns: 'numeric', strategy: 'median' } },
      { name: 'scale', params: { columns: 'numeric' } },
    ],
  };

  it('when params name model params both ways and a step by index, then each lands where it belongs and the config is not mutated', () => {
    const c = applyParams({ max_depth: 4, 'model.params.learning_rate': 0.1, 'preprocess.0.strategy': 'mean' }, base);
    expect(c).toEqual({
      family: 'gbdt',
      params: { n_estimators: 50, max_depth: 4, learning_rate: 0.1 },
      preprocess: [
        { name: 'impute', params: { columns: 'numeric', strategy: 'mean' } },
        { name: 'scale', params: { columns: 'numeric' } },
      ],
    });
    expect(base.preprocess[0]!.params['strategy']).toBe('median');
    expect(base.baseParams.gbdt).toEqual({ n_estimators: 50 });
  });

  it('when the family is a param, then it picks the family and drops shared params the family lacks', () => {
    const c = applyParams({ 'model.type': 'logistic', alpha: 0.5, max_depth: 3, 'preprocess.scale.with_mean': false }, base);
    expect(c.family).toBe('logistic');
    expect(c.params).toEqual({ alpha: 0.5 });
    expect(c.preprocess[1]!.params).toEqual({ columns: 'numeric', with_mean: false });
  });
});

describe('WorkerPool', () => {
  it('when workers cannot start, then every job fails with the reason instead of the pool respawning forever', async () => {
    const pool = new WorkerPool(new URL('file:///nonexistent/soma-worker.js'), {}, 2);
    const outcomes = await Promise.all([0, 1, 2, 3].map((trial) => pool.run({ trial, rung: 0, params: {} })));
    await pool.close();
    for (const o of outcomes) {
      expect(o.ok).toBe(false);
      if (!o.ok) expect(o.error).toMatch(/worker/);
    }
  });
});
