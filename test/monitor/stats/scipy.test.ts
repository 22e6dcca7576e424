// The drift statistics against scipy's own results on committed fixtures
// (test/fixtures/drift/expected.json, written by make_expected.py with Debian's python3-scipy):
// every statistic and p-value to 1e-9.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { chiSquareCounts } from '../../../src/monitor/stats/chisquare.js';
import { jensenShannon } from '../../../src/monitor/stats/jensenshannon.js';
import { kolmogorovSf } from '../../../src/monitor/stats/kolmogorov.js';
import { ks2samp } from '../../../src/monitor/stats/ks.js';
import { psi } from '../../../src/monitor/stats/psi.js';
import { chi2Sf } from '../../../src/monitor/stats/special.js';
import { normedWasserstein, wasserstein } from '../../../src/monitor/stats/wasserstein.js';
import { twoProportionZ } from '../../../src/monitor/stats/ztest.js';

interface Expected {
  ks_2samp: { a: number[]; b: number[]; statistic: number; p_value: number }[];
  kstwo_sf: { n: number; d: number; sf: number }[];
  chisquare: { reference: number[]; current: number[]; statistic: number; p_value: number }[];
  chi2_sf: { x: number; dof: number; sf: number }[];
  ztest: { k1: number; n1: number; k2: number; n2: number; statistic: number; p_value: number }[];
  wasserstein: { a: number[]; b: number[]; distance: number; normed: number }[];
  jensenshannon: { p: number[]; q: number[]; distance: number }[];
  psi: { reference: number[]; current: number[]; psi: number }[];
}

const expected = JSON.parse(readFileSync(new URL('../../fixtures/drift/expected.json', import.meta.url), 'utf8')) as Expected;
const close = (got: number, want: number): void => expect(Math.abs(got - want), `got ${got}, scipy ${want}`).toBeLessThanOrEqual(1e-9);

function std(a: readonly number[]): number {
  const m = a.reduce((s, x) => s + x, 0) / a.length;
  return Math.sqrt(a.reduce((s, x) => s + (x - m) ** 2, 0) / a.length);
}

describe('drift statistics match scipy to 1e-9', () => {
  it('when two raw samples are compared, then ks_2samp statistic and p-value agree (exact and asymptotic modes, with ties)', () => {
    for (const c of expected.ks_2samp) {
      const r = ks2samp(c.a, c.b);
      close(r.statistic, c.statistic);
      close(r.pValue, c.p_value);
    }
    expect(expected.ks_2samp.some((c) => Math.max(c.a.length, c.b.length) > 10_000)).toBe(true);
  });

  it('when the Kolmogorov distribution is evaluated over every branch, then it agrees with kstwo.sf', () => {
    for (const c of expected.kstwo_sf) close(kolmogorovSf(c.n, c.d), c.sf);
  });

  it('when category counts are compared, then chisquare and chi2.sf agree', () => {
    for (const c of expected.chisquare) {
      const r = chiSquareCounts(c.reference, c.current);
      expect(Math.abs(r.statistic - c.statistic)).toBeLessThanOrEqual(1e-9 * Math.max(1, c.statistic));
      close(r.pValue, c.p_value);
    }
    for (const c of expected.chi2_sf) close(chi2Sf(c.x, c.dof), c.sf);
  });

  it('when two proportions are compared, then the Z statistic and its two-sided p-value agree', () => {
    for (const c of expected.ztest) {
      const r = twoProportionZ(c.k1, c.n1, c.k2, c.n2);
      close(r.statistic, c.statistic);
      close(r.pValue, c.p_value);
    }
  });

  it('when raw samples are compared, then wasserstein_distance and its Evidently normalisation agree', () => {
    for (const c of expected.wasserstein) {
      const w = wasserstein(c.a, c.b);
      close(w, c.distance);
      close(normedWasserstein(w, std(c.a)), c.normed);
    }
  });

  it('when count vectors are compared, then jensenshannon agrees', () => {
    for (const c of expected.jensenshannon) close(jensenShannon(c.p, c.q), c.distance);
  });

  it('when bin counts are compared, then PSI agrees with the anchor formula', () => {
    for (const c of expected.psi) close(psi(c.reference, c.current), c.psi);
  });
});
