// Confusion matrices for classification: K x K (weighted) counts in one flat row-major
// Float64Array, rows = true class, columns = predicted class, as scikit-learn's
// `confusion_matrix(y_true, y_pred, labels=range(K))`. Precision, recall, F1 and balanced accuracy
// are all read off this one matrix, so the labels are walked exactly once.

/**
 * The K x K confusion matrix kernel, row-major: `cm[t * K + p]` is the (weighted) number of rows
 * whose true class is `t` and predicted class is `p`. Labels must already be valid class indices:
 * metrics.ts's `confusionMatrix` is the checked public entry point.
 */
export function confusionCounts(
  yTrue: Float64Array,
  yPred: Float64Array,
  nClasses: number,
  sampleWeight?: Float64Array,
): Float64Array {
  const k = nClasses;
  const cm = new Float64Array(k * k);
  const n = yTrue.length;
  if (sampleWeight === undefined) {
    for (let i = 0; i < n; i++) cm[yTrue[i]! * k + yPred[i]!]! += 1;
  } else {
    for (let i = 0; i < n; i++) cm[yTrue[i]! * k + yPred[i]!]! += sampleWeight[i]!;
  }
  return cm;
}

/** The flat matrix as nested rows, for JSON reports and tables. */
export function confusionMatrixRows(cm: Float64Array, nClasses: number): number[][] {
  const rows: number[][] = [];
  for (let t = 0; t < nClasses; t++) rows.push(Array.from(cm.subarray(t * nClasses, (t + 1) * nClasses)));
  return rows;
}

/** Per-class sufficient statistics for precision / recall / F1, taken from a confusion matrix. */
export interface ClassTotals {
  /** Diagonal: (weighted) true positives of each class. */
  readonly tp: Float64Array;
  /** Column sums: (weighted) number of rows predicted as each class. */
  readonly predicted: Float64Array;
  /** Row sums: (weighted) support of each class. */
  readonly actual: Float64Array;
}

export function classTotals(cm: Float64Array, nClasses: number): ClassTotals {
  const k = nClasses;
  const tp = new Float64Array(k);
  const predicted = new Float64Array(k);
  const actual = new Float64Array(k);
  for (let t = 0; t < k; t++) {
    tp[t] = cm[t * k + t]!;
    for (let p = 0; p < k; p++) {
      const v = cm[t * k + p]!;
      actual[t]! += v;
      predicted[p]! += v;
    }
  }
  return { tp, predicted, actual };
}

/**
 * Which classes occur in yTrue or yPred, by row count and not by weight: scikit-learn's
 * `unique_labels(y_true, y_pred)`, which decides the classes macro averages run over.
 */
export function presentClasses(yTrue: Float64Array, yPred: Float64Array, nClasses: number): Uint8Array {
  const present = new Uint8Array(nClasses);
  for (let i = 0; i < yTrue.length; i++) {
    present[yTrue[i]!] = 1;
    present[yPred[i]!] = 1;
  }
  return present;
}
