// A fitted gbdt (or a regression forest, as a sum of scaled trees) as an XGBoost JSON model (the format of XGBoost 1.7, the version Debian ships;
// XGBoost's doc/model.schema), so `xgboost.Booster(model_file=...)` predicts what soma predicts on
// soma's preprocessed feature matrix.
//
// The mapping, and why:
// - soma sends `x <= t` left; XGBoost sends `float32(x) < s` left: s is the float32 just above
//   float32(t) (float32.ts says which rows can still differ).
// - Missing values follow each node's default direction in both: default_left is soma's flag.
// - A categorical split in soma sends the codes in a bitset left and every other code, missing or
//   unseen, the node's default way. XGBoost sends the codes in its `categories` set right and
//   everything else (unseen codes too) left, so XGBoost's left child is soma's default child and
//   the set lists the codes that go the other way; default_left is 1.
// - soma keeps a raw starting score per output column (one per class for softmax); XGBoost has
//   one base_score. soma's is added to every leaf of each column's first tree, and base_score is
//   the objective's zero margin, so the raw scores are the same sums.

import { CATEGORICAL, DEFAULT_LEFT, type Forest } from '../../engine/tree/forest.js';
import type { FeatureKind } from '../../engine/matrix.js';
import { SomaError } from '../../errors.js';
import type { JsonObject } from '../../util/json.js';
import type { TreeExportForm } from '../gbdt.js';
import { splitCondition } from './float32.js';
import type { XgbValue } from './json-text.js';

/** The XGBoost version whose format is written (Debian's python3-xgboost). */
export const XGBOOST_FORMAT_VERSION = [1, 7, 4] as const;

interface ObjectiveMap {
  objective: JsonObject;
  /** base_score whose margin is 0 (XGBoost stores base_score on the response scale). */
  zeroBase: string;
}

/** soma's losses as XGBoost objectives; every one has the same link, so predictions agree. */
function objectiveFor(loss: string, nClasses: number): ObjectiveMap {
  switch (loss) {
    case 'squared_error':
      return { objective: { name: 'reg:squarederror', reg_loss_param: { scale_pos_weight: '1' } }, zeroBase: '0' };
    case 'absolute_error':
      return { objective: { name: 'reg:absoluteerror' }, zeroBase: '0' };
    case 'huber':
      // XGBoost has no Huber loss; pseudo-Huber has the same identity link, so predictions agree.
      return { objective: { name: 'reg:pseudohubererror', pseudo_huber_param: { huber_slope: '1' } }, zeroBase: '0' };
    case 'poisson':
      return { objective: { name: 'count:poisson', poisson_regression_param: { max_delta_step: '0.699999988' } }, zeroBase: '1' };
    case 'binary_logistic':
      return { objective: { name: 'binary:logistic', reg_loss_param: { scale_pos_weight: '1' } }, zeroBase: '0.5' };
    case 'softmax':
      return { objective: { name: 'multi:softprob', softmax_multiclass_param: { num_class: String(nClasses) } }, zeroBase: '0' };
    default:
      throw new SomaError('USAGE', `export: the gbdt loss ${loss} has no XGBoost objective`, { details: { loss } });
  }
}

/** The feature list XGBoost is told about: soma's matrix columns, categorical ones as "c". */
export interface ExportFeature {
  name: string;
  kind: FeatureKind;
}

/** The XGBoost JSON document for a fitted tree model over `features` (its matrix columns, in order). */
export function treesToXGBoostJson(m: TreeExportForm, features: readonly ExportFeature[]): { [key: string]: XgbValue } {
  if (features.length !== m.names.length || features.some((f, j) => f.name !== m.names[j])) {
    throw new SomaError('REGISTRY_INTEGRITY', `export: the pipeline's features (${features.map((f) => f.name).join(', ')}) are not the model's (${m.names.join(', ')})`);
  }
  const { objective, zeroBase } = objectiveFor(m.loss, m.nClasses);
  const f = m.forest;
  const K = f.nGroups;
  // Margin of base_score: the offset folded into each column's first tree is soma's minus it (0).
  const firstTree = new Int32Array(K).fill(-1);
  for (let t = 0; t < m.treesUsed; t++) {
    const g = Math.max(0, f.treeGroup[t]!);
    if (firstTree[g] === -1) firstTree[g] = t;
  }
  for (let k = 0; k < K; k++) {
    if (firstTree[k] === -1) throw new SomaError('USAGE', `export: the model has no tree for output column ${k}; XGBoost could not hold its starting score`);
  }
  const trees: XgbValue[] = [];
  const treeInfo: number[] = [];
  for (let t = 0; t < m.treesUsed; t++) {
    const g = Math.max(0, f.treeGroup[t]!);
    const offset = firstTree[g] === t ? m.baseScore[g]! : 0;
    trees.push(treeJson(f, t, offset, m.leafScale ?? 1, features, m.names.length));
    treeInfo.push(g);
  }
  return {
    version: [...XGBOOST_FORMAT_VERSION],
    learner: {
      attributes: {},
      feature_names: features.map((x) => x.name),
      feature_types: features.map((x) => (x.kind === 'categorical' ? 'c' : 'float')),
      gradient_booster: {
        name: 'gbtree',
        model: {
          gbtree_model_param: { num_parallel_tree: '1', num_trees: String(trees.length), size_leaf_vector: '0' },
          tree_info: treeInfo,
          trees,
        },
      },
      learner_model_param: {
        base_score: zeroBase,
        boost_from_average: '1',
        num_class: K > 1 ? String(K) : '0',
        num_feature: String(m.names.length),
        num_target: '1',
      },
      objective,
    },
  };
}

