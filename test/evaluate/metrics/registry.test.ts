// The metric registry and the computeMetrics façade: defaults, subsets, unknown names, directions.

import { describe, expect, it } from 'vitest';
import { SomaError } from '../../../src/errors.js';
import {
  DEFAULT_METRICS,
  METRIC_NAMES,
  accuracy,
  computeMetrics,
  metricDirection,
  metricFamily,
  metricNames,
  metricNeedsProba,
  registerMetricFamily,
  regressionMetrics as METRIC_FAMILY_REGRESSION,
  type MetricFamily,
} from '../../../src/evaluate/metrics/index.js';
import { f64 } from './fixtures.js';

describe('computeMetrics façade', () => {
  const yTrue = f64([0, 1, 2, 2, 1, 0]);
  const yPred = f64([0, 1, 1, 2, 1, 0]);
  const proba = f64([0.8, 0.1, 0.1, 0.2, 0.7, 0.1, 0.1, 0.6, 0.3, 0.1, 0.2, 0.7, 0.3, 0.4, 0.3, 0.5, 0.25, 0.25]);

  it('when no names are given, then the default classification set is returned in order', () => {
    const got = computeMetrics('classification', { yTrue, yPred, proba });
    expect(Object.keys(got)).toEqual([...DEFAULT_METRICS.classification]);
  });

  it('when proba is absent, then roc_auc, pr_auc and log_loss are left out and the label metrics remain', () => {
    const got = computeMetrics('classification', { yTrue, yPred, nClasses: 3 });
    expect(Object.keys(got)).toEqual(['accuracy', 'balanced_accuracy', 'precision_macro', 'recall_macro', 'f1_macro']);
  });

  it('when names select a subset, then only those are computed, in the order asked, without duplicates', () => {
    const got = computeMetrics('classification', { yTrue, yPred, proba }, ['log_loss', 'accuracy', 'log_loss']);
    expect(Object.keys(got)).toEqual(['log_loss', 'accuracy']);
  });

  it('when a name is unknown, then CONFIG_INVALID names it, lists the known metrics and suggests the closest', () => {
    let caught: unknown;
    try {
      computeMetrics('classification', { yTrue, yPred, proba }, ['acuracy']);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(SomaError);
    const err = caught as SomaError;
    expect(err.code).toBe('CONFIG_INVALID');
    expect(err.exitCode).toBe(2);
    expect(err.message).toContain('"acuracy"');
    expect(err.message).toContain('balanced_accuracy');
    expect(err.hint).toContain('"accuracy"');
  });

  it('when a regression metric is asked of a classification task, then CONFIG_INVALID says so', () => {
    expect(() => computeMetrics('classification', { yTrue, yPred }, ['rmse'])).toThrow(/"rmse" is not a classification metric/);
  });

  it('when a label is outside 0..K-1 or not an integer, then DATA_BAD_VALUE names the row', () => {
    expect(() => computeMetrics('classification', { yTrue: f64([0, 3]), yPred: f64([0, 1]), nClasses: 3 })).toThrow(/yTrue\[1\] is 3/);
    expect(() => accuracy(f64([0, 1]), f64([0]))).toThrow(SomaError);
    try {
      computeMetrics('classification', { yTrue: f64([0, 1.5]), yPred: f64([0, 1]), nClasses: 2 });
    } catch (e) {
      expect((e as SomaError).code).toBe('DATA_BAD_VALUE');
    }
    expect.assertions(3);
  });

  it('when there are no rows or a weight is negative, then the call fails with a data error', () => {
    expect(() => computeMetrics('regression', { yTrue: f64([]), yPred: f64([]) })).toThrow(/0 rows/);
    expect(() => computeMetrics('regression', { yTrue: f64([1, 2]), yPred: f64([1, 2]), sampleWeight: f64([1, -1]) })).toThrow(/sampleWeight\[1\]/);
  });

  it('when a metric name is given, then metricDirection says whether to maximize or minimize it', () => {
    for (const m of ['accuracy', 'f1_macro', 'roc_auc', 'pr_auc', 'r2', 'explained_variance']) expect(metricDirection(m)).toBe('maximize');
    for (const m of ['log_loss', 'brier', 'mse', 'rmse', 'mae', 'mape']) expect(metricDirection(m)).toBe('minimize');
    expect(() => metricDirection('speed')).toThrow(SomaError);
  });

  it('when the task lists are read, then every default metric is a known metric of its task', () => {
    for (const task of ['classification', 'regression'] as const) {
      for (const m of DEFAULT_METRICS[task]) expect(METRIC_NAMES[task]).toContain(m);
    }
  });
});

describe('metric registry', () => {
  const family = (overrides: Partial<MetricFamily>): MetricFamily => ({
    task: 'ordinal',
    target: 'values',
    metrics: [{ name: 'mae', direction: 'minimize' }],
    defaults: ['mae'],
    score: 'mae',
    groupMetrics: ['mae'],
    compute: () => ({}),
    ...overrides,
  });

  it('when the built-in families are read, then each task lists its own metrics and every name is known once', () => {
    expect(metricNames('classification')).toEqual([...METRIC_NAMES.classification]);
    expect(metricNames('regression')).toEqual([...METRIC_NAMES.regression]);
    expect(metricNames()).toEqual([...METRIC_NAMES.classification, ...METRIC_NAMES.regression]);
    expect(metricFamily('classification').score).toBe('accuracy');
    expect(metricFamily('regression').score).toBe('r2');
    expect(['roc_auc', 'pr_auc', 'log_loss', 'brier'].every(metricNeedsProba)).toBe(true);
    expect(metricNeedsProba('accuracy')).toBe(false);
  });

  it('when a family reuses a name with another direction or names a stray default, then registration fails', () => {
    expect(() => registerMetricFamily(family({ metrics: [{ name: 'mae', direction: 'maximize' }] }))).toThrow(/metric mae of task ordinal disagrees/);
    expect(() => registerMetricFamily(family({ defaults: ['mae', 'rmse'] }))).toThrow(/defaults names rmse, not among its metrics \(mae\)/);
    expect(() => registerMetricFamily({ ...METRIC_FAMILY_REGRESSION, metrics: [] })).toThrow(/metrics for task regression registered twice/);
    expect(() => metricFamily('ordinal')).toThrow(/no metrics for task "ordinal" \(tasks with metrics: classification, regression\)/);
  });

  it('when a family shares a name with the same direction, then both tasks score it', () => {
    registerMetricFamily(family({ compute: (input, names) => Object.fromEntries(names.map((n) => [n, input.yTrue.length])) }));
    expect(metricNames('ordinal')).toEqual(['mae']);
    expect(metricDirection('mae')).toBe('minimize');
    expect(computeMetrics('ordinal', { yTrue: f64([1, 2, 3]), yPred: f64([1, 2, 3]) })).toEqual({ mae: 3 });
  });
});
