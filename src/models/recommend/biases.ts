// `biases`: global mean plus regularised user and item biases (Surprise's BaselineOnly, fitted
// by alternating least squares). Predicts ratings; ranks items by their bias, which is the
// best-rated-after-shrinkage list.

import { fitBiases } from '../../engine/recsys/biases.js';
import type { Csr } from '../../engine/recsys/csr.js';
import type { ScorerSpec } from '../../engine/recsys/scorers.js';
import type { JsonObject } from '../../util/json.js';
import type { EstimatorJSON, EstimatorSpec } from '../estimator.js';
import { resolveFamilyParams, flatSchema, int, num } from './params.js';
import { RecommenderBase, type InteractionData } from './recommender.js';
import type { TensorFile } from './tensor-file.js';

const schema = flatSchema({
  iterations: int(1, 1000, 10, 'Alternating least-squares sweeps'),
  reg_user: num(0, 1e6, 15, 'Shrinkage of user biases towards 0 (pseudo-ratings)'),
  reg_item: num(0, 1e6, 10, 'Shrinkage of item biases towards 0 (pseudo-ratings)'),
});

export class Biases extends RecommenderBase {
  readonly kind = 'biases';
  readonly predictsRatings = true;
  private mu = 0;
  private bu: Float64Array = new Float64Array(0);
  private bi: Float64Array = new Float64Array(0);

  constructor(params: JsonObject) {
    super(resolveFamilyParams('biases', schema, params));
  }

  protected fitData(data: InteractionData): void {
    const p = this.params;
    const m = fitBiases(data.byUser, data.byItem, { iterations: p['iterations'] as number, regUser: p['reg_user'] as number, regItem: p['reg_item'] as number });
    this.mu = m.globalMean;
    this.bu = m.userBias;
    this.bi = m.itemBias;
  }

  scorer(_history: Csr): ScorerSpec {
    // mu + b_u is the same for every item of a user: ranking by b_i alone gives the same lists.
    const scores = Float64Array.from(this.bi, (b, i) => (this.trained[i] ? this.mu + b : NaN));
    return { kind: 'item', scores };
  }

  override predictPairs(users: Int32Array, items: Int32Array): Float64Array {
    const out = new Float64Array(users.length);
    for (let r = 0; r < users.length; r++) {
      const u = users[r]!;
      const i = items[r]!;
      out[r] = this.mu + (u >= 0 && u < this.nUsers ? this.bu[u]! : 0) + (i >= 0 && i < this.nItems ? this.bi[i]! : 0);
    }
    return out;
  }

  similarTo(item: number, out: Float64Array): void {
    // Nearest in bias: items rated alike on average.
    const b = this.bi[item]!;
    for (let j = 0; j < this.nItems; j++) out[j] = this.trained[j] ? -Math.abs(this.bi[j]! - b) : NaN;
  }

  protected override stateJSON(): JsonObject {
    return { global_mean: this.mu };
  }

  protected tensors() {
    return { fields: { user_bias: this.bu, item_bias: this.bi } };
  }

  protected load(file: TensorFile, state: JsonObject): void {
    this.mu = Number(state['global_mean']);
    this.bu = file.finite('user_bias', 'float64', [this.nUsers]);
    this.bi = file.finite('item_bias', 'float64', [this.nItems]);
  }

  static fromJSON(json: EstimatorJSON, files?: ReadonlyMap<string, Uint8Array>): Biases {
    return RecommenderBase.restore(new Biases(json.params), json, files);
  }
}

export const biasesSpec: EstimatorSpec = {
  name: 'biases',
  description: 'Global mean plus regularised user and item biases (BaselineOnly): predicts ratings, ranks by item bias',
  tasks: ['recommendation'],
  paramsSchema: schema,
  nativeCategorical: true,
  create: (params) => new Biases(params),
  fromJSON: (json, files) => Biases.fromJSON(json, files),
};
