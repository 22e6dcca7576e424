// The plain-text metrics table: layout, ordering and number formatting.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { computeMetrics } from '../../src/evaluate/metrics/index.js';
import { formatMetricValue, renderMetricsTable } from '../../src/evaluate/table.js';

describe('formatMetricValue', () => {
  it('when a value has an ordinary magnitude, then it shows four decimals', () => {
    expect(formatMetricValue(0.98765)).toBe('0.9877');
    expect(formatMetricValue(12.5)).toBe('12.5000');
    expect(formatMetricValue(-0.25)).toBe('-0.2500');
    expect(formatMetricValue(0)).toBe('0.0000');
  });

  it('when a value is huge or tiny, then it shows four significant digits instead of losing them', () => {
    expect(formatMetricValue(206050556040108.4)).toBe('2.061e+14');
    expect(formatMetricValue(0.0000123456)).toBe('1.235e-5');
  });

  it('when a value is missing, NaN or infinite, then it shows a placeholder', () => {
    expect(formatMetricValue(undefined)).toBe('-');
    expect(formatMetricValue(NaN)).toBe('-');
    expect(formatMetricValue(Infinity)).toBe('inf');
    expect(formatMetricValue(-Infinity)).toBe('-inf');
  });
});

describe('renderMetricsTable', () => {
  it('when three splits are given, then rows are metrics, columns are splits in train/validation/test order, right-aligned', () => {
    const table = renderMetricsTable({
      test: { accuracy: 0.9, log_loss: 0.31234 },
      train: { accuracy: 1, log_loss: 0.012 },
      validation: { accuracy: 0.875, log_loss: 12.5 },
    });
    expect(table).toBe(
      [
        'metric     train  validation    test',
        'accuracy  1.0000      0.8750  0.9000',
        'log_loss  0.0120     12.5000  0.3123',
      ].join('\n'),
    );
  });

  it('when a split lacks a metric, then its cell is "-" and the row still appears', () => {
    const table = renderMetricsTable({ train: { accuracy: 0.5, roc_auc: 0.75 }, test: { accuracy: 0.25 } });
    expect(table.split('\n')).toEqual(['metric     train    test', 'accuracy  0.5000  0.2500', 'roc_auc   0.7500       -']);
  });

  it('when metrics and splits are chosen, then only those are shown in that order, and unknown splits follow the known ones', () => {
    const bySplit = { cv: { r2: 0.8, mse: 2 }, train: { r2: 0.9, mse: 1 }, validation: undefined };
    expect(renderMetricsTable(bySplit).split('\n')[0]).toBe('metric   train      cv');
    expect(renderMetricsTable(bySplit, { metrics: ['mse'], splits: ['cv'] })).toBe('metric      cv\nmse     2.0000');
  });

  it('when real metrics are rendered, then every line has the same width and no line ends in spaces', () => {
    const fx = JSON.parse(readFileSync(new URL('../fixtures/metrics/regression_zero_target.json', import.meta.url), 'utf8')) as {
      yTrue: number[];
      yPred: number[];
    };
    const m = computeMetrics('regression', { yTrue: Float64Array.from(fx.yTrue), yPred: Float64Array.from(fx.yPred) });
    const lines = renderMetricsTable({ train: m, test: m }).split('\n');
    expect(lines).toHaveLength(7);
    expect(new Set(lines.map((l) => l.length)).size).toBe(1);
    for (const l of lines) expect(l).not.toMatch(/\s$/);
    expect(lines.find((l) => l.startsWith('mape'))).toContain('2.061e+14');
  });

  it('when there are no metrics, then only the header is rendered', () => {
    expect(renderMetricsTable({})).toBe('metric');
  });
});
