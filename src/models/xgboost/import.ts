// An XGBoost JSON model (gbtree booster; XGBoost 1.x and 2.x write this layout) as a soma gbdt,
// predicting what XGBoost predicts on the same rows. The inverse of export.ts:
// - XGBoost's `float32(x) < s` becomes soma's `x <= t` with t from float32.ts's thresholdBelow,
//   exact for every float64 input.
// - A categorical node sends the codes in its set right, other codes left, missing the default
//   way. soma's encoder turns missing and unseen categories alike into missing, so over the codes
//   of the declared categories the set maps to soma's bitset and the default direction is kept.
// - base_score becomes the starting score through the objective's link (XGBoost stores it on the
//   response scale), one per output column.
// Pure: it reads a parsed document and returns the gbdt's saved form; the pipeline writes it.

import { ForestBuilder, emptyTree } from '../../engine/tree/forest.js';
import type { FeatureKind } from '../../engine/matrix.js';
import { SomaError } from '../../errors.js';
import type { Task } from '../../tasks/task.js';
import type { JsonValue } from '../../util/json.js';
import { StateReader } from '../../util/state-reader.js';
import type { EstimatorJSON } from '../estimator.js';
import { forestToJSON } from '../tree-state.js';
import { thresholdBelow } from './float32.js';

/** A feature the imported model reads, as the user's features file declares it. */
export interface ImportFeature {
  name: string;
  kind: FeatureKind;
  /** Categorical features: category i is XGBoost's code i. */
  categories?: string[];
}

export interface ImportedModel {
  task: Task;
  /** Classes (classification): how many the objective has. */
  nClasses: number;
  objective: string;
  estimator: EstimatorJSON;
  trees: number;
  xgboostVersion: string;
}

interface Objective {
  loss: string;
  task: Task;
  /** Raw starting score from base_score (the response-scale value). */
  margin: (base: number) => number;
}

const identity = (b: number): number => b;
const OBJECTIVES: Record<string, Objective> = {
  'reg:squarederror': { loss: 'squared_error', task: 'regression', margin: identity },
  'reg:linear': { loss: 'squared_error', task: 'regression', margin: identity },
  'reg:absoluteerror': { loss: 'absolute_error', task: 'regression', margin: identity },
  // Predictions only need the link, which pseudo-Huber shares with soma's huber (identity).
  'reg:pseudohubererror': { loss: 'huber', task: 'regression', margin: identity },
  'count:poisson': { loss: 'poisson', task: 'regression', margin: (b) => Math.log(b) },
  'binary:logistic': { loss: 'binary_logistic', task: 'classification', margin: (b) => Math.log(b / (1 - b)) },
  'multi:softprob': { loss: 'softmax', task: 'classification', margin: identity },
  'multi:softmax': { loss: 'softmax', task: 'classification', margin: identity },
};

/** What each unsupported objective would need, for the refusal. */
const WHY_NOT: Record<string, string> = {
  'binary:logitraw': 'it predicts raw margins, not probabilities',
  'binary:hinge': 'it predicts 0/1 without probabilities',
  'reg:logistic': 'soma has no regression with a logistic link',
  'reg:squaredlogerror': 'soma has no squared-log-error loss',
  'reg:gamma': 'soma has no log-link gamma regression',
  'reg:tweedie': 'soma has no log-link tweedie regression',
  'survival:cox': 'soma has no survival task',
  'survival:aft': 'soma has no survival task',
  'rank:pairwise': 'soma has no ranking task over rows',
  'rank:ndcg': 'soma has no ranking task over rows',
  'rank:map': 'soma has no ranking task over rows',
  'reg:quantileerror': 'soma has no quantile loss',
};

/** XGBoost writes base_score as "5E-1", and 2.1+ as "[5E-1]". */
function parseBaseScore(s: string, file: string): number[] {
  const parts = s.trim().replace(/^\[/, '').replace(/\]$/, '').split(',').map((p) => Number(p.trim()));
  if (parts.length === 0 || parts.some((p) => !Number.isFinite(p))) throw new SomaError('DATA_BAD_VALUE', `${file}: learner.learner_model_param.base_score is ${JSON.stringify(s)}; expected a number`);
  return parts.map((p) => Math.fround(p));
}

