// `als`: confidence-weighted ALS for implicit feedback (engine/recsys/als.ts, as implicit's
// AlternatingLeastSquares with conjugate gradient). Every interaction is a positive with
// confidence 1 + alpha w (w = 1, or the rating / weight with weights: value); every other item
// is a weak negative. Ranks by x_u . y_i; does not predict ratings.

import { fitAlsThreads } from '../../engine/recsys/als-parallel.js';
import { mapValues, transpose, type Csr } from '../../engine/recsys/csr.js';
import type { ScorerSpec } from '../../engine/recsys/scorers.js';
import type { JsonObject } from '../../util/json.js';
import type { EstimatorJSON, EstimatorSpec, FitOptions } from '../estimator.js';
import { factorCosine } from './factors.js';
import { resolveFamilyParams, flatSchema, int, num, seedParam, weightsParam } from './params.js';
import { RecommenderBase, type InteractionData } from './recommender.js';
import type { TensorFile } from './tensor-file.js';

const schema = flatSchema({
  factors: int(1, 1024, 32, 'Latent factors per user and item'),
  iterations: int(1, 1000, 10, 'Alternating sweeps (users, then items)'),
  reg: num(0, 1e6, 0.05, 'L2 penalty on the factors (regularization)'),
  alpha: num(0, 1e6, 1, 'Confidence of an interaction: 1 + alpha x weight'),
  cg_steps: int(1, 100, 3, 'Conjugate-gradient steps per user or item and sweep'),
  weights: weightsParam,
  seed: seedParam,
  n_jobs: int(1, 64, 2, 'Threads solving the users (then items) of each sweep; the factors do not depend on it'),
});

export class Als extends RecommenderBase {
  readonly kind = 'als';
  readonly predictsRatings = false;
  private f = 0;
  private X: Float32Array = new Float32Array(0);
  private Y: Float32Array = new Float32Array(0);

  constructor(params: JsonObject) {
    super(resolveFamilyParams('als', schema, params));
  }

  protected async fitData(data: InteractionData, options: FitOptions): Promise<void> {
    const p = this.params;
    const binary = p['weights'] === 'binary';
    const byUser = binary ? mapValues(data.byUser, () => 1) : data.byUser;
    const byItem = binary ? transpose(byUser) : data.byItem;
    const total = p['iterations'] as number;
    const m = await fitAlsThreads(byUser, byItem, {
      factors: p['factors'] as number,
      iterations: total,
      reg: p['reg'] as number,
      alpha: p['alpha'] as number,
      cgSteps: p['cg_steps'] as number,
      seed: p['seed'] as number,
      ...(options.signal ? { signal: options.signal } : {}),
      onIteration: (iteration) => options.onProgress?.({ iteration, total }),
    }, p['n_jobs'] as number);
    this.f = m.factors;
    this.X = m.userFactors;
    this.Y = m.itemFactors;
  }

  scorer(_history: Csr): ScorerSpec {
    return { kind: 'factors', factors: this.f, userFactors: this.X, itemFactors: this.Y, globalMean: 0 };
  }

  override predictPairs(users: Int32Array, items: Int32Array): Float64Array {
    const f = this.f;
    return Float64Array.from(users, (u, r) => {
      const i = items[r]!;
      if (!(u >= 0 && u < this.nUsers && i >= 0 && i < this.nItems)) return NaN;
      let v = 0;
      for (let k = 0; k < f; k++) v += this.X[u * f + k]! * this.Y[i * f + k]!;
      return v;
    });
  }

  similarTo(item: number, out: Float64Array): void {
    factorCosine(this.Y, this.f, item, this.trained, out);
  }

  protected override stateJSON(): JsonObject {
    return { factors: this.f };
  }

  protected tensors() {
    return { fields: { user_factors: this.X, item_factors: this.Y }, shapes: { user_factors: [this.nUsers, this.f], item_factors: [this.nItems, this.f] } };
  }

  protected load(file: TensorFile, state: JsonObject): void {
    this.f = Number(state['factors']);
    this.X = file.finite('user_factors', 'float32', [this.nUsers, this.f]);
    this.Y = file.finite('item_factors', 'float32', [this.nItems, this.f]);
  }

  static fromJSON(json: EstimatorJSON, files?: ReadonlyMap<string, Uint8Array>): Als {
    return RecommenderBase.restore(new Als(json.params), json, files);
  }
}

export const alsSpec: EstimatorSpec = {
  name: 'als',
  description: 'Confidence-weighted implicit ALS with conjugate gradient (as implicit\'s AlternatingLeastSquares); ranks by x_u . y_i',
  tasks: ['recommendation'],
  paramsSchema: schema,
  nativeCategorical: true,
  create: (params) => new Als(params),
  fromJSON: (json, files) => Als.fromJSON(json, files),
};
