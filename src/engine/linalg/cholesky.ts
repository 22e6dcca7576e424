// Cholesky factorisation of symmetric positive definite matrices (row-major, n x n) and the
// solves built on it, with a jitter fallback: when round-off or near-collinear columns make the
// matrix numerically indefinite, a growing multiple of the mean diagonal is added until it factors.

/**
 * Overwrites the lower triangle of `a` with L such that A = L L'. Returns false (leaving `a`
 * partly overwritten) when a pivot is not positive beyond round-off, i.e. A is not numerically
 * positive definite.
 */
export function choleskyInPlace(a: Float64Array, n: number): boolean {
  for (let j = 0; j < n; j++) {
    const rj = j * n;
    const ajj = a[rj + j]!;
    let d = ajj;
    for (let k = 0; k < j; k++) d -= a[rj + k]! * a[rj + k]!;
    // A pivot that is only round-off (a few ulps of the original diagonal) means A is singular to
    // working precision; accepting it would divide by noise.
    if (!(d > 4 * n * Number.EPSILON * ajj) || !Number.isFinite(d)) return false;
    const ljj = Math.sqrt(d);
    a[rj + j] = ljj;
    const inv = 1 / ljj;
    for (let i = j + 1; i < n; i++) {
      const ri = i * n;
      let s = a[ri + j]!;
      for (let k = 0; k < j; k++) s -= a[ri + k]! * a[rj + k]!;
      a[ri + j] = s * inv;
    }
  }
  return true;
}

/** Solves L L' x = b given the factor from `choleskyInPlace`; writes x into `b`. */
export function choleskySolveInPlace(l: Float64Array, n: number, b: Float64Array): void {
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    let s = b[i]!;
    for (let k = 0; k < i; k++) s -= l[ri + k]! * b[k]!;
    b[i] = s / l[ri + i]!;
  }
  for (let i = n - 1; i >= 0; i--) {
    let s = b[i]!;
    for (let k = i + 1; k < n; k++) s -= l[k * n + i]! * b[k]!;
    b[i] = s / l[i * n + i]!;
  }
}

export interface SpdSolution {
  x: Float64Array;
  /** The multiple of the identity that had to be added for the matrix to factor (0 if none). */
  jitter: number;
}

/**
 * Solves A x = b for symmetric positive (semi)definite A without modifying A or b. If A does not
 * factor, retries with A + jitter*I, starting at 1e-12 times the mean diagonal and growing tenfold,
 * which on rank-deficient normal equations yields a small-norm solution instead of Infinity.
 */
export function solveSpd(a: Float64Array, n: number, b: Float64Array, maxAttempts = 12): SpdSolution {
  let meanDiag = 0;
  for (let i = 0; i < n; i++) meanDiag += Math.abs(a[i * n + i]!);
  meanDiag = n > 0 ? meanDiag / n : 0;
  if (!(meanDiag > 0)) meanDiag = 1;
  const work = new Float64Array(n * n);
  let jitter = 0;
  for (let attempt = 0; attempt <= maxAttempts; attempt++) {
    work.set(a);
    if (jitter > 0) for (let i = 0; i < n; i++) work[i * n + i] += jitter;
    if (choleskyInPlace(work, n)) {
      const x = Float64Array.from(b);
      choleskySolveInPlace(work, n, x);
      return { x, jitter };
    }
    jitter = jitter === 0 ? 1e-12 * meanDiag : jitter * 10;
  }
  throw new Error(`matrix is not positive definite even with jitter ${jitter.toExponential(2)} on the diagonal`);
}
