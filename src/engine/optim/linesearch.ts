// Line search along a descent direction satisfying the strong Wolfe conditions (Nocedal & Wright,
// algorithms 3.5 and 3.6, with safeguarded cubic interpolation in the zoom phase). L-BFGS needs
// the curvature condition to keep its inverse-Hessian approximation positive definite.

/** phi(t) = f(x + t d): returns f and its derivative d'grad at the trial point. */
export type LineFunction = (t: number) => { f: number; d: number };

export interface LineSearchOptions {
  c1?: number;
  c2?: number;
  maxEvaluations?: number;
  maxStep?: number;
}

export interface LineSearchResult {
  step: number;
  f: number;
  d: number;
  evaluations: number;
  /** False when no step met the conditions; `step` is then the best sufficient-decrease step, or 0. */
  ok: boolean;
  /** Whether `step` was the last point phi was evaluated at (else the caller must re-evaluate). */
  lastEvaluated: boolean;
}

/** Minimiser of the cubic through (a, fa, da) and (b, fb, db), clamped into the safe interval. */
function cubicMin(a: number, fa: number, da: number, b: number, fb: number, db: number): number {
  const d1 = da + db - 3 * (fa - fb) / (a - b);
  const disc = d1 * d1 - da * db;
  const lo = Math.min(a, b);
  const hi = Math.max(a, b);
  if (disc >= 0 && Number.isFinite(disc)) {
    const d2 = Math.sign(b - a) * Math.sqrt(disc);
    const t = b - (b - a) * (db + d2 - d1) / (db - da + 2 * d2);
    // Keep away from the ends so the interval shrinks by a real factor each time.
    const margin = 0.1 * (hi - lo);
    if (Number.isFinite(t) && t > lo + margin && t < hi - margin) return t;
  }
  return (a + b) / 2;
}

export function lineSearchWolfe(phi: LineFunction, f0: number, d0: number, t0: number, options: LineSearchOptions = {}): LineSearchResult {
  const c1 = options.c1 ?? 1e-4;
  const c2 = options.c2 ?? 0.9;
  const maxEval = options.maxEvaluations ?? 30;
  const maxStep = options.maxStep ?? 1e10;
  let evals = 0;
  let tPrev = 0;
  let fPrev = f0;
  let dPrev = d0;
  let t = Math.min(t0, maxStep);
  let bestT = 0;
  let bestF = f0;
  let bestD = d0;
  let lastT = -1;
  const evalAt = (s: number): { f: number; d: number } => {
    evals++;
    lastT = s;
    const r = phi(s);
    if (r.f < bestF && r.f <= f0 + c1 * s * d0) {
      bestT = s;
      bestF = r.f;
      bestD = r.d;
    }
    return r;
  };
  // Near the minimum, f differences sink into round-off and the Armijo test fails by noise alone;
  // like Hager & Zhang's approximate Wolfe conditions, also accept a point whose value is level
  // with f0 to round-off when its slope shows the minimum along the line was reached.
  const fEps = 1e-12 * Math.abs(f0);
  const decrease = (s: number, f: number, d: number): boolean => f <= f0 + c1 * s * d0 || (f <= f0 + fEps && d <= -0.8 * d0 && d >= c2 * d0);
  const done = (s: number, f: number, d: number, ok: boolean): LineSearchResult => ({ step: s, f, d, evaluations: evals, ok, lastEvaluated: s === lastT });
  const fallback = (): LineSearchResult => done(bestT, bestF, bestD, false);

  const zoom = (lo: number, flo: number, dlo: number, hi: number, fhi: number, dhi: number): LineSearchResult => {
    while (evals < maxEval) {
      const tj = cubicMin(lo, flo, dlo, hi, fhi, dhi);
      if (Math.abs(hi - lo) < 1e-16 * Math.max(1, Math.abs(lo))) break;
      const r = evalAt(tj);
      if (!Number.isFinite(r.f) || !decrease(tj, r.f, r.d) || (r.f >= flo && !(r.f <= flo + fEps && Math.abs(r.d) <= -c2 * d0))) {
        hi = tj;
        fhi = Number.isFinite(r.f) ? r.f : Infinity;
        dhi = Number.isFinite(r.d) ? r.d : 0;
      } else {
        if (Math.abs(r.d) <= -c2 * d0) return done(tj, r.f, r.d, true);
        if (r.d * (hi - lo) >= 0) {
          hi = lo;
          fhi = flo;
          dhi = dlo;
        }
        lo = tj;
        flo = r.f;
        dlo = r.d;
      }
    }
    return fallback();
  };

  for (let i = 0; evals < maxEval; i++) {
    const r = evalAt(t);
    if (!Number.isFinite(r.f)) {
      // Overflowed: shrink towards the last good point.
      t = tPrev + (t - tPrev) / 10;
      if (t - tPrev < 1e-20) break;
      continue;
    }
    if (!decrease(t, r.f, r.d) || (i > 0 && r.f >= fPrev && !(Math.abs(r.d) <= -c2 * d0 && r.f <= fPrev + fEps))) return zoom(tPrev, fPrev, dPrev, t, r.f, r.d);
    if (Math.abs(r.d) <= -c2 * d0) return done(t, r.f, r.d, true);
    if (r.d >= 0) return zoom(t, r.f, r.d, tPrev, fPrev, dPrev);
    tPrev = t;
    fPrev = r.f;
    dPrev = r.d;
    if (t >= maxStep) break;
    t = Math.min(2 * t, maxStep);
  }
  return fallback();
}
