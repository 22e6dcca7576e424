// Input checks shared by the metric families: shape mismatches are soma's own bugs (INTERNAL);
// bad values come from data (DATA_*), and name the array, the row and the value.

import { SomaError } from '../../errors.js';

export function checkLength(what: string, arr: ArrayLike<number>, n: number): void {
  if (arr.length !== n) throw new SomaError('INTERNAL', `${what} has ${arr.length} values, expected ${n} (one per row of yTrue)`);
}

export function checkRows(yTrue: Float64Array): void {
  if (yTrue.length === 0) throw new SomaError('DATA_EMPTY', 'cannot compute metrics on 0 rows');
}

export function checkLabels(what: string, y: Float64Array, k: number): void {
  for (let i = 0; i < y.length; i++) {
    const v = y[i]!;
    if (!(v >= 0 && v < k && Number.isInteger(v))) {
      throw new SomaError('DATA_BAD_VALUE', `${what}[${i}] is ${v}, not a class index (expected an integer in 0..${k - 1})`, {
        details: { array: what, row: i, value: v, nClasses: k },
      });
    }
  }
}

export function checkFinite(what: string, y: Float64Array): void {
  for (let i = 0; i < y.length; i++) {
    if (!Number.isFinite(y[i]!)) {
      throw new SomaError('DATA_BAD_VALUE', `${what}[${i}] is ${y[i]}, expected a finite number`, { details: { array: what, row: i } });
    }
  }
}

export function checkWeights(w: Float64Array | undefined, n: number): void {
  if (w === undefined) return;
  checkLength('sampleWeight', w, n);
  for (let i = 0; i < n; i++) {
    const v = w[i]!;
    if (!(v >= 0 && v < Infinity)) {
      throw new SomaError('DATA_BAD_VALUE', `sampleWeight[${i}] is ${v}, expected a finite number >= 0`, { details: { row: i, value: v } });
    }
  }
}

export function checkProba(proba: Float64Array, n: number, k: number): void {
  if (proba.length !== n * k) {
    throw new SomaError('INTERNAL', `proba has ${proba.length} values, expected ${n} rows x ${k} classes = ${n * k}`);
  }
  for (let i = 0; i < proba.length; i++) {
    if (Number.isNaN(proba[i]!)) {
      const row = Math.floor(i / k);
      throw new SomaError('DATA_BAD_VALUE', `proba row ${row}, class ${i % k} is NaN`, { details: { row, class: i % k } });
    }
  }
}

export function checkClassification(yTrue: Float64Array, yPred: Float64Array | undefined, k: number, w: Float64Array | undefined): void {
  checkRows(yTrue);
  if (!(Number.isInteger(k) && k >= 1)) throw new SomaError('INTERNAL', `nClasses is ${k}, expected an integer >= 1`);
  checkLabels('yTrue', yTrue, k);
  if (yPred !== undefined) {
    checkLength('yPred', yPred, yTrue.length);
    checkLabels('yPred', yPred, k);
  }
  checkWeights(w, yTrue.length);
}

export function checkRegression(yTrue: Float64Array, yPred: Float64Array, w: Float64Array | undefined): void {
  checkRows(yTrue);
  checkLength('yPred', yPred, yTrue.length);
  checkFinite('yTrue', yTrue);
  checkFinite('yPred', yPred);
  checkWeights(w, yTrue.length);
}
