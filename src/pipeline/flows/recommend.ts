// The recommendation training flow: read and code the interactions (pipeline/recommend/data.ts),
// split each user's interactions without leaking (per user by time, randomly, or the last one;
// or the given train/validation/test files), build the training user-item matrix and the item
// attribute vectors, fit the family, then score the held-out parts: RMSE and MAE of predicted
// ratings, top-k lists over the whole catalogue for every held-out user (seen items left out).
// After the gates pass: the model with its catalogue and training matrix (bundle.ts), metrics
// at several k, the popularity curve and example lists (report.ts). Contract: flows/flow.ts.

import { SomaError } from '../../errors.js';
import { csrFromTriplets, hasEntry, transpose, type Csr } from '../../engine/recsys/csr.js';
import { resolveRecommendConfig } from '../../config/recommend.js';
import { splitInteractions } from '../../data/interactions.js';
import { profileFrame } from '../../data/profile.js';
import { Frame } from '../../data/frame.js';
import { checkSupportsTask, createEstimator, findEstimator } from '../../models/catalog.js';
import { isRecommender } from '../../models/recommend/index.js';
import { findTask } from '../../tasks/registry.js';
import { sha256 } from '../../util/hash.js';
import { canonicalJson } from '../../registry/bump.js';
import type { JsonObject } from '../../util/json.js';
import { bundleArtifacts } from '../recommend/bundle.js';
import { loadInteractions } from '../recommend/data.js';
import { evaluateSplit, trainFit, type EvaluationContext, type HeldOut, type SplitEvaluation } from '../recommend/evaluate.js';
import { popularityCurve, renderRecommendHtml, renderRecommendMarkdown, type ExampleList, type RecommendReport } from '../recommend/report.js';
import { withoutRuntimeParams } from './rows.js';
import type { FittedRun, FlowContext, RunArtifacts, TrainFlow } from './flow.js';

export const recommendFlow: TrainFlow = { fit: fitRecommender };

/** The report's other list lengths (each kept only when it fits the catalogue). */
const REPORT_KS = [1, 5, 10, 20, 50];
const EXAMPLE_USERS = 3;

