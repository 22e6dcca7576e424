import { describe, expect, it } from 'vitest';
import { createLoss } from '../../../src/engine/loss/index.js';
import { Rng } from '../../../src/engine/random.js';
import { LEAF_BLOCK, leafBlocks, leafSumBlocks, addLeafBlocks, leafSums, NO_LEAF, updateRows, type RoundArrays } from '../../../src/engine/tree/round-rows.js';

/** n rows, K outputs, trees of nLeaves leaves; every 7th row outside the sample. */
function round(n: number, K: number, nLeaves: number, seed = 1): RoundArrays {
  const rng = new Rng(seed);
  const cap = nLeaves + 3;
  const leafOf = Uint16Array.from({ length: n * K }, (_, i) => (i % 7 === 3 ? NO_LEAF : rng.int(nLeaves)));
  return {
    K,
    y: Float64Array.from({ length: n }, () => rng.int(K > 1 ? K : 2)),
    w: Float64Array.from({ length: n }, () => rng.next() * 2),
    raw: Float64Array.from({ length: n * K }, () => rng.normal()),
    grad: new Float64Array(n * K),
    hess: new Float64Array(n * K),
    leafOf,
    values: Float64Array.from({ length: K * cap }, () => rng.normal()),
    cap,
  };
}

const clone = (a: RoundArrays): RoundArrays => ({ ...a, raw: a.raw.slice(), grad: a.grad.slice(), hess: a.hess.slice() });

describe('round row passes', () => {
  it('when rows are updated in ranges, then scores and gradients equal one pass, and only mapped rows move', () => {
    const loss = createLoss('softmax', { nClasses: 3 });
    const a = round(5000, 3, 9);
    const before = a.raw.slice();
    const whole = clone(a);
    updateRows(whole, loss, 0, 5000, 0, 3);
    const parts = clone(a);
    for (const [from, to] of [[3000, 5000], [0, 1234], [1234, 3000]]) updateRows(parts, loss, from, to, 0, 3);
    expect(parts.raw).toEqual(whole.raw);
    expect(parts.grad).toEqual(whole.grad);
    expect(parts.hess).toEqual(whole.hess);
    for (const i of [0, 3, 10, 4999]) {
      for (let k = 0; k < 3; k++) {
        const l = a.leafOf[k * 5000 + i]!;
        expect(whole.raw[i * 3 + k]).toBe(l === NO_LEAF ? before[i * 3 + k] : before[i * 3 + k]! + a.values[k * a.cap + l]!);
      }
    }
    // Gradients are those of the loss at the new scores, class-major.
    const g = new Float64Array(15000);
    loss.gradients(a.y, whole.raw, a.w, g, new Float64Array(15000));
    expect(whole.grad).toEqual(g);
  });

  it('when only some outputs are added and no loss is given, then the others and the gradients stay', () => {
    const a = round(300, 2, 4);
    const b = clone(a);
    updateRows(b, null, 0, 300, 1, 2);
    for (let i = 0; i < 300; i++) expect(b.raw[i * 2]).toBe(a.raw[i * 2]);
    expect(b.grad.every((v) => v === 0)).toBe(true);
    expect(b.raw).not.toEqual(a.raw);
  });

  it('when leaf sums run block by block in any split, then they equal the in-order sums of fixed blocks', () => {
    const n = 2 * LEAF_BLOCK + 123;
    const { leafOf, grad, hess } = round(n, 1, 20, 3);
    const rng = new Rng(9);
    for (let i = 0; i < n; i++) grad[i] = rng.normal() * 1e3;
    hess.fill(0.5);
    const g = new Float64Array(20);
    const h = new Float64Array(20);
    leafSums(leafOf, grad, hess, 20, g, h);
    // The same blocks summed by two "threads" in another order of calls.
    const nBlocks = leafBlocks(n);
    expect(nBlocks).toBe(3);
    const partial = new Float64Array(nBlocks * 40);
    leafSumBlocks(leafOf, grad, hess, 20, 2, 3, partial);
    leafSumBlocks(leafOf, grad, hess, 20, 0, 2, partial);
    const g2 = new Float64Array(20);
    const h2 = new Float64Array(20);
    addLeafBlocks(partial, nBlocks, 20, g2, h2);
    expect(g2).toEqual(g);
    expect(h2).toEqual(h);
    // Close to the plain sums; rows outside the sample are left out.
    let rowsIn = 0;
    let total = 0;
    for (let i = 0; i < n; i++) {
      if (leafOf[i] === NO_LEAF) continue;
      rowsIn++;
      total += grad[i]!;
    }
    expect(h.reduce((s, v) => s + v, 0)).toBe(rowsIn * 0.5);
    expect(g.reduce((s, v) => s + v, 0)).toBeCloseTo(total, 6);
  });
});
