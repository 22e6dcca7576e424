// Global mean plus regularised user and item biases by alternating least squares (Surprise's
// BaselineOnly with method 'als'): item biases given the user biases, then user biases given the
// item biases, each a closed-form ridge solution.

import type { Csr } from './csr.js';

export interface BiasModel {
  globalMean: number;
  userBias: Float64Array;
  itemBias: Float64Array;
}

export interface BiasOptions {
  iterations: number;
  regUser: number;
  regItem: number;
}

/** Fits on the ratings of `byUser` (users x items); `byItem` is its transpose. */
export function fitBiases(byUser: Csr, byItem: Csr, o: BiasOptions): BiasModel {
  const nnz = byUser.values.length;
  let sum = 0;
  for (let e = 0; e < nnz; e++) sum += byUser.values[e]!;
  const mu = nnz > 0 ? sum / nnz : 0;
  const bu = new Float64Array(byUser.rows);
  const bi = new Float64Array(byItem.rows);
  for (let it = 0; it < o.iterations; it++) {
    for (let i = 0; i < byItem.rows; i++) {
      let s = 0;
      const a = byItem.indptr[i]!;
      const b = byItem.indptr[i + 1]!;
      for (let e = a; e < b; e++) s += byItem.values[e]! - mu - bu[byItem.indices[e]!]!;
      bi[i] = s / (o.regItem + (b - a));
    }
    for (let u = 0; u < byUser.rows; u++) {
      let s = 0;
      const a = byUser.indptr[u]!;
      const b = byUser.indptr[u + 1]!;
      for (let e = a; e < b; e++) s += byUser.values[e]! - mu - bi[byUser.indices[e]!]!;
      bu[u] = s / (o.regUser + (b - a));
    }
  }
  return { globalMean: mu, userBias: bu, itemBias: bi };
}
