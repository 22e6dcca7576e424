// Cyclic coordinate descent for elastic-net penalised quadratics, the workhorse of lasso and
// elastic net (Friedman, Hastie & Tibshirani, 2010). Two forms of the same update:
// - covariance form, on a precomputed Gram matrix: O(p) per coordinate, independent of rows;
//   best when rows >> features, as in most tabular data;
// - data form, on the columns with a running residual: O(rows) per coordinate, no p x p matrix;
//   best when there are many features (wide one-hot encodings).
// Both take a starting point, so a caller can warm-start from a previous solution (a larger
// alpha on a regularisation path, or the previous outer iteration of a Newton-type method).

/** Soft-thresholding operator S(z, g) = sign(z) max(|z| - g, 0). */
export function softThreshold(z: number, g: number): number {
  return z > g ? z - g : z < -g ? z + g : 0;
}

/**
 * Minimises 0.5 v'Gv - c'v + sum_j l1_j |v_j| + 0.5 sum_j l2_j v_j^2 over v, in place, starting
 * from the given v (warm start). G is p x p row-major and must have a non-negative diagonal.
 * `onSweep` runs after every sweep and may throw to abort.
 */
export class CovarianceCD {
  readonly v: Float64Array;
  sweeps = 0;
  maxChange = Infinity;
  private readonly q: Float64Array;
  private readonly scale: number;

  constructor(
    private readonly gram: Float64Array,
    private readonly c: Float64Array,
    private readonly l1: Float64Array,
    private readonly l2: Float64Array,
    v0: Float64Array,
    /** Typical size of the target (e.g. its weighted norm), so tol is relative. */
    targetScale: number,
  ) {
    const p = c.length;
    this.v = Float64Array.from(v0);
    this.scale = targetScale > 0 ? targetScale : 1;
    // q = G v, kept current so each update costs O(p).
    this.q = new Float64Array(p);
    for (let j = 0; j < p; j++) {
      const vj = this.v[j]!;
      if (vj === 0) continue;
      for (let k = 0; k < p; k++) this.q[k] += gram[k * p + j]! * vj;
    }
  }

  /** One pass over all coordinates; returns the largest change scaled by sqrt(G_jj). */
  sweep(): number {
    const { gram, c, l1, l2, v, q } = this;
    const p = c.length;
    let maxChange = 0;
    for (let j = 0; j < p; j++) {
      const gjj = gram[j * p + j]!;
      const denom = gjj + l2[j]!;
      if (denom <= 0) continue;
      const old = v[j]!;
      const rho = c[j]! - q[j]! + gjj * old;
      const nv = softThreshold(rho, l1[j]!) / denom;
      const delta = nv - old;
      if (delta !== 0) {
        v[j] = nv;
        const row = j * p;
        for (let k = 0; k < p; k++) q[k] += gram[row + k]! * delta;
        const ch = Math.abs(delta) * Math.sqrt(gjj);
        if (ch > maxChange) maxChange = ch;
      }
    }
    this.sweeps++;
    this.maxChange = maxChange / this.scale;
    return this.maxChange;
  }
}

/**
 * The same problem in data form: minimises 0.5 sum_i w_i (t_i - sum_j z_ij v_j)^2 + penalties,
 * with z given as columns. Keeps the weighted residual current; v0 is the warm start.
 */
export class DataCD {
  readonly v: Float64Array;
  sweeps = 0;
  maxChange = Infinity;
  private readonly resid: Float64Array;
  private readonly diag: Float64Array;
  private readonly scale: number;

  constructor(
    private readonly columns: readonly Float64Array[],
    target: Float64Array,
    private readonly weights: Float64Array | null,
    private readonly l1: Float64Array,
    private readonly l2: Float64Array,
    v0: Float64Array,
  ) {
    const p = columns.length;
    const n = target.length;
    this.v = Float64Array.from(v0);
    this.resid = Float64Array.from(target);
    this.diag = new Float64Array(p);
    let ss = 0;
    for (let i = 0; i < n; i++) ss += (weights ? weights[i]! : 1) * target[i]! * target[i]!;
    this.scale = ss > 0 ? Math.sqrt(ss) : 1;
    for (let j = 0; j < p; j++) {
      const z = columns[j]!;
      let d = 0;
      for (let i = 0; i < n; i++) d += (weights ? weights[i]! : 1) * z[i]! * z[i]!;
      this.diag[j] = d;
      const vj = this.v[j]!;
      if (vj !== 0) for (let i = 0; i < n; i++) this.resid[i] -= z[i]! * vj;
    }
  }

  sweep(): number {
    const { columns, weights, l1, l2, v, resid, diag } = this;
    const p = columns.length;
    const n = resid.length;
    let maxChange = 0;
    for (let j = 0; j < p; j++) {
      const d = diag[j]!;
      const denom = d + l2[j]!;
      if (denom <= 0) continue;
      const z = columns[j]!;
      let g = 0;
      if (weights) for (let i = 0; i < n; i++) g += weights[i]! * z[i]! * resid[i]!;
      else for (let i = 0; i < n; i++) g += z[i]! * resid[i]!;
      const old = v[j]!;
      const nv = softThreshold(g + d * old, l1[j]!) / denom;
      const delta = nv - old;
      if (delta !== 0) {
        v[j] = nv;
        for (let i = 0; i < n; i++) resid[i] -= z[i]! * delta;
        const ch = Math.abs(delta) * Math.sqrt(d);
        if (ch > maxChange) maxChange = ch;
      }
    }
    this.sweeps++;
    this.maxChange = maxChange / this.scale;
    return this.maxChange;
  }
}