function finite32(x: number): number {
  const r = Math.fround(x);
  return Number.isFinite(r) ? r : 0;
}

function treeJson(f: Forest, t: number, offset: number, scale: number, features: readonly ExportFeature[], nFeatures: number): { [key: string]: XgbValue } {
  const root = f.treeRoots[t]!;
  const end = t + 1 < f.treeRoots.length ? f.treeRoots[t + 1]! : f.feature.length;
  const n = end - root;
  const left: number[] = new Array<number>(n);
  const right: number[] = new Array<number>(n);
  const parents: number[] = new Array<number>(n).fill(2147483647);
  const splitIndices: number[] = new Array<number>(n);
  const conditions = new Float64Array(n);
  const splitType: number[] = new Array<number>(n);
  const defaultLeft: number[] = new Array<number>(n);
  const baseWeights = new Float64Array(n);
  const lossChanges = new Float64Array(n);
  const hessians = new Float64Array(n);
  const categories: number[] = [];
  const catNodes: number[] = [];
  const catSegments: number[] = [];
  const catSizes: number[] = [];
  for (let i = 0; i < n; i++) {
    const at = root + i;
    const feat = f.feature[at]!;
    baseWeights[i] = Math.fround(f.value[at]! * scale + offset);
    // Gain and cover only inform reports; JSON has no NaN or Infinity, so those become 0.
    lossChanges[i] = finite32(f.gain[at]!);
    hessians[i] = finite32(f.cover[at]!);
    if (feat < 0) {
      left[i] = -1;
      right[i] = -1;
      splitIndices[i] = 0;
      conditions[i] = baseWeights[i]!;
      splitType[i] = 0;
      defaultLeft[i] = 0;
      continue;
    }
    const l = f.left[at]! - root;
    const r = f.right[at]! - root;
    splitIndices[i] = feat;
    const flags = f.flags[at]!;
    if (flags & CATEGORICAL) {
      if (features[feat]?.kind !== 'categorical') {
        throw new SomaError('REGISTRY_INTEGRITY', `export: tree ${t} splits feature ${features[feat]?.name ?? feat} by category, but the pipeline says it is numeric`);
      }
      const dflLeft = (flags & DEFAULT_LEFT) !== 0;
      const off = f.threshold[at]!;
      const size = f.catBits[off]!;
      // XGBoost's right child gets the codes in the set: the codes soma sends away from the default.
      const set: number[] = [];
      for (let c = 0; c < size; c++) {
        const goesLeft = ((f.catBits[off + 1 + (c >>> 5)]! >>> (c & 31)) & 1) === 1;
        if (goesLeft !== dflLeft) set.push(c);
      }
      left[i] = dflLeft ? l : r;
      right[i] = dflLeft ? r : l;
      conditions[i] = 0;
      splitType[i] = 1;
      defaultLeft[i] = 1;
      catNodes.push(i);
      catSegments.push(categories.length);
      catSizes.push(set.length);
      categories.push(...set);
    } else {
      left[i] = l;
      right[i] = r;
      conditions[i] = splitCondition(f.threshold[at]!);
      splitType[i] = 0;
      defaultLeft[i] = flags & DEFAULT_LEFT ? 1 : 0;
    }
    parents[left[i]!] = i;
    parents[right[i]!] = i;
  }
  return {
    base_weights: baseWeights,
    categories,
    categories_nodes: catNodes,
    categories_segments: catSegments,
    categories_sizes: catSizes,
    default_left: defaultLeft,
    id: t,
    left_children: left,
    loss_changes: lossChanges,
    parents,
    right_children: right,
    split_conditions: conditions,
    split_indices: splitIndices,
    split_type: splitType,
    sum_hessian: hessians,
    tree_param: { num_deleted: '0', num_feature: String(nFeatures), num_nodes: String(n), size_leaf_vector: '0' },
  };
}
