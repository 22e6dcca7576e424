// A single decision tree (CART-style: Gini or variance splits) on the shared histogram grower;
// it is the forest with one tree, no bootstrap and all features by default.

import type { Task } from '../tasks/task.js';
import type { BaggingParams } from '../engine/tree/bagged-tree.js';
import type { JsonObject } from '../util/json.js';
import type { EstimatorJSON, EstimatorSpec } from './estimator.js';
import { RandomForest, resolveMaxFeatures, treeParamsCommon } from './random_forest.js';

const decisionTreeParamsSchema: JsonObject = {
  type: 'object',
  additionalProperties: false,
  properties: {
    ...treeParamsCommon,
    max_features: {
      type: ['string', 'number'],
      anyOf: [
        { type: 'string', enum: ['all', 'sqrt', 'log2'] },
        { type: 'number', exclusiveMinimum: 0, maximum: 1 },
      ],
      default: 'all',
      description: 'Features drawn per split: all, sqrt, log2 or a fraction',
    },
  },
};

export class DecisionTree extends RandomForest {
  constructor(params: JsonObject, task: Task) {
    super('decision_tree', decisionTreeParamsSchema, params, task);
  }

  protected override baggingParams(nF: number): BaggingParams {
    const P = this.params;
    return {
      nEstimators: 1,
      maxDepth: P['max_depth'] as number,
      maxLeaves: P['max_leaf_nodes'] as number,
      minSamplesLeaf: P['min_samples_leaf'] as number,
      minSamplesSplit: P['min_samples_split'] as number,
      maxFeatures: resolveMaxFeatures(P['max_features'], nF, this.task),
      bootstrap: false,
      maxSamples: 1,
      minImpurityDecrease: P['min_impurity_decrease'] as number,
      maxBin: P['max_bin'] as number,
      seed: P['seed'] as number,
      maxCatToOnehot: P['max_cat_to_onehot'] as number,
      maxCatThreshold: P['max_cat_threshold'] as number,
      computeOob: false,
    };
  }

  override summary(): JsonObject {
    const { trees: _t, oob_score: _o, oob_metric: _m, oob_coverage: _c, ...rest } = super.summary();
    let depth = 0;
    const f = this.fitted().forest;
    // Children always follow their parent, so one forward pass computes every node's depth.
    const d = new Int32Array(f.feature.length);
    for (let i = 0; i < f.feature.length; i++) {
      if (f.feature[i]! >= 0) {
        d[f.left[i]!] = d[i]! + 1;
        d[f.right[i]!] = d[i]! + 1;
      }
      depth = Math.max(depth, d[i]!);
    }
    return { ...rest, depth };
  }

  static override fromJSON(json: EstimatorJSON): DecisionTree {
    const { st, task } = RandomForest.readState(json, 'decision_tree');
    return new DecisionTree(json.params, task).restore(st);
  }
}

export const decisionTreeSpec: EstimatorSpec = {
  name: 'decision_tree',
  description: 'A single decision tree (Gini or variance splits) with native categorical splits and missing values',
  tasks: ['classification', 'regression'],
  paramsSchema: decisionTreeParamsSchema,
  nativeCategorical: true,
  create: (params, task) => new DecisionTree(params, task),
  fromJSON: (json) => DecisionTree.fromJSON(json),
};
