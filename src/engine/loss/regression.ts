// Regression losses: squared error, absolute error, Huber and Poisson (log link, for counts).

import { weightedMean, type Loss } from './loss.js';

export function squaredError(): Loss {
  return {
    name: 'squared_error',
    options: {},
    nOut: 1,
    metric: 'rmse',
    baseScore: (y, w) => Float64Array.of(weightedMean(y.length, w, (i) => y[i]!)),
    gradients(y, raw, w, grad, hess, from = 0, to = y.length) {
      for (let i = from; i < to; i++) {
        const wi = w ? w[i]! : 1;
        grad[i] = wi * (raw[i]! - y[i]!);
        hess[i] = wi;
      }
    },
    loss: (y, raw, w) => weightedMean(y.length, w, (i) => 0.5 * (raw[i]! - y[i]!) ** 2),
    evalMetric: (y, raw, w) => Math.sqrt(weightedMean(y.length, w, (i) => (raw[i]! - y[i]!) ** 2)),
    transform(raw, out) {
      out.set(raw);
    },
  };
}

/** Weighted median of values[0..n) with weights (null = 1). */
export function weightedMedian(values: Float64Array, weights: Float64Array | null, n: number): number {
  if (n === 0) return 0;
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) => values[a]! - values[b]!);
  let total = 0;
  for (let i = 0; i < n; i++) total += weights ? weights[i]! : 1;
  let acc = 0;
  for (let i = 0; i < n; i++) {
    acc += weights ? weights[order[i]!]! : 1;
    if (acc >= total / 2) return values[order[i]!]!;
  }
  return values[order[n - 1]!]!;
}

export function absoluteError(): Loss {
  let buf = new Float64Array(0);
  let wbuf = new Float64Array(0);
  return {
    name: 'absolute_error',
    options: {},
    nOut: 1,
    metric: 'mae',
    baseScore(y, w) {
      return Float64Array.of(weightedMedian(y, w, y.length));
    },
    gradients(y, raw, w, grad, hess, from = 0, to = y.length) {
      // The Newton step of |r| is undefined; grow on the sign with unit hessian and refit leaves.
      for (let i = from; i < to; i++) {
        const wi = w ? w[i]! : 1;
        const d = raw[i]! - y[i]!;
        grad[i] = wi * (d > 0 ? 1 : d < 0 ? -1 : 0);
        hess[i] = wi;
      }
    },
    loss: (y, raw, w) => weightedMean(y.length, w, (i) => Math.abs(raw[i]! - y[i]!)),
    evalMetric: (y, raw, w) => weightedMean(y.length, w, (i) => Math.abs(raw[i]! - y[i]!)),
    transform(raw, out) {
      out.set(raw);
    },
    leafValue(rows, start, end, y, raw, w) {
      const n = end - start;
      if (buf.length < n) {
        buf = new Float64Array(n);
        wbuf = new Float64Array(n);
      }
      for (let i = 0; i < n; i++) {
        const r = rows[start + i]!;
        buf[i] = y[r]! - raw[r]!;
        wbuf[i] = w ? w[r]! : 1;
      }
      return weightedMedian(buf, wbuf, n);
    },
  };
}

/** Huber loss with threshold delta: quadratic for small residuals, linear beyond. */
export function huber(delta: number): Loss {
  const f = (d: number): number => (Math.abs(d) <= delta ? 0.5 * d * d : delta * (Math.abs(d) - 0.5 * delta));
  return {
    name: 'huber',
    options: { huberDelta: delta },
    nOut: 1,
    metric: 'huber',
    baseScore: (y, w) => Float64Array.of(weightedMedian(y, w, y.length)),
    gradients(y, raw, w, grad, hess, from = 0, to = y.length) {
      // Unit hessian: the true one is 0 in the linear zone, which would make Newton steps blow up.
      for (let i = from; i < to; i++) {
        const wi = w ? w[i]! : 1;
        const d = raw[i]! - y[i]!;
        grad[i] = wi * (d > delta ? delta : d < -delta ? -delta : d);
        hess[i] = wi;
      }
    },
    loss: (y, raw, w) => weightedMean(y.length, w, (i) => f(raw[i]! - y[i]!)),
    evalMetric: (y, raw, w) => weightedMean(y.length, w, (i) => f(raw[i]! - y[i]!)),
    transform(raw, out) {
      out.set(raw);
    },
  };
}

/** Poisson regression on a log link: raw = log(expected count). */
export function poisson(): Loss {
  const clampExp = (x: number): number => Math.exp(Math.min(x, 700));
  return {
    name: 'poisson',
    options: {},
    nOut: 1,
    metric: 'poisson_deviance',
    baseScore(y, w) {
      const m = weightedMean(y.length, w, (i) => y[i]!);
      return Float64Array.of(Math.log(Math.max(m, 1e-12)));
    },
    gradients(y, raw, w, grad, hess, from = 0, to = y.length) {
      for (let i = from; i < to; i++) {
        const wi = w ? w[i]! : 1;
        const mu = clampExp(raw[i]!);
        grad[i] = wi * (mu - y[i]!);
        hess[i] = wi * mu;
      }
    },
    loss: (y, raw, w) => weightedMean(y.length, w, (i) => clampExp(raw[i]!) - y[i]! * raw[i]!),
    evalMetric: (y, raw, w) =>
      weightedMean(y.length, w, (i) => {
        const mu = clampExp(raw[i]!);
        const yi = y[i]!;
        return 2 * ((yi > 0 ? yi * Math.log(yi / mu) : 0) - (yi - mu));
      }),
    transform(raw, out) {
      for (let i = 0; i < raw.length; i++) out[i] = clampExp(raw[i]!);
    },
  };
}