/** Reads the document with checked readers; a malformed file is a data error naming the field. */
function withFile<T>(file: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof SomaError && e.code === 'REGISTRY_INTEGRITY') {
      throw new SomaError('DATA_BAD_VALUE', `${file}: ${e.message.replace(/^document\./, '')} (not an XGBoost JSON model soma can read)`, { details: { file, ...(e.details ?? {}) } });
    }
    throw e;
  }
}

/** The gbdt for an XGBoost JSON document (`doc` as parsed), over `features` in model order. */
export function xgboostToGbdt(doc: JsonValue, features: readonly ImportFeature[], file: string): ImportedModel {
  return withFile(file, () => {
    const root = new StateReader('document', doc);
    const version = root.field('version').numbers();
    const learner = root.field('learner');
    const booster = learner.field('gradient_booster');
    const boosterName = booster.field('name').string();
    if (boosterName !== 'gbtree') {
      const why = boosterName === 'gblinear' ? 'a linear booster (train a soma linear or logistic model instead)' : boosterName === 'dart' ? 'dart (trees with dropout weights)' : `booster ${boosterName}`;
      throw new SomaError('USAGE', `${file}: learner.gradient_booster.name is "${boosterName}": soma imports gbtree boosters only, not ${why}`, { details: { file, booster: boosterName, supported: ['gbtree'] } });
    }
    const objName = learner.field('objective').field('name').string();
    const obj = OBJECTIVES[objName];
    if (!obj) {
      throw new SomaError('USAGE', `${file}: objective ${objName} is not supported${WHY_NOT[objName] ? ` (${WHY_NOT[objName]})` : ''}; soma imports ${Object.keys(OBJECTIVES).join(', ')}`, {
        details: { file, objective: objName, supported: Object.keys(OBJECTIVES) },
      });
    }
    const param = learner.field('learner_model_param');
    const numFeature = Number(param.field('num_feature').string());
    const numClass = Number(param.field('num_class').optional()?.string() ?? '0');
    const numTarget = Number(param.field('num_target').optional()?.string() ?? '1');
    if (numTarget !== 1) throw new SomaError('USAGE', `${file}: the model has ${numTarget} targets; soma imports single-target XGBoost models`, { details: { file, num_target: numTarget } });
    const K = obj.loss === 'softmax' ? numClass : 1;
    if (obj.loss === 'softmax' && !(K >= 2)) throw new SomaError('DATA_BAD_VALUE', `${file}: objective ${objName} with num_class ${numClass}; expected at least 2 classes`);
    checkFeatures(learner, features, numFeature, file);

    const model = booster.field('model');
    const leafVector = model.field('gbtree_model_param').field('size_leaf_vector').optional()?.string() ?? '0';
    if (leafVector !== '0' && leafVector !== '1') throw new SomaError('USAGE', `${file}: trees with vector leaves (size_leaf_vector ${leafVector}) are not supported; soma imports one value per leaf`);
    const treeInfo = model.field('tree_info').numbers();
    const trees = model.field('trees').list();
    if (treeInfo.length !== trees.length) throw new SomaError('DATA_BAD_VALUE', `${file}: ${trees.length} trees but ${treeInfo.length} tree_info entries`);
    const perGroup = new Int32Array(K);
    const builder = new ForestBuilder(1, K);
    trees.forEach((t, i) => {
      const g = treeInfo[i]!;
      if (!(Number.isInteger(g) && g >= 0 && g < K)) throw new SomaError('DATA_BAD_VALUE', `${file}: tree_info[${i}] is ${g}; expected an output column 0..${K - 1}`);
      perGroup[g]!++;
      builder.addTree(readTree(t, features, file, i), g);
    });
    const rounds = trees.length / K;
    if (!Number.isInteger(rounds) || perGroup.some((n) => n !== rounds)) {
      throw new SomaError('DATA_BAD_VALUE', `${file}: the ${K} output columns have different numbers of trees (${[...perGroup].join(', ')}); soma needs the same number for each`);
    }
    if (trees.length === 0) throw new SomaError('DATA_BAD_VALUE', `${file}: the model has no trees`);
    const bases = parseBaseScore(param.field('base_score').string(), file);
    const base = bases[0]!;
    if (obj.loss === 'binary_logistic' && !(base > 0 && base < 1)) throw new SomaError('DATA_BAD_VALUE', `${file}: base_score ${base} is not a probability (objective ${objName})`);
    if (obj.loss === 'poisson' && !(base > 0)) throw new SomaError('DATA_BAD_VALUE', `${file}: base_score ${base} is not a positive mean (objective ${objName})`);
    // XGBoost computes the margin in float32.
    const margin = Math.fround(obj.margin(base));
    const forest = builder.finish();
    const names = features.map((f) => f.name);
    const estimator: EstimatorJSON = {
      kind: 'gbdt',
      formatVersion: 1,
      params: { objective: obj.loss, n_estimators: rounds, n_jobs: 0 },
      state: {
        task: obj.task,
        nClasses: obj.task === 'classification' ? Math.max(2, K) : 0,
        loss: obj.loss,
        names,
        baseScore: Array.from({ length: K }, () => margin),
        iterations: rounds,
        bestIteration: rounds,
        bestScore: null,
        finalTrainMetric: null,
        validationHistory: [],
        forest: forestToJSON(forest),
      },
    };
    return { task: obj.task, nClasses: obj.task === 'classification' ? Math.max(2, K) : 0, objective: objName, estimator, trees: trees.length, xgboostVersion: version.join('.') };
  });
}

