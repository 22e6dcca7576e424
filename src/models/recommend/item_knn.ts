// `item_knn`: item-item collaborative filtering over co-occurrence (as Microsoft Recommenders'
// SAR): each item keeps its most similar items (cosine, Jaccard or lift of their co-occurrence
// counts, engine/recsys/neighbors.ts), and a user's score for item j sums the similarities of j
// to the items of their history, weighted by the user's affinity with each.

import { mapValues, transpose, type Csr } from '../../engine/recsys/csr.js';
import { itemNeighbors, type Similarity } from '../../engine/recsys/neighbors.js';
import type { ScorerSpec } from '../../engine/recsys/scorers.js';
import type { JsonObject } from '../../util/json.js';
import type { EstimatorJSON, EstimatorSpec, FitOptions } from '../estimator.js';
import { resolveFamilyParams, flatSchema, int, num, weightsParam } from './params.js';
import { csrFields, RecommenderBase, takeCsr, type InteractionData } from './recommender.js';
import type { TensorFile } from './tensor-file.js';

const schema = flatSchema({
  neighbors: int(1, 100000, 200, 'Most similar items kept per item'),
  similarity: { type: 'string', enum: ['cosine', 'jaccard', 'lift'], default: 'cosine', description: 'Similarity of two items\' co-occurrence counts' },
  shrink: num(0, 1e9, 0, 'Added to the denominator: damps similarities resting on few users'),
  min_count: int(1, 1e9, 1, 'Fewest users who must share two items for them to be neighbours'),
  weights: weightsParam,
});

export class ItemKnn extends RecommenderBase {
  readonly kind = 'item_knn';
  readonly predictsRatings = false;
  private nb: Csr = { rows: 0, cols: 0, indptr: new Int32Array(1), indices: new Int32Array(0), values: new Float64Array(0) };

  constructor(params: JsonObject) {
    super(resolveFamilyParams('item_knn', schema, params));
  }

  private affinity(m: Csr): Csr {
    return this.params['weights'] === 'binary' ? mapValues(m, () => 1) : m;
  }

  protected fitData(data: InteractionData, options: FitOptions): void {
    const p = this.params;
    const byUser = this.affinity(data.byUser);
    this.nb = itemNeighbors(byUser, transpose(byUser), {
      neighbors: p['neighbors'] as number,
      similarity: p['similarity'] as Similarity,
      shrink: p['shrink'] as number,
      minCount: p['min_count'] as number,
      ...(options.signal ? { signal: options.signal } : {}),
    });
  }

  scorer(history: Csr): ScorerSpec {
    return { kind: 'neighbors', history: this.affinity(history), neighbors: this.nb };
  }

  similarTo(item: number, out: Float64Array): void {
    out.fill(NaN);
    for (let t = this.nb.indptr[item]!; t < this.nb.indptr[item + 1]!; t++) out[this.nb.indices[t]!] = this.nb.values[t]!;
  }

  summary(): JsonObject {
    return { neighbor_pairs: this.nb.indices.length };
  }

  protected tensors() {
    return { fields: csrFields('neighbors', this.nb) };
  }

  protected load(file: TensorFile): void {
    this.nb = takeCsr(file, 'neighbors', this.nItems, this.nItems);
  }

  static fromJSON(json: EstimatorJSON, files?: ReadonlyMap<string, Uint8Array>): ItemKnn {
    return RecommenderBase.restore(new ItemKnn(json.params), json, files);
  }
}

export const itemKnnSpec: EstimatorSpec = {
  name: 'item_knn',
  aliases: ['sar'],
  description: 'Item-item similarity over co-occurrence (as SAR): scores sum the similarities to the user\'s history',
  tasks: ['recommendation'],
  paramsSchema: schema,
  nativeCategorical: true,
  create: (params) => new ItemKnn(params),
  fromJSON: (json, files) => ItemKnn.fromJSON(json, files),
};
