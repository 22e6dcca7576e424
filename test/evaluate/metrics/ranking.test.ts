import { describe, expect, it } from 'vitest';
import { csrFromTriplets, type Csr } from '../../../src/engine/recsys/csr.js';
import { rankingAtK, recommendationMetrics, registerMetricFamily, metricDirection, isMetricName, resolveMetricNames, computeMetrics } from '../../../src/evaluate/metrics/index.js';

const sets = (rows: number, cols: number, lists: number[][]): Csr =>
  csrFromTriplets(
    Int32Array.from(lists.flatMap((l, r) => l.map(() => r))),
    Int32Array.from(lists.flat()),
    new Float64Array(lists.flat().length).fill(1),
    rows,
    cols,
  ).matrix;

// Three users, six items (eight candidates in the catalog). Lists of k = 3 (user 2's list is short: one candidate left).
//   user 0: [2, 0, 5], relevant {0, 5, 4}: hits at ranks 2 and 3
//   user 1: [1, 3, 4], relevant {1}:       hit at rank 1
//   user 2: [4, -1, -1], no relevant item: not evaluated (counts for coverage, diversity, novelty)
const lists = Int32Array.of(2, 0, 5, 1, 3, 4, 4, -1, -1);
const relevant = sets(3, 6, [[0, 4, 5], [1], []]);
// Attributes: item 0 {a}, 1 {a, b}, 2 {b}, 3 {}, 4 {a, c}, 5 {c}.
const attributes = sets(6, 3, [[0], [0, 1], [1], [], [0, 2], [2]]);
const popularity = Float64Array.of(0.5, 0.25, 1, 0.125, 0.5, 0.25);
const input = { lists, listK: 3, relevant, candidates: 8, attributes, popularity };

describe('ranking metrics', () => {
  it('when lists are scored at k = 3, then every metric equals its hand computation', () => {
    const m = rankingAtK(input, 3);
    expect(m.evaluated).toBe(2);
    expect(m.precision).toBeCloseTo((2 / 3 + 1 / 3) / 2, 12);
    expect(m.recall).toBeCloseTo((2 / 3 + 1) / 2, 12);
    const d = (r: number) => 1 / Math.log2(r + 1);
    expect(m.ndcg).toBeCloseTo(((d(2) + d(3)) / (d(1) + d(2) + d(3)) + 1) / 2, 12);
    // AP user 0: (1/2 + 2/3) / min(3, 3); user 1: 1 / 1.
    expect(m.map).toBeCloseTo(((1 / 2 + 2 / 3) / 3 + 1) / 2, 12);
    expect(m.hitRate).toBe(1);
    expect(m.coverage).toBeCloseTo(6 / 8, 12);
    // User 0 pairs (2,0): 0, (2,5): 0, (0,5): 0 -> 1; user 1 (1,3): 0, (1,4): 1/3, (3,4): 0 -> 1 - 1/9;
    // user 2 has no pair and is left out.
    expect(m.diversity).toBeCloseTo((1 + (1 - 1 / 9)) / 2, 12);
    // -log2 p: user 0 (0 + 1 + 2) / 3, user 1 (2 + 3 + 1) / 3, user 2: 1.
    expect(m.novelty).toBeCloseTo((1 + 2 + 1) / 3, 12);
  });

  it('when scored at k = 1, then only the first slot counts and the ideal DCG stops at min(|R|, k)', () => {
    const m = rankingAtK(input, 1);
    expect(m.precision).toBeCloseTo(0.5, 12);
    expect(m.recall).toBeCloseTo(0.5, 12);
    expect(m.ndcg).toBeCloseTo(0.5, 12);
    expect(m.map).toBeCloseTo(0.5, 12);
    expect(m.hitRate).toBe(0.5);
    expect(m.coverage).toBeCloseTo(3 / 8, 12);
  });

  it('when no list has a relevant item, then the per-user metrics are undefined and the family leaves them out', () => {
    registerMetricFamily(recommendationMetrics);
    const none = { ...input, relevant: sets(3, 6, [[], [], []]) };
    expect(Number.isNaN(rankingAtK(none, 3).ndcg)).toBe(true);
    const out = computeMetrics('recommendation', { yTrue: new Float64Array(0), yPred: new Float64Array(0), ranking: none }, ['ndcg@3', 'coverage@3']);
    expect(out).toEqual({ "coverage@3": 6 / 8 });
  });

  it('when metric names carry @k, then the registry knows any k, their direction, and the family computes them with rmse and mae', () => {
    registerMetricFamily(recommendationMetrics);
    expect(isMetricName('ndcg@10')).toBe(true);
    expect(isMetricName('ndcg@0')).toBe(false);
    expect(isMetricName('f1@10')).toBe(false);
    expect(metricDirection('precision@20')).toBe('maximize');
    expect(metricDirection('rmse')).toBe('minimize');
    expect(resolveMetricNames('recommendation', ['ndcg@10', 'rmse'])).toEqual(['ndcg@10', 'rmse']);
    expect(() => resolveMetricNames('recommendation', ['accuracy'])).toThrow(/not a recommendation metric/);
    const out = computeMetrics('recommendation', { yTrue: Float64Array.of(4, 2), yPred: Float64Array.of(3, 2.5), ranking: input }, ['rmse', 'mae', 'hit_rate@k', 'ndcg@1']);
    expect(out['rmse']).toBeCloseTo(Math.sqrt((1 + 0.25) / 2), 12);
    expect(out['mae']).toBeCloseTo(0.75, 12);
    expect(out['hit_rate@3']).toBe(1);
    expect(out['ndcg@1']).toBeCloseTo(0.5, 12);
    expect(() => computeMetrics('recommendation', { yTrue: new Float64Array(0), yPred: new Float64Array(0), ranking: input }, ['ndcg@5'])).toThrow(/raise evaluate\.k to at least 5/);
  });
});
