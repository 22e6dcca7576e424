// `content`: content-based recommendation over item attributes. Each item is a unit-norm vector
// of its attributes (category tokens weighted by inverse document frequency, TF-IDF of text
// columns: built by the pipeline from the items file); a user's profile is the affinity-weighted
// sum of the vectors of their history, and an item's score is its cosine with the profile. Items
// nobody has interacted with yet (cold items) are ranked like any other.

import { SomaError } from '../../errors.js';
import { mapValues, transpose, type Csr } from '../../engine/recsys/csr.js';
import type { ScorerSpec } from '../../engine/recsys/scorers.js';
import type { JsonObject } from '../../util/json.js';
import type { EstimatorJSON, EstimatorSpec } from '../estimator.js';
import { resolveFamilyParams, flatSchema, weightsParam } from './params.js';
import { csrFields, RecommenderBase, takeCsr, type InteractionData } from './recommender.js';
import type { TensorFile } from './tensor-file.js';

const schema = flatSchema({ weights: weightsParam });

export class Content extends RecommenderBase {
  readonly kind = 'content';
  readonly predictsRatings = false;
  private x: Csr = { rows: 0, cols: 0, indptr: new Int32Array(1), indices: new Int32Array(0), values: new Float64Array(0) };
  private xt: Csr = this.x;
  private described: Uint8Array = new Uint8Array(0);

  constructor(params: JsonObject) {
    super(resolveFamilyParams('content', schema, params));
  }

  protected fitData(data: InteractionData): void {
    if (!data.itemFeatures) {
      throw new SomaError('CONFIG_INVALID', 'model.type: content needs item attributes (set data.items to a file of items with their attributes)');
    }
    this.setFeatures(data.itemFeatures);
  }

  private setFeatures(x: Csr): void {
    this.x = x;
    this.xt = transpose(x);
    this.described = new Uint8Array(x.rows);
    for (let i = 0; i < x.rows; i++) this.described[i] = x.indptr[i + 1]! > x.indptr[i]! ? 1 : 0;
  }

  override rankable(): Uint8Array {
    return this.described;
  }

  scorer(history: Csr): ScorerSpec {
    const h = this.params['weights'] === 'binary' ? mapValues(history, () => 1) : history;
    return { kind: 'content', history: h, features: this.x, byFeature: this.xt };
  }

  similarTo(item: number, out: Float64Array): void {
    out.fill(0);
    const { x, xt } = this;
    for (let t = x.indptr[item]!; t < x.indptr[item + 1]!; t++) {
      const f = x.indices[t]!;
      const v = x.values[t]!;
      for (let s = xt.indptr[f]!; s < xt.indptr[f + 1]!; s++) out[xt.indices[s]!]! += v * xt.values[s]!;
    }
    for (let j = 0; j < out.length; j++) if (!this.described[j]) out[j] = NaN;
  }

  summary(): JsonObject {
    return { attributes: this.x.cols, described_items: this.described.reduce((a, b) => a + b, 0) };
  }

  protected override stateJSON(): JsonObject {
    return { attributes: this.x.cols };
  }

  protected tensors() {
    return { fields: csrFields('features', this.x) };
  }

  protected load(file: TensorFile, state: JsonObject): void {
    this.setFeatures(takeCsr(file, 'features', this.nItems, Number(state['attributes'])));
  }

  static fromJSON(json: EstimatorJSON, files?: ReadonlyMap<string, Uint8Array>): Content {
    return RecommenderBase.restore(new Content(json.params), json, files);
  }
}

export const contentSpec: EstimatorSpec = {
  name: 'content',
  description: 'Cosine between item attribute vectors (categories, TF-IDF of text) and the user\'s profile; ranks cold items too',
  tasks: ['recommendation'],
  paramsSchema: schema,
  nativeCategorical: true,
  create: (params) => new Content(params),
  fromJSON: (json, files) => Content.fromJSON(json, files),
};
