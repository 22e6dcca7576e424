// L-BFGS on classic test functions, OWL-QN against the closed-form L1 solution, and the
// strong-Wolfe line search on its own.

import { describe, expect, it } from 'vitest';
import { Lbfgs, minimizeLbfgs, type ObjectiveFunction } from '../../../src/engine/optim/lbfgs.js';
import { lineSearchWolfe } from '../../../src/engine/optim/linesearch.js';

/** n-dimensional Rosenbrock: sum 100 (x_{i+1} - x_i^2)^2 + (1 - x_i)^2, minimum 0 at all ones. */
const rosenbrock: ObjectiveFunction = (x, g) => {
  g.fill(0);
  let f = 0;
  for (let i = 0; i + 1 < x.length; i++) {
    const a = x[i + 1]! - x[i]! * x[i]!;
    const b = 1 - x[i]!;
    f += 100 * a * a + b * b;
    g[i] += -400 * a * x[i]! - 2 * b;
    g[i + 1] += 200 * a;
  }
  return f;
};

describe('L-BFGS', () => {
  it('when minimising 2-D Rosenbrock from (-1.2, 1), then it reaches (1, 1)', () => {
    const r = minimizeLbfgs(rosenbrock, Float64Array.from([-1.2, 1]), { maxIter: 200, gtol: 1e-10, ftol: 0 });
    expect(r.status).toBe('converged');
    expect(r.x[0]).toBeCloseTo(1, 7);
    expect(r.x[1]).toBeCloseTo(1, 7);
    expect(r.iterations).toBeLessThan(60);
  });

  it('when minimising 20-D Rosenbrock, then every coordinate reaches 1', () => {
    const x0 = Float64Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? -1.2 : 1));
    const r = minimizeLbfgs(rosenbrock, x0, { maxIter: 1000, gtol: 1e-9, ftol: 0 });
    expect(r.status).toBe('converged');
    r.x.forEach((v) => expect(v).toBeCloseTo(1, 6));
  });

  it('when minimising an ill-conditioned quadratic, then it finds the exact minimiser', () => {
    // f = 0.5 sum d_i (x_i - c_i)^2 with d spanning six orders of magnitude.
    const d = [1e-3, 1, 10, 1e3];
    const c = [3, -1, 2, 0.5];
    const fg: ObjectiveFunction = (x, g) => {
      let f = 0;
      for (let i = 0; i < 4; i++) {
        f += 0.5 * d[i]! * (x[i]! - c[i]!) ** 2;
        g[i] = d[i]! * (x[i]! - c[i]!);
      }
      return f;
    };
    const r = minimizeLbfgs(fg, new Float64Array(4), { maxIter: 200, gtol: 1e-12, ftol: 0 });
    r.x.forEach((v, i) => expect(v).toBeCloseTo(c[i]!, 8));
  });

  it('when an L1 weight is given, then OWL-QN returns the soft-thresholded minimiser with exact zeros', () => {
    // min 0.5 |x - a|^2 + lam |x|_1  =>  x = sign(a) max(|a| - lam, 0)
    const a = [3, -0.5, 0.2, -2, 0];
    const lam = 1;
    const fg: ObjectiveFunction = (x, g) => {
      let f = 0;
      for (let i = 0; i < a.length; i++) {
        f += 0.5 * (x[i]! - a[i]!) ** 2;
        g[i] = x[i]! - a[i]!;
      }
      return f;
    };
    const r = minimizeLbfgs(fg, new Float64Array(a.length), { l1: lam, maxIter: 100, gtol: 1e-10 });
    expect(r.status).toBe('converged');
    expect(r.x[0]).toBeCloseTo(2, 9);
    expect(r.x[1]).toBe(0);
    expect(r.x[2]).toBe(0);
    expect(r.x[3]).toBeCloseTo(-1, 9);
    expect(r.x[4]).toBe(0);
  });

  it('when the iteration limit is hit, then the status is max_iter and step() stops advancing', () => {
    const opt = new Lbfgs(rosenbrock, Float64Array.from([-1.2, 1]), { maxIter: 3, gtol: 1e-12 });
    expect(opt.run()).toBe('max_iter');
    expect(opt.iterations).toBe(3);
    expect(opt.step()).toBe('max_iter');
    expect(opt.iterations).toBe(3);
  });

  it('when started at the minimum, then it is converged without iterating', () => {
    const opt = new Lbfgs(rosenbrock, Float64Array.from([1, 1]), {});
    expect(opt.status).toBe('converged');
    expect(opt.iterations).toBe(0);
  });
});

describe('strong Wolfe line search', () => {
  it('when searching along a descent direction, then the step satisfies both Wolfe conditions', () => {
    // phi(t) = (t - 3)^2 - t^3/10 near the origin: descending, then curving up.
    const phi = (t: number) => ({ f: (t - 3) ** 2 + 0.05 * t ** 4, d: 2 * (t - 3) + 0.2 * t ** 3 });
    const f0 = phi(0).f;
    const d0 = phi(0).d;
    for (const t0 of [0.01, 1, 50]) {
      const r = lineSearchWolfe(phi, f0, d0, t0);
      expect(r.ok).toBe(true);
      expect(r.f).toBeLessThanOrEqual(f0 + 1e-4 * r.step * d0);
      expect(Math.abs(r.d)).toBeLessThanOrEqual(0.9 * Math.abs(d0));
      expect(r.f).toBe(phi(r.step).f);
    }
  });

  it('when the values differ only by round-off but the slope shows the line minimum, then the step is accepted', () => {
    // f is level with f0 up to a few ulps (noise); the slope is exactly zero at t = 1.
    const phi = (t: number) => ({ f: t === 0 ? 1 : 1 + 4e-16, d: 2e-3 * (t - 1) });
    const r = lineSearchWolfe(phi, 1, -2e-3, 1);
    expect(r.ok).toBe(true);
    expect(r.step).toBe(1);
    expect(r.evaluations).toBe(1);
  });

  it('when the function overflows for long steps, then it backs off to a finite point', () => {
    const phi = (t: number) => (t > 2 ? { f: Infinity, d: NaN } : { f: (t - 1) ** 2, d: 2 * (t - 1) });
    const r = lineSearchWolfe(phi, 1, -2, 100);
    expect(r.ok).toBe(true);
    expect(Number.isFinite(r.f)).toBe(true);
    expect(r.f).toBeLessThan(1);
  });
});
