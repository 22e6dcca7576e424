import { describe, expect, it } from 'vitest';
import { csrFromTriplets, hasEntry, normalizeRows, transpose, type Csr } from '../../../src/engine/recsys/csr.js';
import { selectTopK, TopKBuffer } from '../../../src/engine/recsys/topk.js';
import { makeScorer } from '../../../src/engine/recsys/scorers.js';
import { fitBiases } from '../../../src/engine/recsys/biases.js';
import { fitSgd } from '../../../src/engine/recsys/sgd.js';
import { fitAls } from '../../../src/engine/recsys/als.js';
import { itemNeighbors } from '../../../src/engine/recsys/neighbors.js';
import { topKLists } from '../../../src/engine/recsys/recommend.js';
import { Rng } from '../../../src/engine/random.js';

const csr = (rows: number, cols: number, entries: [number, number, number][]): Csr =>
  csrFromTriplets(Int32Array.from(entries, (e) => e[0]), Int32Array.from(entries, (e) => e[1]), Float64Array.from(entries, (e) => e[2]), rows, cols).matrix;

describe('user-item matrices', () => {
  it('when triplets repeat a pair, then the policy combines them and the duplicates are counted', () => {
    const rows = Int32Array.of(1, 0, 1, 1);
    const cols = Int32Array.of(2, 1, 0, 2);
    const vals = Float64Array.of(3, 5, 1, 4);
    const last = csrFromTriplets(rows, cols, vals, 2, 3, 'last');
    expect(last.duplicates).toBe(1);
    expect(Array.from(last.matrix.indptr)).toEqual([0, 1, 3]);
    expect(Array.from(last.matrix.indices)).toEqual([1, 0, 2]);
    expect(Array.from(last.matrix.values)).toEqual([5, 1, 4]);
    expect(Array.from(csrFromTriplets(rows, cols, vals, 2, 3, 'sum').matrix.values)).toEqual([5, 1, 7]);
    expect(Array.from(csrFromTriplets(rows, cols, vals, 2, 3, 'mean').matrix.values)).toEqual([5, 1, 3.5]);
    expect(Array.from(csrFromTriplets(rows, cols, vals, 2, 3, 'max').matrix.values)).toEqual([5, 1, 4]);
  });

  it('when transposed, then every entry moves to (column, row) with rows ascending, and twice gives the matrix back', () => {
    const m = csr(3, 4, [[0, 3, 1], [2, 0, 2], [1, 3, 3], [0, 0, 4]]);
    const t = transpose(m);
    expect(Array.from(t.indptr)).toEqual([0, 2, 2, 2, 4]);
    expect(Array.from(t.indices)).toEqual([0, 2, 0, 1]);
    expect(Array.from(t.values)).toEqual([4, 2, 1, 3]);
    expect(transpose(t)).toEqual(m);
    expect(hasEntry(m, 1, 3)).toBe(true);
    expect(hasEntry(m, 1, 0)).toBe(false);
    const n = normalizeRows(m);
    expect(n.values[0]! ** 2 + n.values[1]! ** 2).toBeCloseTo(1, 12);
  });
});

describe('top-k selection', () => {
  it('when compared with a full sort on random scores with ties, seen items and a mask, then it keeps the same items in the same order', () => {
    const rng = new Rng(3);
    for (let trial = 0; trial < 50; trial++) {
      const n = 1 + rng.int(200);
      const k = 1 + rng.int(15);
      const scores = Float64Array.from({ length: n }, () => (rng.next() < 0.1 ? NaN : Math.round(rng.next() * 20)));
      const seen = Int32Array.from([...new Set(Array.from({ length: rng.int(n) }, () => rng.int(n)))].sort((a, b) => a - b));
      const allowed = Uint8Array.from({ length: n }, () => (rng.next() < 0.9 ? 1 : 0));
      const items = new Int32Array(k);
      const out = new Float64Array(k);
      const got = selectTopK(scores, k, new TopKBuffer(k), items, out, 0, seen, 0, seen.length, allowed);
      const skip = new Set(seen);
      const expected = Array.from({ length: n }, (_, i) => i)
        .filter((i) => !skip.has(i) && allowed[i] === 1 && !Number.isNaN(scores[i]!))
        .sort((a, b) => scores[b]! - scores[a]! || a - b)
        .slice(0, k);
      expect(got).toBe(expected.length);
      expect(Array.from(items.subarray(0, got))).toEqual(expected);
      expect(Array.from(items.subarray(got))).toEqual(new Array(k - got).fill(-1));
    }
  });

  it('when lists for many users run on two threads, then they equal the one-thread lists', async () => {
    const rng = new Rng(9);
    const nU = 1200;
    const nI = 4000;
    const f = 4;
    const spec = {
      kind: 'factors' as const,
      factors: f,
      userFactors: Float32Array.from({ length: nU * f }, () => rng.normal()),
      itemFactors: Float32Array.from({ length: nI * f }, () => rng.normal()),
      globalMean: 0,
    };
    const seen = csr(nU, nI, Array.from({ length: 5000 }, () => [rng.int(nU), rng.int(nI), 1] as [number, number, number]));
    const users = Int32Array.from({ length: nU }, (_, u) => u);
    const one = await topKLists({ spec, items: nI, users, k: 7, seen }, 1);
    const two = await topKLists({ spec, items: nI, users, k: 7, seen }, 2);
    expect(two.items).toEqual(one.items);
    expect(two.scores).toEqual(one.scores);
    for (let u = 0; u < nU; u++) for (let t = 0; t < 7; t++) expect(hasEntry(seen, u, one.items[u * 7 + t]!)).toBe(false);
  });
});

