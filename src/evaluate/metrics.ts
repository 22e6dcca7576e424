// Classification and regression metrics on typed arrays, matching scikit-learn 1.2.1 (Debian's
// python3-sklearn, the anchor of the fixtures in test/fixtures/metrics/), and the `computeMetrics`
// façade that train, evaluate, search and the quality gates call by metric name.
//
// Inputs: `yTrue` / `yPred` hold class indices 0..K-1 (classification) or values (regression);
// `proba` is row-major n x K; `sampleWeight` is optional everywhere. Public functions check their
// inputs and then run a kernel; `computeMetrics` checks once and runs the kernels directly.
//
// Choices where scikit-learn leaves room, or where soma deliberately differs:
// - A metric that is undefined for the data (ROC-AUC with one class present, R2 with one row,
//   binary precision with K != 2, ...) is NaN from the single functions and omitted from
//   `computeMetrics`' record, so a JSON report never carries NaN (JSON cannot hold it).
// - Macro / weighted precision, recall and F1 run over the classes present in yTrue or yPred
//   (scikit-learn's default `labels`); zero_division gives 0, as scikit-learn's "warn" default.
// - ROC-AUC and PR-AUC for K > 2 are one-vs-rest macro averages over all K classes and are
//   undefined unless every class occurs in yTrue (scikit-learn raises there). PR-AUC is also
//   undefined when the positive class never occurs (scikit-learn returns 0 with a warning).
// - Log loss clips at float64 machine epsilon (2.22e-16), then renormalises each row: that is
//   scikit-learn 1.2's default `eps="auto"`; the 1e-15 of older versions differs once p hits 0.
// - Brier score: binary is the mean squared error of p(class 1) (scikit-learn's
//   `brier_score_loss`); for K > 2 it is the mean over rows of the sum over classes of
//   (onehot - p)^2 (Brier's definition; scikit-learn 1.2 has no multiclass Brier), so it ranges
//   0..2 where the binary one ranges 0..1.
// - No check that probability rows sum to 1 (scikit-learn's multiclass ROC-AUC raises on that).

import { SomaError } from '../errors.js';
import { editDistance } from '../util/edit-distance.js';
import type { Task } from '../engine/matrix.js';
import { classTotals, confusionCounts, presentClasses, type ClassTotals } from './confusion.js';
import { averagePrecisionFromCounts, rocAucFromCounts, thresholdCounts, type ThresholdCounts } from './curves.js';

/** Every classification metric `computeMetrics` knows, in report order. */
const CLASSIFICATION_METRICS = [
  'accuracy',
  'balanced_accuracy',
  'precision',
  'recall',
  'f1',
  'precision_micro',
  'recall_micro',
  'f1_micro',
  'precision_macro',
  'recall_macro',
  'f1_macro',
  'precision_weighted',
  'recall_weighted',
  'f1_weighted',
  'roc_auc',
  'pr_auc',
  'log_loss',
  'brier',
] as const;

const REGRESSION_METRICS = ['mse', 'rmse', 'mae', 'mape', 'r2', 'explained_variance'] as const;

export type ClassificationMetricName = (typeof CLASSIFICATION_METRICS)[number];
export type RegressionMetricName = (typeof REGRESSION_METRICS)[number];
export type MetricName = ClassificationMetricName | RegressionMetricName;

/** The metric names each task accepts (`evaluate.metrics`, `search.metric`, gates). */
export const METRIC_NAMES: Readonly<Record<Task, readonly MetricName[]>> = {
  classification: CLASSIFICATION_METRICS,
  regression: REGRESSION_METRICS,
};

/** What `computeMetrics` reports when no names are given. */
export const DEFAULT_METRICS: Readonly<Record<Task, readonly MetricName[]>> = {
  classification: ['accuracy', 'balanced_accuracy', 'precision_macro', 'recall_macro', 'f1_macro', 'roc_auc', 'pr_auc', 'log_loss'],
  regression: ['mse', 'rmse', 'mae', 'mape', 'r2', 'explained_variance'],
};

/** Metrics that need class probabilities; without `proba` they are left out. */
const NEEDS_PROBA: ReadonlySet<string> = new Set(['roc_auc', 'pr_auc', 'log_loss', 'brier']);

