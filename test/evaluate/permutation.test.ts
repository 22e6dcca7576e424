// Permutation importance with real estimators on synthetic data where only one feature matters.

import { describe, expect, it } from 'vitest';
import { numericMatrix } from '../../src/engine/matrix.js';
import type { Target } from '../../src/tasks/task.js';
import { Rng } from '../../src/engine/random.js';
import { permutationImportance, type Predictor } from '../../src/evaluate/permutation.js';
import { createEstimator } from '../../src/models/catalog.js';
import { registerBuiltinEstimators } from '../../src/models/index.js';
import { toDense } from '../../src/engine/sparse.js';

registerBuiltinEstimators();

/** x0 decides the outcome, x1 and x2 are noise. */
function synthetic(n: number, seed: number, task: 'classification' | 'regression') {
  const rng = new Rng(seed);
  const cols = [new Float64Array(n), new Float64Array(n), new Float64Array(n)];
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    for (const c of cols) c[i] = rng.normal();
    y[i] = task === 'classification' ? (cols[0]![i]! + 0.2 * rng.normal() > 0 ? 1 : 0) : 3 * cols[0]![i]! + 0.3 * rng.normal();
  }
  const X = numericMatrix(['signal', 'noise_a', 'noise_b'], cols);
  const target: Target = { task, values: y, nClasses: task === 'classification' ? 2 : 0 };
  return { X, y: target };
}

describe('permutationImportance', () => {
  it('when one feature decides the class, then a decision tree loses accuracy only when that feature is shuffled', async () => {
    const train = synthetic(600, 1, 'classification');
    const test = synthetic(400, 2, 'classification');
    const model = await createEstimator('decision_tree', { max_depth: 4 }, 'classification').fit(train.X, train.y);
    const p = permutationImportance(model, test.X, test.y, { seed: 3, repeats: 4 });
    expect(p.metric).toBe('accuracy');
    expect(p.names).toEqual(['signal', 'noise_a', 'noise_b']);
    expect(p.baseline).toBeGreaterThan(0.85);
    expect(p.mean[0]).toBeGreaterThan(0.3); // about half the rows flip when the signal is random
    expect(Math.abs(p.mean[1]!)).toBeLessThan(0.05);
    expect(Math.abs(p.mean[2]!)).toBeLessThan(0.05);
    expect(p.std[0]).toBeGreaterThan(0);
  });

  it('when the metric is a loss, then an informative feature still gets a positive importance (the increase in loss)', async () => {
    const train = synthetic(600, 4, 'classification');
    const test = synthetic(300, 5, 'classification');
    const model = await createEstimator('logistic', {}, 'classification').fit(train.X, train.y);
    const p = permutationImportance(model, test.X, test.y, { metric: 'log_loss', seed: 1, repeats: 3 });
    expect(p.mean[0]).toBeGreaterThan(0.5);
    expect(p.mean[0]).toBeGreaterThan(10 * Math.abs(p.mean[1]!));
  });

  it('when only some features are asked for, then only those are shuffled, with the same values as the full run', async () => {
    const train = synthetic(500, 8, 'regression');
    const test = synthetic(200, 9, 'regression');
    const model = await createEstimator('linear', {}, 'regression').fit(train.X, train.y);
    const some = permutationImportance(model, test.X, test.y, { seed: 2, features: [0, 2] });
    expect(some.names).toEqual(['signal', 'noise_b']);
    expect(some.width).toBe(3);
    expect(some.mean[0]).toBeGreaterThan(1.5);
    expect(() => permutationImportance(model, test.X, test.y, { features: [3] })).toThrow(/feature index 3 is not a column/);
  });

  it('when the task is regression, then the drop is in r2 and the signal dominates', async () => {
    const train = synthetic(500, 6, 'regression');
    const test = synthetic(300, 7, 'regression');
    const model = await createEstimator('linear', {}, 'regression').fit(train.X, train.y);
    const p = permutationImportance(model, test.X, test.y, { seed: 2 });
    expect(p.metric).toBe('r2');
    expect(p.baseline).toBeGreaterThan(0.95);
    // Shuffling x in y = 3x + e costs about 2 x the explained variance: r2 falls from ~1 to ~-1.
    expect(p.mean[0]).toBeGreaterThan(1.5);
    expect(Math.abs(p.mean[1]!)).toBeLessThan(0.02);
  });

  it('when rows exceed the cap, then a seeded sample of that many rows is scored, the same for the same seed', () => {
    const { X, y } = synthetic(3000, 8, 'classification');
    const before = X.columns.map((c) => toDense(c).slice());
    let calls = 0;
    const byThreshold: Predictor = {
      predict: (M) => {
        calls++;
        return toDense(M.columns[0]!).map((v) => (v > 0 ? 1 : 0));
      },
    };
    const a = permutationImportance(byThreshold, X, y, { maxRows: 500, repeats: 2, seed: 9 });
    const b = permutationImportance(byThreshold, X, y, { maxRows: 500, repeats: 2, seed: 9 });
    expect(a.rows).toBe(500);
    expect(calls).toBe(2 * (1 + 3 * 2)); // a baseline plus features x repeats, per call
    expect(a).toEqual(b);
    expect(a.mean[1]).toBe(0); // the predictor never reads noise_a
    expect(X.columns).toEqual(before); // the caller's matrix is untouched
  });
});
