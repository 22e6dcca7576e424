// The population stability index over bins: Σ (r - c) ln(r / c) on the reference's and the
// current's bin shares, empty bins counted as 0.0001 so the logarithm stays finite (the common
// credit-scoring rule; Evidently and the drift anchor do the same). Read as < 0.1 stable,
// 0.1 to 0.2 moderate, >= 0.2 a significant shift.

export const PSI_EPSILON = 1e-4;

export function psi(reference: ArrayLike<number>, current: ArrayLike<number>): number {
  let nr = 0;
  let nc = 0;
  for (let i = 0; i < reference.length; i++) {
    nr += reference[i]!;
    nc += current[i]!;
  }
  let sum = 0;
  for (let i = 0; i < reference.length; i++) {
    const r = Math.max(reference[i]! / nr, PSI_EPSILON);
    const c = Math.max(current[i]! / nc, PSI_EPSILON);
    sum += (r - c) * Math.log(r / c);
  }
  return sum;
}

/**
 * Merges fine bins (counts of the reference) into about `bins` bins of equal reference mass:
 * returns, per fine bin, the index of its coarse bin. The drift anchor's PSI uses 10 reference
 * quantile bins; on a stored profile the quantiles are only known at the stored edges, so the
 * coarse edges are the stored edges closest to the deciles.
 */
export function coarseBins(counts: ArrayLike<number>, bins: number): Int32Array {
  let n = 0;
  for (let i = 0; i < counts.length; i++) n += counts[i]!;
  const map = new Int32Array(counts.length);
  let cum = 0;
  let group = 0;
  for (let i = 0; i < counts.length; i++) {
    map[i] = group;
    cum += counts[i]!;
    // Close the group once the cumulative share passes the next quantile.
    while (group < bins - 1 && n > 0 && cum / n >= (group + 1) / bins - 1e-12) group++;
  }
  return map;
}
