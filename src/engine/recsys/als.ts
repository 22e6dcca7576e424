// Confidence-weighted implicit ALS (Hu, Koren and Volinsky 2008, as implicit's
// AlternatingLeastSquares): minimise sum over all user-item pairs of c_ui (p_ui - x_u . y_i)^2
// + reg (|x_u|^2 + |y_i|^2), where p_ui = 1 for observed pairs (0 otherwise) and
// c_ui = 1 + alpha w_ui. Each half-step solves every user's (then item's) normal equations
//   (Y'Y + reg I + sum_i (c_ui - 1) y_i y_i') x_u = sum_i c_ui y_i
// by a few conjugate-gradient steps warm-started from the current x_u (implicit's use_cg), so a
// half-step costs O(nnz f + rows f^2) and never forms a per-user matrix.

import { Rng } from '../random.js';
import type { Csr } from './csr.js';

export interface AlsOptions {
  factors: number;
  iterations: number;
  reg: number;
  alpha: number;
  cgSteps: number;
  seed: number;
  onIteration?: (iteration: number) => void;
  signal?: AbortSignal;
}

export interface AlsModel {
  factors: number;
  userFactors: Float32Array;
  itemFactors: Float32Array;
}

export function fitAls(byUser: Csr, byItem: Csr, o: AlsOptions): AlsModel {
  const f = o.factors;
  const rng = new Rng(o.seed);
  const X = new Float32Array(byUser.rows * f);
  const Y = new Float32Array(byItem.rows * f);
  for (let t = 0; t < X.length; t++) X[t] = rng.next() * 0.01;
  for (let t = 0; t < Y.length; t++) Y[t] = rng.next() * 0.01;
  const ws = workspace(f);
  for (let it = 0; it < o.iterations; it++) {
    if (o.signal?.aborted) throw o.signal.reason ?? new Error('aborted');
    halfStep(byUser, X, Y, o, ws);
    halfStep(byItem, Y, X, o, ws);
    o.onIteration?.(it + 1);
  }
  return { factors: f, userFactors: X, itemFactors: Y };
}

export interface Workspace {
  gram: Float64Array;
  x: Float64Array;
  r: Float64Array;
  p: Float64Array;
  ap: Float64Array;
}

export function workspace(f: number): Workspace {
  return { gram: new Float64Array(f * f), x: new Float64Array(f), r: new Float64Array(f), p: new Float64Array(f), ap: new Float64Array(f) };
}

/** Y'Y + reg I into gram (f x f, row-major). */
export function gramOf(Y: Float32Array, rows: number, f: number, reg: number, gram: Float64Array): void {
  gram.fill(0);
  for (let i = 0; i < rows; i++) {
    const b = i * f;
    for (let a = 0; a < f; a++) {
      const ya = Y[b + a]!;
      if (ya === 0) continue;
      const ga = a * f;
      for (let c = a; c < f; c++) gram[ga + c]! += ya * Y[b + c]!;
    }
  }
  for (let a = 0; a < f; a++) {
    gram[a * f + a]! += reg;
    for (let c = 0; c < a; c++) gram[a * f + c] = gram[c * f + a]!;
  }
}

/** Solves each row of `m` for its factors in X given the other side's factors Y. */
function halfStep(m: Csr, X: Float32Array, Y: Float32Array, o: AlsOptions, ws: Workspace): void {
  gramOf(Y, m.cols, o.factors, o.reg, ws.gram);
  solveRows(m, X, Y, o.factors, o.alpha, o.cgSteps, ws.gram, ws, 0, m.rows);
}

/**
 * Rows [from, to) of `m`: conjugate-gradient steps on each row's normal equations, warm-started
 * from X, given gram = Y'Y + reg I. Rows are independent, so threads may split them.
 */
export function solveRows(m: Csr, X: Float32Array, Y: Float32Array, f: number, alpha: number, cgSteps: number, gram: Float64Array, ws: Omit<Workspace, 'gram'>, from: number, to: number): void {
  const { x, r, p, ap } = ws;
  for (let u = from; u < to; u++) {
    const a = m.indptr[u]!;
    const b = m.indptr[u + 1]!;
    const xu = u * f;
    if (a === b) {
      // No interactions: the minimiser is 0.
      X.fill(0, xu, xu + f);
      continue;
    }
    for (let k = 0; k < f; k++) x[k] = X[xu + k]!;
    // r = b - A x = -(Y'Y + reg I) x + sum_i (c_i - (c_i - 1) y_i . x) y_i
    for (let k = 0; k < f; k++) {
      let s = 0;
      const g = k * f;
      for (let c = 0; c < f; c++) s += gram[g + c]! * x[c]!;
      r[k] = -s;
    }
    for (let e = a; e < b; e++) {
      const yi = m.indices[e]! * f;
      const conf = 1 + alpha * m.values[e]!;
      let d = 0;
      for (let k = 0; k < f; k++) d += Y[yi + k]! * x[k]!;
      const w = conf - (conf - 1) * d;
      for (let k = 0; k < f; k++) r[k]! += w * Y[yi + k]!;
    }
    let rs = 0;
    for (let k = 0; k < f; k++) {
      p[k] = r[k]!;
      rs += r[k]! * r[k]!;
    }
    for (let step = 0; step < cgSteps && rs > 1e-20; step++) {
      for (let k = 0; k < f; k++) {
        let s = 0;
        const g = k * f;
        for (let c = 0; c < f; c++) s += gram[g + c]! * p[c]!;
        ap[k] = s;
      }
      for (let e = a; e < b; e++) {
        const yi = m.indices[e]! * f;
        const conf = 1 + alpha * m.values[e]!;
        let d = 0;
        for (let k = 0; k < f; k++) d += Y[yi + k]! * p[k]!;
        d *= conf - 1;
        for (let k = 0; k < f; k++) ap[k]! += d * Y[yi + k]!;
      }
      let pap = 0;
      for (let k = 0; k < f; k++) pap += p[k]! * ap[k]!;
      if (!(pap > 0)) break;
      const step_ = rs / pap;
      let rsNew = 0;
      for (let k = 0; k < f; k++) {
        x[k]! += step_ * p[k]!;
        r[k]! -= step_ * ap[k]!;
        rsNew += r[k]! * r[k]!;
      }
      const beta = rsNew / rs;
      for (let k = 0; k < f; k++) p[k] = r[k]! + beta * p[k]!;
      rs = rsNew;
    }
    for (let k = 0; k < f; k++) X[xu + k] = x[k]!;
  }
}
