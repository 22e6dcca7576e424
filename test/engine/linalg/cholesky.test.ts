// Cholesky factor/solve and the jitter fallback for singular normal equations.

import { describe, expect, it } from 'vitest';
import { choleskyInPlace, choleskySolveInPlace, solveSpd } from '../../../src/engine/linalg/cholesky.js';

const matVec = (a: Float64Array, n: number, x: Float64Array): number[] => Array.from({ length: n }, (_, i) => x.reduce((s, xj, j) => s + a[i * n + j]! * xj, 0));

describe('cholesky', () => {
  it('when A is positive definite, then L L\' reproduces A and the solve gives A^-1 b', () => {
    const a = Float64Array.from([4, 12, -16, 12, 37, -43, -16, -43, 98]);
    const l = Float64Array.from(a);
    expect(choleskyInPlace(l, 3)).toBe(true);
    // The textbook factor of this matrix is [[2,0,0],[6,1,0],[-8,5,3]].
    expect([l[0], l[3], l[4], l[6], l[7], l[8]]).toEqual([2, 6, 1, -8, 5, 3]);
    const b = Float64Array.from([1, 2, 3]);
    choleskySolveInPlace(l, 3, b);
    matVec(a, 3, b).forEach((v, i) => expect(v).toBeCloseTo([1, 2, 3][i]!, 10));
  });

  it('when A is indefinite, then the factorisation reports failure', () => {
    expect(choleskyInPlace(Float64Array.from([1, 2, 2, 1]), 2)).toBe(false);
  });

  it('when A is singular (collinear normal equations), then solveSpd adds jitter and still solves a consistent system', () => {
    // Gram of columns u and 2u: rank one.
    const u = [1, 2, 3, 4];
    const uu = u.reduce((s, v) => s + v * v, 0);
    const a = Float64Array.from([uu, 2 * uu, 2 * uu, 4 * uu]);
    const b = Float64Array.from([uu, 2 * uu]); // consistent: x = (1, 0) is a solution
    const { x, jitter } = solveSpd(a, 2, b);
    expect(jitter).toBeGreaterThan(0);
    expect(x.every(Number.isFinite)).toBe(true);
    matVec(a, 2, x).forEach((v, i) => expect(v).toBeCloseTo(b[i]!, 4));
    // The jittered solution is the small-norm one along u: x1 + 2 x2 = 1 with x2 = 2 x1.
    expect(x[0]).toBeCloseTo(0.2, 3);
    expect(x[1]).toBeCloseTo(0.4, 3);
  });

  it('when A factors directly, then solveSpd adds no jitter and leaves its inputs unchanged', () => {
    const a = Float64Array.from([2, 1, 1, 3]);
    const b = Float64Array.from([1, 2]);
    const { x, jitter } = solveSpd(a, 2, b);
    expect(jitter).toBe(0);
    expect(Array.from(a)).toEqual([2, 1, 1, 3]);
    expect(Array.from(b)).toEqual([1, 2]);
    expect(x[0]).toBeCloseTo(0.2, 14);
    expect(x[1]).toBeCloseTo(0.6, 14);
  });
});
