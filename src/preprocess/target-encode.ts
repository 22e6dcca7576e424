// `target`: target encoding. Each category becomes the smoothed mean of the target over its
// training rows, (sum + m * prior) / (count + m) with m = `smoothing`: the mean for value targets
// (regression), the share of the positive class for two classes, one column `<column>:<class>`
// per class for more. Training rows are encoded out of fold (each fold by the statistics of
// the other folds), so a row's own target never leaks into its feature; the model then sees at
// training the same kind of noise it will see at prediction, where the statistics of all
// training rows apply. Missing and unseen categories get the prior (unseen: or exit 3 with
// `error`).

import { SomaError } from '../errors.js';
import type { CategoricalColumn, Column, Frame } from '../data/frame.js';
import type { Target } from '../tasks/task.js';
import { Rng } from '../engine/random.js';
import type { JsonObject } from '../util/json.js';
import { encoderCodes, presentCategories, remapCodes } from './categories.js';
import { columnSelectorSchema, parseSelector, resolveColumns, type ColumnSelector } from './columns.js';
import { numeric, replaceColumns } from './frames.js';
import { enumParam, numberParam, stateOf } from './params.js';
import type { FitContext, StepJSON, StepSpec, Transformer } from './transformer.js';

interface Encoding {
  column: string;
  categories: string[];
  /** categories.length x K encoded values, row-major. */
  values: number[];
}

export class TargetEncode implements Transformer {
  readonly step = 'target';
  private readonly selector: ColumnSelector;
  private readonly smoothing: number;
  private readonly folds: number;
  private readonly handleUnknown: 'error' | 'ignore';
  /** Output columns per input column: 1, or the number of classes for multiclass targets. */
  private k = 1;
  /** Output name suffix per class (multiclass): the class labels, else class0, class1, ... */
  private labels: string[] = [];
  private prior: number[] = [];
  private encodings: Encoding[] = [];

  constructor(readonly params: JsonObject) {
    this.selector = parseSelector(params['columns'], 'categorical');
    this.smoothing = numberParam(params, targetEncodeSpec, 'smoothing');
    this.folds = numberParam(params, targetEncodeSpec, 'folds');
    this.handleUnknown = enumParam(params, targetEncodeSpec, 'handle_unknown');
  }

  private columnsOf(frame: Frame): string[] {
    return resolveColumns(frame, this.selector, ['categorical'], 'target');
  }

  private targetOf(frame: Frame, context: FitContext): { y: Target; outputs: (i: number, into: Float64Array) => void } {
    const y = context.target;
    if (!y) throw new SomaError('CONFIG_INVALID', 'preprocess target: target encoding needs the training target (it is fitted by soma train and soma preprocess)');
    if (y.values.length !== frame.rows) throw new SomaError('INTERNAL', `target encoding: ${y.values.length} target values for ${frame.rows} rows`);
    // Read from the target's numbers, not its task's name: nClasses 0 = values, else class indices.
    this.k = y.nClasses > 2 ? y.nClasses : 1;
    const k = this.k;
    this.labels = k > 1 ? Array.from({ length: k }, (_, j) => context.classes?.[j] ?? `class${j}`) : [];
    const v = y.values;
    // What each row adds to its category's sums: the value, the positive-class flag, or a one-hot.
    const outputs =
      y.nClasses === 0
        ? (i: number, into: Float64Array) => (into[0] = v[i]!)
        : k === 1
          ? (i: number, into: Float64Array) => (into[0] = v[i] === 1 ? 1 : 0)
          : (i: number, into: Float64Array) => {
              into.fill(0);
              into[v[i]!] = 1;
            };
    return { y, outputs };
  }

  fit(frame: Frame, context: FitContext = {}): void {
    const { outputs } = this.targetOf(frame, context);
    const k = this.k;
    const all = new Int32Array(frame.rows);
    for (let i = 0; i < all.length; i++) all[i] = i;
    this.prior = Array.from(priorOf(all, outputs, k));
    this.encodings = this.columnsOf(frame).map((column) => {
      const c = frame.column(column) as CategoricalColumn;
      const categories = presentCategories(c);
      const codes = remapCodes(c, categories);
      const { sums, counts } = categorySums(codes, categories.length, all, outputs, k);
      return { column, categories, values: Array.from(smooth(sums, counts, Float64Array.from(this.prior), k, this.smoothing)) };
    });
  }