/** Losses and errors: lower is better. Every other metric is maximised. */
const MINIMIZE: ReadonlySet<string> = new Set(['log_loss', 'brier', 'mse', 'rmse', 'mae', 'mape']);

const ALL_METRICS: ReadonlySet<string> = new Set<string>([...CLASSIFICATION_METRICS, ...REGRESSION_METRICS]);

/** The averaging modes of precision / recall / F1; 'binary' scores the positive class 1 alone. */
export type Average = 'binary' | 'micro' | 'macro' | 'weighted';

export interface MetricInput {
  /** Class indices 0..K-1 (classification) or target values (regression). */
  readonly yTrue: Float64Array;
  /** Predicted class indices or values, same length as yTrue. */
  readonly yPred: Float64Array;
  /** Class probabilities, row-major n x K (classification only). */
  readonly proba?: Float64Array;
  /** K; when absent, taken from proba's width, else from the largest label + 1. */
  readonly nClasses?: number;
  /** Non-negative row weights. */
  readonly sampleWeight?: Float64Array;
}

/** Float64 machine epsilon: scikit-learn's MAPE floor for |y| and 1.2's log-loss clip. */
const EPS = Number.EPSILON;

// ---------------------------------------------------------------------------------------------
// Names and directions

export function isMetricName(name: string): name is MetricName {
  return ALL_METRICS.has(name);
}

/** Whether a larger value of the metric is better; throws CONFIG_INVALID for an unknown name. */
export function metricDirection(name: string): 'maximize' | 'minimize' {
  if (!ALL_METRICS.has(name)) throw unknownMetric(name, undefined);
  return MINIMIZE.has(name) ? 'minimize' : 'maximize';
}

function unknownMetric(name: string, task: Task | undefined): SomaError {
  const known = task === undefined ? [...ALL_METRICS] : [...METRIC_NAMES[task]];
  const otherTask = task !== undefined && ALL_METRICS.has(name);
  const message = otherTask
    ? `metric "${name}" is not a ${task} metric (expected one of: ${known.join(', ')})`
    : `unknown metric "${name}"${task === undefined ? '' : ` for ${task}`} (expected one of: ${known.join(', ')})`;
  const near = closest(name, known);
  return new SomaError('CONFIG_INVALID', message, {
    ...(near === undefined ? {} : { hint: `did you mean "${near}"?` }),
    details: { metric: name, known, ...(task === undefined ? {} : { task }) },
  });
}

/** The known name within edit distance 2 of `name`, for "did you mean". */
function closest(name: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = 3;
  for (const k of known) {
    const d = editDistance(name, k);
    if (d < bestD) {
      bestD = d;
      best = k;
    }
  }
  return best;
}

// ---------------------------------------------------------------------------------------------
// Input checks: shape mismatches are soma's own bugs (INTERNAL); bad values come from data.

function checkLength(what: string, arr: ArrayLike<number>, n: number): void {
  if (arr.length !== n) throw new SomaError('INTERNAL', `${what} has ${arr.length} values, expected ${n} (one per row of yTrue)`);
}

function checkRows(yTrue: Float64Array): void {
  if (yTrue.length === 0) throw new SomaError('DATA_EMPTY', 'cannot compute metrics on 0 rows');
}

function checkLabels(what: string, y: Float64Array, k: number): void {
  for (let i = 0; i < y.length; i++) {
    const v = y[i]!;
    if (!(v >= 0 && v < k && Number.isInteger(v))) {
      throw new SomaError('DATA_BAD_VALUE', `${what}[${i}] is ${v}, not a class index (expected an integer in 0..${k - 1})`, {
        details: { array: what, row: i, value: v, nClasses: k },
      });
    }
  }
}

function checkFinite(what: string, y: Float64Array): void {
  for (let i = 0; i < y.length; i++) {
    if (!Number.isFinite(y[i]!)) {
      throw new SomaError('DATA_BAD_VALUE', `${what}[${i}] is ${y[i]}, expected a finite number`, { details: { array: what, row: i } });
    }
  }
}

