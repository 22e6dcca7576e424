// What the reports say about the held-out split beyond its metrics: the chart data (curves,
// confusion, residuals), permutation importance and fairness per sensitive column. Train calls
// this once on the test split (validation when there is none) and writes the results into
// metrics.json and report.html.

import { predictMatrix } from './predictions.js';
import { columnLength, numericValues, type Column, type Frame } from '../data/frame.js';
import type { FeatureMatrix } from '../engine/matrix.js';
import type { Target } from '../tasks/task.js';
import { SomaError } from '../errors.js';
import type { Diagnostics } from '../evaluate/diagnostics.js';
import { fairness, type FairnessResult } from '../evaluate/fairness.js';
import { permutationImportance, type PermutationImportance } from '../evaluate/permutation.js';
import type { Estimator } from '../models/estimator.js';
import type { JsonObject } from '../util/json.js';
import { findTask } from '../tasks/registry.js';

/** Rows permutation importance scores at most: enough for stable means, fast on any split. */
const PERMUTATION_MAX_ROWS = 5000;
/**
 * Row predictions permutation importance may spend in all (rows x features x repeats). A 100-tree
 * depth-6 GBDT predicts about 100k rows/s here, so this keeps it near 3 s however wide the data.
 */
const PERMUTATION_BUDGET = 300_000;
/**
 * Matrix cells permutation importance may read in all (rows x width x repeats x scored features).
 * A linear model's prediction reads every column, so on wide data (thousands of columns, few rows)
 * the row budget alone still leaves a loop quadratic in width: 20,000 columns took 65 s. This
 * bound (about a second of dense dot products) scores only the features the model itself ranks
 * highest when the full loop would not fit.
 */
const PERMUTATION_CELL_BUDGET = 500_000_000;
/** Fewest rows the plan cuts to before it scores fewer features instead. */
const PERMUTATION_MIN_ROWS = 200;
/** A sensitive column with more distinct values than this is binned (numeric) or refused (text). */
const MAX_GROUPS = 20;

export interface SplitAnalysisInput {
  model: Estimator;
  X: FeatureMatrix;
  y: Target;
  /** The split's raw columns (sensitive columns are read from here: they need not be features). */
  frame: Frame;
  classes: readonly string[];
  seed: number;
  sensitive: readonly string[];
  fairnessThreshold: number;
  /** Called as permutation importance finishes each feature (it is the long part on wide data). */
  onProgress?: (done: number, total: number) => void;
}

export interface SplitAnalysis {
  /** The task's chart data (absent for a task that draws none). */
  diagnostics?: Diagnostics;
  permutation?: PermutationImportance;
  fairness: FairnessResult[];
  /** What could not be computed and why (printed by train as warnings). */
  warnings: string[];
}

/** Fails early (before training) when a sensitive column is not in the data. */
export function checkSensitiveColumns(frame: Frame, sensitive: readonly string[]): void {
  const missing = sensitive.filter((s) => !frame.has(s));
  if (missing.length > 0) {
    throw new SomaError('CONFIG_INVALID', `evaluate.sensitive: column${missing.length > 1 ? 's' : ''} ${missing.map((m) => JSON.stringify(m)).join(', ')} not in the data (columns: ${frame.names.join(', ')})`, {
      details: { missing, columns: frame.names },
    });
  }
}

export function analyseSplit(input: SplitAnalysisInput): SplitAnalysis {
  const { model, X, y } = input;
  const predictions = predictMatrix(model, X, y.nClasses);
  const yPred = predictions.values;
  const diagnostics = findTask(y.task).diagnostics?.(y, predictions, input.classes, input.seed);

  let permutation: PermutationImportance | undefined;
  const warnings: string[] = [];
  if (X.names.length > 0) {
    const { rows, repeats, features } = permutationPlan(X.rows, X.names.length);
    const chosen = features < X.names.length ? topFeatures(model, X.names, features) : undefined;
    if (chosen) warnings.push(`permutation importance scored the ${features} features of highest model importance of ${X.names.length} (the full loop over ${X.names.length} columns is over the report's work budget)`);
    try {
      permutation = permutationImportance(model, X, y, { repeats, maxRows: rows, seed: input.seed, ...(chosen ? { features: chosen } : {}), ...(input.onProgress ? { onProgress: input.onProgress } : {}) });
    } catch (e) {
      // A tiny or constant split (r2 of one row, no rows at all) has no score to lose: the
      // report goes without permutation importance rather than failing a finished training run.
      if (!(e instanceof RangeError)) throw e;
      warnings.push(`permutation importance skipped: ${e.message}`);
    }
  }

  checkSensitiveColumns(input.frame, input.sensitive);
  const fair = input.sensitive.map((name) => {
    const { codes, names } = groupsOf(input.frame.column(name)!);
    return fairness({ column: name, groups: codes, groupNames: names, task: y.task, yTrue: y.values, yPred, classes: input.classes, threshold: input.fairnessThreshold });
  });
  return { ...(diagnostics ? { diagnostics } : {}), ...(permutation ? { permutation } : {}), fairness: fair, warnings };
}

/**
 * Rows, shuffles and scored features for permutation importance within the budgets: 5 shuffles of
 * up to 5,000 rows when that fits; else fewer shuffles (down to 2, the fewest that give a spread);
 * else fewer rows (down to 200); and when even that reads more cells than the cell budget, only
 * the first `features` features in the model's own ranking are scored.
 */
