// The hand-assembled wasm SIMD tile against plain dot products.

import { describe, expect, it } from 'vitest';
import { simdTile } from '../../../src/engine/linalg/simd.js';
import { Rng } from '../../../src/engine/random.js';

describe('wasm SIMD Gram tile', () => {
  it('when this Node has wasm SIMD, then the module validates and loads', () => {
    // Node 20 (V8 11) ships wasm SIMD; a null here would silently fall back to the slow kernel.
    expect(simdTile()).not.toBeNull();
  });

  it('when given six columns, then the eight dot products equal the scalar sums', () => {
    const k = simdTile()!;
    const rng = new Rng(4);
    const B = 38;
    k.ensure(7 * B + 8);
    const f = k.f64;
    for (let i = 0; i < 6 * B; i++) f[i] = rng.normal();
    const cols = [0, 1, 2, 3, 4, 5].map((c) => c * B);
    k.tile(cols[0]!, cols[1]!, cols[2]!, cols[3]!, cols[4]!, cols[5]!, B, 6 * B);
    const got = Array.from(k.f64.subarray(6 * B, 6 * B + 8));
    const want: number[] = [];
    for (const a of [0, 1]) for (const x of [2, 3, 4, 5]) {
      let s = 0;
      for (let r = 0; r < B; r++) s += f[cols[a]! + r]! * f[cols[x]! + r]!;
      want.push(s);
    }
    got.forEach((g, i) => expect(g).toBeCloseTo(want[i]!, 10));
  });

  it('when memory must grow, then earlier contents survive and the view is refreshed', () => {
    const k = simdTile()!;
    k.ensure(16);
    k.f64[3] = 42;
    k.ensure(200_000);
    expect(k.f64.length).toBeGreaterThanOrEqual(200_000);
    expect(k.f64[3]).toBe(42);
  });
});
