// A registered recommender ready to recommend: the family's model plus what recommending needs
// beside it, saved under model/ next to the family's files and checksummed like them:
//   catalog.json      the user and item ids in code order, item labels, feedback kind, rating
//                     range, relevance and k
//   interactions.bin  the training user-item matrix (seen items, the histories item_knn and
//                     content score from), item popularity, item attribute sets (diversity)
// `recommendFor` is the entry point `soma recommend` uses and `soma serve` can call: lists for
// user ids, with the popularity list for users the model has never seen or whose history is
// empty (flagged `fallback`).

import { SomaError } from '../../errors.js';
import type { Csr } from '../../engine/recsys/csr.js';
import { estimatorFromJSON } from '../../models/catalog.js';
import type { ArtifactFile, EstimatorJSON } from '../../models/estimator.js';
import { registerBuiltinEstimators } from '../../models/index.js';
import { isRecommender, type Recommender } from '../../models/recommend/index.js';
import { csrFields, takeCsr } from '../../models/recommend/recommender.js';
import { TensorFile, writeTensorFile, type TensorArray } from '../../models/recommend/tensor-file.js';
import { Registry } from '../../registry/store.js';
import type { ResolvedModel } from '../../registry/resolve.js';
import { readModelArtifacts, readVersionJson } from '../../registry/version-files.js';
import { registerBuiltinTasks } from '../../tasks/index.js';
import { isJsonObject, type JsonObject } from '../../util/json.js';
import { listsFor } from './evaluate.js';

export const CATALOG_FILE = 'catalog.json';
export const INTERACTIONS_FILE = 'interactions.bin';

export interface RecommenderCatalog {
  formatVersion: 1;
  users: string[];
  items: string[];
  labels?: string[];
  explicit: boolean;
  rating_range: [number, number];
  relevance: number;
  k: number;
}

export interface LoadedRecommender {
  resolved: ResolvedModel;
  catalog: RecommenderCatalog;
  model: Recommender;
  history: Csr;
  counts: Float64Array;
  sets: Csr | undefined;
  userCode: Map<string, number>;
  itemCode: Map<string, number>;
}

export function bundleArtifacts(catalog: RecommenderCatalog, history: Csr, counts: Float64Array, sets: Csr | undefined): ArtifactFile[] {
  const fields: Record<string, TensorArray> = { ...csrFields('history', history), counts, ...(sets ? csrFields('sets', sets) : {}) };
  return [
    { path: CATALOG_FILE, bytes: new TextEncoder().encode(`${JSON.stringify(catalog)}\n`) },
    { path: INTERACTIONS_FILE, bytes: writeTensorFile(fields) },
  ];
}

/** Loads a registered recommendation model (checksums verified); REGISTRY_INTEGRITY names a damaged file and field. */
export async function loadRecommender(registryDir: string, ref: string): Promise<LoadedRecommender> {
  registerBuiltinEstimators();
  registerBuiltinTasks();
  const resolved = await new Registry(registryDir).load(ref);
  if (resolved.metadata.task !== 'recommendation') {
    throw new SomaError('USAGE', `${resolved.metadata.id} is a ${resolved.metadata.task} model, not a recommender (soma recommend needs a model trained with task: recommendation)`, { hint: 'use soma predict for it' });
  }
  const modelJson = (await readVersionJson(resolved.dir, 'model')) as EstimatorJSON;
  const listed = Array.isArray(modelJson.artifacts) ? modelJson.artifacts : [];
  const files = await readModelArtifacts(resolved.dir, [...listed, CATALOG_FILE, INTERACTIONS_FILE]);
  const estimator = estimatorFromJSON(modelJson, files);
  if (!isRecommender(estimator)) throw new SomaError('REGISTRY_INTEGRITY', `${resolved.dir}/model/model.json: ${modelJson.kind} is not a recommendation family`);
  const catalog = parseCatalog(files.get(CATALOG_FILE)!, `${resolved.dir}/model/${CATALOG_FILE}`);
  const nU = catalog.users.length;
  const nI = catalog.items.length;
  const file = `model/${INTERACTIONS_FILE}`;
  const t = TensorFile.read(file, files.get(INTERACTIONS_FILE));
  const history = takeCsr(t, 'history', nU, nI, file);
  const counts = t.finite('counts', 'float64', [nI]);
  let sets: Csr | undefined;
  try {
    sets = takeCsr(t, 'sets', nI, 1 << 30, file);
  } catch (e) {
    if (!(e instanceof SomaError && /is missing/.test(e.message))) throw e;
  }
  return { resolved, catalog, model: estimator, history, counts, sets, userCode: new Map(catalog.users.map((u, k) => [u, k])), itemCode: new Map(catalog.items.map((i, k) => [i, k])) };
}