function checkWeights(w: Float64Array | undefined, n: number): void {
  if (w === undefined) return;
  checkLength('sampleWeight', w, n);
  for (let i = 0; i < n; i++) {
    const v = w[i]!;
    if (!(v >= 0 && v < Infinity)) {
      throw new SomaError('DATA_BAD_VALUE', `sampleWeight[${i}] is ${v}, expected a finite number >= 0`, { details: { row: i, value: v } });
    }
  }
}

function checkProba(proba: Float64Array, n: number, k: number): void {
  if (proba.length !== n * k) {
    throw new SomaError('INTERNAL', `proba has ${proba.length} values, expected ${n} rows x ${k} classes = ${n * k}`);
  }
  for (let i = 0; i < proba.length; i++) {
    if (Number.isNaN(proba[i]!)) {
      const row = Math.floor(i / k);
      throw new SomaError('DATA_BAD_VALUE', `proba row ${row}, class ${i % k} is NaN`, { details: { row, class: i % k } });
    }
  }
}

function checkClassification(yTrue: Float64Array, yPred: Float64Array | undefined, k: number, w: Float64Array | undefined): void {
  checkRows(yTrue);
  if (!(Number.isInteger(k) && k >= 1)) throw new SomaError('INTERNAL', `nClasses is ${k}, expected an integer >= 1`);
  checkLabels('yTrue', yTrue, k);
  if (yPred !== undefined) {
    checkLength('yPred', yPred, yTrue.length);
    checkLabels('yPred', yPred, k);
  }
  checkWeights(w, yTrue.length);
}

function checkRegression(yTrue: Float64Array, yPred: Float64Array, w: Float64Array | undefined): void {
  checkRows(yTrue);
  checkLength('yPred', yPred, yTrue.length);
  checkFinite('yTrue', yTrue);
  checkFinite('yPred', yPred);
  checkWeights(w, yTrue.length);
}

// ---------------------------------------------------------------------------------------------
// Classification: public checked functions

/** Share of rows predicted correctly (weighted when weights are given). */
export function accuracy(yTrue: Float64Array, yPred: Float64Array, sampleWeight?: Float64Array): number {
  checkRows(yTrue);
  checkLength('yPred', yPred, yTrue.length);
  checkWeights(sampleWeight, yTrue.length);
  return accuracyKernel(yTrue, yPred, sampleWeight);
}

/** K x K (weighted) counts, row-major, rows = true class, columns = predicted class. */
export function confusionMatrix(yTrue: Float64Array, yPred: Float64Array, nClasses: number, sampleWeight?: Float64Array): Float64Array {
  checkClassification(yTrue, yPred, nClasses, sampleWeight);
  return confusionCounts(yTrue, yPred, nClasses, sampleWeight);
}

/** Mean recall over the classes that occur in yTrue (scikit-learn drops the others, with a warning). */
export function balancedAccuracy(yTrue: Float64Array, yPred: Float64Array, nClasses: number, sampleWeight?: Float64Array): number {
  checkClassification(yTrue, yPred, nClasses, sampleWeight);
  return balancedAccuracyKernel(classTotals(confusionCounts(yTrue, yPred, nClasses, sampleWeight), nClasses));
}

export interface PrecisionRecallF1 {
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
}

/**
 * Precision, recall and F1 under one averaging mode. 'binary' scores class 1 and is NaN unless
 * K = 2; the others average over the classes present in yTrue or yPred.
 */
export function precisionRecallF1(
  yTrue: Float64Array,
  yPred: Float64Array,
  nClasses: number,
  average: Average,
  sampleWeight?: Float64Array,
): PrecisionRecallF1 {
  checkClassification(yTrue, yPred, nClasses, sampleWeight);
  const totals = classTotals(confusionCounts(yTrue, yPred, nClasses, sampleWeight), nClasses);
  return prfKernel(totals, presentClasses(yTrue, yPred, nClasses), average);
}

/** ROC-AUC: binary on p(class 1) when K = 2, one-vs-rest macro average when K > 2. */
export function rocAuc(yTrue: Float64Array, proba: Float64Array, nClasses: number, sampleWeight?: Float64Array): number {
  checkClassification(yTrue, undefined, nClasses, sampleWeight);
  checkProba(proba, yTrue.length, nClasses);
  return ovrMean(rocAucFromCounts, ovrCounts(yTrue, proba, nClasses, sampleWeight));
}

