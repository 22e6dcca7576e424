// Task inference: the configured task, the model family's only task, else the first registered
// task that claims the target column; and soma init's guess from a target's values.

import { describe, expect, it } from 'vitest';
import type { Column } from '../../src/data/frame.js';
import { registerBuiltinTasks } from '../../src/tasks/index.js';
import { inferTask, suggestTask, taskHint } from '../../src/tasks/infer.js';

registerBuiltinTasks();

const numeric = (values: number[]): Column => ({ type: 'numeric', name: 'y', values: Float64Array.from(values) });
const categorical: Column = { type: 'categorical', name: 'y', codes: Int32Array.from([0, 1, 1]), dictionary: ['no', 'yes'] };
const both = ['classification', 'regression'];

describe('inferTask', () => {
  it('when the config names the task, then that task is used whatever the target', () => {
    expect(inferTask('classification', both, numeric([1.5, 2])).name).toBe('classification');
    expect(() => inferTask('ranking', both, numeric([1]))).toThrow(/unknown task "ranking" \(expected one of classification, regression, recommendation, forecasting\)/);
  });

  it('when the family supports one task, then it is that task, before the target is read', () => {
    expect(taskHint(undefined, ['regression'])?.name).toBe('regression');
    expect(inferTask(undefined, ['classification'], numeric([0.5, 3.25])).name).toBe('classification');
    expect(taskHint(undefined, both)).toBeUndefined();
  });

  it('when the family supports both, then a numeric target is regression and a categorical one classification', () => {
    expect(inferTask(undefined, both, numeric([0, 1, 1])).name).toBe('regression');
    expect(inferTask(undefined, both, categorical).name).toBe('classification');
    // No task in common (linear beside logistic): every registered task may claim the target.
    expect(inferTask(undefined, [], categorical).name).toBe('classification');
  });
});

describe('suggestTask', () => {
  it('when a numeric target holds few whole numbers, then init takes them as classes; otherwise as values', () => {
    expect(suggestTask(categorical, 2).name).toBe('classification');
    expect(suggestTask(numeric([0, 1, 2, 1]), 3).name).toBe('classification');
    expect(suggestTask(numeric([0.5, 1, 2]), 3).name).toBe('regression');
    expect(suggestTask(numeric(Array.from({ length: 11 }, (_, i) => i)), 11).name).toBe('regression');
  });
});
