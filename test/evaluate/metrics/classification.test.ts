// Classification metrics on tiny hand-computed cases (scikit-learn's documented examples among them).

import { describe, expect, it } from 'vitest';
import { confusionMatrixRows } from '../../../src/evaluate/confusion.js';
import { rocAucBinary, rocCurve } from '../../../src/evaluate/curves.js';
import {
  accuracy,
  balancedAccuracy,
  brierScore,
  computeMetrics,
  confusionMatrix,
  logLoss,
  prAuc,
  precisionRecallF1,
  rocAuc,
} from '../../../src/evaluate/metrics/index.js';
import { f64 } from './fixtures.js';

describe('classification metrics on hand-computed cases', () => {
  it('when 3 of 4 rows are right, then accuracy is 0.75, and weighting the wrong row by 2 gives 0.6', () => {
    const yTrue = f64([0, 1, 1, 0]);
    const yPred = f64([0, 1, 0, 0]);
    expect(accuracy(yTrue, yPred)).toBe(0.75);
    expect(accuracy(yTrue, yPred, f64([1, 1, 2, 1]))).toBe(0.6);
  });

  it('when a class is never predicted, then its precision counts as 0 in the macro average (scikit-learn example)', () => {
    const yTrue = f64([0, 1, 2, 0, 1, 2]);
    const yPred = f64([0, 2, 1, 0, 0, 1]);
    const macro = precisionRecallF1(yTrue, yPred, 3, 'macro');
    expect(macro.precision).toBeCloseTo(2 / 9, 15);
    expect(macro.recall).toBeCloseTo(1 / 3, 15);
    expect(macro.f1).toBeCloseTo(4 / 15, 15);
    const micro = precisionRecallF1(yTrue, yPred, 3, 'micro');
    expect(micro.precision).toBeCloseTo(1 / 3, 15);
    expect(micro.recall).toBeCloseTo(1 / 3, 15);
    const weighted = precisionRecallF1(yTrue, yPred, 3, 'weighted');
    expect(weighted.f1).toBeCloseTo(4 / 15, 15);
  });

  it('when a class occurs nowhere, then macro averages ignore it rather than counting a 0 for it', () => {
    // K = 4 but class 3 is in neither array: averages run over classes 0..2, as scikit-learn's default labels.
    const yTrue = f64([0, 1, 2, 0, 1, 2]);
    const yPred = f64([0, 2, 1, 0, 0, 1]);
    expect(precisionRecallF1(yTrue, yPred, 4, 'macro').precision).toBeCloseTo(2 / 9, 15);
    expect(balancedAccuracy(yTrue, yPred, 4)).toBeCloseTo(1 / 3, 15);
  });

  it('when a predicted class never occurs in yTrue, then balanced accuracy averages recall over the true classes only', () => {
    expect(balancedAccuracy(f64([0, 0, 1, 1]), f64([0, 2, 1, 1]), 3)).toBe(0.75);
  });

  it('when K is 2, then binary precision/recall/F1 score class 1; when K is 3, then they are NaN and omitted', () => {
    const b = precisionRecallF1(f64([0, 1, 1, 1, 0]), f64([1, 1, 0, 1, 0]), 2, 'binary');
    expect(b.precision).toBeCloseTo(2 / 3, 15);
    expect(b.recall).toBeCloseTo(2 / 3, 15);
    expect(b.f1).toBeCloseTo(2 / 3, 15);
    expect(precisionRecallF1(f64([0, 1, 2]), f64([0, 1, 2]), 3, 'binary').precision).toBeNaN();
    const got = computeMetrics('classification', { yTrue: f64([0, 1, 2]), yPred: f64([0, 1, 2]) }, ['precision', 'accuracy']);
    expect(got).toEqual({ accuracy: 1 });
  });

  it('when nothing is predicted positive, then binary precision is 0 (zero_division) rather than NaN', () => {
    const b = precisionRecallF1(f64([0, 1, 1]), f64([0, 0, 0]), 2, 'binary');
    expect(b).toEqual({ precision: 0, recall: 0, f1: 0 });
  });

  it('when scores are the scikit-learn example, then ROC-AUC is 0.75 and PR-AUC is 5/6', () => {
    const yTrue = f64([0, 0, 1, 1]);
    const proba = f64([0.9, 0.1, 0.6, 0.4, 0.65, 0.35, 0.2, 0.8]);
    expect(rocAuc(yTrue, proba, 2)).toBeCloseTo(0.75, 15);
    expect(prAuc(yTrue, proba, 2)).toBeCloseTo(5 / 6, 15);
  });

  it('when a positive and a negative share a score, then the pair counts one half and row order does not matter', () => {
    // Pairs (neg, pos): (0.2, 0.5) win, (0.2, 0.9) win, (0.5, 0.5) tie, (0.5, 0.9) win: 3.5 / 4.
    const scores = f64([0.2, 0.5, 0.5, 0.9]);
    expect(rocAucBinary(Uint8Array.from([0, 1, 0, 1]), scores)).toBe(0.875);
    expect(rocAucBinary(Uint8Array.from([0, 0, 1, 1]), scores)).toBe(0.875);
    // All scores tied: one step from (0, 0) to (1, 1).
    expect(rocAucBinary(Uint8Array.from([0, 1, 0, 1]), f64([0.3, 0.3, 0.3, 0.3]))).toBe(0.5);
    const curve = rocCurve(Uint8Array.from([0, 1, 0, 1]), f64([0.3, 0.3, 0.3, 0.3]));
    expect(Array.from(curve.fpr)).toEqual([0, 1]);
    expect(Array.from(curve.tpr)).toEqual([0, 1]);
  });

  it('when yTrue holds one class only, then roc_auc and pr_auc are NaN and left out of computeMetrics', () => {
    const yTrue = f64([0, 0, 0]);
    const proba = f64([0.8, 0.2, 0.6, 0.4, 0.3, 0.7]);
    expect(rocAuc(yTrue, proba, 2)).toBeNaN();
    expect(prAuc(yTrue, proba, 2)).toBeNaN();
    const got = computeMetrics('classification', { yTrue, yPred: f64([0, 0, 1]), proba });
    expect(got).not.toHaveProperty('roc_auc');
    expect(got).not.toHaveProperty('pr_auc');
    expect(got.accuracy).toBeCloseTo(2 / 3, 15);
    expect(got.log_loss).toBeCloseTo(-(Math.log(0.8) + Math.log(0.6) + Math.log(0.3)) / 3, 14);
  });

  it('when log loss sees the scikit-learn example, then it is the mean negative log of the true-class probability', () => {
    const yTrue = f64([1, 0, 0, 1]);
    const proba = f64([0.1, 0.9, 0.9, 0.1, 0.8, 0.2, 0.35, 0.65]);
    expect(logLoss(yTrue, proba, 2)).toBeCloseTo(-(Math.log(0.9) + Math.log(0.9) + Math.log(0.8) + Math.log(0.65)) / 4, 14);
  });

  it('when the true class has probability 0, then log loss clips it at machine epsilon (scikit-learn 1.2), not 1e-15', () => {
    expect(logLoss(f64([1]), f64([1, 0]), 2)).toBe(-Math.log(Number.EPSILON));
  });

  it('when rows do not sum to 1, then log loss renormalises them after clipping', () => {
    expect(logLoss(f64([0, 1]), f64([0.2, 0.2, 0.3, 0.1]), 2)).toBeCloseTo(-(Math.log(0.5) + Math.log(0.25)) / 2, 15);
  });

  it('when Brier is binary, then it is the MSE of p(class 1); when multiclass, then the mean of per-row sums', () => {
    expect(brierScore(f64([0, 1]), f64([0.9, 0.1, 0.2, 0.8]), 2)).toBeCloseTo(0.025, 15);
    expect(brierScore(f64([0]), f64([0.7, 0.2, 0.1]), 3)).toBeCloseTo(0.14, 15);
  });

  it('when labels are (true, predicted) pairs, then the confusion matrix counts rows = true, columns = predicted', () => {
    const cm = confusionMatrix(f64([0, 0, 1, 2, 2, 2]), f64([0, 1, 1, 2, 0, 2]), 3);
    expect(confusionMatrixRows(cm, 3)).toEqual([
      [1, 1, 0],
      [0, 1, 0],
      [1, 0, 2],
    ]);
    expect(Array.from(confusionMatrix(f64([0, 1]), f64([1, 1]), 2, f64([0.5, 2])))).toEqual([0, 0.5, 0, 2]);
  });
});
