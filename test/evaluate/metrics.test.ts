// Metrics against scikit-learn 1.2.1's values (fixtures written by
// test/fixtures/metrics/make_fixtures.py and committed), plus tiny hand-computed cases.

import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SomaError } from '../../src/errors.js';
import type { Task } from '../../src/engine/matrix.js';
import { confusionMatrixRows } from '../../src/evaluate/confusion.js';
import { precisionRecallCurve, rocAucBinary, rocCurve, thresholdCounts } from '../../src/evaluate/curves.js';
import {
  DEFAULT_METRICS,
  METRIC_NAMES,
  accuracy,
  balancedAccuracy,
  brierScore,
  computeMetrics,
  confusionMatrix,
  explainedVariance,
  logLoss,
  mape,
  metricDirection,
  prAuc,
  precisionRecallF1,
  r2,
  rocAuc,
} from '../../src/evaluate/metrics.js';

interface Fixture {
  name: string;
  task: Task;
  nClasses?: number;
  yTrue: number[];
  yPred: number[];
  proba?: number[];
  sampleWeight: number[] | null;
  expected: Record<string, number>;
  omitted: string[];
  confusion?: number[][];
  curves?: {
    roc: { fpr: number[]; tpr: number[]; thresholds: number[] };
    pr: { precision: number[]; recall: number[]; thresholds: number[] };
  };
}

const fixtureDir = new URL('../fixtures/metrics/', import.meta.url);
const fixtures: Fixture[] = readdirSync(fixtureDir)
  .filter((f) => f.endsWith('.json'))
  .sort()
  .map((f) => JSON.parse(readFileSync(new URL(f, fixtureDir), 'utf8')) as Fixture);

const f64 = (a: readonly number[]): Float64Array => Float64Array.from(a);

function inputOf(fx: Fixture) {
  return {
    yTrue: f64(fx.yTrue),
    yPred: f64(fx.yPred),
    ...(fx.proba === undefined ? {} : { proba: f64(fx.proba) }),
    ...(fx.nClasses === undefined ? {} : { nClasses: fx.nClasses }),
    ...(fx.sampleWeight === null ? {} : { sampleWeight: f64(fx.sampleWeight) }),
  };
}

/** Relative closeness; an expected exact zero must come out as (almost) exact zero. */
function expectClose(actual: number | undefined, expected: number, label: string, rel = 1e-9): void {
  expect(actual, label).toBeTypeOf('number');
  const tol = rel * Math.max(Math.abs(expected), 1e-300);
  if (Math.abs(actual! - expected) > tol) {
    expect.fail(`${label}: got ${actual}, scikit-learn ${expected} (relative error ${Math.abs(actual! - expected) / Math.abs(expected)})`);
  }
}

function expectAllClose(actual: ArrayLike<number>, expected: readonly number[], label: string): void {
  expect(actual.length, `${label} length`).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    if (expected[i] === 0) expect(Math.abs(actual[i]!), `${label}[${i}]`).toBeLessThan(1e-15);
    else expectClose(actual[i], expected[i]!, `${label}[${i}]`);
  }
}

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

describe('curve kernels', () => {
  it('when every weight is 1, then the weighted path gives the same curves and areas as the unweighted one', () => {
    const fx = fixtures.find((f) => f.name === 'binary_ties')!;
    const positive = Uint8Array.from(fx.yTrue, (v) => (v === 1 ? 1 : 0));
    const scores = Float64Array.from(fx.yTrue, (_, i) => fx.proba![i * 2 + 1]!);
    const ones = new Float64Array(scores.length).fill(1);
    expect(thresholdCounts(positive, scores, ones)).toEqual(thresholdCounts(positive, scores));
    expect(rocAucBinary(positive, scores, ones)).toBe(rocAucBinary(positive, scores));
  });

  it('when scores include infinities and -0, then they sort and group like numbers (-0 ties with 0)', () => {
    const c = thresholdCounts(Uint8Array.from([1, 0, 1, 0, 1]), f64([Infinity, -0, 0, -Infinity, 0.5]));
    expect(Array.from(c.thresholds)).toEqual([Infinity, 0.5, 0, -Infinity]);
    expect(Array.from(c.tps)).toEqual([1, 2, 3, 3]);
    expect(Array.from(c.fps)).toEqual([0, 0, 1, 2]);
  });

  it('when a score is NaN, then DATA_BAD_VALUE names the row', () => {
    expect(() => rocAuc(f64([0, 1]), f64([0.5, 0.5, NaN, 0.5]), 2)).toThrow(/row 1/);
  });
});

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
