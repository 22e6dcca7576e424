// Classification losses: binary logistic (one raw column, the log-odds of class 1) and multiclass
// softmax (one raw column per class).

import type { Loss } from './loss.js';

const EPS = 1e-15;

function sigmoid(x: number): number {
  // One exp of a non-positive argument serves both signs (never overflows): 1 / (1 + e^-x) for
  // x >= 0, e^x / (1 + e^x) below.
  const e = Math.exp(-Math.abs(x));
  return x >= 0 ? 1 / (1 + e) : e / (1 + e);
}

/** log(1 + e^x) without overflow. */
function softplus(x: number): number {
  return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
}

export function binaryLogistic(): Loss {
  const mean = (y: Float64Array, raw: Float64Array, w: Float64Array | null): number => {
    let s = 0;
    let sw = 0;
    for (let i = 0; i < y.length; i++) {
      const wi = w ? w[i]! : 1;
      s += wi * (softplus(raw[i]!) - y[i]! * raw[i]!);
      sw += wi;
    }
    return sw > 0 ? s / sw : 0;
  };
  return {
    name: 'binary_logistic',
    options: {},
    nOut: 1,
    metric: 'logloss',
    baseScore(y, w) {
      let s = 0;
      let sw = 0;
      for (let i = 0; i < y.length; i++) {
        const wi = w ? w[i]! : 1;
        s += wi * y[i]!;
        sw += wi;
      }
      const p = Math.min(1 - 1e-7, Math.max(1e-7, sw > 0 ? s / sw : 0.5));
      return Float64Array.of(Math.log(p / (1 - p)));
    },
    gradients(y, raw, w, grad, hess, from = 0, to = y.length) {
      for (let i = from; i < to; i++) {
        const wi = w ? w[i]! : 1;
        const p = sigmoid(raw[i]!);
        grad[i] = wi * (p - y[i]!);
        hess[i] = wi * Math.max(p * (1 - p), EPS);
      }
    },
    loss: mean,
    evalMetric: mean,
    transform(raw, out) {
      for (let i = 0; i < raw.length; i++) out[i] = sigmoid(raw[i]!);
    },
  };
}

export function softmax(nClasses: number): Loss {
  const K = nClasses;
  const p = new Float64Array(K);
  /** Softmax of row i of raw into p; returns the row's maximum and leaves the normaliser in `sum`. */
  let sum = 0;
  const softmaxRow = (raw: Float64Array, i: number): number => {
    const o = i * K;
    let mx = -Infinity;
    for (let k = 0; k < K; k++) {
      const v = raw[o + k]!;
      if (v > mx) mx = v;
    }
    let s = 0;
    for (let k = 0; k < K; k++) {
      const e = Math.exp(raw[o + k]! - mx);
      p[k] = e;
      s += e;
    }
    for (let k = 0; k < K; k++) p[k] = p[k]! / s;
    sum = s;
    return mx;
  };
  /** As softmaxRow, returning log of the normaliser (for the loss). */
  const probs = (raw: Float64Array, i: number): number => softmaxRow(raw, i) + Math.log(sum);
  const mean = (y: Float64Array, raw: Float64Array, w: Float64Array | null): number => {
    let s = 0;
    let sw = 0;
    for (let i = 0; i < y.length; i++) {
      const wi = w ? w[i]! : 1;
      s += wi * (probs(raw, i) - raw[i * K + y[i]!]!);
      sw += wi;
    }
    return sw > 0 ? s / sw : 0;
  };
  return {
    name: 'softmax',
    options: { nClasses: K },
    nOut: K,
    metric: 'mlogloss',
    baseScore(y, w) {
      const c = new Float64Array(K);
      for (let i = 0; i < y.length; i++) c[y[i]!] += w ? w[i]! : 1;
      let tot = 0;
      for (let k = 0; k < K; k++) tot += c[k]!;
      const out = new Float64Array(K);
      let m = 0;
      for (let k = 0; k < K; k++) {
        out[k] = Math.log(Math.max(c[k]! / Math.max(tot, EPS), 1e-7));
        m += out[k]! / K;
      }
      for (let k = 0; k < K; k++) out[k] = out[k]! - m;
      return out;
    },
    gradients(y, raw, w, grad, hess, from = 0, to = y.length) {
      const n = y.length;
      for (let i = from; i < to; i++) {
        const wi = w ? w[i]! : 1;
        softmaxRow(raw, i);
        const yi = y[i]!;
        for (let k = 0; k < K; k++) {
          const pk = p[k]!;
          grad[k * n + i] = wi * (pk - (k === yi ? 1 : 0));
          // Diagonal of the softmax hessian, as XGBoost and scikit-learn use.
          hess[k * n + i] = wi * Math.max(pk * (1 - pk), EPS);
        }
      }
    },
    loss: mean,
    evalMetric: mean,
    transform(raw, out) {
      const rows = raw.length / K;
      for (let i = 0; i < rows; i++) {
        softmaxRow(raw, i);
        for (let k = 0; k < K; k++) out[i * K + k] = p[k]!;
      }
    },
  };
}
