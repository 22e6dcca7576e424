// The wasm SIMD product kernel against the plain JavaScript one, over the shapes the network
// uses: odd row counts, column counts that are not multiples of 16, transposed reads, bias, ReLU.

import { describe, expect, it } from 'vitest';
import { Gemm, scalarGemm } from '../../../src/engine/nn/gemm.js';
import { Rng } from '../../../src/engine/random.js';

describe('gemm', () => {
  it('when the runtime has wasm SIMD, then the kernel is used', () => {
    expect(new Gemm().simd).toBe(true);
  });

  for (const [M, P, J] of [
    [1, 1, 4],
    [7, 5, 20],
    [32, 28, 64],
    [33, 3, 36],
    [2, 64, 4],
  ] as const) {
    it(`when multiplying ${M}x${P} by ${P}x${J} (plain, transposed, with bias and relu), then SIMD matches the scalar product`, () => {
      const g = new Gemm();
      const rng = new Rng(M * 100 + J);
      const L = g.alloc(M * P + 3);
      const R = g.alloc(P * J);
      const bias = g.alloc(J);
      const C1 = g.alloc(M * J);
      const C2 = g.alloc(M * J);
      for (let i = 0; i < M * P + 3; i++) g.f32[L + i] = rng.normal();
      for (let i = 0; i < P * J; i++) g.f32[R + i] = rng.normal();
      for (let i = 0; i < J; i++) g.f32[bias + i] = rng.normal();
      for (const [lsm, lsp] of [
        [P, 1],
        [1, M],
      ] as const) {
        for (const relu of [false, true]) {
          g.run(L, lsm, lsp, R, J, C1, J, bias, M, P, J, relu);
          scalarGemm(g.f32, L, lsm, lsp, R, J, C2, J, bias, M, P, J, relu);
          for (let i = 0; i < M * J; i++) expect(g.f32[C1 + i]!).toBeCloseTo(g.f32[C2 + i]!, 4);
          if (relu) for (let i = 0; i < M * J; i++) expect(g.f32[C1 + i]!).toBeGreaterThanOrEqual(0);
        }
      }
    });
  }

  it('when the output has a row stride wider than the columns computed, then the other columns are untouched', () => {
    const g = new Gemm();
    const L = g.alloc(3 * 2);
    const R = g.alloc(2 * 4);
    const zero = g.alloc(4);
    const C = g.alloc(3 * 8);
    g.f32.fill(1, L, L + 6);
    g.f32.fill(2, R, R + 8);
    g.f32.fill(-7, C, C + 24);
    g.run(L, 2, 1, R, 4, C, 8, zero, 3, 2, 4, false);
    for (let m = 0; m < 3; m++) {
      for (let j = 0; j < 4; j++) expect(g.f32[C + m * 8 + j]).toBe(4);
      for (let j = 4; j < 8; j++) expect(g.f32[C + m * 8 + j]).toBe(-7);
    }
  });

  it('when given a ReLU mask, then entries whose mask is not positive become zero, as in the scalar product', () => {
    const g = new Gemm();
    const rng = new Rng(5);
    const [M, P, J] = [9, 6, 24];
    const L = g.alloc(M * P);
    const R = g.alloc(P * J);
    const mask = g.alloc(M * J);
    const zero = g.alloc(J);
    const C1 = g.alloc(M * J);
    const C2 = g.alloc(M * J);
    for (let i = 0; i < M * P; i++) g.f32[L + i] = rng.normal();
    for (let i = 0; i < P * J; i++) g.f32[R + i] = rng.normal();
    for (let i = 0; i < M * J; i++) g.f32[mask + i] = rng.next() < 0.5 ? 0 : rng.next();
    g.run(L, P, 1, R, J, C1, J, zero, M, P, J, false, mask);
    scalarGemm(g.f32, L, P, 1, R, J, C2, J, zero, M, P, J, false, mask);
    for (let i = 0; i < M * J; i++) {
      expect(g.f32[C1 + i]!).toBeCloseTo(g.f32[C2 + i]!, 4);
      if (g.f32[mask + i] === 0) expect(g.f32[C1 + i]).toBe(0);
      else expect(g.f32[C1 + i]).not.toBe(0);
    }
  });

  it('when a column count is not a multiple of 4, then it refuses', () => {
    const g = new Gemm();
    expect(() => g.run(0, 1, 1, 0, 4, 0, 4, 0, 1, 1, 3, false)).toThrow(/multiples of 4/);
  });
});
