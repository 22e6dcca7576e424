// The recommendation keys of a validated config, resolved with their defaults (the task spec,
// tasks/recommendation.ts, declares their schema; the recommendation flow reads this).

import type { JsonObject, JsonValue } from '../util/json.js';
import type { DuplicatePolicy } from '../engine/recsys/csr.js';

export interface SideFileConfig {
  source: string;
  key: string;
  /** Undefined = decided by the column types read (text, categorical, numeric). */
  text: string[] | undefined;
  attributes: string[] | undefined;
  numeric: string[] | undefined;
  separator: string;
}

export type SplitMethod = 'time' | 'random' | 'last';

export interface RecommendConfig {
  user: string;
  item: string;
  rating: string | undefined;
  weight: string | undefined;
  time: string | undefined;
  items: SideFileConfig | undefined;
  users: SideFileConfig | undefined;
  duplicates: DuplicatePolicy | 'error';
  ratingRange: [number, number] | undefined;
  split: { method: SplitMethod; test: number; validation: number; minInteractions: number; seed: number };
  k: number;
  relevance: number | undefined;
}

const obj = (v: JsonValue | undefined): JsonObject => (v && typeof v === 'object' && !Array.isArray(v) ? v : {});
const str = (v: JsonValue | undefined): string | undefined => (typeof v === 'string' ? v : undefined);
const strs = (v: JsonValue | undefined): string[] | undefined => (Array.isArray(v) ? v.map(String) : undefined);

function sideFile(v: JsonValue | undefined, defaultKey: string): SideFileConfig | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return { source: v, key: defaultKey, text: undefined, attributes: undefined, numeric: undefined, separator: '|' };
  const o = obj(v);
  return { source: str(o['source'])!, key: str(o['key']) ?? defaultKey, text: strs(o['text']), attributes: strs(o['attributes']), numeric: strs(o['numeric']), separator: str(o['separator']) ?? '|' };
}

/** Resolves the recommendation keys of `raw` (the validated document). */
export function resolveRecommendConfig(raw: JsonObject, seed: number): RecommendConfig {
  const data = obj(raw['data']);
  const split = obj(data['split']);
  const evaluate = obj(raw['evaluate']);
  const user = str(data['user'])!;
  const item = str(data['item'])!;
  const time = str(data['time']);
  const range = data['rating_range'];
  return {
    user,
    item,
    rating: str(data['rating']),
    weight: str(data['weight']),
    time,
    items: sideFile(data['items'], item),
    users: sideFile(data['users'], user),
    duplicates: (str(data['duplicates']) ?? 'last') as RecommendConfig['duplicates'],
    ratingRange: Array.isArray(range) ? [Number(range[0]), Number(range[1])] : undefined,
    split: {
      method: (str(split['method']) ?? (time ? 'time' : 'random')) as SplitMethod,
      test: typeof split['test'] === 'number' ? split['test'] : 0.2,
      validation: typeof split['validation'] === 'number' ? split['validation'] : 0,
      minInteractions: typeof split['min_interactions'] === 'number' ? split['min_interactions'] : 5,
      seed,
    },
    k: typeof evaluate['k'] === 'number' ? evaluate['k'] : 10,
    relevance: typeof evaluate['relevance'] === 'number' ? evaluate['relevance'] : undefined,
  };
}
