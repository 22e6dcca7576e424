// What every recommendation family implements (after implicit's RecommenderBase): fit on a
// user-item matrix, score every item of the catalog for a user (the scorer description the
// top-k kernel runs, given the user's history), rank items similar to an item, and, for
// families that model ratings, predict the rating of a (user, item) pair. A recommender is also
// an Estimator: fit(X, y) takes a matrix whose first two columns are user and item codes, so
// the catalog, schema, bump rules and registry treat it like every other family.

import { SomaError } from '../../errors.js';
import type { FeatureMatrix } from '../../engine/matrix.js';
import { csrFromTriplets, transpose, type Csr } from '../../engine/recsys/csr.js';
import type { ScorerSpec } from '../../engine/recsys/scorers.js';
import { toDense } from '../../engine/sparse.js';
import type { Target } from '../../tasks/task.js';
import type { JsonObject } from '../../util/json.js';
import type { ArtifactFile, Estimator, EstimatorJSON, FitOptions } from '../estimator.js';
import { TensorFile, writeTensorFile, type TensorArray } from './tensor-file.js';

/** The training interactions as the families see them. */
export interface InteractionData {
  /** Users x items: ratings (explicit feedback) or weights (implicit feedback, 1 when unweighted). */
  byUser: Csr;
  /** Items x users: the transpose. */
  byItem: Csr;
  /** Whether values are ratings (the rating families fit them; the ranking ones may binarise). */
  explicit: boolean;
  /** Items x attributes with unit-norm rows (content vectors); absent without item attributes. */
  itemFeatures?: Csr;
}

export interface Recommender extends Estimator {
  /** Whether `predictPairs` gives ratings (RMSE and MAE apply). */
  readonly predictsRatings: boolean;
  fitInteractions(data: InteractionData, options?: FitOptions): Promise<this>;
  /** The per-user score kernel over all items; `history` is users x items (what the user has seen). */
  scorer(history: Csr): ScorerSpec;
  /** 1 for each item the model can rank (trained items; with content, every item with attributes). */
  rankable(): Uint8Array;
  /** Predicted rating (or score) per (user, item) pair; -1 codes are unknown users or items. */
  predictPairs(users: Int32Array, items: Int32Array): Float64Array;
  /** Similarity of every item to `item` into out (NaN where undefined). */
  similarTo(item: number, out: Float64Array): void;
}

export function isRecommender(e: Estimator): e is Recommender {
  return typeof (e as Partial<Recommender>).fitInteractions === 'function';
}

/** The artifact file every family writes beside its JSON. */
export const TENSOR_FILE = 'tensors.bin';

/**
 * Interactions from an estimator matrix: column 0 user codes, column 1 item codes (categorical,
 * cardinality = users / items), y the rating or weight per row.
 */
export function interactionsFromMatrix(X: FeatureMatrix, y: Target, explicit: boolean): InteractionData {
  if (X.columns.length < 2) throw new SomaError('INTERNAL', `a recommender fits on user and item columns, got ${X.columns.length} column(s)`);
  const u = toDense(X.columns[0]!);
  const i = toDense(X.columns[1]!);
  const nU = X.cardinality[0]! || maxPlusOne(u);
  const nI = X.cardinality[1]! || maxPlusOne(i);
  const { matrix } = csrFromTriplets(Int32Array.from(u), Int32Array.from(i), Float64Array.from(y.values), nU, nI, 'last');
  return { byUser: matrix, byItem: transpose(matrix), explicit };
}

function maxPlusOne(a: Float64Array): number {
  let m = -1;
  for (const v of a) if (v > m) m = v;
  return m + 1;
}

/** Shared plumbing: params, the Estimator face, the tensor artifact. */
export abstract class RecommenderBase implements Recommender {
  abstract readonly kind: string;
  abstract readonly predictsRatings: boolean;
  protected nUsers = 0;
  protected nItems = 0;
  protected trained: Uint8Array = new Uint8Array(0);

  constructor(readonly params: JsonObject) {}

  async fit(X: FeatureMatrix, y: Target, options?: FitOptions): Promise<this> {
    return this.fitInteractions(interactionsFromMatrix(X, y, this.predictsRatings), options);
  }