/** The model's feature names and types (when it has them) must be the features file's, in order. */
function checkFeatures(learner: StateReader, features: readonly ImportFeature[], numFeature: number, file: string): void {
  if (numFeature !== features.length) {
    throw new SomaError('DATA_BAD_VALUE', `${file}: the model reads ${numFeature} features but the features file lists ${features.length} (${features.map((f) => f.name).join(', ')})`, { details: { file, model: numFeature, features: features.length } });
  }
  const names = learner.field('feature_names').optional()?.strings();
  if (names && names.length > 0) {
    const bad = names.findIndex((n, j) => n !== features[j]!.name);
    if (bad >= 0) {
      throw new SomaError('DATA_BAD_VALUE', `${file}: feature ${bad} is "${names[bad]}" in the model but "${features[bad]!.name}" in the features file (the lists must match in order: model ${names.join(', ')})`, {
        details: { file, index: bad, model: names[bad] ?? null, features: features[bad]!.name },
      });
    }
  }
  const types = learner.field('feature_types').optional()?.strings();
  if (types && types.length > 0) {
    types.forEach((t, j) => {
      const categorical = t === 'c';
      if (categorical !== (features[j]!.kind === 'categorical')) {
        throw new SomaError('DATA_BAD_VALUE', `${file}: feature "${features[j]!.name}" is ${categorical ? 'categorical ("c")' : `numeric ("${t}")`} in the model but ${features[j]!.kind} in the features file`, { details: { file, feature: features[j]!.name, model: t, features: features[j]!.kind } });
      }
    });
  }
}

