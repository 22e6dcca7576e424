// The recommendation metric family: RMSE and MAE of predicted ratings (explicit feedback), and
// the ranking metrics of top-k lists (ranking.ts) named `<metric>@<k>`: `ndcg@10`,
// `precision@5`. The family lists the ranking metrics as `ndcg@k`; the registry takes any
// `ndcg@N` (N >= 1) as an instance of it. `evaluate.k` (default 10) is the k of the split
// records; the report adds other k.

import { SomaError } from '../../errors.js';
import { checkRegression } from './checks.js';
import type { MetricFamily, MetricInput, MetricSpec } from './family.js';
import { rankingAtK, type RankingScores } from './ranking.js';

/** The ranking metrics, each measured on lists of any length k. */
export const RANKING_METRICS = ['precision', 'recall', 'ndcg', 'map', 'hit_rate', 'coverage', 'diversity', 'novelty'] as const;
export type RankingMetric = (typeof RANKING_METRICS)[number];

const FIELD: Record<RankingMetric, keyof RankingScores> = {
  precision: 'precision',
  recall: 'recall',
  ndcg: 'ndcg',
  map: 'map',
  hit_rate: 'hitRate',
  coverage: 'coverage',
  diversity: 'diversity',
  novelty: 'novelty',
};

/** `ndcg@10` -> {metric: 'ndcg', k: 10}; undefined for names of another shape. */
export function parseAtK(name: string): { metric: RankingMetric; k: number } | undefined {
  const m = /^([a-z_]+)@([1-9]\d{0,5})$/.exec(name);
  if (!m || !(RANKING_METRICS as readonly string[]).includes(m[1]!)) return undefined;
  return { metric: m[1] as RankingMetric, k: Number(m[2]) };
}

/** The ranking metric names at k, in report order. */
export function rankingNames(k: number): string[] {
  return RANKING_METRICS.map((m) => `${m}@${k}`);
}

export const recommendationMetrics: MetricFamily = {
  task: 'recommendation',
  target: 'values',
  metrics: [
    { name: 'rmse', direction: 'minimize' },
    { name: 'mae', direction: 'minimize' },
    ...RANKING_METRICS.map((m): MetricSpec => ({ name: `${m}@k`, direction: 'maximize' })),
  ],
  defaults: ['rmse', 'mae', ...RANKING_METRICS.map((m) => `${m}@k`)],
  score: 'ndcg@k',
  groupMetrics: ['ndcg@k', 'recall@k'],
  compute: computeRecommendation,
};

/**
 * `rmse` and `mae` from yTrue / yPred (when given: models that predict ratings), the `@N`
 * metrics from `input.ranking` (when given). Names still spelt `@k` take the lists' length.
 */
function computeRecommendation(input: MetricInput, names: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  const put = (name: string, v: number): void => {
    if (!Number.isNaN(v)) out[name] = v;
  };
  const rated = input.yTrue.length > 0;
  if (rated) checkRegression(input.yTrue, input.yPred, input.sampleWeight);
  const cache = new Map<number, RankingScores>();
  for (const name of names) {
    if (name === 'rmse' || name === 'mae') {
      if (!rated) continue;
      let s = 0;
      for (let i = 0; i < input.yTrue.length; i++) {
        const e = input.yTrue[i]! - input.yPred[i]!;
        s += name === 'rmse' ? e * e : Math.abs(e);
      }
      put(name, name === 'rmse' ? Math.sqrt(s / input.yTrue.length) : s / input.yTrue.length);
      continue;
    }
    const r = input.ranking;
    if (!r) continue;
    const spelt = name.endsWith('@k') ? `${name.slice(0, -2)}@${r.listK}` : name;
    const at = parseAtK(spelt);
    if (!at) throw new SomaError('INTERNAL', `recommendation metric ${name} has no kernel`);
    if (at.k > r.listK) throw new SomaError('CONFIG_INVALID', `metric ${name}: lists are ${r.listK} long (raise evaluate.k to at least ${at.k})`);
    let scores = cache.get(at.k);
    if (!scores) cache.set(at.k, (scores = rankingAtK(r, at.k)));
    put(spelt, scores[FIELD[at.metric]] as number);
  }
  return out;
}
