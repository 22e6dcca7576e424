// Pivoted Householder QR least squares: exact solves, overdetermined fits and rank deficiency.

import { describe, expect, it } from 'vitest';
import { leastSquaresQR } from '../../../src/engine/linalg/qr.js';
import { Rng } from '../../../src/engine/random.js';

/** Column-major copy of columns. */
const colMajor = (cols: number[][]): Float64Array => Float64Array.from(cols.flat());

describe('leastSquaresQR', () => {
  it('when the system is square and full rank, then the exact solution is returned', () => {
    // A = [[2, 1], [1, 3]] (columns [2,1] and [1,3]); A x = [3, 5] has x = [0.8, 1.4].
    const { x, rank } = leastSquaresQR(colMajor([[2, 1], [1, 3]]), 2, 2, Float64Array.from([3, 5]));
    expect(rank).toBe(2);
    expect(x[0]).toBeCloseTo(0.8, 14);
    expect(x[1]).toBeCloseTo(1.4, 14);
  });

  it('when overdetermined, then the solution satisfies the normal equations', () => {
    const rng = new Rng(1);
    const m = 40;
    const cols = [0, 1, 2].map(() => Array.from({ length: m }, () => rng.normal()));
    const b = Array.from({ length: m }, () => rng.normal());
    const { x } = leastSquaresQR(colMajor(cols), m, 3, Float64Array.from(b));
    const r = b.map((bi, i) => bi - cols.reduce((s, c, j) => s + c[i]! * x[j]!, 0));
    // A'r = 0 at the least-squares solution.
    for (const c of cols) expect(Math.abs(c.reduce((s, ci, i) => s + ci * r[i]!, 0))).toBeLessThan(1e-12);
  });

  it('when a column is a combination of others, then rank drops, the solution stays finite and the residual is optimal', () => {
    const rng = new Rng(2);
    const m = 30;
    const a = Array.from({ length: m }, () => rng.normal());
    const b = Array.from({ length: m }, () => rng.normal());
    const c = a.map((v, i) => 2 * v - b[i]!);
    const t = a.map((v, i) => 1.5 * v + 0.5 * b[i]! + 0.1 * rng.normal());
    const dep = leastSquaresQR(colMajor([a, b, c]), m, 3, Float64Array.from(t));
    const full = leastSquaresQR(colMajor([a, b]), m, 2, Float64Array.from(t));
    expect(dep.rank).toBe(2);
    expect(dep.x.every(Number.isFinite)).toBe(true);
    expect(Array.from(dep.x).filter((v) => v === 0).length).toBe(1);
    const fit = (cols: number[][], x: Float64Array) => t.map((_, i) => cols.reduce((s, col, j) => s + col[i]! * x[j]!, 0));
    const f1 = fit([a, b, c], dep.x);
    const f2 = fit([a, b], full.x);
    f1.forEach((v, i) => expect(v).toBeCloseTo(f2[i]!, 10));
  });

  it('when a column is all zeros, then its coefficient is zero', () => {
    const { x, rank } = leastSquaresQR(colMajor([[1, 2, 3], [0, 0, 0]]), 3, 2, Float64Array.from([2, 4, 6]));
    expect(rank).toBe(1);
    expect(x[0]).toBeCloseTo(2, 14);
    expect(x[1]).toBe(0);
  });
});