async function fitRecommender(ctx: FlowContext): Promise<FittedRun> {
  const { loaded, timer, warn, options } = ctx;
  const { config } = loaded;
  const task = findTask('recommendation');
  const spec = findEstimator(config.model.type);
  checkSupportsTask(spec, task.name, config.model.type);
  if (config.search) throw new SomaError('CONFIG_INVALID', 'search: hyperparameter search is not available for task recommendation yet', { hint: 'remove the search: section and set model.params' });
  if (config.preprocess.length > 0) warn('preprocess: steps do not apply to task recommendation (item attributes come from data.items) and were ignored');
  const r = resolveRecommendConfig(loaded.raw, config.seed);
  const data = await timer.time('load', () => loadInteractions(config.data, r, loaded.dir, warn));
  const g = data.grouped;
  const nU = data.users.length;
  const nI = data.items.length;

  // 0 train, 1 validation, 2 test per grouped interaction.
  const part = data.part ?? splitInteractions(g, { method: r.split.method, test: r.split.test, validation: r.split.validation, minInteractions: r.split.minInteractions, seed: r.split.seed });
  const users = new Int32Array(g.item.length);
  for (let u = 0; u < nU; u++) users.fill(u, g.ptr[u]!, g.ptr[u + 1]!);
  const take = (p: number): HeldOut => {
    const idx: number[] = [];
    for (let e = 0; e < part.length; e++) if (part[e] === p) idx.push(e);
    return { user: Int32Array.from(idx, (e) => users[e]!), item: Int32Array.from(idx, (e) => g.item[e]!), value: Float64Array.from(idx, (e) => g.value[e]!) };
  };
  const trainPart = take(0);
  const validation = take(1);
  const test = take(2);
  if (trainPart.user.length === 0) throw new SomaError('DATA_EMPTY', `${data.source}: no training interactions after the split`);
  if (validation.user.length + test.user.length === 0) {
    warn(`no user has at least ${r.split.minInteractions} interactions: nothing is held out, so there are no test metrics (lower data.split.min_interactions)`);
  }
  const history: Csr = csrFromTriplets(trainPart.user, trainPart.item, trainPart.value, nU, nI, 'last').matrix;
  const byItem = transpose(history);
  const counts = Float64Array.from({ length: nI }, (_, i) => byItem.indptr[i + 1]! - byItem.indptr[i]!);

  const model = createEstimator(config.model.type, config.model.params, task.name);
  if (!isRecommender(model)) throw new SomaError('INTERNAL', `${spec.name} is not a recommendation family`);
  await timer.time('fit', () =>
    model.fitInteractions(
      { byUser: history, byItem, explicit: data.explicit, ...(data.attributes ? { itemFeatures: data.attributes.vectors } : {}) },
      { ...(options.onProgress ? { onProgress: options.onProgress } : {}), ...(options.signal ? { signal: options.signal } : {}) },
    ),
  );
  model.warnings?.().forEach(warn);

  const [lo, hi] = data.ratingRange;
  // 80% of the highest rating: 4 on a 5-star scale (the anchor's threshold). Implicit: every held-out interaction.
  const relevance = r.relevance ?? (data.explicit ? 0.8 * hi : 0);
  const k = r.k;
  const fits = (kk: number): boolean => kk <= Math.max(1, nI);
  const ectx: EvaluationContext = {
    model,
    history,
    counts,
    explicit: data.explicit,
    ratingRange: data.ratingRange,
    relevance,
    k,
    ks: REPORT_KS.filter(fits),
    attributes: data.attributes?.sets,
    metrics: config.evaluate.metrics,
  };
  const scored = await timer.time('evaluate', async () => {
    const s: { validation?: SplitEvaluation; test?: SplitEvaluation } = {};
    if (validation.user.length > 0) s.validation = await evaluateSplit(ectx, validation);
    if (test.user.length > 0) s.test = await evaluateSplit(ectx, test);
    return s;
  });
  const metrics: Record<string, Record<string, number>> = {
    train: trainFit(ectx),
    validation: scored.validation?.metrics ?? {},
    ...(scored.test ? { test: scored.test.metrics } : {}),
  };
  const judged = scored.test ?? scored.validation;
  const judgedName = scored.test ? 'test' : 'validation';
  for (const [name, s] of Object.entries(scored)) {
    if (s.coldUsers > 0) warn(`${s.coldUsers} ${name} user${s.coldUsers > 1 ? 's have' : ' has'} no training interactions: they got the most popular items`);
    if (s.coldItems > 0 && name === judgedName) warn(`${s.coldItems} ${name} interaction${s.coldItems > 1 ? 's are' : ' is'} with items nobody interacted with in training (cold items: only content-based families can recommend them)`);
  }
  const rows = { train: trainPart.user.length, validation: validation.user.length, test: test.user.length };

  const artifacts = async ({ gates }: Parameters<FittedRun['artifacts']>[0]): Promise<RunArtifacts> => {
    const catalog = {
      formatVersion: 1 as const,
      users: data.users,
      items: data.items,
      ...(data.labels ? { labels: data.labels } : {}),
      explicit: data.explicit,
      rating_range: data.ratingRange,
      relevance,
      k,
    };
    const counts_ = {
      users: nU,
      items: nI,
      items_with_interactions: counts.reduce((a, c) => a + (c > 0 ? 1 : 0), 0),
      interactions: g.item.length,
      duplicates_combined: g.duplicates,
      ...(data.listedUsers ? { users_in_users_file: data.listedUsers } : {}),
      ...(judged ? { evaluated_users: judged.evaluated, cold_users: judged.coldUsers, cold_item_interactions: judged.coldItems } : {}),
    };
    const curve = judged ? popularityCurve(counts, judged.lists.items.filter((_, s) => s % judged.lists.k < k)) : { x: [], catalog: [], recommended: [] };
    const examples = judged ? exampleLists(judged, data, history, test.user.length > 0 ? test : validation, k) : [];
    const metricsJson: JsonObject = {
      ...(metrics as unknown as JsonObject),
      ...(judged ? { at_k: { split: judgedName, values: judged.atK } } : {}),
      counts: counts_,
      popularity_curve: curve as unknown as JsonObject,
    };
    const features = data.columns;
    const preprocessSha = sha256(canonicalJson({ items: (loaded.raw['data'] as JsonObject)['items'] ?? null } as JsonObject));
    const facts: [string, string][] = [
      ['task', 'recommendation'],
      ['algorithm', spec.name],
      ['feedback', data.explicit ? `explicit ratings (${r.rating}, ${lo}..${hi}; relevant >= ${relevance})` : r.weight ? `implicit, weighted by ${r.weight}` : 'implicit'],
      ['data', `${data.source} (${data.rows} rows)`],
      ['catalogue', `${nU} users, ${nI} items (${counts_.items_with_interactions} with training interactions)`],
      ['split', data.part ? 'the given files' : `per user, ${r.split.method}, test ${r.split.test}${r.split.validation ? `, validation ${r.split.validation}` : ''}`],
      ['interactions', `${rows.train} train / ${rows.validation} validation / ${rows.test} test`],
    ];
    const report: RecommendReport = {
      name: config.name,
      description: config.description,
      algorithm: spec.name,
      source: data.source,
      facts,
      metrics,
      gates,
      atK: judged?.atK ?? {},
      split: judgedName,
      curve,
      examples,
      config: loaded.resolvedYaml,
    };
    const profileRows = new Frame([
      { type: 'categorical', name: r.user, codes: users, dictionary: data.users },
      { type: 'categorical', name: r.item, codes: g.item, dictionary: data.items },
      ...(r.rating || r.weight ? [{ type: 'numeric' as const, name: (r.rating ?? r.weight)!, values: g.value }] : []),
    ]);
    return {
      files: {
        model: model.toJSON(),
        modelArtifacts: [...(model.artifacts?.() ?? []), ...bundleArtifacts(catalog, history, counts, data.attributes?.sets)],
        preprocess: { formatVersion: 1, steps: [], items: data.attributes ? { tokens: data.attributes.tokens.length } : null },
        features: { formatVersion: 1, task: 'recommendation', target: r.rating ?? r.item, classes: [], id: null, columns: features.map((c) => ({ ...c, missing_share: 0 })) },
        metrics: metricsJson,
        profile: { rows: g.item.length, columns: profileFrame(profileRows) },
        report: renderRecommendMarkdown(report),
        reportHtml: renderRecommendHtml(report),
      },
      bump: {
        task: 'recommendation',
        target: r.rating ?? r.item,
        algorithm: spec.name,
        features,
        preprocess_sha256: preprocessSha,
        hyperparameters: withoutRuntimeParams(model.params),
        data_sha256: data.sha256,
        rows: data.rows,
      },
      metadata: {
        target: r.rating ?? r.item,
        features,
        hyperparameters: model.params,
        metrics: metricsJson,
        trainedOn: { source: data.source, sha256: data.sha256, rows: data.rows },
        preprocessSha256: preprocessSha,
        summary: { ...(model.summary?.() ?? {}), ...counts_, rows },
      },
    };
  };

  return {
    task,
    algorithm: spec.name,
    metrics,
    gateSplit: judgedName,
    rows,
    features: data.attributes ? data.attributes.tokens.length : 0,
    overview: `recommendation · ${spec.name} · ${nU} users × ${nI} items · ${rows.train} train / ${rows.validation} validation / ${rows.test} test interactions`,
    artifacts,
  };
}

