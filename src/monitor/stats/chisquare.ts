// Pearson's chi-square goodness-of-fit test of observed counts against expected ones (scipy's
// chisquare(f_obs, f_exp)): Σ (o - e)² / e on k - 1 degrees of freedom. Drift uses it with the
// current sample's category counts as observed and the reference's shares scaled to the current
// size as expected, over every category either sample has (Evidently's chi-square stattest); a
// category the reference never had makes the statistic infinite and the p-value 0.

import { chi2Sf } from './special.js';

export interface PValueResult {
  statistic: number;
  pValue: number;
}

export function chiSquare(observed: ArrayLike<number>, expected: ArrayLike<number>): PValueResult {
  let stat = 0;
  for (let i = 0; i < observed.length; i++) {
    const o = observed[i]!;
    const e = expected[i]!;
    stat += ((o - e) * (o - e)) / e;
  }
  return { statistic: stat, pValue: chi2Sf(stat, observed.length - 1) };
}

/** The test of current counts against reference counts on the same categories (expected = reference shares × current size). */
export function chiSquareCounts(reference: ArrayLike<number>, current: ArrayLike<number>): PValueResult {
  let nr = 0;
  let nc = 0;
  for (let i = 0; i < reference.length; i++) {
    nr += reference[i]!;
    nc += current[i]!;
  }
  const expected = new Float64Array(reference.length);
  for (let i = 0; i < reference.length; i++) expected[i] = reference[i]! * (nc / nr);
  return chiSquare(current, expected);
}
