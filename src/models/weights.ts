// Row weights of a fit: the caller's sample weights checked, and combined with class weights.

import type { Target } from '../tasks/task.js';
import { SomaError } from '../errors.js';

/** The sample weights when given, checked: one per row, finite and >= 0. */
export function checkWeights(w: Float64Array | undefined, rows: number): Float64Array | null {
  if (!w) return null;
  if (w.length !== rows) throw new SomaError('DATA_BAD_VALUE', `sample weights have ${w.length} values for ${rows} rows`);
  for (let i = 0; i < w.length; i++) {
    const v = w[i]!;
    if (!(v >= 0) || !Number.isFinite(v)) throw new SomaError('DATA_BAD_VALUE', `sample weight at row ${i} is ${v}; weights must be finite and >= 0`);
  }
  return w;
}

/** Sample weights times balanced class weights (n / (K * weight of class)), or null when all are 1. */
export function combineWeights(y: Target, sampleWeight: Float64Array | undefined, balanced: boolean, extra?: (cls: number) => number): Float64Array | null {
  const n = y.values.length;
  if (sampleWeight && sampleWeight.length !== n) throw new SomaError('DATA_BAD_VALUE', `sampleWeight has ${sampleWeight.length} values for ${n} rows`);
  if (!sampleWeight && !balanced && !extra) return null;
  const w = sampleWeight ? Float64Array.from(sampleWeight) : new Float64Array(n).fill(1);
  if (balanced && y.task === 'classification') {
    const byClass = new Float64Array(y.nClasses);
    for (let i = 0; i < n; i++) byClass[y.values[i]!] += w[i]!;
    let total = 0;
    for (const c of byClass) total += c;
    for (let i = 0; i < n; i++) {
      const c = byClass[y.values[i]!]!;
      w[i] = w[i]! * (c > 0 ? total / (y.nClasses * c) : 1);
    }
  }
  if (extra) for (let i = 0; i < n; i++) w[i] = w[i]! * extra(y.values[i]!);
  return w;
}