/** The first few evaluated users (in id order) with their latest history and their list. */
function exampleLists(s: SplitEvaluation, data: Awaited<ReturnType<typeof loadInteractions>>, history: Csr, held: HeldOut, k: number): ExampleList[] {
  const heldSet = new Set<number>();
  for (let e = 0; e < held.user.length; e++) heldSet.add(held.user[e]! * data.items.length + held.item[e]!);
  const label = (i: number): { label?: string } => (data.labels?.[i] ? { label: data.labels[i]! } : {});
  const out: ExampleList[] = [];
  const K = s.lists.k;
  for (let r = 0; r < s.users.length && out.length < EXAMPLE_USERS; r++) {
    const u = s.users[r]!;
    const list: ExampleList['list'] = [];
    for (let t = 0; t < k; t++) {
      const i = s.lists.items[r * K + t]!;
      if (i >= 0) list.push({ item: data.items[i]!, ...label(i), score: s.lists.scores[r * K + t]!, hit: heldSet.has(u * data.items.length + i) });
    }
    const g = data.grouped;
    // The latest training interactions (grouped rows are in time order; held-out ones skipped).
    const mine: ExampleList['history'] = [];
    for (let e = g.ptr[u + 1]! - 1; e >= g.ptr[u]! && mine.length < 5; e--) {
      const i = g.item[e]!;
      if (!hasEntry(history, u, i)) continue;
      mine.push({ item: data.items[i]!, ...label(i), value: g.value[e]! });
    }
    out.push({ user: data.users[u]!, history: mine.reverse(), list });
  }
  return out;
}
