// Classification metrics on typed arrays, matching scikit-learn 1.2.1 (Debian's python3-sklearn,
// the anchor of the fixtures in test/fixtures/metrics/), and the classification metric family.
//
// Inputs: `yTrue` / `yPred` hold class indices 0..K-1; `proba` is row-major n x K;
// `sampleWeight` is optional everywhere. Public functions check their inputs and then run a
// kernel; the family's `compute` checks once and runs the kernels directly.
//
// Choices where scikit-learn leaves room, or where soma deliberately differs:
// - A metric that is undefined for the data (ROC-AUC with one class present, binary precision
//   with K != 2, ...) is NaN from the single functions and omitted from `computeMetrics`' record.
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

import { SomaError } from '../../errors.js';
import { classTotals, confusionCounts, presentClasses, type ClassTotals } from '../confusion.js';
import { averagePrecisionFromCounts, rocAucFromCounts, thresholdCounts, type ThresholdCounts } from '../curves.js';
import { checkClassification, checkLength, checkProba, checkRows, checkWeights } from './checks.js';
import type { MetricFamily, MetricInput, MetricSpec } from './family.js';

/** Every classification metric, in report order. */
const NAMES = [
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

export type ClassificationMetricName = (typeof NAMES)[number];

/** Losses: lower is better. Every other classification metric is maximised. */
const MINIMIZE: ReadonlySet<ClassificationMetricName> = new Set(['log_loss', 'brier']);
/** Metrics of the class probabilities rather than the predicted classes. */
const NEEDS_PROBA: ReadonlySet<ClassificationMetricName> = new Set(['roc_auc', 'pr_auc', 'log_loss', 'brier']);

/** The averaging modes of precision / recall / F1; 'binary' scores the positive class 1 alone. */
export type Average = 'binary' | 'micro' | 'macro' | 'weighted';

/** Float64 machine epsilon: scikit-learn 1.2's log-loss clip. */
const EPS = Number.EPSILON;

// ---------------------------------------------------------------------------------------------
// Public checked functions

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
// Kernels (inputs already checked)

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
// The family

export const classificationMetrics: MetricFamily = {
  task: 'classification',
  target: 'classes',
  metrics: NAMES.map((name): MetricSpec => ({ name, direction: MINIMIZE.has(name) ? 'minimize' : 'maximize', ...(NEEDS_PROBA.has(name) ? { needsProba: true } : {}) })),
  defaults: ['accuracy', 'balanced_accuracy', 'precision_macro', 'recall_macro', 'f1_macro', 'roc_auc', 'pr_auc', 'log_loss'],
  score: 'accuracy',
  groupMetrics: ['accuracy', 'balanced_accuracy', 'f1_macro'],
  compute: computeClassification,
};

function computeClassification(input: MetricInput, names: readonly string[]): Record<string, number> {
  const { yTrue, yPred, proba, sampleWeight: w } = input;
  const out: Record<string, number> = {};
  const put = (name: string, value: number): void => {
    if (!Number.isNaN(value)) out[name] = value;
  };
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

  for (const name of names as readonly ClassificationMetricName[]) {
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
      default: unreachable(name);
    }
  }
  return out;
}

/** Every declared metric has a case above: a name added to NAMES without one fails to compile. */
function unreachable(name: never): never {
  throw new SomaError('INTERNAL', `classification metric ${String(name)} has no kernel`);
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
