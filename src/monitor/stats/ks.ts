// The two-sample Kolmogorov-Smirnov test as scipy's ks_2samp (two-sided, method 'auto'): the
// largest gap between the two empirical CDFs; its p-value is exact (lattice paths, Hodges 1958,
// with Viehmann's 1 - p recursion) when neither sample has more than 10,000 values, else the
// Kolmogorov distribution at n = round(m·n/(m+n)).
//
// The statistic is computed from cumulative counts at a common grid (`ksFromCumulative`), which
// is exact when the grid holds every value of both samples (`ks2samp` on raw values) and a lower
// bound otherwise (a stored profile's bin edges; see docs in README "Drift").

import { kolmogorovSf } from './kolmogorov.js';
import { roundHalfEven } from './special.js';

/** Above this many values in either sample, 'auto' uses the asymptotic p-value (scipy's MAX_AUTO_N). */
export const KS_MAX_EXACT_N = 10_000;

export interface KsResult {
  statistic: number;
  pValue: number;
  method: 'exact' | 'asymp';
}

/** ks_2samp(a, b) on raw values (NaN must be dropped by the caller). */
export function ks2samp(a: ArrayLike<number>, b: ArrayLike<number>): KsResult {
  const x = Float64Array.from(a).sort();
  const y = Float64Array.from(b).sort();
  // The merged distinct values, with each sample's count at or below them.
  const grid: number[] = [];
  const ca: number[] = [];
  const cb: number[] = [];
  let i = 0;
  let j = 0;
  while (i < x.length || j < y.length) {
    const v = j >= y.length || (i < x.length && x[i]! <= y[j]!) ? x[i]! : y[j]!;
    while (i < x.length && x[i]! <= v) i++;
    while (j < y.length && y[j]! <= v) j++;
    grid.push(v);
    ca.push(i);
    cb.push(j);
  }
  return ksFromCumulative(ca, cb, x.length, y.length);
}

/**
 * The test from cumulative counts of both samples at the same increasing points (count of values
 * <= each point), and the sample sizes.
 */
export function ksFromCumulative(ca: ArrayLike<number>, cb: ArrayLike<number>, n1: number, n2: number): KsResult {
  if (n1 <= 0 || n2 <= 0) return { statistic: NaN, pValue: NaN, method: 'asymp' };
  let maxS = -Infinity;
  let minS = Infinity;
  for (let k = 0; k < ca.length; k++) {
    const d = ca[k]! / n1 - cb[k]! / n2;
    if (d > maxS) maxS = d;
    if (d < minS) minS = d;
  }
  if (ca.length === 0) maxS = minS = 0;
  const neg = Math.min(1, Math.max(0, -minS));
  const d = neg > maxS ? neg : maxS;
  return ksPValue(d, n1, n2);
}

/** The p-value of statistic `d` for samples of n1 and n2 values, as ks_2samp's 'auto' mode. */
export function ksPValue(d: number, n1: number, n2: number): KsResult {
  if (Math.max(n1, n2) <= KS_MAX_EXACT_N) {
    const exact = attemptExact(n1, n2, d);
    if (exact) return { statistic: exact.d, pValue: clip(exact.p), method: 'exact' };
  }
  const [m, n] = n1 >= n2 ? [n1, n2] : [n2, n1];
  const en = (m * n) / (m + n);
  return { statistic: d, pValue: clip(kolmogorovSf(roundHalfEven(en), d)), method: 'asymp' };
}

function clip(p: number): number {
  return p < 0 ? 0 : p > 1 ? 1 : p;
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/** The exact two-sided p-value, or undefined when it overflows or leaves [0, 1] (scipy then falls back to asymp). */
function attemptExact(n1: number, n2: number, d: number): { d: number; p: number } | undefined {
  const g = gcd(n1, n2);
  const lcm = (n1 / g) * n2;
  const h = roundHalfEven(d * lcm);
  const dd = h / lcm;
  if (h === 0) return { d: dd, p: 1 };
  const p = n1 === n2 ? probOutsideSquare(n1, h) : outerProbInside(n1, n2, g, h);
  if (!Number.isFinite(p) || p < 0 || p > 1) return undefined;
  return { d: dd, p };
}

/** P(D_{n,n} >= h/n) = 2 Σ_k (-1)^(k+1) C(2n, n - kh) / C(2n, n), by a Horner-like product (no cancellation). */
function probOutsideSquare(n: number, h: number): number {
  let P = 0;
  for (let k = Math.floor(n / h); k >= 0; k--) {
    let p1 = 1;
    for (let j = 0; j < h; j++) p1 = ((n - k * h - j) * p1) / (n + k * h + j + 1);
    P = p1 * (1 - P);
  }
  return 2 * P;
}

/**
 * The share of lattice paths from (0, 0) to (m, n) that leave the band |x/m - y/n| < h/lcm(m, n):
 * one sliding column of the path counts, each entry already divided by the binomial so the
 * recursion computes 1 - p directly (Viehmann 2021).
 */
function outerProbInside(m0: number, n0: number, g: number, h: number): number {
  const [m, n] = m0 >= n0 ? [m0, n0] : [n0, m0];
  const mg = m / g;
  const ng = n / g;
  let minj = 0;
  let maxj = Math.min(Math.ceil(h / mg), n + 1);
  let curlen = maxj - minj;
  const lenA = Math.min(2 * maxj + 2, n + 1);
  const A = new Float64Array(lenA).fill(1);
  A.fill(0, minj, maxj);
  for (let i = 1; i <= m; i++) {
    const lastminj = minj;
    const lastlen = curlen;
    minj = Math.min(Math.max(Math.floor((ng * i - h) / mg) + 1, 0), n);
    maxj = Math.min(Math.ceil((ng * i + h) / mg), n + 1);
    if (maxj <= minj) return 1;
    let val = minj === 0 ? 0 : 1;
    for (let jj = 0; jj < maxj - minj; jj++) {
      const j = jj + minj;
      val = (A[jj + minj - lastminj]! * i + val * j) / (i + j);
      A[jj] = val;
    }
    curlen = maxj - minj;
    if (lastlen > curlen) A.fill(1, maxj - minj, maxj - minj + (lastlen - curlen));
  }
  return A[maxj - minj - 1]!;
}
