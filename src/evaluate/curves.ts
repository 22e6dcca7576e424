// Binary ROC and precision-recall curves and the areas under them, as scikit-learn 1.2 computes
// them: rows are sorted by score once, every distinct score is one threshold (so tied scores form
// one step, never a staircase that depends on row order), and rows with weight 0 are dropped.

import { SomaError } from '../errors.js';

/**
 * Cumulative (weighted) true- and false-positive counts at each distinct score, highest score
 * first: scikit-learn's `_binary_clf_curve`. `thresholds[i]` is the score, `tps[i]` / `fps[i]`
 * count the rows with score >= it.
 */
export interface ThresholdCounts {
  readonly thresholds: Float64Array;
  readonly tps: Float64Array;
  readonly fps: Float64Array;
}

/**
 * Counts for a binary problem. `positive[i]` is 1 when row i belongs to the positive class;
 * NaN scores throw DATA_BAD_VALUE (their order is undefined).
 */
export function thresholdCounts(positive: Uint8Array, scores: Float64Array, sampleWeight?: Float64Array): ThresholdCounts {
  for (let i = 0; i < scores.length; i++) {
    if (Number.isNaN(scores[i]!)) throw new SomaError('DATA_BAD_VALUE', `score of row ${i} is NaN`, { details: { row: i } });
  }
  return sampleWeight === undefined ? countsUnweighted(positive, scores) : countsWeighted(positive, scores, sampleWeight);
}

/**
 * Without weights only the scores of each class matter, so the two classes' scores are sorted
 * apart with the native numeric sort (no comparator callback: about 10x faster on a million rows)
 * and merged from the top.
 */
function countsUnweighted(positive: Uint8Array, scores: Float64Array): ThresholdCounts {
  const n = scores.length;
  let nPos = 0;
  for (let i = 0; i < n; i++) nPos += positive[i] === 1 ? 1 : 0;
  const pos = new Float64Array(nPos);
  const neg = new Float64Array(n - nPos);
  let a = 0;
  let b = 0;
  for (let i = 0; i < n; i++) {
    if (positive[i] === 1) pos[a++] = scores[i]!;
    else neg[b++] = scores[i]!;
  }
  pos.sort();
  neg.sort();

  const thresholds = new Float64Array(n);
  const tps = new Float64Array(n);
  const fps = new Float64Array(n);
  let i = pos.length - 1;
  let j = neg.length - 1;
  let tp = 0;
  let fp = 0;
  let out = 0;
  while (i >= 0 || j >= 0) {
    const v = i < 0 ? neg[j]! : j < 0 ? pos[i]! : Math.max(pos[i]!, neg[j]!);
    // `===` groups -0 with 0, as numpy's np.diff does.
    while (i >= 0 && pos[i] === v) {
      tp++;
      i--;
    }
    while (j >= 0 && neg[j] === v) {
      fp++;
      j--;
    }
    thresholds[out] = v;
    tps[out] = tp;
    fps[out] = fp;
    out++;
  }
  return { thresholds: thresholds.slice(0, out), tps: tps.slice(0, out), fps: fps.slice(0, out) };
}

function countsWeighted(positive: Uint8Array, scores: Float64Array, sampleWeight: Float64Array): ThresholdCounts {
  const n = scores.length;
  // Zero-weight rows are dropped first, as scikit-learn does, so they cannot add thresholds.
  let m = 0;
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) if (sampleWeight[i] !== 0) order[m++] = i;
  const idx = order.subarray(0, m);
  // Comparisons, not subtraction, so infinite scores still sort (Inf - Inf is NaN).
  idx.sort((x, y) => (scores[x]! > scores[y]! ? -1 : scores[x]! < scores[y]! ? 1 : 0));

  const thresholds = new Float64Array(m);
  const tps = new Float64Array(m);
  const fps = new Float64Array(m);
  let tp = 0;
  let fp = 0;
  let out = 0;
  for (let k = 0; k < m; k++) {
    const i = idx[k]!;
    const w = sampleWeight[i]!;
    if (positive[i] === 1) tp += w;
    else fp += w;
    // Close a threshold only after the last row of a run of equal scores.
    if (k === m - 1 || scores[idx[k + 1]!] !== scores[i]) {
      thresholds[out] = scores[i]!;
      tps[out] = tp;
      fps[out] = fp;
      out++;
    }
  }
  return { thresholds: thresholds.slice(0, out), tps: tps.slice(0, out), fps: fps.slice(0, out) };
}

export interface RocCurve {
  /** False-positive rate, from 0 up to 1. */
  readonly fpr: Float64Array;
  /** True-positive rate, from 0 up to 1. */
  readonly tpr: Float64Array;
  /**
   * Decreasing thresholds; the first is max(score) + 1 (scikit-learn 1.2's convention, and unlike
   * the later `inf` it survives JSON).
   */
  readonly thresholds: Float64Array;
}

/**
 * The ROC curve with collinear intermediate points dropped (scikit-learn's
 * `roc_curve(drop_intermediate=True)`), which keeps report charts small without changing the
 * area. Rates are NaN when the data holds no negatives (fpr) or no positives (tpr).
 */