export function permutationPlan(rows: number, width: number): { rows: number; repeats: number; features: number } {
  let n = Math.min(rows, PERMUTATION_MAX_ROWS);
  let repeats = 5;
  while (repeats > 2 && n * width * repeats > PERMUTATION_BUDGET) repeats--;
  if (n * width * repeats > PERMUTATION_BUDGET) n = Math.min(n, Math.max(PERMUTATION_MIN_ROWS, Math.floor(PERMUTATION_BUDGET / (width * repeats))));
  const cells = (k: number): number => n * repeats * k * width;
  const features = cells(width) <= PERMUTATION_CELL_BUDGET ? width : Math.max(1, Math.floor(PERMUTATION_CELL_BUDGET / (n * repeats * width)));
  return { rows: n, repeats, features };
}

/**
 * Indices of the `k` features the model ranks highest by its own importance (ties and models
 * without importance: matrix order), in matrix order so the result reads like the full one.
 */
function topFeatures(model: Estimator, names: readonly string[], k: number): number[] {
  const imp = model.featureImportance?.();
  const score = new Float64Array(names.length);
  if (imp) {
    const at = new Map(names.map((n, i) => [n, i]));
    imp.names.forEach((n, i) => {
      const j = at.get(n);
      if (j !== undefined) score[j] = Math.abs(imp.values[i] ?? 0);
    });
  }
  const order = Array.from(names, (_, i) => i).sort((a, b) => score[b]! - score[a]! || a - b);
  return order.slice(0, k).sort((a, b) => a - b);
}

/** metrics.json's `permutation_importance`: values by feature name, as `feature_importance`. */
export function permutationJson(p: PermutationImportance, split: string): JsonObject {
  return {
    metric: p.metric,
    split,
    baseline: p.baseline,
    repeats: p.repeats,
    rows: p.rows,
    ...(p.names.length < p.width ? { scored: p.names.length, features: p.width } : {}),
    values: Object.fromEntries(p.names.map((n, i) => [n, p.mean[i]!])),
    std: Object.fromEntries(p.names.map((n, i) => [n, p.std[i]!])),
  };
}

/** metrics.json's `fairness`. */
export function fairnessJson(results: readonly FairnessResult[], threshold: number, split: string): JsonObject {
  return { split, threshold, columns: results as unknown as JsonObject[] };
}

/**
 * Group codes for a sensitive column. Categories and few-valued numbers group by value; numbers
 * with many values fall into quartile bins; missing values form their own "(missing)" group.
 */
export function groupsOf(c: Column): { codes: Int32Array; names: string[] } {
  const n = columnLength(c);
  const codes = new Int32Array(n);
  const names: string[] = [];
  const index = new Map<string, number>();
  const code = (label: string): number => {
    let k = index.get(label);
    if (k === undefined) {
      k = names.length;
      names.push(label);
      index.set(label, k);
    }
    return k;
  };
  const MISSING = '(missing)';
  if (c.type === 'categorical' || c.type === 'text') {
    for (let i = 0; i < n; i++) {
      const v = c.type === 'categorical' ? (c.codes[i]! < 0 ? null : c.dictionary[c.codes[i]!]!) : c.values[i]!;
      codes[i] = code(v ?? MISSING);
    }
    if (names.length > MAX_GROUPS * 5) {
      throw new SomaError('CONFIG_INVALID', `evaluate.sensitive: column "${c.name}" has ${names.length} distinct values (at most ${MAX_GROUPS * 5} groups are compared)`);
    }
    return sorted(codes, names);
  }
  const values = numericValues(c);
  const distinct = new Set<number>();
  for (let i = 0; i < n && distinct.size <= MAX_GROUPS; i++) if (!Number.isNaN(values[i]!)) distinct.add(values[i]!);
  const label = (v: number): string => (c.type === 'datetime' ? new Date(v).toISOString().slice(0, 10) : String(Number(v.toPrecision(6))));
  if (distinct.size <= MAX_GROUPS) {
    for (let i = 0; i < n; i++) codes[i] = Number.isNaN(values[i]!) ? code(MISSING) : code(label(values[i]!));
    return sorted(codes, names, (a, b) => (a === MISSING ? 1 : b === MISSING ? -1 : Number(a) - Number(b)));
  }
  // Quartile bins; edges from the sorted non-missing values.
  const present = Float64Array.from(Array.from(values).filter((v) => !Number.isNaN(v))).sort();
  const q = (p: number): number => present[Math.min(present.length - 1, Math.floor(p * present.length))]!;
  const edges = [...new Set([q(0.25), q(0.5), q(0.75)])];
  const binNames = edges.map((_, b) => (b === 0 ? `< ${label(edges[0]!)}` : `${label(edges[b - 1]!)} to < ${label(edges[b]!)}`));
  binNames.push(`>= ${label(edges[edges.length - 1]!)}`);
  binNames.forEach(code);
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    if (Number.isNaN(v)) codes[i] = code(MISSING);
    else {
      let b = 0;
      while (b < edges.length && v >= edges[b]!) b++;
      codes[i] = b;
    }
  }
  // Bins that no row fell into are dropped by fairness() (it skips empty groups).
  return { codes, names };
}

/** Renumbers groups so they appear in label order in the report. */
function sorted(codes: Int32Array, names: string[], cmp: (a: string, b: string) => number = (a, b) => (a < b ? -1 : a > b ? 1 : 0)): { codes: Int32Array; names: string[] } {
  const order = names.map((_, i) => i).sort((a, b) => cmp(names[a]!, names[b]!));
  const remap = new Int32Array(names.length);
  order.forEach((old, neu) => (remap[old] = neu));
  for (let i = 0; i < codes.length; i++) codes[i] = remap[codes[i]!]!;
  return { codes, names: order.map((i) => names[i]!) };
}
