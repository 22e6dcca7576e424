// Calibration (reliability) curves: within bins of predicted probability, the mean prediction
// against the observed share of positives, as scikit-learn's `calibration_curve(strategy="uniform")`.
// A calibrated model's points lie on the diagonal.

export interface CalibrationCurve {
  /** Mean predicted probability of each non-empty bin, ascending. */
  readonly meanPredicted: Float64Array;
  /** Share of positive rows in each non-empty bin. */
  readonly fractionPositive: Float64Array;
  /** Rows in each non-empty bin. */
  readonly counts: Float64Array;
}

/**
 * `positive[i]` is 1 when row i belongs to the class, `prob[i]` its predicted probability.
 * Bins split [0, 1] into `nBins` equal widths; a probability of exactly 1 falls in the last bin.
 * Empty bins are left out, so the curve has at most `nBins` points.
 */
export function calibrationCurve(positive: Uint8Array, prob: Float64Array, nBins = 10): CalibrationCurve {
  if (positive.length !== prob.length) throw new RangeError(`calibrationCurve: ${positive.length} labels but ${prob.length} probabilities`);
  if (!Number.isInteger(nBins) || nBins < 1) throw new RangeError(`calibrationCurve: nBins must be a positive integer (got ${nBins})`);
  const sumPred = new Float64Array(nBins);
  const sumPos = new Float64Array(nBins);
  const count = new Float64Array(nBins);
  for (let i = 0; i < prob.length; i++) {
    const p = prob[i]!;
    if (Number.isNaN(p)) continue;
    const b = Math.min(nBins - 1, Math.max(0, Math.floor(p * nBins)));
    sumPred[b]! += p;
    sumPos[b]! += positive[i]!;
    count[b]! += 1;
  }
  let m = 0;
  for (let b = 0; b < nBins; b++) if (count[b]! > 0) m++;
  const meanPredicted = new Float64Array(m);
  const fractionPositive = new Float64Array(m);
  const counts = new Float64Array(m);
  let j = 0;
  for (let b = 0; b < nBins; b++) {
    if (count[b]! === 0) continue;
    meanPredicted[j] = sumPred[b]! / count[b]!;
    fractionPositive[j] = sumPos[b]! / count[b]!;
    counts[j] = count[b]!;
    j++;
  }
  return { meanPredicted, fractionPositive, counts };
}
