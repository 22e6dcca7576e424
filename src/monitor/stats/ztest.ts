// The two-proportion Z-test (Evidently's z stattest for binary columns): the share of rows that
// are not the first value (in sorted order) in each sample, against their pooled share.

import { normSf } from './special.js';
import type { PValueResult } from './chisquare.js';

/**
 * `k1` of `n1` reference rows and `k2` of `n2` current rows are "not the first value".
 * Both samples constant and equal (`same`) is no evidence of drift: z = 0, p = 1.
 */
export function twoProportionZ(k1: number, n1: number, k2: number, n2: number): PValueResult {
  const p1 = k1 / n1;
  const p2 = k2 / n2;
  const pp = (p1 * n1 + p2 * n2) / (n1 + n2);
  if (pp === 0 || pp === 1) return { statistic: 0, pValue: 1 };
  const z = (p1 - p2) / Math.sqrt(pp * (1 - pp) * (1 / n1 + 1 / n2));
  // 2 (1 - Φ(|z|)), through the tail so it keeps its precision.
  return { statistic: z, pValue: 2 * normSf(Math.abs(z)) };
}
