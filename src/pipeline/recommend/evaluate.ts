// Scoring a fitted recommender on a held-out part: RMSE and MAE of its predicted ratings (clipped
// to the rating range, as the anchor), and top-k lists for every user of the part over every
// rankable item they have not interacted with in training, judged by the ranking metrics at the
// configured k and at the report's other k. Users without a training history (only possible
// with separate train/test files) get the popularity list, and are counted.

import { csrFromTriplets, type Csr } from '../../engine/recsys/csr.js';
import { topKLists, type TopKLists } from '../../engine/recsys/recommend.js';
import type { ScorerSpec } from '../../engine/recsys/scorers.js';
import { computeMetrics, rankingAtK, type RankingInput } from '../../evaluate/metrics/index.js';
import type { Recommender } from '../../models/recommend/index.js';

export interface HeldOut {
  user: Int32Array;
  item: Int32Array;
  value: Float64Array;
}

export interface EvaluationContext {
  model: Recommender;
  /** Users x items: the training interactions (seen items, and the history scorers read). */
  history: Csr;
  /** Per item, training interactions (popularity fallback, novelty). */
  counts: Float64Array;
  explicit: boolean;
  ratingRange: [number, number];
  /** Explicit feedback: held-out items rated at least this are relevant. */
  relevance: number;
  k: number;
  /** Other k for the report's table (each <= the longest list). */
  ks: readonly number[];
  attributes: Csr | undefined;
  /** Metric names asked for (`ndcg@k` spellings allowed); undefined = the family's defaults. */
  metrics: readonly string[] | undefined;
}

export interface SplitEvaluation {
  metrics: Record<string, number>;
  /** Metrics by k for the report. */
  atK: Record<string, Record<string, number>>;
  users: Int32Array;
  lists: TopKLists;
  /** Lists' users without a training history (popularity fallback). */
  coldUsers: number;
  /** Held-out interactions with an item nobody interacted with in training. */
  coldItems: number;
  evaluated: number;
}

/** Lists for `users`: the model's for users with a history, popularity for the others. */
export async function listsFor(model: Recommender, spec: ScorerSpec, history: Csr, counts: Float64Array, users: Int32Array, k: number, exclude: boolean): Promise<{ lists: TopKLists; cold: number }> {
  const allowed = model.rankable();
  const warm: number[] = [];
  const cold: number[] = [];
  users.forEach((u, r) => (u < history.rows && history.indptr[u + 1]! > history.indptr[u]! ? warm : cold).push(r));
  const seen = exclude ? history : undefined;
  const lists: TopKLists = { k, items: new Int32Array(users.length * k), scores: new Float64Array(users.length * k) };
  const place = (rows: number[], part: TopKLists): void =>
    rows.forEach((r, q) => {
      lists.items.set(part.items.subarray(q * k, (q + 1) * k), r * k);
      lists.scores.set(part.scores.subarray(q * k, (q + 1) * k), r * k);
    });
  if (warm.length > 0) place(warm, await topKLists({ spec, items: history.cols, users: Int32Array.from(warm, (r) => users[r]!), k, ...(seen ? { seen } : {}), allowed }));
  if (cold.length > 0) {
    const popularity: ScorerSpec = { kind: 'item', scores: Float64Array.from(counts, (c, i) => (allowed[i] || c > 0 ? c : NaN)) };
    place(cold, await topKLists({ spec: popularity, items: history.cols, users: Int32Array.from(cold, (r) => users[r]!), k, ...(seen ? { seen } : {}) }, 1));
  }
  return { lists, cold: cold.length };
}

