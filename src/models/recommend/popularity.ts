// `popularity`: every user gets the items with the most training interactions (or the largest
// sum of weights), the baseline every personalised model must beat and the fallback for users
// soma has never seen.

import type { Csr } from '../../engine/recsys/csr.js';
import type { ScorerSpec } from '../../engine/recsys/scorers.js';
import type { JsonObject } from '../../util/json.js';
import type { EstimatorJSON, EstimatorSpec } from '../estimator.js';
import { resolveFamilyParams, flatSchema, weightsParam } from './params.js';
import { RecommenderBase, type InteractionData } from './recommender.js';
import type { TensorFile } from './tensor-file.js';

const schema = flatSchema({ weights: { ...weightsParam, description: 'binary: rank by the number of interactions; value: by the sum of their ratings or weights' } });

export class Popularity extends RecommenderBase {
  readonly kind = 'popularity';
  readonly predictsRatings = false;
  private counts: Float64Array = new Float64Array(0);

  constructor(params: JsonObject) {
    super(resolveFamilyParams('popularity', schema, params));
  }

  protected fitData(data: InteractionData): void {
    const byValue = this.params['weights'] === 'value';
    const c = new Float64Array(this.nItems);
    const m = data.byItem;
    for (let i = 0; i < this.nItems; i++) {
      if (!byValue) c[i] = m.indptr[i + 1]! - m.indptr[i]!;
      else for (let e = m.indptr[i]!; e < m.indptr[i + 1]!; e++) c[i]! += m.values[e]!;
    }
    this.counts = c;
  }

  /** The popularity score per item (copy). */
  itemScores(): Float64Array {
    return this.counts.slice();
  }

  scorer(_history: Csr): ScorerSpec {
    return { kind: 'item', scores: this.counts };
  }

  override predictPairs(_users: Int32Array, items: Int32Array): Float64Array {
    return Float64Array.from(items, (i) => (i >= 0 && i < this.nItems ? this.counts[i]! : NaN));
  }

  similarTo(_item: number, out: Float64Array): void {
    // Without any notion of likeness, the most popular items are the best guess.
    out.set(this.counts);
  }

  protected tensors() {
    return { fields: { counts: this.counts } };
  }

  protected load(file: TensorFile): void {
    this.counts = file.finite('counts', 'float64', [this.nItems]);
  }

  static fromJSON(json: EstimatorJSON, files?: ReadonlyMap<string, Uint8Array>): Popularity {
    return RecommenderBase.restore(new Popularity(json.params), json, files);
  }
}

export const popularitySpec: EstimatorSpec = {
  name: 'popularity',
  description: 'Most popular items by number of training interactions (or sum of weights): the baseline and cold-user fallback',
  tasks: ['recommendation'],
  paramsSchema: schema,
  nativeCategorical: true,
  create: (params) => new Popularity(params),
  fromJSON: (json, files) => Popularity.fromJSON(json, files),
};
