import { describe, expect, it } from 'vitest';
import { createLoss, LOSS_NAMES, type Loss } from '../../../src/engine/loss/index.js';
import { weightedMedian } from '../../../src/engine/loss/regression.js';
import { Rng } from '../../../src/engine/random.js';

const rng = new Rng(11);
const K = 3;

function targets(name: string, n: number): Float64Array {
  return Float64Array.from({ length: n }, () => {
    if (name === 'binary_logistic') return rng.next() < 0.4 ? 1 : 0;
    if (name === 'softmax') return rng.int(K);
    if (name === 'poisson') return rng.int(6);
    return rng.normal() * 3;
  });
}

/** Loss of one row as a function of one raw column. */
function rowLoss(loss: Loss, y: number, raw: Float64Array, k: number, at: number): number {
  const r = Float64Array.from(raw);
  r[k] = at;
  return loss.loss(Float64Array.of(y), r, null);
}

describe('losses', () => {
  for (const name of LOSS_NAMES) {
    it(`when ${name} gradients are compared with finite differences, then they agree`, () => {
      const loss = createLoss(name, { nClasses: K, huberDelta: 1.5 });
      const m = loss.nOut;
      const n = 20;
      const y = targets(name, n);
      const raw = Float64Array.from({ length: n * m }, () => rng.normal());
      const grad = new Float64Array(n * m);
      const hess = new Float64Array(n * m);
      loss.gradients(y, raw, null, grad, hess);
      const eps = 1e-5;
      for (let i = 0; i < n; i++) {
        const r = raw.subarray(i * m, i * m + m);
        for (let k = 0; k < m; k++) {
          const x = r[k]!;
          // Skip points next to the kink of |r| and Huber's joint, where the derivative jumps.
          if (name === 'absolute_error' && Math.abs(x - y[i]!) < 1e-3) continue;
          if (name === 'huber' && Math.abs(Math.abs(x - y[i]!) - 1.5) < 1e-3) continue;
          const up = rowLoss(loss, y[i]!, r, k, x + eps);
          const down = rowLoss(loss, y[i]!, r, k, x - eps);
          const mid = rowLoss(loss, y[i]!, r, k, x);
          expect(grad[k * n + i]).toBeCloseTo((up - down) / (2 * eps), 5);
          const second = (up - 2 * mid + down) / (eps * eps);
          if (name === 'absolute_error' || (name === 'huber' && Math.abs(x - y[i]!) > 1.5)) {
            // Piecewise-linear zones: a unit hessian stands in for the true zero curvature.
            expect(hess[k * n + i]).toBe(1);
          } else {
            expect(hess[k * n + i]).toBeCloseTo(second, 2);
          }
        }
      }
    });

    it(`when ${name} gradients are filled in row ranges, then they equal one pass over all rows`, () => {
      const loss = createLoss(name, { nClasses: K, huberDelta: 1.5 });
      const m = loss.nOut;
      const n = 37;
      const y = targets(name, n);
      const raw = Float64Array.from({ length: n * m }, () => rng.normal());
      const [g1, h1, g2, h2] = [0, 0, 0, 0].map(() => new Float64Array(n * m).fill(NaN));
      loss.gradients(y, raw, null, g1!, h1!);
      for (const [a, b] of [[20, 37], [0, 7], [7, 20]]) loss.gradients(y, raw, null, g2!, h2!, a, b);
      expect(g2).toEqual(g1);
      expect(h2).toEqual(h1);
      expect(g1!.some(Number.isNaN)).toBe(false);
    });

    it(`when ${name} rows carry weights, then gradients and hessians scale by them`, () => {
      const loss = createLoss(name, { nClasses: K });
      const m = loss.nOut;
      const y = targets(name, 5);
      const raw = Float64Array.from({ length: 5 * m }, () => rng.normal());
      const w = Float64Array.of(1, 2, 0.5, 3, 0);
      const [g1, h1, g2, h2] = [0, 0, 0, 0].map(() => new Float64Array(5 * m));
      loss.gradients(y, raw, null, g1!, h1!);
      loss.gradients(y, raw, w, g2!, h2!);
      // Class-major: output k of row i at k * 5 + i.
      for (let i = 0; i < 5 * m; i++) {
        expect(g2![i]).toBeCloseTo(g1![i]! * w[i % 5]!, 12);
        expect(h2![i]).toBeCloseTo(h1![i]! * w[i % 5]!, 12);
      }
    });
  }

  for (const name of ['squared_error', 'binary_logistic', 'poisson', 'softmax'] as const) {
    it(`when ${name} starts from base_score, then the total gradient there is zero`, () => {
      const loss = createLoss(name, { nClasses: K });
      const m = loss.nOut;
      const n = 500;
      const y = targets(name, n);
      const base = loss.baseScore(y, null);
      const raw = new Float64Array(n * m);
      for (let i = 0; i < n; i++) raw.set(base, i * m);
      const grad = new Float64Array(n * m);
      loss.gradients(y, raw, null, grad, new Float64Array(n * m));
      for (let k = 0; k < m; k++) {
        let s = 0;
        for (let i = 0; i < n; i++) s += grad[k * n + i]!;
        expect(Math.abs(s / n)).toBeLessThan(1e-6);
      }
    });
  }

  it('when the weighted median is taken, then half the weight lies on each side', () => {
    expect(weightedMedian(Float64Array.of(5, 1, 3), null, 3)).toBe(3);
    expect(weightedMedian(Float64Array.of(5, 1, 3), Float64Array.of(10, 1, 1), 3)).toBe(5);
    expect(createLoss('absolute_error').baseScore(Float64Array.of(1, 2, 100), null)[0]).toBe(2);
  });

  it('when softmax probabilities are taken, then rows sum to one and follow the raw order', () => {
    const loss = createLoss('softmax', { nClasses: 3 });
    const out = new Float64Array(3);
    loss.transform(Float64Array.of(0, 1, 2), out);
    expect(out[0]! + out[1]! + out[2]!).toBeCloseTo(1, 12);
    expect(out[2]).toBeGreaterThan(out[1]!);
    expect(() => createLoss('hinge')).toThrow(/unknown loss "hinge"/);
  });
});
