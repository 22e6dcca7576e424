// Real and synthetic data sets for the tree tests: scikit-learn's bundled CSVs (copied from Debian's
// python3-sklearn into test/fixtures/sklearn) read into typed arrays, deterministic train/test splits, and simple metrics.

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { FeatureKind, FeatureMatrix } from '../../../src/engine/matrix.js';
import type { Target, Task } from '../../../src/tasks/task.js';
import { Rng } from '../../../src/engine/random.js';
import { toDense } from '../../../src/engine/sparse.js';

export const SKLEARN_DATA = fileURLToPath(new URL('../../fixtures/sklearn', import.meta.url));

export interface Dataset {
  X: FeatureMatrix;
  y: Target;
}

export function matrix(columns: Float64Array[], kinds?: FeatureKind[], cardinality?: number[]): FeatureMatrix {
  const names = columns.map((_, j) => `f${j}`);
  return {
    rows: columns.length > 0 ? columns[0]!.length : 0,
    names,
    kinds: kinds ?? names.map(() => 'numeric'),
    cardinality: cardinality ?? names.map(() => 0),
    columns,
  };
}

export function target(values: number[] | Float64Array, task: Task, nClasses = 0): Target {
  return { task, values: Float64Array.from(values), nClasses };
}

/** iris, breast_cancer or wine_data: first line "rows,features,class names...", then rows with the class last. */
export function sklearnClassification(file: 'iris' | 'breast_cancer' | 'wine_data'): Dataset {
  const lines = readFileSync(`${SKLEARN_DATA}/${file}.csv`, 'utf8').trim().split('\n');
  const [rows, nF] = lines[0]!.split(',').map(Number) as [number, number];
  const nClasses = lines[0]!.split(',').length - 2;
  const columns = Array.from({ length: nF }, () => new Float64Array(rows));
  const y = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    const cells = lines[i + 1]!.split(',');
    for (let j = 0; j < nF; j++) columns[j]![i] = Number(cells[j]);
    y[i] = Number(cells[nF]);
  }
  return { X: matrix(columns), y: { task: 'classification', values: y, nClasses } };
}

/**
 * Palmer penguins (examples/penguins/penguins.csv, from vega-datasets): species from the four body
 * measurements (missing values kept as NaN) and island and sex as native categoricals ("." and
 * empty sex are missing).
 */
export function penguins(): Dataset {
  const lines = readFileSync(fileURLToPath(new URL('../../../examples/penguins/penguins.csv', import.meta.url)), 'utf8').trim().split('\n').slice(1);
  const rows = lines.map((l) => l.split(','));
  const codes = (col: number, values: string[]): Float64Array => Float64Array.from(rows, (r) => (values.includes(r[col]!) ? values.indexOf(r[col]!) : NaN));
  const num = (col: number): Float64Array => Float64Array.from(rows, (r) => (r[col] === '' ? NaN : Number(r[col])));
  const islands = ['Biscoe', 'Dream', 'Torgersen'];
  return {
    X: matrix([num(2), num(3), num(4), num(5), codes(1, islands), codes(6, ['FEMALE', 'MALE'])], ['numeric', 'numeric', 'numeric', 'numeric', 'categorical', 'categorical'], [0, 0, 0, 0, 3, 2]),
    y: target(codes(0, ['Adelie', 'Chinstrap', 'Gentoo']), 'classification', 3),
  };
}

export function takeRows(d: Dataset, idx: Int32Array): Dataset {
  const columns = d.X.columns.map(toDense).map((c) => Float64Array.from(idx, (i) => c[i]!));
  return { X: { ...d.X, rows: idx.length, columns }, y: { ...d.y, values: Float64Array.from(idx, (i) => d.y.values[i]!) } };
}

/** Shuffled split with a fixed seed: (train, test). */
export function split(d: Dataset, testShare: number, seed = 1): [Dataset, Dataset] {
  const n = d.X.rows;
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  new Rng(seed).shuffle(order);
  const nTest = Math.round(n * testShare);
  return [takeRows(d, order.subarray(nTest)), takeRows(d, order.subarray(0, nTest))];
}

export function accuracy(y: Float64Array, pred: Float64Array): number {
  let c = 0;
  for (let i = 0; i < y.length; i++) if (y[i] === pred[i]) c++;
  return c / y.length;
}

export function rmse(y: Float64Array, pred: Float64Array): number {
  let s = 0;
  for (let i = 0; i < y.length; i++) s += (y[i]! - pred[i]!) ** 2;
  return Math.sqrt(s / y.length);
}

/** Area under the ROC curve of scores for the positive class (ties counted half). */
export function auc(y: Float64Array, score: Float64Array): number {
  const idx = Array.from(score.keys()).sort((a, b) => score[a]! - score[b]!);
  let rankSum = 0;
  let nPos = 0;
  let i = 0;
  while (i < idx.length) {
    let j = i;
    while (j + 1 < idx.length && score[idx[j + 1]!] === score[idx[i]!]) j++;
    const rank = (i + j + 2) / 2;
    for (let k = i; k <= j; k++) if (y[idx[k]!] === 1) {
      rankSum += rank;
      nPos++;
    }
    i = j + 1;
  }
  const nNeg = y.length - nPos;
  return (rankSum - (nPos * (nPos + 1)) / 2) / (nPos * nNeg);
}

/** A non-linear regression problem (Friedman #1 style) with noise. */
export function friedman(n: number, seed = 3, noise = 0.5): Dataset {
  const rng = new Rng(seed);
  const columns = Array.from({ length: 6 }, () => new Float64Array(n));
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    for (const c of columns) c[i] = rng.next();
    const x = columns.map((c) => c[i]!);
    y[i] = 10 * Math.sin(Math.PI * x[0]! * x[1]!) + 20 * (x[2]! - 0.5) ** 2 + 10 * x[3]! + 5 * x[4]! + noise * rng.normal();
  }
  return { X: matrix(columns), y: { task: 'regression', values: y, nClasses: 0 } };
}
