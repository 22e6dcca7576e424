// Coordinate descent for elastic-net quadratics: closed forms, agreement of the two forms, warm starts.

import { describe, expect, it } from 'vitest';
import { CovarianceCD, DataCD, softThreshold } from '../../../src/engine/optim/coordinate.js';
import { Rng } from '../../../src/engine/random.js';

function problem(seed: number, n: number, p: number) {
  const rng = new Rng(seed);
  const cols = Array.from({ length: p }, () => Float64Array.from({ length: n }, () => rng.normal()));
  const t = Float64Array.from({ length: n }, (_, i) => 2 * cols[0]![i]! - cols[1]![i]! + 0.3 * rng.normal());
  const gram = new Float64Array(p * p);
  const c = new Float64Array(p);
  for (let j = 0; j < p; j++) {
    for (let i = 0; i < n; i++) c[j] += cols[j]![i]! * t[i]!;
    for (let k = 0; k < p; k++) for (let i = 0; i < n; i++) gram[j * p + k] += cols[j]![i]! * cols[k]![i]!;
  }
  return { cols, t, gram, c };
}

const run = (cd: { sweep(): number }, tol: number, max = 10000): number => {
  for (let s = 1; s <= max; s++) if (cd.sweep() <= tol) return s;
  return max;
};

describe('coordinate descent', () => {
  it('when thresholding, then values inside the band become zero and others shrink', () => {
    expect(softThreshold(3, 1)).toBe(2);
    expect(softThreshold(-3, 1)).toBe(-2);
    expect(softThreshold(0.5, 1)).toBe(0);
  });

  it('when there is no penalty, then covariance CD solves G v = c', () => {
    const { gram, c } = problem(1, 200, 4);
    const cd = new CovarianceCD(gram, c, new Float64Array(4), new Float64Array(4), new Float64Array(4), 1);
    run(cd, 1e-14);
    for (let j = 0; j < 4; j++) {
      let s = 0;
      for (let k = 0; k < 4; k++) s += gram[j * 4 + k]! * cd.v[k]!;
      expect(s).toBeCloseTo(c[j]!, 8);
    }
  });

  it('when the design is orthogonal, then the lasso solution is the soft-thresholded correlation', () => {
    const gram = Float64Array.from([2, 0, 0, 0, 5, 0, 0, 0, 1]);
    const c = Float64Array.from([6, -2, 0.5]);
    const l1 = Float64Array.from([1, 3, 1]);
    const cd = new CovarianceCD(gram, c, l1, new Float64Array(3), new Float64Array(3), 1);
    expect(run(cd, 1e-15)).toBeLessThanOrEqual(2);
    expect(Array.from(cd.v)).toEqual([2.5, 0, 0]);
  });

  it('when solving the same elastic net in data form and covariance form, then the solutions agree', () => {
    const p = 6;
    const { cols, t, gram, c } = problem(4, 300, p);
    const l1 = new Float64Array(p).fill(20);
    const l2 = new Float64Array(p).fill(5);
    const cov = new CovarianceCD(gram, c, l1, l2, new Float64Array(p), 1);
    const data = new DataCD(cols, t, null, l1, l2, new Float64Array(p));
    run(cov, 1e-13);
    run(data, 1e-13);
    cov.v.forEach((v, j) => expect(v).toBeCloseTo(data.v[j]!, 9));
    expect(cov.v.filter((v) => v === 0).length).toBeGreaterThan(0);
  });

  it('when warm-started at the solution, then one sweep confirms convergence', () => {
    const p = 5;
    const { gram, c } = problem(6, 100, p);
    const l1 = new Float64Array(p).fill(10);
    const cold = new CovarianceCD(gram, c, l1, new Float64Array(p), new Float64Array(p), 1);
    const coldSweeps = run(cold, 1e-12);
    const warm = new CovarianceCD(gram, c, l1, new Float64Array(p), cold.v, 1);
    expect(run(warm, 1e-12)).toBe(1);
    expect(coldSweeps).toBeGreaterThan(1);
    // A nearby alpha warm-started from this one needs fewer sweeps than from zero.
    const l1b = new Float64Array(p).fill(9);
    const fromZero = run(new CovarianceCD(gram, c, l1b, new Float64Array(p), new Float64Array(p), 1), 1e-12);
    const fromWarm = run(new CovarianceCD(gram, c, l1b, new Float64Array(p), cold.v, 1), 1e-12);
    expect(fromWarm).toBeLessThanOrEqual(fromZero);
  });
});