export function rocCurve(positive: Uint8Array, scores: Float64Array, sampleWeight?: Float64Array): RocCurve {
  const { thresholds, tps, fps } = thresholdCounts(positive, scores, sampleWeight);
  const m = thresholds.length;
  const keep: number[] = [];
  for (let i = 0; i < m; i++) {
    if (i === 0 || i === m - 1 || m <= 2) {
      keep.push(i);
      continue;
    }
    // Second differences written as scikit-learn's np.diff(_, 2), so float rounding agrees.
    const d2f = fps[i + 1]! - fps[i]! - (fps[i]! - fps[i - 1]!);
    const d2t = tps[i + 1]! - tps[i]! - (tps[i]! - tps[i - 1]!);
    if (d2f !== 0 || d2t !== 0) keep.push(i);
  }
  const len = keep.length + 1;
  const fpr = new Float64Array(len);
  const tpr = new Float64Array(len);
  const thr = new Float64Array(len);
  const totalF = m > 0 ? fps[m - 1]! : 0;
  const totalT = m > 0 ? tps[m - 1]! : 0;
  thr[0] = m > 0 ? thresholds[0]! + 1 : 1;
  fpr[0] = totalF > 0 ? 0 : NaN;
  tpr[0] = totalT > 0 ? 0 : NaN;
  for (let j = 0; j < keep.length; j++) {
    const i = keep[j]!;
    fpr[j + 1] = totalF > 0 ? fps[i]! / totalF : NaN;
    tpr[j + 1] = totalT > 0 ? tps[i]! / totalT : NaN;
    thr[j + 1] = thresholds[i]!;
  }
  return { fpr, tpr, thresholds: thr };
}

export interface PrecisionRecallCurve {
  /** Precision at each threshold in increasing-threshold order, then a final 1. */
  readonly precision: Float64Array;
  /** Recall at each threshold in increasing-threshold order (so decreasing), then a final 0. */
  readonly recall: Float64Array;
  /** Increasing thresholds; one fewer than the precision and recall points. */
  readonly thresholds: Float64Array;
}

/**
 * scikit-learn 1.2's `precision_recall_curve`, point for point (no points dropped). With no
 * positive rows recall is 1 at every threshold, as there.
 */
export function precisionRecallCurve(positive: Uint8Array, scores: Float64Array, sampleWeight?: Float64Array): PrecisionRecallCurve {
  const { thresholds, tps, fps } = thresholdCounts(positive, scores, sampleWeight);
  const m = thresholds.length;
  const precision = new Float64Array(m + 1);
  const recall = new Float64Array(m + 1);
  const thr = new Float64Array(m);
  const totalT = m > 0 ? tps[m - 1]! : 0;
  for (let i = 0; i < m; i++) {
    const j = m - 1 - i;
    const predicted = tps[i]! + fps[i]!;
    precision[j] = predicted !== 0 ? tps[i]! / predicted : 0;
    recall[j] = totalT === 0 ? 1 : tps[i]! / totalT;
    thr[j] = thresholds[i]!;
  }
  precision[m] = 1;
  recall[m] = 0;
  return { precision, recall, thresholds: thr };
}

/**
 * Area under the ROC curve by the trapezoidal rule over every distinct threshold (dropping
 * collinear points, as `roc_curve` does, cannot change the area). NaN when only one class has
 * (non-zero-weight) rows: the area is undefined there, where scikit-learn raises.
 */
export function rocAucBinary(positive: Uint8Array, scores: Float64Array, sampleWeight?: Float64Array): number {
  return rocAucFromCounts(thresholdCounts(positive, scores, sampleWeight));
}

/** ROC-AUC from counts already built, so ROC-AUC and PR-AUC can share one sort. */
export function rocAucFromCounts(counts: ThresholdCounts): number {
  const { tps, fps } = counts;
  const m = tps.length;
  if (m === 0) return NaN;
  const totalT = tps[m - 1]!;
  const totalF = fps[m - 1]!;
  if (!(totalT > 0) || !(totalF > 0)) return NaN;
  let area = 0;
  let prevF = 0;
  let prevT = 0;
  for (let i = 0; i < m; i++) {
    const f = fps[i]! / totalF;
    const t = tps[i]! / totalT;
    area += ((f - prevF) * (t + prevT)) / 2;
    prevF = f;
    prevT = t;
  }
  return area;
}

/**
 * Average precision, sum over thresholds of (R_i - R_{i-1}) * P_i: scikit-learn's
 * `average_precision_score` (a step integral, not the optimistic trapezoid). NaN when no row is
 * positive: scikit-learn returns 0 there with a warning, soma treats it as undefined.
 */
export function averagePrecisionBinary(positive: Uint8Array, scores: Float64Array, sampleWeight?: Float64Array): number {
  return averagePrecisionFromCounts(thresholdCounts(positive, scores, sampleWeight));
}

/** Average precision from counts already built. */
export function averagePrecisionFromCounts(counts: ThresholdCounts): number {
  const { tps, fps } = counts;
  const m = tps.length;
  if (m === 0) return NaN;
  const totalT = tps[m - 1]!;
  if (!(totalT > 0)) return NaN;
  let ap = 0;
  let prevR = 0;
  for (let i = 0; i < m; i++) {
    const r = tps[i]! / totalT;
    const predicted = tps[i]! + fps[i]!;
    const p = predicted !== 0 ? tps[i]! / predicted : 0;
    ap += (r - prevR) * p;
    prevR = r;
  }
  return ap;
}
