// `hybrid`: a weighted blend of other recommendation families. Each part's scores are
// standardised per user (mean 0, sd 1 over the items it can rank) and summed with the part's
// weight; an item a part cannot rank counts as that part's average, so cold items (no training
// interactions) are ranked by the parts that can score them: content, from their attributes.
// The default blends als with content (collaborative filtering, with content for cold items);
// on explicit ratings, als (what a user will pick) with mf (how they will rate it) is the
// strong pair. Saved as each part's JSON and tensor file under parts/<n>/.

import { SomaError } from '../../errors.js';
import type { FeatureMatrix } from '../../engine/matrix.js';
import type { Csr } from '../../engine/recsys/csr.js';
import type { ScorerSpec } from '../../engine/recsys/scorers.js';
import type { Target } from '../../tasks/task.js';
import { isJsonObject, type JsonObject, type JsonValue } from '../../util/json.js';
import type { ArtifactFile, EstimatorJSON, EstimatorSpec, FitOptions } from '../estimator.js';
import { alsSpec } from './als.js';
import { biasesSpec } from './biases.js';
import { contentSpec } from './content.js';
import { itemKnnSpec } from './item_knn.js';
import { mfSpec } from './mf.js';
import { popularitySpec } from './popularity.js';
import { interactionsFromMatrix, isRecommender, type InteractionData, type Recommender } from './recommender.js';

const PARTS: Record<string, EstimatorSpec> = { popularity: popularitySpec, biases: biasesSpec, mf: mfSpec, als: alsSpec, item_knn: itemKnnSpec, content: contentSpec };

const DEFAULT_PARTS: JsonObject[] = [
  { type: 'als', weight: 0.7, params: {} },
  { type: 'content', weight: 0.3, params: {} },
];

const schema: JsonObject = {
  type: 'object',
  additionalProperties: false,
  properties: {
    parts: {
      type: 'array',
      minItems: 1,
      maxItems: 8,
      default: DEFAULT_PARTS,
      description: 'The blended families: [{type, weight, params}], e.g. [{type: als, weight: 0.5}, {type: mf, weight: 0.5}]',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['type'],
        properties: {
          type: { type: 'string', enum: Object.keys(PARTS) },
          weight: { type: 'number', exclusiveMinimum: 0, maximum: 1000, default: 1 },
          params: { type: 'object', default: {} },
        },
      },
    },
  },
};

interface Part {
  type: string;
  weight: number;
  model: Recommender;
}

function parseParts(params: JsonObject): Part[] {
  for (const key of Object.keys(params)) {
    if (key !== 'parts') throw new SomaError('PARAM_INVALID', `hybrid: unknown parameter "${key}" (expected parts)`);
  }
  const raw: JsonValue = params['parts'] ?? DEFAULT_PARTS;
  if (!Array.isArray(raw) || raw.length === 0) throw new SomaError('PARAM_INVALID', `hybrid: parts = ${JSON.stringify(raw)} is invalid: expected a non-empty list of {type, weight, params}`);
  return raw.map((p, n) => {
    const type = isJsonObject(p) ? p['type'] : undefined;
    const spec = typeof type === 'string' ? PARTS[type] : undefined;
    if (!isJsonObject(p) || !spec) throw new SomaError('PARAM_INVALID', `hybrid: parts[${n}].type = ${JSON.stringify(type)} is invalid: expected one of ${Object.keys(PARTS).join(', ')}`);
    const weight = p['weight'] ?? 1;
    if (typeof weight !== 'number' || !(weight > 0)) throw new SomaError('PARAM_INVALID', `hybrid: parts[${n}].weight = ${JSON.stringify(weight)} is invalid: expected a number > 0`);
    const sub = p['params'] ?? {};
    if (!isJsonObject(sub)) throw new SomaError('PARAM_INVALID', `hybrid: parts[${n}].params is not a map of parameters`);
    const model = spec.create(sub, 'recommendation');
    if (!isRecommender(model)) throw new SomaError('INTERNAL', `${spec.name} is not a recommender`);
    return { type: spec.name, weight, model };
  });
}

export class Hybrid implements Recommender {
  readonly kind = 'hybrid';
  readonly params: JsonObject;
  private parts: Part[];
  private any = new Uint8Array(0);

  constructor(params: JsonObject) {
    this.parts = parseParts(params);
    this.params = { parts: this.parts.map((p) => ({ type: p.type, weight: p.weight, params: p.model.params })) };
  }

  /** Ratings come from the first part that predicts them. */
  get predictsRatings(): boolean {
    return this.parts.some((p) => p.model.predictsRatings);
  }