  /** Fits on every row, and encodes the training rows out of fold. */
  fitTransform(frame: Frame, context: FitContext = {}): Frame {
    this.fit(frame, context);
    const { outputs } = this.targetOf(frame, context);
    const k = this.k;
    const n = frame.rows;
    const fold = assignFolds(n, Math.min(this.folds, Math.max(2, n)), context.seed ?? 42);
    const replaced = new Map<string, Column[]>();
    const foldRows: Int32Array[] = [];
    const otherRows: Int32Array[] = [];
    for (let f = 0; f < this.folds; f++) {
      const inF: number[] = [];
      const out: number[] = [];
      for (let i = 0; i < n; i++) (fold[i] === f ? inF : out).push(i);
      foldRows.push(Int32Array.from(inF));
      otherRows.push(Int32Array.from(out));
    }
    for (const enc of this.encodings) {
      const c = frame.column(enc.column) as CategoricalColumn;
      const codes = remapCodes(c, enc.categories);
      const cols = Array.from({ length: k }, () => new Float64Array(n));
      for (let f = 0; f < this.folds; f++) {
        const rows = foldRows[f]!;
        if (rows.length === 0) continue;
        const others = otherRows[f]!;
        const prior = others.length > 0 ? priorOf(others, outputs, k) : Float64Array.from(this.prior);
        const { sums, counts } = categorySums(codes, enc.categories.length, others, outputs, k);
        const table = smooth(sums, counts, prior, k, this.smoothing);
        for (const i of rows) {
          const code = codes[i]!;
          for (let j = 0; j < k; j++) cols[j]![i] = code >= 0 ? table[code * k + j]! : prior[j]!;
        }
      }
      replaced.set(enc.column, cols.map((values, j) => numeric(this.outputName(enc.column, j), values)));
    }
    return replaceColumns(frame, replaced);
  }

  private outputName(column: string, j: number): string {
    return this.k === 1 ? column : `${column}:${this.labels[j] ?? `class${j}`}`;
  }

  transform(frame: Frame): Frame {
    const k = this.k;
    const replaced = new Map<string, Column[]>();
    for (const enc of this.encodings) {
      const c = frame.column(enc.column);
      if (!c || c.type !== 'categorical') continue;
      const codes = encoderCodes('target', c, enc.categories, this.handleUnknown);
      const cols = Array.from({ length: k }, () => new Float64Array(codes.length));
      for (let i = 0; i < codes.length; i++) {
        const code = codes[i]!;
        for (let j = 0; j < k; j++) cols[j]![i] = code >= 0 ? enc.values[code * k + j]! : this.prior[j]!;
      }
      replaced.set(enc.column, cols.map((values, j) => numeric(this.outputName(enc.column, j), values)));
    }
    return replaceColumns(frame, replaced);
  }

  toJSON(): StepJSON {
    return { step: this.step, params: this.params, state: { outputs: this.k, labels: this.labels, prior: this.prior, encodings: this.encodings.map((e) => ({ ...e })) } };
  }

  static fromJSON(json: StepJSON): TargetEncode {
    const t = new TargetEncode(json.params);
    t.k = stateOf<number>(json, 'outputs');
    t.labels = stateOf<string[]>(json, 'labels');
    t.prior = stateOf<number[]>(json, 'prior');
    t.encodings = stateOf<Encoding[]>(json, 'encodings');
    return t;
  }
}

function priorOf(rows: Int32Array, outputs: (i: number, into: Float64Array) => void, k: number): Float64Array {
  const sum = new Float64Array(k);
  const o = new Float64Array(k);
  for (const i of rows) {
    outputs(i, o);
    for (let j = 0; j < k; j++) sum[j] += o[j]!;
  }
  for (let j = 0; j < k; j++) sum[j] = rows.length > 0 ? sum[j]! / rows.length : 0;
  return sum;
}

function categorySums(codes: Int32Array, nCat: number, rows: Int32Array, outputs: (i: number, into: Float64Array) => void, k: number): { sums: Float64Array; counts: Float64Array } {
  const sums = new Float64Array(nCat * k);
  const counts = new Float64Array(nCat);
  const o = new Float64Array(k);
  for (const i of rows) {
    const c = codes[i]!;
    if (c < 0) continue;
    outputs(i, o);
    counts[c]++;
    for (let j = 0; j < k; j++) sums[c * k + j] += o[j]!;
  }
  return { sums, counts };
}

function smooth(sums: Float64Array, counts: Float64Array, prior: Float64Array, k: number, m: number): Float64Array {
  const out = new Float64Array(sums.length);
  for (let c = 0; c < counts.length; c++) {
    const n = counts[c]!;
    for (let j = 0; j < k; j++) out[c * k + j] = n + m > 0 ? (sums[c * k + j]! + m * prior[j]!) / (n + m) : prior[j]!;
  }
  return out;
}

/** Balanced random fold of each row: a seeded shuffle dealt round robin. */
function assignFolds(n: number, folds: number, seed: number): Int32Array {
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  const rng = new Rng(seed ^ 0x7a3c91);
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = order[i]!;
    order[i] = order[j]!;
    order[j] = t;
  }
  const fold = new Int32Array(n);
  for (let r = 0; r < n; r++) fold[order[r]!] = r % folds;
  return fold;
}

export const targetEncodeSpec: StepSpec = {
  name: 'target',
  description: 'Target encoding: each category becomes the smoothed training mean of the target, out of fold on the training rows',
  paramsSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      columns: columnSelectorSchema,
      smoothing: { type: 'number', minimum: 0, default: 10, description: 'Weight m of the prior: (sum + m * prior) / (count + m)' },
      folds: { type: 'integer', minimum: 2, maximum: 50, default: 5, description: 'Folds for the out-of-fold encoding of training rows' },
      handle_unknown: { type: 'string', enum: ['error', 'ignore'], default: 'ignore', description: 'A category unseen in training: error (exit 3) or ignore (the prior)' },
    },
  },
  create: (params) => new TargetEncode(params),
  fromJSON: (json) => TargetEncode.fromJSON(json),
};