/** PR-AUC as average precision: binary on p(class 1) when K = 2, one-vs-rest macro when K > 2. */
export function prAuc(yTrue: Float64Array, proba: Float64Array, nClasses: number, sampleWeight?: Float64Array): number {
  checkClassification(yTrue, undefined, nClasses, sampleWeight);
  checkProba(proba, yTrue.length, nClasses);
  return ovrMean(averagePrecisionFromCounts, ovrCounts(yTrue, proba, nClasses, sampleWeight));
}

/** Mean negative log-likelihood of the true class, after clipping and renormalising each row. */
export function logLoss(yTrue: Float64Array, proba: Float64Array, nClasses: number, sampleWeight?: Float64Array): number {
  checkClassification(yTrue, undefined, nClasses, sampleWeight);
  checkProba(proba, yTrue.length, nClasses);
  return logLossKernel(yTrue, proba, nClasses, sampleWeight);
}

/** Brier score: binary MSE of p(class 1) when K = 2; mean over rows of the sum over classes when K > 2. */
export function brierScore(yTrue: Float64Array, proba: Float64Array, nClasses: number, sampleWeight?: Float64Array): number {
  checkClassification(yTrue, undefined, nClasses, sampleWeight);
  checkProba(proba, yTrue.length, nClasses);
  return brierKernel(yTrue, proba, nClasses, sampleWeight);
}

// ---------------------------------------------------------------------------------------------
// Classification kernels (inputs already checked)

function accuracyKernel(yTrue: Float64Array, yPred: Float64Array, w: Float64Array | undefined): number {
  let hit = 0;
  let total = 0;
  for (let i = 0; i < yTrue.length; i++) {
    const wi = w === undefined ? 1 : w[i]!;
    if (yTrue[i] === yPred[i]) hit += wi;
    total += wi;
  }
  return total > 0 ? hit / total : NaN;
}

function balancedAccuracyKernel(t: ClassTotals): number {
  let sum = 0;
  let count = 0;
  for (let c = 0; c < t.tp.length; c++) {
    if (t.actual[c]! > 0) {
      sum += t.tp[c]! / t.actual[c]!;
      count++;
    }
  }
  return count > 0 ? sum / count : NaN;
}

/** scikit-learn's F-score formula with zero_division = 0 in precision and recall. */
function fScore(p: number, r: number): number {
  const denom = p + r;
  return (2 * p * r) / (denom === 0 ? 1 : denom);
}

function prfKernel(t: ClassTotals, present: Uint8Array, average: Average): PrecisionRecallF1 {
  const k = t.tp.length;
  if (average === 'binary') {
    if (k !== 2) return { precision: NaN, recall: NaN, f1: NaN };
    const p = t.predicted[1]! > 0 ? t.tp[1]! / t.predicted[1]! : 0;
    const r = t.actual[1]! > 0 ? t.tp[1]! / t.actual[1]! : 0;
    return { precision: p, recall: r, f1: fScore(p, r) };
  }
  if (average === 'micro') {
    let tp = 0;
    let predicted = 0;
    let actual = 0;
    for (let c = 0; c < k; c++) {
      if (present[c] !== 1) continue;
      tp += t.tp[c]!;
      predicted += t.predicted[c]!;
      actual += t.actual[c]!;
    }
    const p = predicted > 0 ? tp / predicted : 0;
    const r = actual > 0 ? tp / actual : 0;
    return { precision: p, recall: r, f1: fScore(p, r) };
  }
  let sp = 0;
  let sr = 0;
  let sf = 0;
  let norm = 0;
  for (let c = 0; c < k; c++) {
    if (present[c] !== 1) continue;
    const p = t.predicted[c]! > 0 ? t.tp[c]! / t.predicted[c]! : 0;
    const r = t.actual[c]! > 0 ? t.tp[c]! / t.actual[c]! : 0;
    const wc = average === 'weighted' ? t.actual[c]! : 1;
    sp += p * wc;
    sr += r * wc;
    sf += fScore(p, r) * wc;
    norm += wc;
  }
  // Weighted with zero total support: every score is zero_division = 0, as scikit-learn.
  if (norm === 0) return { precision: 0, recall: 0, f1: 0 };
  return { precision: sp / norm, recall: sr / norm, f1: sf / norm };
}

