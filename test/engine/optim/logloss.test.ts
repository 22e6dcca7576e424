// The fused log-loss kernels: values on hand-checked cases and gradients against finite differences.

import { describe, expect, it } from 'vitest';
import { binaryLogLoss, LogLossWorkspace, logLossColumns, softmaxLogLoss, type PackedDesign } from '../../../src/engine/optim/logloss.js';
import { Rng } from '../../../src/engine/random.js';

function randomDesign(seed: number, rows: number, p: number): PackedDesign {
  const rng = new Rng(seed);
  return { x: Float64Array.from({ length: rows * p }, () => rng.normal()), rows, p };
}

function checkGradient(f: (c: Float64Array, g: Float64Array) => number, dim: number, seed: number): void {
  const rng = new Rng(seed);
  const c = Float64Array.from({ length: dim }, () => rng.normal() * 0.5);
  const g = new Float64Array(dim);
  f(c, g);
  const tmp = new Float64Array(dim);
  for (let i = 0; i < dim; i++) {
    const h = 1e-6;
    const cp = Float64Array.from(c);
    cp[i] += h;
    const fp = f(cp, tmp);
    cp[i] -= 2 * h;
    const fm = f(cp, tmp);
    expect(g[i]).toBeCloseTo((fp - fm) / (2 * h), 5);
  }
}

describe('log-loss kernels', () => {
  it('when all coefficients are zero, then binary loss is n log 2 and softmax loss is n log K', () => {
    const d = randomDesign(1, 10, 3);
    const y2 = Float64Array.from({ length: 10 }, (_, i) => i % 2);
    const y3 = Float64Array.from({ length: 10 }, (_, i) => i % 3);
    expect(binaryLogLoss(d, y2, null, new Float64Array(4), true, new Float64Array(4))).toBeCloseTo(10 * Math.log(2), 12);
    expect(softmaxLogLoss(d, y3, null, new Float64Array(12), 3, true, new Float64Array(12))).toBeCloseTo(10 * Math.log(3), 12);
  });

  it('when the linear predictor is huge, then the loss stays finite', () => {
    const d: PackedDesign = { x: Float64Array.from([1000, -1000]), rows: 2, p: 1 };
    const y = Float64Array.from([0, 0]);
    const g = new Float64Array(1);
    expect(binaryLogLoss(d, y, null, Float64Array.from([1]), false, g)).toBeCloseTo(1000, 9);
    expect(softmaxLogLoss(d, y, null, Float64Array.from([0, 1]), 2, false, new Float64Array(2))).toBeCloseTo(1000, 9);
  });

  it('when weighted, then gradients match finite differences (binary and softmax, with and without intercept)', () => {
    const d = randomDesign(2, 40, 3);
    const rng = new Rng(3);
    const w = Float64Array.from({ length: 40 }, () => rng.next() * 2);
    const y2 = Float64Array.from({ length: 40 }, () => rng.int(2));
    const y4 = Float64Array.from({ length: 40 }, () => rng.int(4));
    checkGradient((c, g) => binaryLogLoss(d, y2, w, c, true, g), 4, 10);
    checkGradient((c, g) => binaryLogLoss(d, y2, null, c, false, g), 3, 11);
    checkGradient((c, g) => softmaxLogLoss(d, y4, w, c, 4, true, g), 16, 12);
    checkGradient((c, g) => softmaxLogLoss(d, y4, null, c, 4, false, g), 12, 13);
  });
});

describe('column log-loss kernel', () => {
  it('when given raw columns and a standardisation, then loss and gradient equal the packed kernels on standardised rows', () => {
    const rng = new Rng(8);
    const rows = 2500; // several 1024-row blocks
    const p = 7; // one 4-wide tile plus a remainder
    const columns = Array.from({ length: p }, (_, j) => Float64Array.from({ length: rows }, () => 3 * rng.normal() + 100 * j));
    const means = Float64Array.from(columns, (c) => c.reduce((s, v) => s + v, 0) / rows);
    const scales = Float64Array.from(columns, (c, j) => Math.sqrt(c.reduce((s, v) => s + (v - means[j]!) ** 2, 0) / rows));
    const packed: PackedDesign = { x: new Float64Array(rows * p), rows, p };
    for (let i = 0; i < rows; i++) for (let j = 0; j < p; j++) packed.x[i * p + j] = (columns[j]![i]! - means[j]!) / scales[j]!;
    const w = Float64Array.from({ length: rows }, () => rng.next());
    for (const [K, fi] of [
      [2, true],
      [2, false],
      [3, true],
      [4, false],
    ] as const) {
      const blocks = K === 2 ? 1 : K;
      const dim = blocks * (fi ? p + 1 : p);
      const v = Float64Array.from({ length: dim }, () => rng.normal() * 0.3);
      const y = Float64Array.from({ length: rows }, () => rng.int(K));
      const g1 = new Float64Array(dim);
      const g2 = new Float64Array(dim);
      const ws = new LogLossWorkspace(p, blocks);
      const f1 = logLossColumns({ columns, rows, means, scales }, y, w, v, blocks, fi, g1, ws);
      const f2 = K === 2 ? binaryLogLoss(packed, y, w, v, fi, g2) : softmaxLogLoss(packed, y, w, v, K, fi, g2);
      expect(f1 / f2).toBeCloseTo(1, 10);
      g1.forEach((g, i) => expect(g - g2[i]!).toBeCloseTo(0, 6));
    }
  });
});