/** One XGBoost tree as soma's TreeNodes, renumbered depth-first from the root (children after parents). */
function readTree(t: StateReader, features: readonly ImportFeature[], file: string, index: number): ReturnType<typeof emptyTree> {
  const left = t.field('left_children').numbers();
  const right = t.field('right_children').numbers(left.length);
  const feat = t.field('split_indices').numbers(left.length);
  const cond = t.field('split_conditions').list().map((r) => r.numberOrNull() ?? NaN);
  const dflt = t.field('default_left').list().map((r) => (typeof r.value === 'boolean' ? (r.value ? 1 : 0) : r.number()));
  const splitType = t.field('split_type').optional()?.numbers(left.length) ?? left.map(() => 0);
  // Gain and cover only feed importance reports: anything unreadable there counts as 0.
  const stat = (key: string): number[] => t.field(key).optional()?.list().map((r) => (typeof r.value === 'number' ? r.value : 0)) ?? left.map(() => 0);
  const gain = stat('loss_changes');
  const hess = stat('sum_hessian');
  const catNodes = t.field('categories_nodes').optional()?.numbers() ?? [];
  const catSeg = t.field('categories_segments').optional()?.numbers() ?? [];
  const catSize = t.field('categories_sizes').optional()?.numbers() ?? [];
  const cats = t.field('categories').optional()?.numbers() ?? [];
  const n = left.length;
  if (cond.length !== n || dflt.length !== n) throw new SomaError('DATA_BAD_VALUE', `${file}: tree ${index}: node arrays differ in length`);
  const catOf = new Map<number, number[]>();
  catNodes.forEach((node, k) => catOf.set(node, cats.slice(catSeg[k]!, catSeg[k]! + catSize[k]!)));
  const where = (i: number): string => `${file}: tree ${index} node ${i}`;

  const out = emptyTree();
  // Depth-first from node 0; `seen` guards against cycles in a damaged file.
  const seen = new Uint8Array(n);
  const stack: { node: number; parentSlot: number; side: 0 | 1 }[] = [{ node: 0, parentSlot: -1, side: 0 }];
  while (stack.length > 0) {
    const { node, parentSlot, side } = stack.pop()!;
    if (!(Number.isInteger(node) && node >= 0 && node < n) || seen[node]) throw new SomaError('DATA_BAD_VALUE', `${file}: tree ${index} has a bad or repeated child index ${node}`);
    seen[node] = 1;
    const slot = out.feature.length;
    if (parentSlot >= 0) (side === 0 ? out.left : out.right)[parentSlot] = slot;
    out.gain.push(Number.isFinite(gain[node]!) ? gain[node]! : 0);
    out.cover.push(Number.isFinite(hess[node]!) ? hess[node]! : 0);
    out.defaultLeft.push(dflt[node] === 1);
    out.left.push(-1);
    out.right.push(-1);
    if (left[node] === -1) {
      const v = cond[node]!;
      if (!Number.isFinite(v)) throw new SomaError('DATA_BAD_VALUE', `${where(node)}: leaf value ${v}; expected a finite number`);
      out.feature.push(-1);
      out.threshold.push(0);
      out.catLeft.push(null);
      out.value.push(v);
      continue;
    }
    const f = feat[node]!;
    if (!(Number.isInteger(f) && f >= 0 && f < features.length)) throw new SomaError('DATA_BAD_VALUE', `${where(node)}: split feature ${f}; expected 0..${features.length - 1}`);
    out.feature.push(f);
    out.value.push(0);
    if (splitType[node] === 1) {
      const def = features[f]!;
      if (def.kind !== 'categorical') throw new SomaError('DATA_BAD_VALUE', `${where(node)}: a categorical split on "${def.name}", which the features file declares numeric`);
      const size = def.categories?.length ?? 0;
      const set = catOf.get(node) ?? [];
      const mask = new Uint8Array(size).fill(1); // codes outside the set go left
      for (const c of set) {
        if (!(Number.isInteger(c) && c >= 0 && c < size)) {
          throw new SomaError('DATA_BAD_VALUE', `${where(node)}: splits "${def.name}" on category code ${c}, but the features file lists ${size} categories for it (codes 0..${size - 1})`, { details: { file, feature: def.name, code: c, categories: size } });
        }
        mask[c] = 0;
      }
      out.threshold.push(0);
      out.catLeft.push(mask);
    } else {
      const s = cond[node]!;
      if (!Number.isFinite(s)) throw new SomaError('DATA_BAD_VALUE', `${where(node)}: split condition ${s}; expected a finite number`);
      out.threshold.push(thresholdBelow(s));
      out.catLeft.push(null);
    }
    // Right pushed first so the left subtree is numbered first.
    stack.push({ node: right[node]!, parentSlot: slot, side: 1 }, { node: left[node]!, parentSlot: slot, side: 0 });
  }
  return out;
}

/** The objectives soma imports (for --help and the README). */
export const IMPORTABLE_OBJECTIVES: readonly string[] = Object.keys(OBJECTIVES);
