// Permutation importance for any fitted model (Breiman 2001; scikit-learn's
// `permutation_importance`): shuffle one feature column, re-score, and take the drop in the score.
// Model-agnostic, so linear models, trees and networks are compared on one scale, the metric's.
//
// Kept fast for reports: at most `maxRows` rows (a seeded sample), `repeats` shuffles per feature,
// optionally only some features (`features`: wide data, where every prediction reads every column,
// makes the full loop quadratic in width), and one working copy of the matrix whose column slot is
// swapped in place rather than copying the matrix per feature.

import type { FeatureMatrix } from '../engine/matrix.js';
import type { Target } from '../tasks/task.js';
import { Rng } from '../engine/random.js';
import { takeColumnRows, toDense, type FeatureColumn } from '../engine/sparse.js';
import { computeMetrics, metricDirection, metricFamily, metricNeedsProba } from './metrics/index.js';
import { sampleRows } from './diagnostics.js';

/** The part of an estimator permutation importance needs (structural, so evaluate/ stays model-free). */
export interface Predictor {
  predict(X: FeatureMatrix): Float64Array;
  predictProba?(X: FeatureMatrix): Float64Array;
}

export interface PermutationOptions {
  /** A metric of the task (`computeMetrics` name); default the task's score (accuracy, r2: scikit-learn's default scores). */
  metric?: string;
  /** Shuffles per feature; default 5. */
  repeats?: number;
  /** Rows scored at most (a seeded sample of the split); default 5,000. */
  maxRows?: number;
  /** Column indices to shuffle (default all); the others are not scored and not in the result. */
  features?: readonly number[];
  seed?: number;
  /** Called after each scored feature with how many are done of how many. */
  onProgress?: (done: number, total: number) => void;
}

export interface PermutationImportance {
  metric: string;
  /** The metric on the unshuffled (sampled) rows. */
  baseline: number;
  repeats: number;
  rows: number;
  /** Columns of the matrix; `names` has fewer when only some were scored (`features`). */
  width: number;
  /** The scored features (all of the matrix's unless `features` chose some). */
  names: string[];
  /** Mean decrease in quality per feature: positive means the model relies on the feature. */
  mean: number[];
  std: number[];
}

export function permutationImportance(model: Predictor, X: FeatureMatrix, y: Target, options: PermutationOptions = {}): PermutationImportance {
  const metric = options.metric ?? metricFamily(y.task).score;
  const repeats = options.repeats ?? 5;
  const maxRows = options.maxRows ?? 5000;
  if (!Number.isInteger(repeats) || repeats < 1) throw new RangeError(`permutationImportance: repeats must be a positive integer (got ${repeats})`);
  if (X.rows !== y.values.length) throw new RangeError(`permutationImportance: X has ${X.rows} rows but y has ${y.values.length}`);
  if (X.rows === 0) throw new RangeError('permutationImportance: no rows to score');
  // Losses count the other way: an increase in log loss after shuffling is a loss of quality.
  const sign = metricDirection(metric) === 'maximize' ? 1 : -1;
  const rng = new Rng(options.seed ?? 0);

  const idx = sampleRows(X.rows, maxRows, rng.nextU32());
  const n = idx.length;
  // Sparse columns stay sparse in the sample; only the column being shuffled is densified.
  const columns = X.columns.map((c) => takeColumnRows(c, idx));
  const yValues = new Float64Array(n);
  for (let i = 0; i < n; i++) yValues[i] = y.values[idx[i]!]!;
  const work: FeatureColumn[] = columns.slice();
  const Xs: FeatureMatrix = { ...X, rows: n, columns: work };

  const score = (): number => {
    const yPred = model.predict(Xs);
    const proba = metricNeedsProba(metric) && model.predictProba !== undefined ? model.predictProba(Xs) : undefined;
    const m = computeMetrics(y.task, { yTrue: yValues, yPred, ...(y.nClasses > 0 ? { nClasses: y.nClasses } : {}), ...(proba ? { proba } : {}) }, [metric]);
    const v = m[metric];
    if (v === undefined) throw new RangeError(`permutationImportance: ${metric} is undefined on these rows`);
    return v;
  };

  const baseline = score();
  const mean: number[] = [];
  const std: number[] = [];
  const shuffled = new Float64Array(n);
  const drops = new Float64Array(repeats);
  const scored = options.features ?? columns.map((_, j) => j);
  for (const j of scored) {
    if (!Number.isInteger(j) || j < 0 || j >= columns.length) throw new RangeError(`permutationImportance: feature index ${j} is not a column of X (0..${columns.length - 1})`);
    const original = columns[j]!;
    for (let r = 0; r < repeats; r++) {
      shuffled.set(toDense(original));
      rng.shuffle(shuffled);
      work[j] = shuffled;
      drops[r] = sign * (baseline - score());
    }
    work[j] = original;
    let s = 0;
    for (let r = 0; r < repeats; r++) s += drops[r]!;
    const mu = s / repeats;
    let v = 0;
    for (let r = 0; r < repeats; r++) v += (drops[r]! - mu) ** 2;
    mean.push(mu);
    std.push(Math.sqrt(v / repeats)); // population std, as scikit-learn's importances_std
    options.onProgress?.(mean.length, scored.length);
  }
  return { metric, baseline, repeats, rows: n, width: columns.length, names: scored.map((j) => X.names[j]!), mean, std };
}