describe('scorers', () => {
  it('when neighbours, content and a blend score a user, then they give the hand-computed scores', () => {
    const history = csr(1, 3, [[0, 0, 2], [0, 1, 1]]);
    const neighbors = csr(3, 3, [[0, 2, 0.5], [1, 2, 0.25], [0, 1, 0.1]]);
    const out = new Float64Array(3);
    makeScorer({ kind: 'neighbors', history, neighbors }, 3).score(0, out);
    expect(Array.from(out)).toEqual([0, 0.2, 2 * 0.5 + 0.25]);
    // Items as unit attribute vectors: item 0 = a, item 1 = b, item 2 = (a + b) / sqrt 2.
    const s = Math.SQRT1_2;
    const features = csr(3, 2, [[0, 0, 1], [1, 1, 1], [2, 0, s], [2, 1, s]]);
    makeScorer({ kind: 'content', history, features, byFeature: transpose(features) }, 3).score(0, out);
    // Profile (2, 1) / sqrt 5.
    expect(out[0]).toBeCloseTo(2 / Math.sqrt(5), 12);
    expect(out[1]).toBeCloseTo(1 / Math.sqrt(5), 12);
    expect(out[2]).toBeCloseTo((3 * s) / Math.sqrt(5), 12);
    const a = { kind: 'item' as const, scores: Float64Array.of(1, 2, 3) };
    const b = { kind: 'masked' as const, inner: { kind: 'item' as const, scores: Float64Array.of(3, 1, 9) }, keep: Uint8Array.of(1, 1, 0) };
    makeScorer({ kind: 'blend', parts: [a, b], weights: Float64Array.of(1, 2) }, 3).score(0, out);
    // a standardised: -1.2247, 0, 1.2247; b over items 0, 1: +1, -1 (item 2 cannot be scored by b).
    const za = Math.sqrt(1.5);
    expect(out[0]).toBeCloseTo(-za + 2, 12);
    expect(out[1]).toBeCloseTo(0 - 2, 12);
    expect(out[2]).toBeCloseTo(za, 12);
  });
});

/** Ratings from a rank-2 model plus biases, every user rating 60% of the items. */
function lowRank(nU: number, nI: number, seed: number): { train: Csr; test: [number, number, number][] } {
  const rng = new Rng(seed);
  const p = Float64Array.from({ length: nU * 2 }, () => rng.normal());
  const q = Float64Array.from({ length: nI * 2 }, () => rng.normal());
  const train: [number, number, number][] = [];
  const test: [number, number, number][] = [];
  for (let u = 0; u < nU; u++) {
    for (let i = 0; i < nI; i++) {
      if (rng.next() > 0.6) continue;
      const r = 3 + 0.3 * (u % 3) - 0.2 * (i % 4) + p[2 * u]! * q[2 * i]! + p[2 * u + 1]! * q[2 * i + 1]!;
      (rng.next() < 0.8 ? train : test).push([u, i, r]);
    }
  }
  return { train: csr(nU, nI, train), test };
}

function rmseOf(test: [number, number, number][], predict: (u: number, i: number) => number): number {
  let s = 0;
  for (const [u, i, r] of test) s += (predict(u, i) - r) ** 2;
  return Math.sqrt(s / test.length);
}