  async fit(X: FeatureMatrix, y: Target, options?: FitOptions): Promise<this> {
    return this.fitInteractions(interactionsFromMatrix(X, y, true), options);
  }

  async fitInteractions(data: InteractionData, options?: FitOptions): Promise<this> {
    for (const [n, p] of this.parts.entries()) {
      if (p.type === 'content' && !data.itemFeatures) {
        throw new SomaError('CONFIG_INVALID', `model.params.parts[${n}]: the content part needs item attributes (set data.items to a file of items with their attributes, or drop the part)`);
      }
      await p.model.fitInteractions(data, { ...(options?.signal ? { signal: options.signal } : {}) });
    }
    this.union();
    return this;
  }

  private union(): void {
    const masks = this.parts.map((p) => p.model.rankable());
    this.any = Uint8Array.from(masks[0]!, (_, i) => (masks.some((m) => m[i]) ? 1 : 0));
  }

  scorer(history: Csr): ScorerSpec {
    // A part scores the items it cannot rank as NaN, so the blend leaves them to the others.
    const parts: ScorerSpec[] = this.parts.map((p) => ({ kind: 'masked', inner: p.model.scorer(history), keep: p.model.rankable() }));
    return { kind: 'blend', parts, weights: Float64Array.from(this.parts, (p) => p.weight) };
  }

  rankable(): Uint8Array {
    return this.any;
  }

  predictPairs(users: Int32Array, items: Int32Array): Float64Array {
    const rating = this.parts.find((p) => p.model.predictsRatings);
    return rating ? rating.model.predictPairs(users, items) : new Float64Array(users.length).fill(NaN);
  }

  predict(X: FeatureMatrix): Float64Array {
    return (this.parts.find((p) => p.model.predictsRatings) ?? this.parts[0]!).model.predict(X);
  }

  similarTo(item: number, out: Float64Array): void {
    // The first part with a notion of likeness beyond popularity (content, else a collaborative one).
    const p = this.parts.find((q) => q.type === 'content') ?? this.parts.find((q) => q.type !== 'popularity') ?? this.parts[0]!;
    p.model.similarTo(item, out);
  }

  summary(): JsonObject {
    return { parts: this.parts.map((p) => ({ type: p.type, weight: p.weight, ...(p.model.summary?.() ?? {}) })) };
  }

  toJSON(): EstimatorJSON {
    const parts = this.parts.map((p) => p.model.toJSON());
    return {
      kind: this.kind,
      formatVersion: 1,
      params: this.params,
      state: { parts: parts.map((j) => ({ ...j, artifacts: j.artifacts ?? [] })) as unknown as JsonValue },
      artifacts: parts.flatMap((j, n) => (j.artifacts ?? []).map((a) => `parts/${n}/${a}`)),
    };
  }

  artifacts(): ArtifactFile[] {
    return this.parts.flatMap((p, n) => (p.model.artifacts?.() ?? []).map((a) => ({ path: `parts/${n}/${a.path}`, bytes: a.bytes })));
  }

  static fromJSON(json: EstimatorJSON, files?: ReadonlyMap<string, Uint8Array>): Hybrid {
    const h = new Hybrid(json.params);
    const st = json.state;
    const list = isJsonObject(st) && Array.isArray(st['parts']) ? st['parts'] : undefined;
    if (!list || list.length !== h.parts.length) throw new SomaError('REGISTRY_INTEGRITY', `hybrid model: state.parts does not match params.parts (${h.parts.length} parts)`);
    h.parts = h.parts.map((p, n) => {
      const pj = list[n];
      if (!isJsonObject(pj) || pj['kind'] !== p.type) throw new SomaError('REGISTRY_INTEGRITY', `hybrid model: state.parts[${n}] is not a ${p.type} model`);
      const sub = new Map<string, Uint8Array>();
      const prefix = `parts/${n}/`;
      for (const [path, b] of files ?? []) if (path.startsWith(prefix)) sub.set(path.slice(prefix.length), b);
      const model = PARTS[p.type]!.fromJSON(pj as unknown as EstimatorJSON, sub);
      if (!isRecommender(model)) throw new SomaError('REGISTRY_INTEGRITY', `hybrid model: state.parts[${n}] is not a recommender`);
      return { ...p, model };
    });
    h.union();
    return h;
  }
}

export const hybridSpec: EstimatorSpec = {
  name: 'hybrid',
  description: 'A weighted blend of standardised scores of other families (default als + content); cold items are ranked by the parts that can score them',
  tasks: ['recommendation'],
  paramsSchema: schema,
  nativeCategorical: true,
  create: (params) => new Hybrid(params),
  fromJSON: (json, files) => Hybrid.fromJSON(json, files),
};
