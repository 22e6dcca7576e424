// Nelder-Mead simplex minimisation (Nelder & Mead 1965, with the standard coefficients
// reflection 1, expansion 2, contraction 0.5, shrink 0.5), for small smooth problems without
// gradients: the smoothing parameters of exponential smoothing. Unconstrained: callers map
// bounded parameters through a transform.

export interface NelderMeadOptions {
  /** Initial simplex step per coordinate. */
  step?: number;
  maxEvaluations?: number;
  /** Stop when the simplex's values differ by less than this (relative to the best, plus tol). */
  tolerance?: number;
}

export function nelderMead(f: (x: Float64Array) => number, x0: Float64Array, o: NelderMeadOptions = {}): { x: Float64Array; value: number; evaluations: number } {
  const d = x0.length;
  const step = o.step ?? 0.5;
  const maxEval = o.maxEvaluations ?? 200 * d;
  const tol = o.tolerance ?? 1e-7;
  const pts: Float64Array[] = [];
  const vals: number[] = [];
  let evals = 0;
  const ev = (x: Float64Array): number => {
    evals++;
    const v = f(x);
    return Number.isFinite(v) ? v : Infinity;
  };
  pts.push(Float64Array.from(x0));
  vals.push(ev(pts[0]!));
  for (let i = 0; i < d; i++) {
    const p = Float64Array.from(x0);
    p[i]! += step;
    pts.push(p);
    vals.push(ev(p));
  }
  const order = Array.from({ length: d + 1 }, (_, i) => i);
  const centroid = new Float64Array(d);
  const at = (c: Float64Array, w: Float64Array, coef: number): Float64Array => {
    const out = new Float64Array(d);
    for (let j = 0; j < d; j++) out[j] = c[j]! + coef * (w[j]! - c[j]!);
    return out;
  };
  while (evals < maxEval) {
    order.sort((a, b) => vals[a]! - vals[b]!);
    const best = order[0]!;
    const worst = order[d]!;
    const second = order[d - 1]!;
    if (Math.abs(vals[worst]! - vals[best]!) <= tol * (Math.abs(vals[best]!) + tol)) break;
    centroid.fill(0);
    for (let k = 0; k < d; k++) {
      const p = pts[order[k]!]!;
      for (let j = 0; j < d; j++) centroid[j]! += p[j]! / d;
    }
    const xr = at(centroid, pts[worst]!, -1);
    const fr = ev(xr);
    if (fr < vals[best]!) {
      const xe = at(centroid, pts[worst]!, -2);
      const fe = ev(xe);
      if (fe < fr) {
        pts[worst] = xe;
        vals[worst] = fe;
      } else {
        pts[worst] = xr;
        vals[worst] = fr;
      }
      continue;
    }
    if (fr < vals[second]!) {
      pts[worst] = xr;
      vals[worst] = fr;
      continue;
    }
    const outside = fr < vals[worst]!;
    const xc = at(centroid, outside ? xr : pts[worst]!, 0.5);
    const fc = ev(xc);
    if (fc < (outside ? fr : vals[worst]!)) {
      pts[worst] = xc;
      vals[worst] = fc;
      continue;
    }
    const b = pts[best]!;
    for (const k of order.slice(1)) {
      pts[k] = at(b, pts[k]!, 0.5);
      vals[k] = ev(pts[k]!);
    }
  }
  let bi = 0;
  for (let i = 1; i <= d; i++) if (vals[i]! < vals[bi]!) bi = i;
  return { x: pts[bi]!, value: vals[bi]!, evaluations: evals };
}
