// `mf`: biased matrix factorisation for explicit ratings by stochastic gradient descent, the
// algorithm behind Surprise's SVD (engine/recsys/sgd.ts). Predicts ratings
// mu + b_u + b_i + p_u . q_i (unknown users or items drop their terms) and ranks every item by
// its predicted rating.

import type { Csr } from '../../engine/recsys/csr.js';
import type { ScorerSpec } from '../../engine/recsys/scorers.js';
import { fitSgd } from '../../engine/recsys/sgd.js';
import type { JsonObject } from '../../util/json.js';
import type { EstimatorJSON, EstimatorSpec, FitOptions } from '../estimator.js';
import { factorCosine } from './factors.js';
import { resolveFamilyParams, flatSchema, int, num, seedParam } from './params.js';
import { RecommenderBase, type InteractionData } from './recommender.js';
import type { TensorFile } from './tensor-file.js';

const schema = flatSchema({
  factors: int(1, 1024, 32, 'Latent factors per user and item (Surprise: n_factors, default 100)'),
  epochs: int(1, 10000, 20, 'Passes over the training ratings (n_epochs)'),
  learning_rate: num(0, 1, 0.005, 'SGD step size (lr_all)'),
  decay: num(0, 1, 1, 'Learning rate multiplier after every epoch (1 = constant)'),
  reg: num(0, 100, 0.02, 'L2 penalty on the factors (reg_all)'),
  reg_bias: num(0, 100, 0.02, 'L2 penalty on the biases'),
  init_std: num(0, 10, 0.1, 'Standard deviation of the initial factors (init_std_dev)'),
  seed: seedParam,
});

export class Mf extends RecommenderBase {
  readonly kind = 'mf';
  readonly predictsRatings = true;
  private f = 0;
  private mu = 0;
  private bu: Float64Array = new Float64Array(0);
  private bi: Float64Array = new Float64Array(0);
  private P: Float32Array = new Float32Array(0);
  private Q: Float32Array = new Float32Array(0);
  private epochRmse: number[] = [];

  constructor(params: JsonObject) {
    super(resolveFamilyParams('mf', schema, params));
  }

  protected fitData(data: InteractionData, options: FitOptions): void {
    const p = this.params;
    this.epochRmse = [];
    const m = fitSgd(data.byUser, {
      factors: p['factors'] as number,
      epochs: p['epochs'] as number,
      learningRate: p['learning_rate'] as number,
      decay: p['decay'] as number,
      reg: p['reg'] as number,
      regBias: p['reg_bias'] as number,
      initStd: p['init_std'] as number,
      seed: p['seed'] as number,
      ...(options.signal ? { signal: options.signal } : {}),
      onEpoch: (epoch, rmse) => {
        this.epochRmse.push(rmse);
        options.onProgress?.({ iteration: epoch, total: p['epochs'] as number, metric: 'rmse', train: rmse });
      },
    });
    this.f = m.factors;
    this.mu = m.globalMean;
    this.bu = m.userBias;
    this.bi = m.itemBias;
    this.P = m.userFactors;
    this.Q = m.itemFactors;
  }

  scorer(_history: Csr): ScorerSpec {
    return { kind: 'factors', factors: this.f, userFactors: this.P, itemFactors: this.Q, userBias: this.bu, itemBias: this.bi, globalMean: this.mu };
  }

  override predictPairs(users: Int32Array, items: Int32Array): Float64Array {
    const f = this.f;
    const out = new Float64Array(users.length);
    for (let r = 0; r < users.length; r++) {
      const u = users[r]!;
      const i = items[r]!;
      const ku = u >= 0 && u < this.nUsers;
      const ki = i >= 0 && i < this.nItems;
      let v = this.mu + (ku ? this.bu[u]! : 0) + (ki ? this.bi[i]! : 0);
      if (ku && ki) for (let k = 0; k < f; k++) v += this.P[u * f + k]! * this.Q[i * f + k]!;
      out[r] = v;
    }
    return out;
  }

  similarTo(item: number, out: Float64Array): void {
    factorCosine(this.Q, this.f, item, this.trained, out);
  }

  summary(): JsonObject {
    return { epochs: this.epochRmse.length, ...(this.epochRmse.length > 0 ? { final_train_rmse: this.epochRmse[this.epochRmse.length - 1]! } : {}) };
  }

  protected override stateJSON(): JsonObject {
    return { factors: this.f, global_mean: this.mu };
  }

  protected tensors() {
    return {
      fields: { user_bias: this.bu, item_bias: this.bi, user_factors: this.P, item_factors: this.Q },
      shapes: { user_factors: [this.nUsers, this.f], item_factors: [this.nItems, this.f] },
    };
  }

  protected load(file: TensorFile, state: JsonObject): void {
    this.f = Number(state['factors']);
    this.mu = Number(state['global_mean']);
    this.bu = file.finite('user_bias', 'float64', [this.nUsers]);
    this.bi = file.finite('item_bias', 'float64', [this.nItems]);
    this.P = file.finite('user_factors', 'float32', [this.nUsers, this.f]);
    this.Q = file.finite('item_factors', 'float32', [this.nItems, this.f]);
  }

  static fromJSON(json: EstimatorJSON, files?: ReadonlyMap<string, Uint8Array>): Mf {
    return RecommenderBase.restore(new Mf(json.params), json, files);
  }
}

export const mfSpec: EstimatorSpec = {
  name: 'mf',
  aliases: ['svd'],
  description: 'Biased matrix factorisation of explicit ratings by SGD (the algorithm behind Surprise\'s SVD); ranks by predicted rating',
  tasks: ['recommendation'],
  paramsSchema: schema,
  nativeCategorical: true,
  create: (params) => new Mf(params),
  fromJSON: (json, files) => Mf.fromJSON(json, files),
};
