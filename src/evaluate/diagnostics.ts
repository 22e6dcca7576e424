// The data behind the report's charts, computed once from a split's labels and predictions:
// ROC and precision-recall curves and calibration per class (one-vs-rest; binary tasks show the
// positive class only), the confusion matrix, and for regression a sample of predictions and
// residuals. Pure: typed arrays in, plain numbers out.

import { Rng } from '../engine/random.js';
import { calibrationCurve } from './calibration.js';
import { confusionCounts, confusionMatrixRows } from './confusion.js';
import { averagePrecisionFromCounts, precisionRecallCurve, rocAucFromCounts, rocCurve, thresholdCounts } from './curves.js';

export interface ClassCurves {
  label: string;
  roc: { fpr: number[]; tpr: number[]; auc: number | null };
  pr: { recall: number[]; precision: number[]; average_precision: number | null };
  calibration: { mean_predicted: number[]; fraction_positive: number[]; counts: number[] };
}

export interface ClassificationDiagnostics {
  kind: 'classification';
  classes: string[];
  /** Rows = true class, columns = predicted class. */
  confusion: number[][];
  /** Empty when no probabilities were available. */
  curves: ClassCurves[];
}

export interface RegressionDiagnostics {
  kind: 'regression';
  /** At most `maxPoints` rows, sampled without replacement (seeded) when the split is larger. */
  actual: number[];
  predicted: number[];
  residuals: number[];
  /** Rows in the split (the arrays may hold a sample of them). */
  rows: number;
}

/** The chart data a task's spec contributes; report-html draws each kind (a new kind fails to compile there until drawn). */
export type Diagnostics = ClassificationDiagnostics | RegressionDiagnostics;

/** Curves thinner than this many points keep every point; longer ones are thinned for the report. */
const MAX_CURVE_POINTS = 500;
/** Per-class curves drawn at most (the most frequent classes): beyond that a chart is a tangle. */
const MAX_CURVE_CLASSES = 10;

export function classificationDiagnostics(yTrue: Float64Array, yPred: Float64Array, proba: Float64Array | undefined, classes: readonly string[]): ClassificationDiagnostics {
  const k = classes.length;
  const confusion = confusionMatrixRows(confusionCounts(yTrue, yPred, k), k);
  const curves: ClassCurves[] = [];
  if (proba !== undefined && proba.length === yTrue.length * k) {
    const n = yTrue.length;
    // Binary: the positive class (index 1) says everything; class 0's curves are its mirror image.
    // Many classes: the most frequent ones, in class order.
    const support = new Float64Array(k);
    for (let i = 0; i < n; i++) support[yTrue[i]!]! += 1;
    const which =
      k === 2
        ? [1]
        : Array.from({ length: k }, (_, c) => c)
            .sort((a, b) => support[b]! - support[a]! || a - b)
            .slice(0, MAX_CURVE_CLASSES)
            .sort((a, b) => a - b);
    const positive = new Uint8Array(n);
    const score = new Float64Array(n);
    for (const c of which) {
      let any = 0;
      for (let i = 0; i < n; i++) {
        positive[i] = yTrue[i] === c ? 1 : 0;
        any += positive[i]!;
        score[i] = proba[i * k + c]!;
      }
      // A class absent from the split has no ROC or PR curve (its rates are undefined).
      if (any === 0 || any === n) continue;
      const counts = thresholdCounts(positive, score);
      const roc = rocCurve(positive, score);
      const pr = precisionRecallCurve(positive, score);
      const cal = calibrationCurve(positive, score, 10);
      curves.push({
        label: classes[c]!,
        roc: { ...thinPair(roc.fpr, roc.tpr, 'fpr', 'tpr'), auc: finite(rocAucFromCounts(counts)) },
        pr: { ...thinPair(pr.recall, pr.precision, 'recall', 'precision'), average_precision: finite(averagePrecisionFromCounts(counts)) },
        calibration: { mean_predicted: Array.from(cal.meanPredicted), fraction_positive: Array.from(cal.fractionPositive), counts: Array.from(cal.counts) },
      });
    }
  }
  return { kind: 'classification', classes: [...classes], confusion, curves };
}

export function regressionDiagnostics(yTrue: Float64Array, yPred: Float64Array, options: { maxPoints?: number; seed?: number } = {}): RegressionDiagnostics {
  const n = yTrue.length;
  const max = options.maxPoints ?? 2000;
  const idx = sampleRows(n, max, options.seed ?? 0);
  const actual: number[] = [];
  const predicted: number[] = [];
  const residuals: number[] = [];
  for (const i of idx) {
    actual.push(yTrue[i]!);
    predicted.push(yPred[i]!);
    residuals.push(yTrue[i]! - yPred[i]!);
  }
  return { kind: 'regression', actual, predicted, residuals, rows: n };
}

/** Row indices 0..n-1, or `max` of them drawn without replacement in ascending order. */
export function sampleRows(n: number, max: number, seed: number): Int32Array {
  if (n <= max) return Int32Array.from({ length: n }, (_, i) => i);
  const all = Int32Array.from({ length: n }, (_, i) => i);
  const rng = new Rng(seed);
  // Partial Fisher-Yates: the first `max` slots become a uniform sample.
  for (let i = 0; i < max; i++) {
    const j = i + rng.int(n - i);
    const t = all[i]!;
    all[i] = all[j]!;
    all[j] = t;
  }
  return all.slice(0, max).sort();
}

function thinPair<A extends string, B extends string>(a: Float64Array, b: Float64Array, nameA: A, nameB: B): Record<A | B, number[]> {
  const n = a.length;
  const keep: number[] = [];
  if (n <= MAX_CURVE_POINTS) for (let i = 0; i < n; i++) keep.push(i);
  else for (let k = 0; k < MAX_CURVE_POINTS; k++) keep.push(Math.round((k * (n - 1)) / (MAX_CURVE_POINTS - 1)));
  return { [nameA]: keep.map((i) => a[i]!), [nameB]: keep.map((i) => b[i]!) } as Record<A | B, number[]>;
}

function finite(v: number): number | null {
  return Number.isFinite(v) ? v : null;
}
