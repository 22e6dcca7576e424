// Least squares by Householder QR with column pivoting (the LAPACK xGEQP3 idea): columns are
// taken largest-remaining-norm first, and factoring stops once the remaining columns are
// numerically dependent on those already taken, so collinear inputs give a finite "basic"
// solution (dependent columns get coefficient 0) instead of a blow-up.

export interface LeastSquaresSolution {
  x: Float64Array;
  /** Numerical rank: how many columns were used. */
  rank: number;
  /** Column indices in the order they were pivoted in; the first `rank` carry the solution. */
  pivots: Int32Array;
}

/**
 * Minimises ||A x - b|| for A stored column-major (rows x cols, column j at a[j*rows ...]).
 * Overwrites `a` and `b`. Columns whose remaining norm falls below `rcond` times the largest
 * diagonal of R are treated as dependent.
 */
export function leastSquaresQR(a: Float64Array, rows: number, cols: number, b: Float64Array, rcond = 1e-10): LeastSquaresSolution {
  const m = rows;
  const steps = Math.min(m, cols);
  const pivots = new Int32Array(cols);
  for (let j = 0; j < cols; j++) pivots[j] = j;
  const norms = new Float64Array(cols);
  const norms0 = new Float64Array(cols);
  for (let j = 0; j < cols; j++) {
    let s = 0;
    const o = j * m;
    for (let i = 0; i < m; i++) s += a[o + i]! * a[o + i]!;
    norms[j] = s;
    norms0[j] = s;
  }
  const rdiag = new Float64Array(cols);
  let rank = 0;
  let rmax = 0;
  for (let k = 0; k < steps; k++) {
    let best = k;
    for (let j = k + 1; j < cols; j++) if (norms[j]! > norms[best]!) best = j;
    if (best !== k) {
      const ok = k * m;
      const ob = best * m;
      for (let i = 0; i < m; i++) {
        const t = a[ok + i]!;
        a[ok + i] = a[ob + i]!;
        a[ob + i] = t;
      }
      let t = norms[k]!;
      norms[k] = norms[best]!;
      norms[best] = t;
      t = norms0[k]!;
      norms0[k] = norms0[best]!;
      norms0[best] = t;
      const p = pivots[k]!;
      pivots[k] = pivots[best]!;
      pivots[best] = p;
    }
    // Householder reflector for a[k..m, k]; recompute the norm exactly rather than trusting the
    // downdated value.
    const ok = k * m;
    let sigma = 0;
    for (let i = k; i < m; i++) sigma += a[ok + i]! * a[ok + i]!;
    const norm = Math.sqrt(sigma);
    if (k === 0) rmax = norm;
    if (norm === 0 || norm <= rcond * rmax) break;
    const x0 = a[ok + k]!;
    const alpha = x0 > 0 ? -norm : norm;
    // v = x - alpha e1, stored in place; beta = 2 / v'v = 1 / (norm * (norm + |x0|)).
    a[ok + k] = x0 - alpha;
    const beta = 1 / (norm * (norm + Math.abs(x0)));
    rdiag[k] = alpha;
    for (let j = k + 1; j < cols; j++) {
      const oj = j * m;
      let s = 0;
      for (let i = k; i < m; i++) s += a[ok + i]! * a[oj + i]!;
      s *= beta;
      if (s !== 0) for (let i = k; i < m; i++) a[oj + i] -= s * a[ok + i]!;
      // Downdate the remaining norm; recompute when cancellation has eaten its digits.
      const r = a[oj + k]!;
      const nn = norms[j]! - r * r;
      if (nn < 1e-8 * norms0[j]!) {
        let t = 0;
        for (let i = k + 1; i < m; i++) t += a[oj + i]! * a[oj + i]!;
        norms[j] = t;
        norms0[j] = t;
      } else {
        norms[j] = nn;
      }
    }
    let s = 0;
    for (let i = k; i < m; i++) s += a[ok + i]! * b[i]!;
    s *= beta;
    for (let i = k; i < m; i++) b[i] -= s * a[ok + i]!;
    rank = k + 1;
  }
  // Back substitution on the leading rank x rank block of R (R's off-diagonals sit in a above the
  // diagonal; its diagonal is in rdiag).
  const z = new Float64Array(rank);
  for (let i = rank - 1; i >= 0; i--) {
    let s = b[i]!;
    for (let j = i + 1; j < rank; j++) s -= a[j * m + i]! * z[j]!;
    z[i] = s / rdiag[i]!;
  }
  const x = new Float64Array(cols);
  for (let i = 0; i < rank; i++) x[pivots[i]!] = z[i]!;
  return { x, rank, pivots };
}
