// Metrics against scikit-learn 1.2.1's values (fixtures written by
// test/fixtures/metrics/make_fixtures.py and committed): every metric of both families through
// computeMetrics, the confusion matrix and the curve points.

import { describe, expect, it } from 'vitest';
import { confusionMatrixRows } from '../../../src/evaluate/confusion.js';
import { precisionRecallCurve, rocCurve } from '../../../src/evaluate/curves.js';
import { METRIC_NAMES, computeMetrics, confusionMatrix } from '../../../src/evaluate/metrics/index.js';
import { expectAllClose, expectClose, f64, fixtures, inputOf } from './fixtures.js';

describe('metrics against scikit-learn fixtures', () => {
  it('when the fixture directory is read, then it holds the classification and regression cases', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(9);
    expect(fixtures.some((f) => f.task === 'classification' && f.sampleWeight !== null)).toBe(true);
    expect(fixtures.some((f) => f.task === 'regression' && f.yTrue.includes(0))).toBe(true);
  });

  for (const fx of fixtures) {
    it(`when ${fx.name} is scored with every metric, then each value matches scikit-learn within 1e-9`, () => {
      const got = computeMetrics(fx.task, inputOf(fx), METRIC_NAMES[fx.task]);
      for (const [name, value] of Object.entries(fx.expected)) expectClose(got[name], value, `${fx.name} ${name}`);
      for (const name of fx.omitted) expect(got, `${fx.name} ${name} should be omitted`).not.toHaveProperty(name);
      expect(Object.keys(got).sort()).toEqual(Object.keys(fx.expected).sort());
    });

    if (fx.confusion !== undefined) {
      it(`when ${fx.name} is tabulated, then the confusion matrix equals scikit-learn's`, () => {
        const input = inputOf(fx);
        const cm = confusionMatrix(input.yTrue, input.yPred, fx.nClasses!, input.sampleWeight);
        const rows = confusionMatrixRows(cm, fx.nClasses!);
        rows.forEach((row, t) => expectAllClose(row, fx.confusion![t]!, `${fx.name} confusion row ${t}`));
      });
    }

    if (fx.curves !== undefined) {
      it(`when ${fx.name} is drawn, then the ROC and PR curve points equal scikit-learn's`, () => {
        const input = inputOf(fx);
        const n = input.yTrue.length;
        const positive = Uint8Array.from(input.yTrue, (v) => (v === 1 ? 1 : 0));
        const scores = new Float64Array(n);
        for (let i = 0; i < n; i++) scores[i] = input.proba![i * 2 + 1]!;
        const roc = rocCurve(positive, scores, input.sampleWeight);
        expectAllClose(roc.fpr, fx.curves!.roc.fpr, 'fpr');
        expectAllClose(roc.tpr, fx.curves!.roc.tpr, 'tpr');
        expectAllClose(roc.thresholds, fx.curves!.roc.thresholds, 'roc thresholds');
        const pr = precisionRecallCurve(positive, scores, input.sampleWeight);
        expectAllClose(pr.precision, fx.curves!.pr.precision, 'precision');
        expectAllClose(pr.recall, fx.curves!.pr.recall, 'recall');
        expectAllClose(pr.thresholds, fx.curves!.pr.thresholds, 'pr thresholds');
      });
    }
  }

  it('when integer weights are given, then every metric equals the unweighted metric on rows repeated that often', () => {
    const fx = fixtures.find((f) => f.name === 'multiclass_weighted')!;
    const k = fx.nClasses!;
    const yTrue: number[] = [];
    const yPred: number[] = [];
    const proba: number[] = [];
    fx.sampleWeight!.forEach((w, i) => {
      for (let r = 0; r < w; r++) {
        yTrue.push(fx.yTrue[i]!);
        yPred.push(fx.yPred[i]!);
        proba.push(...fx.proba!.slice(i * k, (i + 1) * k));
      }
    });
    const weighted = computeMetrics('classification', inputOf(fx), METRIC_NAMES.classification);
    const repeated = computeMetrics('classification', { yTrue: f64(yTrue), yPred: f64(yPred), proba: f64(proba), nClasses: k }, METRIC_NAMES.classification);
    expect(Object.keys(repeated).sort()).toEqual(Object.keys(weighted).sort());
    for (const [name, value] of Object.entries(weighted)) expectClose(repeated[name], value, name, 1e-12);
  });
});
