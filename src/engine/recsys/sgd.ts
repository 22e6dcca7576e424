// Biased matrix factorisation by stochastic gradient descent, the algorithm behind Surprise's
// SVD (Funk's SVD with biases): r_hat = mu + b_u + b_i + p_u . q_i, fitted by sweeping the
// ratings in a seeded random order each epoch with
//   e = r - r_hat;  b_u += lr (e - reg_b b_u);  b_i += lr (e - reg_b b_i);
//   p_u += lr (e q_i - reg p_u);  q_i += lr (e p_u - reg q_i).
// Factors start as N(0, init_std^2). The learning rate may decay per epoch.

import { Rng } from '../random.js';
import type { Csr } from './csr.js';

export interface SgdOptions {
  factors: number;
  epochs: number;
  learningRate: number;
  /** Multiplies the learning rate after every epoch (1 = constant, as Surprise). */
  decay: number;
  reg: number;
  regBias: number;
  initStd: number;
  seed: number;
  /** Called after each epoch with the training RMSE of that epoch's updates. */
  onEpoch?: (epoch: number, trainRmse: number) => void;
  signal?: AbortSignal;
}

export interface FactorModel {
  factors: number;
  globalMean: number;
  userBias: Float64Array;
  itemBias: Float64Array;
  userFactors: Float32Array;
  itemFactors: Float32Array;
}

export function fitSgd(byUser: Csr, o: SgdOptions): FactorModel {
  const f = o.factors;
  const nU = byUser.rows;
  const nI = byUser.cols;
  const nnz = byUser.values.length;
  const rng = new Rng(o.seed);
  const P = new Float32Array(nU * f);
  const Q = new Float32Array(nI * f);
  for (let t = 0; t < P.length; t++) P[t] = rng.normal() * o.initStd;
  for (let t = 0; t < Q.length; t++) Q[t] = rng.normal() * o.initStd;
  const bu = new Float64Array(nU);
  const bi = new Float64Array(nI);
  const users = new Int32Array(nnz);
  for (let u = 0; u < nU; u++) users.fill(u, byUser.indptr[u]!, byUser.indptr[u + 1]!);
  let mu = 0;
  for (let e = 0; e < nnz; e++) mu += byUser.values[e]!;
  mu = nnz > 0 ? mu / nnz : 0;
  const order = new Int32Array(nnz);
  for (let e = 0; e < nnz; e++) order[e] = e;
  // Scratch copy of p_u so both updates use the old values, as the formulas say.
  let lr = o.learningRate;
  const { reg, regBias } = o;
  for (let epoch = 0; epoch < o.epochs; epoch++) {
    if (o.signal?.aborted) throw o.signal.reason ?? new Error('aborted');
    rng.shuffle(order);
    let sq = 0;
    for (let t = 0; t < nnz; t++) {
      const e = order[t]!;
      const u = users[e]!;
      const i = byUser.indices[e]!;
      const pu = u * f;
      const qi = i * f;
      let dot = 0;
      for (let k = 0; k < f; k++) dot += P[pu + k]! * Q[qi + k]!;
      const err = byUser.values[e]! - (mu + bu[u]! + bi[i]! + dot);
      sq += err * err;
      bu[u]! += lr * (err - regBias * bu[u]!);
      bi[i]! += lr * (err - regBias * bi[i]!);
      for (let k = 0; k < f; k++) {
        const p = P[pu + k]!;
        const q = Q[qi + k]!;
        P[pu + k] = p + lr * (err * q - reg * p);
        Q[qi + k] = q + lr * (err * p - reg * q);
      }
    }
    o.onEpoch?.(epoch + 1, Math.sqrt(sq / Math.max(nnz, 1)));
    lr *= o.decay;
  }
  return { factors: f, globalMean: mu, userBias: bu, itemBias: bi, userFactors: P, itemFactors: Q };
}