type CountsScore = (counts: ThresholdCounts) => number;

/**
 * The one-vs-rest threshold counts a curve metric needs: class 1 alone when K = 2, every class
 * when K > 2. Computed once per call of computeMetrics, since ROC-AUC and PR-AUC share them and
 * the sort is their whole cost.
 */
function ovrCounts(yTrue: Float64Array, proba: Float64Array, k: number, w: Float64Array | undefined): ThresholdCounts[] {
  const n = yTrue.length;
  if (k < 2) return [];
  const positive = new Uint8Array(n);
  const column = new Float64Array(n);
  const classes = k === 2 ? [1] : Array.from({ length: k }, (_, c) => c);
  return classes.map((c) => {
    for (let i = 0; i < n; i++) {
      positive[i] = yTrue[i] === c ? 1 : 0;
      column[i] = proba[i * k + c]!;
    }
    return thresholdCounts(positive, column, w);
  });
}

/** The macro mean of a curve score over the one-vs-rest problems; NaN if any is undefined. */
function ovrMean(score: CountsScore, perClass: readonly ThresholdCounts[]): number {
  if (perClass.length === 0) return NaN;
  let sum = 0;
  for (const counts of perClass) {
    const s = score(counts);
    // One undefined class makes the macro average undefined (scikit-learn raises).
    if (Number.isNaN(s)) return NaN;
    sum += s;
  }
  return sum / perClass.length;
}

function logLossKernel(yTrue: Float64Array, proba: Float64Array, k: number, w: Float64Array | undefined): number {
  if (k < 2) return NaN;
  const lo = EPS;
  const hi = 1 - EPS;
  let loss = 0;
  let total = 0;
  for (let i = 0; i < yTrue.length; i++) {
    const base = i * k;
    let rowSum = 0;
    for (let c = 0; c < k; c++) rowSum += clip(proba[base + c]!, lo, hi);
    const p = clip(proba[base + yTrue[i]!]!, lo, hi) / rowSum;
    const wi = w === undefined ? 1 : w[i]!;
    loss += -Math.log(p) * wi;
    total += wi;
  }
  return total > 0 ? loss / total : NaN;
}

function clip(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}

function brierKernel(yTrue: Float64Array, proba: Float64Array, k: number, w: Float64Array | undefined): number {
  if (k < 2) return NaN;
  let sum = 0;
  let total = 0;
  for (let i = 0; i < yTrue.length; i++) {
    const base = i * k;
    const t = yTrue[i]!;
    let s = 0;
    if (k === 2) {
      const d = (t === 1 ? 1 : 0) - proba[base + 1]!;
      s = d * d;
    } else {
      for (let c = 0; c < k; c++) {
        const d = (t === c ? 1 : 0) - proba[base + c]!;
        s += d * d;
      }
    }
    const wi = w === undefined ? 1 : w[i]!;
    sum += s * wi;
    total += wi;
  }
  return total > 0 ? sum / total : NaN;
}

// ---------------------------------------------------------------------------------------------
// Regression

/** Weighted mean of f(i) over rows; NaN when the weights sum to 0. */
function weightedMean(n: number, w: Float64Array | undefined, f: (i: number) => number): number {
  let sum = 0;
  let total = 0;
  for (let i = 0; i < n; i++) {
    const wi = w === undefined ? 1 : w[i]!;
    sum += f(i) * wi;
    total += wi;
  }
  return total > 0 ? sum / total : NaN;
}

function mseKernel(y: Float64Array, p: Float64Array, w: Float64Array | undefined): number {
  return weightedMean(y.length, w, (i) => (y[i]! - p[i]!) ** 2);
}

function maeKernel(y: Float64Array, p: Float64Array, w: Float64Array | undefined): number {
  return weightedMean(y.length, w, (i) => Math.abs(y[i]! - p[i]!));
}

function mapeKernel(y: Float64Array, p: Float64Array, w: Float64Array | undefined): number {
  // A zero target divides by machine epsilon, as scikit-learn: the value explodes rather than
  // silently skipping the row, so a MAPE on data with zeros is visibly meaningless.
  return weightedMean(y.length, w, (i) => Math.abs(p[i]! - y[i]!) / Math.max(Math.abs(y[i]!), EPS));
}

