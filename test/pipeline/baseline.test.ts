// The trivial baseline: the task specs' guesses on hand-built targets, and scoreBaseline's
// comparison with a model on the held-out split.

import { describe, expect, it } from 'vitest';
import { registerBuiltinTasks } from '../../src/tasks/index.js';
import { findTask } from '../../src/tasks/registry.js';
import { baselineGate, scoreBaseline } from '../../src/pipeline/baseline.js';
import type { Target } from '../../src/tasks/task.js';

registerBuiltinTasks();
const classes = (values: number[], k: number): Target => ({ task: 'classification', values: Float64Array.from(values), nClasses: k });
const numbers = (values: number[]): Target => ({ task: 'regression', values: Float64Array.from(values), nClasses: 0 });

describe('task baselines', () => {
  it('when the target is classes, then every row gets the majority class (first on ties) with the class shares as probabilities', () => {
    const p = findTask('classification').baseline!.predict(classes([0, 2, 2, 1, 2, 0], 3), 2);
    expect(Array.from(p.values)).toEqual([2, 2]);
    expect(Array.from(p.proba!)).toEqual([2 / 6, 1 / 6, 3 / 6, 2 / 6, 1 / 6, 3 / 6]);
    expect(Array.from(findTask('classification').baseline!.predict(classes([1, 0], 2), 1).values)).toEqual([0]);
  });

  it('when the target is values, then every row gets the training mean', () => {
    const p = findTask('regression').baseline!.predict(numbers([1, 2, 6]), 3);
    expect(Array.from(p.values)).toEqual([3, 3, 3]);
    expect(p.proba).toBeUndefined();
  });
});

describe('scoreBaseline', () => {
  const task = findTask('regression');
  const yTrain = numbers([1, 2, 3, 4, 5]);
  const yTest = numbers([2, 4]);

  it('when the model is closer than the mean on the test split, then it beats the baseline on the headline metric', () => {
    const b = scoreBaseline(task, yTrain, { train: { y: yTrain, model: { values: yTrain.values } }, test: { y: yTest, model: { values: Float64Array.from([2.1, 3.9]) } } }, ['rmse', 'r2'], 'test')!;
    expect(b).toMatchObject({ strategy: 'mean', metric: 'rmse', split: 'test', baseline: 1, beaten: true });
    expect(b.model).toBeCloseTo(0.1, 12);
    expect(Object.keys(b.metrics)).toEqual(['train', 'test']);
    expect(Object.keys(b.metrics['test']!)).toEqual(['rmse', 'r2']);
    expect(baselineGate(b)).toMatchObject({ metric: 'rmse', op: '<', bound: 1, passed: true, split: 'test' });
  });

  it('when the model only ties the baseline, then it does not beat it, and the gate fails', () => {
    const b = scoreBaseline(task, yTrain, { test: { y: yTest, model: { values: Float64Array.from([3, 3]) } } }, undefined, 'test')!;
    expect(b.beaten).toBe(false);
    expect(baselineGate(b).passed).toBe(false);
  });

  it('when there is no held-out split, then nothing is compared', () => {
    const b = scoreBaseline(task, yTrain, { train: { y: yTrain, model: { values: yTrain.values } } }, undefined, 'test')!;
    expect(b).toMatchObject({ split: null, beaten: null });
    expect(baselineGate(b).passed).toBe(false);
  });
});
