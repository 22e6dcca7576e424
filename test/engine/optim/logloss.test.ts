// The fused log-loss kernels: values on hand-checked cases and gradients against finite differences.

import { describe, expect, it } from 'vitest';
import { binaryLogLoss, softmaxLogLoss, type PackedDesign } from '../../../src/engine/optim/logloss.js';
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
