// The linear predictor of the linear families, intercept + X coef, computed column by column so a
// sparse (text) column costs only its stored entries.

import { isSparse, type FeatureColumn } from '../engine/sparse.js';

/** Linear predictor intercept + X coef for original-scale coefficients, column by column. */
export function linearPredictor(columns: readonly FeatureColumn[], rows: number, coef: Float64Array, coefOffset: number, intercept: number, out: Float64Array, outStride = 1, outOffset = 0): void {
  for (let i = 0, o = outOffset; i < rows; i++, o += outStride) out[o] = intercept;
  for (let j = 0; j < columns.length; j++) {
    const c = columns[j]!;
    const w = coef[coefOffset + j]!;
    if (w === 0) continue;
    if (isSparse(c)) {
      const { index, values } = c;
      for (let k = 0; k < index.length; k++) out[outOffset + index[k]! * outStride] += w * values[k]!;
      continue;
    }
    for (let i = 0, o = outOffset; i < rows; i++, o += outStride) out[o] += w * c[i]!;
  }
}