/** scikit-learn's force_finite rule for R2 and explained variance. */
function oneMinusRatio(numerator: number, denominator: number): number {
  if (numerator === 0) return 1;
  if (denominator === 0) return 0;
  return 1 - numerator / denominator;
}

function r2Kernel(y: Float64Array, p: Float64Array, w: Float64Array | undefined): number {
  // scikit-learn counts rows, not weights, for this rule.
  if (y.length < 2) return NaN;
  const mean = weightedMean(y.length, w, (i) => y[i]!);
  let num = 0;
  let den = 0;
  for (let i = 0; i < y.length; i++) {
    const wi = w === undefined ? 1 : w[i]!;
    num += wi * (y[i]! - p[i]!) ** 2;
    den += wi * (y[i]! - mean) ** 2;
  }
  return oneMinusRatio(num, den);
}

function explainedVarianceKernel(y: Float64Array, p: Float64Array, w: Float64Array | undefined): number {
  const n = y.length;
  const diffMean = weightedMean(n, w, (i) => y[i]! - p[i]!);
  const num = weightedMean(n, w, (i) => (y[i]! - p[i]! - diffMean) ** 2);
  const mean = weightedMean(n, w, (i) => y[i]!);
  const den = weightedMean(n, w, (i) => (y[i]! - mean) ** 2);
  if (Number.isNaN(num) || Number.isNaN(den)) return NaN;
  return oneMinusRatio(num, den);
}

export function mse(yTrue: Float64Array, yPred: Float64Array, sampleWeight?: Float64Array): number {
  checkRegression(yTrue, yPred, sampleWeight);
  return mseKernel(yTrue, yPred, sampleWeight);
}

export function rmse(yTrue: Float64Array, yPred: Float64Array, sampleWeight?: Float64Array): number {
  checkRegression(yTrue, yPred, sampleWeight);
  return Math.sqrt(mseKernel(yTrue, yPred, sampleWeight));
}

export function mae(yTrue: Float64Array, yPred: Float64Array, sampleWeight?: Float64Array): number {
  checkRegression(yTrue, yPred, sampleWeight);
  return maeKernel(yTrue, yPred, sampleWeight);
}

/** Mean of |pred - true| / max(|true|, eps), a fraction (0.1 = 10 %), as scikit-learn. */
export function mape(yTrue: Float64Array, yPred: Float64Array, sampleWeight?: Float64Array): number {
  checkRegression(yTrue, yPred, sampleWeight);
  return mapeKernel(yTrue, yPred, sampleWeight);
}

/** Coefficient of determination; NaN with fewer than two rows, 1 or 0 for a constant target. */
export function r2(yTrue: Float64Array, yPred: Float64Array, sampleWeight?: Float64Array): number {
  checkRegression(yTrue, yPred, sampleWeight);
  return r2Kernel(yTrue, yPred, sampleWeight);
}

export function explainedVariance(yTrue: Float64Array, yPred: Float64Array, sampleWeight?: Float64Array): number {
  checkRegression(yTrue, yPred, sampleWeight);
  return explainedVarianceKernel(yTrue, yPred, sampleWeight);
}

// ---------------------------------------------------------------------------------------------
// Façade

/** Checks `names` against the task's metrics; unknown names throw CONFIG_INVALID. */
export function resolveMetricNames(task: Task, names?: readonly string[]): MetricName[] {
  if (names === undefined) return [...DEFAULT_METRICS[task]];
  const known: readonly string[] = METRIC_NAMES[task];
  const out: MetricName[] = [];
  for (const name of names) {
    if (!known.includes(name)) throw unknownMetric(name, task);
    if (!out.includes(name as MetricName)) out.push(name as MetricName);
  }
  return out;
}

/**
 * The named metrics (default: `DEFAULT_METRICS[task]`) as `{name: value}` in the order asked.
 * Undefined metrics are omitted, and so are probability metrics when `proba` is absent, so the
 * record is always JSON-safe. Sample weights apply to every metric.
 */
