// Regression metrics on tiny hand-computed cases (scikit-learn's documented example among them).

import { describe, expect, it } from 'vitest';
import { DEFAULT_METRICS, computeMetrics, explainedVariance, mape, r2 } from '../../../src/evaluate/metrics/index.js';
import { expectClose, f64 } from './fixtures.js';

describe('regression metrics on hand-computed cases', () => {
  const yTrue = f64([3, -0.5, 2, 7]);
  const yPred = f64([2.5, 0, 2, 8]);

  it('when scored on the scikit-learn example, then mse, rmse, mae, r2 and explained variance are exact', () => {
    const got = computeMetrics('regression', { yTrue, yPred });
    expect(got.mse).toBe(0.375);
    expect(got.rmse).toBe(Math.sqrt(0.375));
    expect(got.mae).toBe(0.5);
    expect(got.r2).toBeCloseTo(1 - 1.5 / 29.1875, 15);
    // Residuals 0.5, -0.5, 0, -1 have mean -0.25 and variance 0.3125; yTrue's variance is 7.296875.
    expect(got.explained_variance).toBeCloseTo(1 - 0.3125 / 7.296875, 15);
    expect(Object.keys(got)).toEqual([...DEFAULT_METRICS.regression]);
  });

  it('when a target is zero, then mape divides by machine epsilon, as scikit-learn does', () => {
    expect(mape(f64([0, 1]), f64([1, 1]))).toBe(1 / Number.EPSILON / 2);
    expect(mape(f64([2, 4]), f64([1, 5]))).toBe(0.375);
  });

  it('when the target is constant, then r2 and explained variance are 1 for a perfect fit and 0 otherwise', () => {
    expect(r2(f64([2, 2, 2]), f64([2, 2, 2]))).toBe(1);
    expect(r2(f64([2, 2, 2]), f64([2, 2, 2.1]))).toBe(0);
    expect(explainedVariance(f64([2, 2, 2]), f64([2, 2, 2]))).toBe(1);
  });

  it('when there is one row, then r2 is undefined and omitted but the errors are reported', () => {
    const got = computeMetrics('regression', { yTrue: f64([1]), yPred: f64([3]) });
    expect(got).not.toHaveProperty('r2');
    expect(got.mse).toBe(4);
    expect(got.mape).toBe(2);
  });

  it('when a row has weight 0, then every regression metric equals the one without that row', () => {
    const w = computeMetrics('regression', { yTrue: f64([3, -0.5, 2, 7, 100]), yPred: f64([2.5, 0, 2, 8, -100]), sampleWeight: f64([1, 1, 1, 1, 0]) });
    const plain = computeMetrics('regression', { yTrue, yPred });
    for (const [name, value] of Object.entries(plain)) expectClose(w[name], value, name, 1e-14);
  });
});