describe('fitting kernels', () => {
  it('when biases are fitted without shrinkage on an additive table, then they reproduce it exactly', () => {
    const entries: [number, number, number][] = [];
    for (let u = 0; u < 4; u++) for (let i = 0; i < 3; i++) entries.push([u, i, 3 + u * 0.5 - i]);
    const m = csr(4, 3, entries);
    const b = fitBiases(m, transpose(m), { iterations: 50, regUser: 0, regItem: 0 });
    for (const [u, i, r] of entries) expect(b.globalMean + b.userBias[u]! + b.itemBias[i]!).toBeCloseTo(r, 6);
  });

  it('when SGD factorises low-rank ratings, then its held-out RMSE is far below the biases\' and a seed repeats it exactly', () => {
    const { train, test } = lowRank(60, 50, 1);
    const o = { factors: 4, epochs: 60, learningRate: 0.02, decay: 1, reg: 0.02, regBias: 0.02, initStd: 0.1, seed: 5 };
    const m = fitSgd(train, o);
    const b = fitBiases(train, transpose(train), { iterations: 10, regUser: 1, regItem: 1 });
    const f = 4;
    const mf = rmseOf(test, (u, i) => {
      let d = m.globalMean + m.userBias[u]! + m.itemBias[i]!;
      for (let k = 0; k < f; k++) d += m.userFactors[u * f + k]! * m.itemFactors[i * f + k]!;
      return d;
    });
    const base = rmseOf(test, (u, i) => b.globalMean + b.userBias[u]! + b.itemBias[i]!);
    expect(mf).toBeLessThan(base * 0.5);
    expect(fitSgd(train, o).userFactors).toEqual(m.userFactors);
  });

  it('when implicit ALS runs many CG steps, then each user vector solves its confidence-weighted normal equations', () => {
    const rng = new Rng(2);
    const entries: [number, number, number][] = [];
    for (let u = 0; u < 30; u++) for (let i = 0; i < 20; i++) if (rng.next() < 0.3) entries.push([u, i, 1 + rng.int(3)]);
    const m = csr(30, 20, entries);
    const f = 3;
    const o = { factors: f, iterations: 3, reg: 0.1, alpha: 2, cgSteps: 50, seed: 1 };
    const { userFactors: X, itemFactors: Y } = fitAls(m, transpose(m), o);
    // After the last sweep the item side was solved last; check it: A y_i = b over the users.
    const t = transpose(m);
    for (let i = 0; i < 20; i++) {
      const A = new Float64Array(f * f);
      const rhs = new Float64Array(f);
      for (let u = 0; u < 30; u++) {
        let c = 1;
        for (let e = t.indptr[i]!; e < t.indptr[i + 1]!; e++) if (t.indices[e] === u) c = 1 + 2 * t.values[e]!;
        const pref = c > 1 ? 1 : 0;
        for (let a = 0; a < f; a++) {
          rhs[a]! += c * pref * X[u * f + a]!;
          for (let b = 0; b < f; b++) A[a * f + b]! += c * X[u * f + a]! * X[u * f + b]!;
        }
      }
      for (let a = 0; a < f; a++) {
        let s = 0.1 * Y[i * f + a]!;
        for (let b = 0; b < f; b++) s += A[a * f + b]! * Y[i * f + b]!;
        expect(s).toBeCloseTo(rhs[a]!, 3);
      }
    }
  });

  it('when item similarities are computed, then they equal the hand-computed cosine, Jaccard and lift of co-occurrence counts', () => {
    // Users: {0, 1}, {0, 1, 2}, {1, 2}: c00 = 2, c11 = 3, c22 = 2, c01 = 2, c12 = 2, c02 = 1.
    const m = csr(3, 3, [[0, 0, 1], [0, 1, 1], [1, 0, 1], [1, 1, 1], [1, 2, 1], [2, 1, 1], [2, 2, 1]]);
    const sims = (similarity: 'cosine' | 'jaccard' | 'lift', shrink = 0, minCount = 1) => itemNeighbors(m, transpose(m), { neighbors: 5, similarity, shrink, minCount });
    const cos = sims('cosine');
    expect(Array.from(cos.indices.subarray(cos.indptr[0]!, cos.indptr[1]!))).toEqual([1, 2]);
    expect(cos.values[0]).toBeCloseTo(2 / Math.sqrt(6), 12);
    expect(cos.values[1]).toBeCloseTo(1 / 2, 12);
    const jac = sims('jaccard');
    expect(jac.values[0]).toBeCloseTo(2 / (2 + 3 - 2), 12);
    const lift = sims('lift', 1);
    expect(lift.values[0]).toBeCloseTo(2 / (6 + 1), 12);
    // min_count 2 drops the pair (0, 2) that one user shares.
    const strict = sims('cosine', 0, 2);
    expect(Array.from(strict.indices.subarray(strict.indptr[0]!, strict.indptr[1]!))).toEqual([1]);
    const one = itemNeighbors(m, transpose(m), { neighbors: 1, similarity: 'cosine', shrink: 0, minCount: 1 });
    expect(Array.from(one.indptr)).toEqual([0, 1, 3 - 1, 3]);
  });
});

describe('implicit ALS on threads', () => {
  it('when a sweep is split over two threads, then the factors equal the one-thread factors exactly', async () => {
    const { fitAlsThreads } = await import('../../../src/engine/recsys/als-parallel.js');
    const rng = new Rng(11);
    const entries: [number, number, number][] = [];
    for (let e = 0; e < 120_000; e++) entries.push([rng.int(2000), rng.int(500), 1 + rng.int(3)]);
    const m = csr(2000, 500, entries);
    const o = { factors: 8, iterations: 2, reg: 0.05, alpha: 1, cgSteps: 3, seed: 3 };
    const one = fitAls(m, transpose(m), o);
    const two = await fitAlsThreads(m, transpose(m), o, 2);
    expect(two.userFactors).toEqual(one.userFactors);
    expect(two.itemFactors).toEqual(one.itemFactors);
  });
});