export function computeMetrics(task: Task, input: MetricInput, names?: readonly string[]): Record<string, number> {
  const wanted = resolveMetricNames(task, names);
  const { yTrue, yPred, proba, sampleWeight: w } = input;
  const out: Record<string, number> = {};
  const put = (name: string, value: number): void => {
    if (!Number.isNaN(value)) out[name] = value;
  };

  if (task === 'regression') {
    checkRegression(yTrue, yPred, w);
    for (const name of wanted) {
      switch (name) {
        case 'mse': put(name, mseKernel(yTrue, yPred, w)); break;
        case 'rmse': put(name, Math.sqrt(mseKernel(yTrue, yPred, w))); break;
        case 'mae': put(name, maeKernel(yTrue, yPred, w)); break;
        case 'mape': put(name, mapeKernel(yTrue, yPred, w)); break;
        case 'r2': put(name, r2Kernel(yTrue, yPred, w)); break;
        case 'explained_variance': put(name, explainedVarianceKernel(yTrue, yPred, w)); break;
        default: break;
      }
    }
    return out;
  }

  checkRows(yTrue);
  const k = input.nClasses ?? inferClasses(yTrue, yPred, proba);
  checkClassification(yTrue, yPred, k, w);
  if (proba !== undefined) checkProba(proba, yTrue.length, k);

  // The confusion matrix and presence mask are shared by every label metric; built once, lazily.
  let totals: ClassTotals | undefined;
  let present: Uint8Array | undefined;
  const prf = (average: Average): PrecisionRecallF1 => {
    totals ??= classTotals(confusionCounts(yTrue, yPred, k, w), k);
    present ??= presentClasses(yTrue, yPred, k);
    return prfKernel(totals, present, average);
  };
  let curves: ThresholdCounts[] | undefined;
  const ovr = (score: CountsScore): number => ovrMean(score, (curves ??= ovrCounts(yTrue, proba!, k, w)));

  for (const name of wanted) {
    if (NEEDS_PROBA.has(name) && proba === undefined) continue;
    switch (name) {
      case 'accuracy': put(name, accuracyKernel(yTrue, yPred, w)); break;
      case 'balanced_accuracy':
        totals ??= classTotals(confusionCounts(yTrue, yPred, k, w), k);
        put(name, balancedAccuracyKernel(totals));
        break;
      case 'precision': put(name, prf('binary').precision); break;
      case 'recall': put(name, prf('binary').recall); break;
      case 'f1': put(name, prf('binary').f1); break;
      case 'precision_micro': put(name, prf('micro').precision); break;
      case 'recall_micro': put(name, prf('micro').recall); break;
      case 'f1_micro': put(name, prf('micro').f1); break;
      case 'precision_macro': put(name, prf('macro').precision); break;
      case 'recall_macro': put(name, prf('macro').recall); break;
      case 'f1_macro': put(name, prf('macro').f1); break;
      case 'precision_weighted': put(name, prf('weighted').precision); break;
      case 'recall_weighted': put(name, prf('weighted').recall); break;
      case 'f1_weighted': put(name, prf('weighted').f1); break;
      case 'roc_auc': put(name, ovr(rocAucFromCounts)); break;
      case 'pr_auc': put(name, ovr(averagePrecisionFromCounts)); break;
      case 'log_loss': put(name, logLossKernel(yTrue, proba!, k, w)); break;
      case 'brier': put(name, brierKernel(yTrue, proba!, k, w)); break;
      default: break;
    }
  }
  return out;
}

/** K from proba's width, else from the largest label seen (labels are checked afterwards). */
function inferClasses(yTrue: Float64Array, yPred: Float64Array, proba: Float64Array | undefined): number {
  if (proba !== undefined) {
    const k = proba.length / yTrue.length;
    if (!Number.isInteger(k)) throw new SomaError('INTERNAL', `proba has ${proba.length} values, not a whole number of classes for ${yTrue.length} rows`);
    return k;
  }
  let max = 0;
  for (let i = 0; i < yTrue.length; i++) {
    if (yTrue[i]! > max) max = yTrue[i]!;
    if (i < yPred.length && yPred[i]! > max) max = yPred[i]!;
  }
  return Math.floor(max) + 1;
}