function parseCatalog(bytes: Uint8Array, file: string): RecommenderCatalog {
  let c: unknown;
  try {
    c = JSON.parse(new TextDecoder().decode(bytes));
  } catch (e) {
    throw new SomaError('REGISTRY_INTEGRITY', `${file}: not JSON (${(e as Error).message})`);
  }
  const bad = (field: string, expected: string): never => {
    throw new SomaError('REGISTRY_INTEGRITY', `${file}: field "${field}" is not ${expected}`, { hint: 'run soma models verify' });
  };
  if (!isJsonObject(c as JsonObject)) return bad('(root)', 'an object');
  const o = c as JsonObject;
  if (o['formatVersion'] !== 1) bad('formatVersion', '1');
  for (const f of ['users', 'items']) if (!Array.isArray(o[f]) || !(o[f] as unknown[]).every((x) => typeof x === 'string')) bad(f, 'a list of ids');
  if (o['labels'] !== undefined && (!Array.isArray(o['labels']) || o['labels'].length !== (o['items'] as unknown[]).length)) bad('labels', 'one label per item');
  if (typeof o['explicit'] !== 'boolean') bad('explicit', 'true or false');
  const range = o['rating_range'];
  if (!Array.isArray(range) || range.length !== 2 || !range.every((x) => typeof x === 'number')) bad('rating_range', '[min, max]');
  if (typeof o['relevance'] !== 'number') bad('relevance', 'a number');
  if (typeof o['k'] !== 'number') bad('k', 'a number');
  return o as unknown as RecommenderCatalog;
}

export interface RecommendedItem {
  item: string;
  score: number;
}

export interface UserList {
  user: string;
  items: RecommendedItem[];
  /** Why the list is not the model's own: the user is unknown, or has no history. */
  fallback?: 'unknown_user' | 'empty_history';
}

export interface RecommendOptions {
  /** Leave out the items the user interacted with in training (default true). */
  excludeSeen?: boolean;
}

/**
 * Top-k lists for user ids (the entry point for `soma recommend` and `soma serve`). Unknown users
 * and users with an empty history get the most popular items, flagged `fallback`.
 */
export async function recommendFor(m: LoadedRecommender, users: readonly string[], k: number, options: RecommendOptions = {}): Promise<UserList[]> {
  if (!(Number.isInteger(k) && k >= 1)) throw new SomaError('USAGE', `--k ${k}: expected an integer >= 1`);
  const codes = Int32Array.from(users, (u) => m.userCode.get(u) ?? m.history.rows);
  const { lists } = await listsFor(m.model, m.model.scorer(m.history), m.history, m.counts, codes, k, options.excludeSeen ?? true);
  return users.map((user, r) => {
    const items: RecommendedItem[] = [];
    for (let t = 0; t < k; t++) {
      const i = lists.items[r * k + t]!;
      if (i >= 0) items.push({ item: m.catalog.items[i]!, score: lists.scores[r * k + t]! });
    }
    const c = codes[r]!;
    const fallback = c >= m.history.rows ? 'unknown_user' : m.history.indptr[c + 1] === m.history.indptr[c] ? 'empty_history' : undefined;
    return { user, items, ...(fallback ? { fallback } : {}) };
  });
}

/** The k items most similar to `item` (the family's notion of likeness), best first. */
export function similarItems(m: LoadedRecommender, item: string, k: number): RecommendedItem[] {
  const code = m.itemCode.get(item);
  if (code === undefined) {
    throw new SomaError('DATA_BAD_VALUE', `item ${JSON.stringify(item)} is not in the model's catalog (${m.catalog.items.length} items, e.g. ${m.catalog.items.slice(0, 3).join(', ')})`);
  }
  const scores = new Float64Array(m.catalog.items.length);
  m.model.similarTo(code, scores);
  scores[code] = NaN;
  const order = Array.from(scores.keys()).filter((i) => !Number.isNaN(scores[i]!)).sort((a, b) => scores[b]! - scores[a]! || a - b);
  return order.slice(0, k).map((i) => ({ item: m.catalog.items[i]!, score: scores[i]! }));
}

/** A user's training history, most recent last (as stored: item order), for display. */
export function historyOf(m: LoadedRecommender, user: string): { item: string; value: number }[] {
  const u = m.userCode.get(user);
  if (u === undefined) return [];
  const out: { item: string; value: number }[] = [];
  for (let e = m.history.indptr[u]!; e < m.history.indptr[u + 1]!; e++) out.push({ item: m.catalog.items[m.history.indices[e]!]!, value: m.history.values[e]! });
  return out;
}
