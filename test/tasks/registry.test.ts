// The task registry: lookups by name, the errors that name what is accepted, and the checks a
// spec passes when it is registered.

import { describe, expect, it } from 'vitest';
import { SomaError } from '../../src/errors.js';
import { metricNames, regressionMetrics } from '../../src/evaluate/metrics/index.js';
import { classificationTask } from '../../src/tasks/classification.js';
import { registerBuiltinTasks } from '../../src/tasks/index.js';
import { findTask, knownTask, registerTask, taskNames, taskSpecs } from '../../src/tasks/registry.js';
import { regressionTask } from '../../src/tasks/regression.js';
import { recommendationTask } from '../../src/tasks/recommendation.js';
import { forecastingTask } from '../../src/tasks/forecasting.js';

registerBuiltinTasks();

describe('task registry', () => {
  it('when the built-in tasks are registered, then names and specs come back in registration order', () => {
    expect(taskNames()).toEqual(['classification', 'regression', 'recommendation', 'forecasting']);
    expect(taskSpecs()).toEqual([classificationTask, regressionTask, recommendationTask, forecastingTask]);
    expect(findTask('regression')).toBe(regressionTask);
    registerBuiltinTasks(); // idempotent
    expect(taskNames()).toEqual(['classification', 'regression', 'recommendation', 'forecasting']);
  });

  it('when a task name is unknown, then CONFIG_INVALID (exit 2) names it and the accepted tasks', () => {
    let caught: unknown;
    try {
      findTask('survival');
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(SomaError);
    const err = caught as SomaError;
    expect(err.code).toBe('CONFIG_INVALID');
    expect(err.exitCode).toBe(2);
    expect(err.message).toBe('task: unknown task "survival" (expected one of classification, regression, recommendation, forecasting)');
    expect(err.details).toEqual({ task: 'survival', known: ['classification', 'regression', 'recommendation', 'forecasting'] });
    expect(knownTask('survival')).toBeUndefined();
  });

  it('when a task is registered twice, then registration fails', () => {
    expect(() => registerTask(classificationTask)).toThrow(/task classification registered twice/);
  });

  it('when a spec names a metric its family lacks, then registration fails naming it and nothing is registered', () => {
    const metrics = { ...regressionMetrics, task: 'ordinal' };
    expect(() => registerTask({ ...regressionTask, name: 'ordinal', metrics, searchMetric: 'accuracy' })).toThrow(/task ordinal: searchMetric names accuracy, not one of its metrics \(mse, rmse/);
    expect(() => registerTask({ ...regressionTask, name: 'ordinal', metrics, starter: { metrics: ['rmse', 'f1'], gate: ['r2', '>= 0.5'] } })).toThrow(/starter.metrics names f1/);
    expect(() => registerTask({ ...regressionTask, name: 'ordinal' })).toThrow(/task ordinal: its metrics are registered for task regression/);
    expect(taskNames()).toEqual(['classification', 'regression', 'recommendation', 'forecasting']);
    expect(() => metricNames('ordinal')).toThrow(/no metrics for task "ordinal"/);
  });
});