  async fitInteractions(data: InteractionData, options?: FitOptions): Promise<this> {
    this.nUsers = data.byUser.rows;
    this.nItems = data.byUser.cols;
    this.trained = new Uint8Array(this.nItems);
    for (let i = 0; i < this.nItems; i++) this.trained[i] = data.byItem.indptr[i + 1]! > data.byItem.indptr[i]! ? 1 : 0;
    await this.fitData(data, options ?? {});
    return this;
  }

  protected abstract fitData(data: InteractionData, options: FitOptions): Promise<void> | void;
  abstract scorer(history: Csr): ScorerSpec;
  abstract similarTo(item: number, out: Float64Array): void;
  /** The family's arrays for the tensor file (`trained` is added by the base). */
  protected abstract tensors(): { fields: Record<string, TensorArray>; shapes?: Record<string, number[]> };
  /** Reads the family's arrays back (called by fromJSON after the sizes are set). */
  protected abstract load(file: TensorFile, state: JsonObject): void;
  protected stateJSON(): JsonObject {
    return {};
  }

  rankable(): Uint8Array {
    return this.trained;
  }

  predictPairs(users: Int32Array, _items: Int32Array): Float64Array {
    return new Float64Array(users.length).fill(NaN);
  }

  predict(X: FeatureMatrix): Float64Array {
    return this.predictPairs(Int32Array.from(toDense(X.columns[0]!)), Int32Array.from(toDense(X.columns[1]!)));
  }

  toJSON(): EstimatorJSON {
    return {
      kind: this.kind,
      formatVersion: 1,
      params: this.params,
      state: { users: this.nUsers, items: this.nItems, ...this.stateJSON() },
      artifacts: [TENSOR_FILE],
    };
  }

  artifacts(): ArtifactFile[] {
    const { fields, shapes } = this.tensors();
    return [{ path: TENSOR_FILE, bytes: writeTensorFile({ trained: Int32Array.from(this.trained), ...fields }, shapes) }];
  }

  /** Rebuilds a fitted model of this family from its JSON and tensor file. */
  static restore<R extends RecommenderBase>(model: R, json: EstimatorJSON, files: ReadonlyMap<string, Uint8Array> | undefined): R {
    const bad = (why: string): never => {
      throw new SomaError('REGISTRY_INTEGRITY', `${json.kind} model: ${why}`, { hint: 'run soma models verify' });
    };
    if (json.formatVersion !== 1) bad(`format version ${json.formatVersion} is not supported (this soma reads version 1)`);
    const state = json.state;
    if (!state || typeof state !== 'object' || Array.isArray(state)) return bad('state is not an object');
    const users = state['users'];
    const items = state['items'];
    if (!Number.isInteger(users) || !Number.isInteger(items) || (users as number) < 0 || (items as number) < 0) bad(`state.users/items are ${String(users)}/${String(items)} (expected counts)`);
    model.nUsers = users as number;
    model.nItems = items as number;
    const file = TensorFile.read(`model/${TENSOR_FILE}`, files?.get(TENSOR_FILE));
    const trained = file.take('trained', 'int32', [model.nItems]);
    model.trained = Uint8Array.from(trained, (v) => (v ? 1 : 0));
    model.load(file, state);
    return model;
  }
}

/** CSR fields under a prefix, for the tensor file. */
export function csrFields(prefix: string, m: Csr): Record<string, TensorArray> {
  return { [`${prefix}.indptr`]: m.indptr, [`${prefix}.indices`]: m.indices, [`${prefix}.values`]: m.values };
}

/** A CSR matrix read back with its structure checked (offsets ascending, indices in range). */
export function takeCsr(file: TensorFile, prefix: string, rows: number, cols: number, fileName = `model/${TENSOR_FILE}`): Csr {
  const indptr = file.take(`${prefix}.indptr`, 'int32', [rows + 1]);
  const indices = file.indices(`${prefix}.indices`, [-1], cols);
  const values = file.finite(`${prefix}.values`, 'float64', [indices.length]);
  const bad = (why: string): never => {
    throw new SomaError('REGISTRY_INTEGRITY', `${fileName}: field "${prefix}.indptr" ${why}`);
  };
  if (indptr[0] !== 0 || indptr[rows] !== indices.length) bad(`runs from ${indptr[0]} to ${indptr[rows]} (expected 0 to ${indices.length})`);
  for (let r = 0; r < rows; r++) if (indptr[r + 1]! < indptr[r]!) bad(`decreases at row ${r}`);
  return { rows, cols, indptr, indices, values };
}
