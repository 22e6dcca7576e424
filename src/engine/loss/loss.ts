// The losses boosting minimises: each gives per-row gradients and hessians of the raw prediction,
// its starting raw value from the data (base_score), its evaluation metric and its link function.

/** What createLoss needs besides the name; kept on each loss so a worker thread can rebuild it. */
export interface LossOptions {
  nClasses?: number;
  huberDelta?: number;
}

export interface Loss {
  /** Objective name as saved in models. */
  readonly name: string;
  /** `createLoss(name, options)` makes the same loss (in another thread, say). */
  readonly options: LossOptions;
  /** Raw prediction columns (1, or the number of classes for softmax). */
  readonly nOut: number;
  /** Name of the metric `evalMetric` returns (lower is better). */
  readonly metric: string;
  /** Starting raw prediction per column, fitted to the (weighted) targets. */
  baseScore(y: Float64Array, w: Float64Array | null): Float64Array;
  /**
   * Fills grad and hess of rows from..to (default: all) at the raw predictions (rows x nOut,
   * row-major); weights multiply both. Outputs are class-major, output k of row i at k * n + i
   * (n = y.length): trees grow one output at a time, on its contiguous run. Rows are independent,
   * so ranges can be filled in any order or thread.
   */
  gradients(y: Float64Array, raw: Float64Array, w: Float64Array | null, grad: Float64Array, hess: Float64Array, from?: number, to?: number): void;
  /** Weighted mean loss: the function whose derivatives `gradients` returns. */
  loss(y: Float64Array, raw: Float64Array, w: Float64Array | null): number;
  /** The reported metric, for progress and early stopping. */
  evalMetric(y: Float64Array, raw: Float64Array, w: Float64Array | null): number;
  /** Raw predictions to the prediction scale (probabilities, expected counts, values). */
  transform(raw: Float64Array, out: Float64Array): void;
  /**
   * Optional leaf refit after a tree is grown, for losses whose Newton step is a poor leaf value
   * (absolute error: the weighted median of the residuals). Returns the raw leaf value.
   */
  leafValue?(rows: Uint32Array, start: number, end: number, y: Float64Array, raw: Float64Array, w: Float64Array | null): number;
}

/** Weighted mean of f(i) over rows. */
export function weightedMean(n: number, w: Float64Array | null, f: (i: number) => number): number {
  let s = 0;
  let sw = 0;
  for (let i = 0; i < n; i++) {
    const wi = w ? w[i]! : 1;
    s += wi * f(i);
    sw += wi;
  }
  return sw > 0 ? s / sw : 0;
}
