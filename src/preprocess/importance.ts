// `importance`: keeps the `k` columns a quick gradient-boosted tree model finds most useful (total
// split gain), and drops the rest. The model is a few shallow trees grown by the engine's own
// grower on binned data, fitted on the training split and target only; columns of any type the
// trees can read take part (numeric, datetime, categorical codes). Ties keep the earlier column.
// The tree engine reads dense columns: sparse (text) columns are densified here, within the
// checkDensify limit; this and src/models/dense.ts are the two places trees get dense copies.

import { SomaError } from '../errors.js';
import { numericValues, type Column, type Frame } from '../data/frame.js';
import type { Target } from '../tasks/task.js';
import { createLoss, type Loss } from '../engine/loss/index.js';
import { binMatrix, fitBinMapper } from '../engine/tree/binning.js';
import { TreeGrower } from '../engine/tree/grower.js';
import type { JsonObject } from '../util/json.js';
import { remapCodes } from './categories.js';
import { columnSelectorSchema, parseSelector, resolveColumns, type ColumnSelector } from './columns.js';
import { checkDensify } from './frames.js';
import { numberParam, stateOf } from './params.js';
import type { FitContext, StepJSON, StepSpec, Transformer } from './transformer.js';

export class ImportanceFilter implements Transformer {
  readonly step = 'importance';
  private readonly selector: ColumnSelector;
  private readonly k: number;
  private readonly nEstimators: number;
  private readonly maxDepth: number;
  private kept: { column: string; gain: number }[] = [];
  private dropped: string[] = [];

  constructor(readonly params: JsonObject) {
    this.selector = parseSelector(params['columns'], 'all');
    this.k = numberParam(params, importanceSpec, 'k');
    this.nEstimators = numberParam(params, importanceSpec, 'n_estimators');
    this.maxDepth = numberParam(params, importanceSpec, 'max_depth');
  }

  fit(frame: Frame, context: FitContext = {}): void {
    const y = context.target;
    if (!y) throw new SomaError('CONFIG_INVALID', 'preprocess importance: needs the training target (it is fitted by soma train and soma preprocess)');
    const names = resolveColumns(frame, this.selector, ['numeric', 'categorical', 'datetime'], 'importance');
    if (names.length === 0) {
      this.kept = [];
      this.dropped = [];
      return;
    }
    checkDensify(frame, names, 'importance');
    const gain = treeGains(names.map((n) => frame.column(n)!), y, this.nEstimators, this.maxDepth, context.seed ?? 42);
    const order = names.map((column, j) => ({ column, gain: gain[j]!, j }));
    order.sort((a, b) => b.gain - a.gain || a.j - b.j);
    const keep = new Set(order.slice(0, this.k).map((o) => o.column));
    this.kept = order.slice(0, this.k).map((o) => ({ column: o.column, gain: Math.round(o.gain * 1e6) / 1e6 }));
    this.dropped = names.filter((n) => !keep.has(n));
  }

  transform(frame: Frame): Frame {
    return frame.drop(this.dropped.filter((n) => frame.has(n)));
  }

  toJSON(): StepJSON {
    return { step: this.step, params: this.params, state: { kept: this.kept.map((k) => ({ ...k })), dropped: this.dropped } };
  }

  static fromJSON(json: StepJSON): ImportanceFilter {
    const t = new ImportanceFilter(json.params);
    t.kept = stateOf<{ column: string; gain: number }[]>(json, 'kept');
    t.dropped = stateOf<string[]>(json, 'dropped');
    return t;
  }
}

/** Total split gain per column over a small boosted model (synchronous: few trees, shallow). */
function treeGains(columns: readonly Column[], y: Target, nEstimators: number, maxDepth: number, seed: number): Float64Array {
  const n = y.values.length;
  const data: Float64Array[] = [];
  const categorical: boolean[] = [];
  const cardinality: number[] = [];
  for (const c of columns) {
    if (c.type === 'categorical') {
      // Codes by sorted value, so the result does not depend on the file's dictionary order.
      const cats = [...new Set(c.dictionary)].sort();
      const codes = remapCodes(c, cats);
      const v = new Float64Array(n);
      for (let i = 0; i < n; i++) v[i] = codes[i]! >= 0 ? codes[i]! : NaN;
      data.push(v);
      categorical.push(true);
      cardinality.push(cats.length);
    } else if (c.type === 'numeric' || c.type === 'datetime') {
      data.push(numericValues(c));
      categorical.push(false);
      cardinality.push(0);
    }
  }
  // The loss follows the target's numbers: values (nClasses 0) or two or more classes.
  const loss: Loss = y.nClasses === 0 ? createLoss('squared_error') : y.nClasses > 2 ? createLoss('softmax', { nClasses: y.nClasses }) : createLoss('binary_logistic');
  const K = loss.nOut;
  const mapper = fitBinMapper(data, categorical, cardinality, 64, seed);
  const binned = binMatrix(mapper, data);
  const grower = new TreeGrower(binned, 1, {
    lambda: 1,
    alpha: 0,
    gamma: 0,
    minChildWeight: 1e-3,
    minSamplesLeaf: 5,
    maxCatToOnehot: 4,
    maxCatThreshold: 32,
    catSmooth: 10,
    maxDepth,
    maxLeaves: 0,
    lossguide: false,
    minSamplesSplit: 10,
    learningRate: 0.3,
    maxFeatures: 0,
  });
  const base = loss.baseScore(y.values, null);
  const raw = new Float64Array(n * K);
  for (let i = 0; i < n; i++) for (let k = 0; k < K; k++) raw[i * K + k] = base[k]!;
  const grad = new Float64Array(n * K);
  const hess = new Float64Array(n * K);
  const idx = new Uint32Array(n);
  const gains = new Float64Array(data.length);
  for (let it = 0; it < nEstimators; it++) {
    loss.gradients(y.values, raw, null, grad, hess);
    for (let k = 0; k < K; k++) {
      // Gradients are class-major: class k's are one contiguous run.
      for (let i = 0; i < n; i++) idx[i] = i;
      const grown = grower.grow({ nOut: 1, grad: grad.subarray(k * n, (k + 1) * n), hess: hess.subarray(k * n, (k + 1) * n), classOf: null }, idx, n, null, data.length, null);
      const t = grown.nodes;
      for (let node = 0; node < t.feature.length; node++) if (t.feature[node]! >= 0) gains[t.feature[node]!] += t.gain[node]!;
      // Leaves own contiguous ranges of idx: update the raw scores without re-predicting.
      for (let l = 0; l < grown.nLeaves; l++) {
        const v = t.value[grown.leafNode[l]!]!;
        for (let i = grown.leafStart[l]!; i < grown.leafEnd[l]!; i++) raw[idx[i]! * K + k] += v;
      }
    }
  }
  return gains;
}

export const importanceSpec: StepSpec = {
  name: 'importance',
  description: 'Keep the k columns with the highest split gain in a quick boosted-tree model of the target; drop the rest',
  paramsSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      columns: columnSelectorSchema,
      k: { type: 'integer', minimum: 1, default: 20, description: 'Columns kept' },
      n_estimators: { type: 'integer', minimum: 1, maximum: 500, default: 20, description: 'Boosting rounds of the quick model' },
      max_depth: { type: 'integer', minimum: 1, maximum: 12, default: 4, description: 'Depth of its trees' },
    },
  },
  create: (params) => new ImportanceFilter(params),
  fromJSON: (json) => ImportanceFilter.fromJSON(json),
};