export async function evaluateSplit(ctx: EvaluationContext, held: HeldOut): Promise<SplitEvaluation> {
  const { model, history, k } = ctx;
  const K = Math.max(k, ...ctx.ks);
  const nI = history.cols;
  const out: Record<string, number> = {};
  const wanted = ctx.metrics;
  const want = (n: string): boolean => wanted === undefined || wanted.includes(n);
  if (ctx.explicit && model.predictsRatings && held.user.length > 0 && (want('rmse') || want('mae'))) {
    const [lo, hi] = ctx.ratingRange;
    const pred = model.predictPairs(held.user, held.item).map((p) => Math.min(hi, Math.max(lo, p)));
    Object.assign(out, computeMetrics('recommendation', { yTrue: held.value, yPred: pred }, ['rmse', 'mae'].filter(want)));
  }
  // The part's users in code order, and their relevant items.
  const users = Int32Array.from(new Set(held.user)).sort();
  const row = new Map(Array.from(users, (u, r) => [u, r]));
  const relRows: number[] = [];
  const relItems: number[] = [];
  let coldItems = 0;
  for (let e = 0; e < held.user.length; e++) {
    if (ctx.counts[held.item[e]!] === 0) coldItems++;
    if (ctx.explicit && held.value[e]! < ctx.relevance) continue;
    relRows.push(row.get(held.user[e]!)!);
    relItems.push(held.item[e]!);
  }
  const relevant = csrFromTriplets(Int32Array.from(relRows), Int32Array.from(relItems), new Float64Array(relRows.length).fill(1), users.length, nI, 'max').matrix;
  const { lists, cold } = await listsFor(model, model.scorer(history), history, ctx.counts, users, K, true);
  const trainUsers = history.rows;
  let active = 0;
  for (let u = 0; u < trainUsers; u++) if (history.indptr[u + 1]! > history.indptr[u]!) active++;
  const allowed = model.rankable();
  let candidates = 0;
  for (let i = 0; i < nI; i++) if (allowed[i]) candidates++;
  const input: RankingInput = {
    lists: lists.items,
    listK: K,
    relevant,
    candidates,
    ...(ctx.attributes ? { attributes: ctx.attributes } : {}),
    popularity: Float64Array.from(ctx.counts, (c) => Math.max(c, 1) / Math.max(active, 1)),
  };
  const rankingNames = (wanted ?? computeDefaults()).filter((n) => n !== 'rmse' && n !== 'mae').map((n) => (n.endsWith('@k') ? `${n.slice(0, -2)}@${k}` : n));
  Object.assign(out, computeMetrics('recommendation', { yTrue: new Float64Array(0), yPred: new Float64Array(0), ranking: input }, rankingNames));
  const atK: Record<string, Record<string, number>> = {};
  let evaluated = 0;
  for (const kk of [...new Set([...ctx.ks, k])].sort((a, b) => a - b)) {
    const s = rankingAtK(input, kk);
    evaluated = s.evaluated;
    atK[String(kk)] = Object.fromEntries(
      Object.entries({ precision: s.precision, recall: s.recall, ndcg: s.ndcg, map: s.map, hit_rate: s.hitRate, coverage: s.coverage, diversity: s.diversity, novelty: s.novelty }).filter(([, v]) => !Number.isNaN(v)),
    );
  }
  return { metrics: out, atK, users, lists, coldUsers: cold, coldItems, evaluated };
}

function computeDefaults(): string[] {
  return ['precision@k', 'recall@k', 'ndcg@k', 'map@k', 'hit_rate@k', 'coverage@k', 'diversity@k', 'novelty@k'];
}

/** RMSE and MAE on the training interactions (how well the model fits them), explicit feedback only. */
export function trainFit(ctx: EvaluationContext): Record<string, number> {
  const { model, history: h } = ctx;
  if (!ctx.explicit || !model.predictsRatings || h.values.length === 0) return {};
  const users = new Int32Array(h.values.length);
  for (let u = 0; u < h.rows; u++) users.fill(u, h.indptr[u]!, h.indptr[u + 1]!);
  const [lo, hi] = ctx.ratingRange;
  const pred = model.predictPairs(users, h.indices).map((p) => Math.min(hi, Math.max(lo, p)));
  const wanted = ctx.metrics;
  return computeMetrics('recommendation', { yTrue: h.values, yPred: pred }, ['rmse', 'mae'].filter((n) => wanted === undefined || wanted.includes(n)));
}
