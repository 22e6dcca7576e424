// The estimator catalog's one "does not support task" check, shared with the pipeline.

import { describe, expect, it } from 'vitest';
import { SomaError } from '../../src/errors.js';
import { checkSupportsTask, createEstimator, findEstimator } from '../../src/models/catalog.js';
import { registerBuiltinEstimators } from '../../src/models/index.js';

registerBuiltinEstimators();

describe('checkSupportsTask', () => {
  it('when a family lacks the task, then CONFIG_INVALID names the family as written, the task and what it supports', () => {
    let caught: unknown;
    try {
      checkSupportsTask(findEstimator('logistic'), 'regression');
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(SomaError);
    expect((caught as SomaError).code).toBe('CONFIG_INVALID');
    expect((caught as SomaError).message).toBe('model.type: logistic does not support task regression (it supports classification)');
    expect(() => checkSupportsTask(findEstimator('gbdt'), 'regression')).not.toThrow();
    expect(() => createEstimator('linear', {}, 'classification')).toThrow('model.type: linear does not support task classification (it supports regression)');
    expect(() => checkSupportsTask(findEstimator('xgboost'), 'forecasting', 'xgboost')).toThrow('model.type: xgboost does not support task forecasting (it supports classification, regression)');
  });
});
