// Weighted log-loss and its gradient for binary (sigmoid) and multinomial (softmax) logistic
// regression, computed in one fused pass over a row-major packed design matrix: each row's
// features are read once for the linear predictor and once, still in cache, for the gradient.
// Coefficients are laid out per class as [w_0 .. w_{p-1}, intercept?].

export interface PackedDesign {
  /** rows x p, row-major. */
  readonly x: Float64Array;
  readonly rows: number;
  readonly p: number;
}

/**
 * Sum over rows of w_i * (softplus(z_i) - y_i z_i) with z_i = x_i'coef (+ intercept), y in {0,1};
 * writes the gradient into `grad` (same layout as coef) and returns the loss.
 */
export function binaryLogLoss(d: PackedDesign, y: Float64Array, weights: Float64Array | null, coef: Float64Array, fitIntercept: boolean, grad: Float64Array): number {
  const { x, rows, p } = d;
  grad.fill(0);
  const b = fitIntercept ? coef[p]! : 0;
  let loss = 0;
  let gb = 0;
  for (let i = 0, o = 0; i < rows; i++, o += p) {
    let z = b;
    for (let j = 0; j < p; j++) z += x[o + j]! * coef[j]!;
    // Stable softplus and sigmoid from one exp of -|z|.
    const e = Math.exp(-Math.abs(z));
    const yi = y[i]!;
    let l = (z > 0 ? z : 0) + Math.log1p(e) - yi * z;
    let r = (z >= 0 ? 1 / (1 + e) : e / (1 + e)) - yi;
    if (weights) {
      const wi = weights[i]!;
      l *= wi;
      r *= wi;
    }
    loss += l;
    gb += r;
    if (r !== 0) for (let j = 0; j < p; j++) grad[j] += r * x[o + j]!;
  }
  if (fitIntercept) grad[p] = gb;
  return loss;
}

/**
 * Multinomial log-loss: sum over rows of w_i * (logsumexp(z_i) - z_i[y_i]) for K classes, with
 * class k's coefficients at coef[k*stride ...], stride = p (+1 with an intercept).
 */
export function softmaxLogLoss(d: PackedDesign, y: Float64Array, weights: Float64Array | null, coef: Float64Array, nClasses: number, fitIntercept: boolean, grad: Float64Array): number {
  const { x, rows, p } = d;
  const K = nClasses;
  const stride = fitIntercept ? p + 1 : p;
  grad.fill(0);
  const z = new Float64Array(K);
  let loss = 0;
  for (let i = 0, o = 0; i < rows; i++, o += p) {
    let zmax = -Infinity;
    for (let k = 0; k < K; k++) {
      const c = k * stride;
      let s = fitIntercept ? coef[c + p]! : 0;
      for (let j = 0; j < p; j++) s += x[o + j]! * coef[c + j]!;
      z[k] = s;
      if (s > zmax) zmax = s;
    }
    const yi = y[i]!;
    const zy = z[yi]!;
    let sum = 0;
    for (let k = 0; k < K; k++) {
      const e = Math.exp(z[k]! - zmax);
      z[k] = e;
      sum += e;
    }
    const wi = weights ? weights[i]! : 1;
    loss += wi * (Math.log(sum) + zmax - zy);
    const inv = 1 / sum;
    for (let k = 0; k < K; k++) {
      const r = wi * (z[k]! * inv - (k === yi ? 1 : 0));
      if (r === 0) continue;
      const c = k * stride;
      for (let j = 0; j < p; j++) grad[c + j] += r * x[o + j]!;
      if (fitIntercept) grad[c + p] += r;
    }
  }
  return loss;
}
