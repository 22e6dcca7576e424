// Adam and SGD with momentum on a quadratic, and the learning-rate schedules.

import { describe, expect, it } from 'vitest';
import { createOptimizer, learningRateAt, type ScheduleOptions } from '../../../src/engine/nn/optim.js';

const base = { learningRate: 0.1, momentum: 0.9, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 };

describe('optimizers', () => {
  for (const name of ['adam', 'sgd'] as const) {
    it(`when ${name} minimises sum (x - c)^2, then it reaches c`, () => {
      const c = [1, -2, 3];
      const x = new Float32Array(3);
      const g = new Float32Array(3);
      const opt = createOptimizer(name, 3, base);
      for (let s = 0; s < 2000; s++) {
        for (let i = 0; i < 3; i++) g[i] = 2 * (x[i]! - c[i]!);
        opt.step(x, g, name === 'adam' ? 0.05 : 0.01);
      }
      for (let i = 0; i < 3; i++) expect(x[i]!).toBeCloseTo(c[i]!, 2);
    });
  }

  it('when Adam takes its first step, then every parameter moves by the learning rate against its gradient sign', () => {
    const x = new Float32Array([0, 0]);
    createOptimizer('adam', 2, base).step(x, Float32Array.of(5, -0.001), 0.01);
    expect(x[0]!).toBeCloseTo(-0.01, 6);
    expect(x[1]!).toBeCloseTo(0.01, 4);
  });
});

describe('schedules', () => {
  const o: ScheduleOptions = { name: 'constant', learningRate: 0.1, decayRate: 0.5, stepSize: 2, epochs: 4, stepsPerEpoch: 10 };
  it('when constant, then the rate never changes', () => {
    expect(learningRateAt(o, 3, 39)).toBe(0.1);
  });
  it('when step, then it halves every step_size epochs', () => {
    expect([0, 1, 2, 3].map((e) => learningRateAt({ ...o, name: 'step' }, e, 0))).toEqual([0.1, 0.1, 0.05, 0.05]);
  });
  it('when exponential, then it decays by decay_rate per epoch', () => {
    expect(learningRateAt({ ...o, name: 'exponential' }, 2, 0)).toBeCloseTo(0.025, 12);
  });
  it('when cosine, then it starts at the rate, halves midway and ends at zero', () => {
    const c = { ...o, name: 'cosine' as const };
    expect(learningRateAt(c, 0, 0)).toBeCloseTo(0.1, 12);
    expect(learningRateAt(c, 2, 20)).toBeCloseTo(0.05, 12);
    expect(learningRateAt(c, 3, 40)).toBeCloseTo(0, 12);
  });
});
