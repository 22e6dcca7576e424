// Output heads: the loss on a batch of logits and its gradient with respect to them.
// sigmoid = binary cross-entropy on one logit; softmax = categorical cross-entropy; linear = half
// squared error on one output. Gradients are of the weighted MEAN loss over the batch, so the learning rate
// means the same whatever the batch size.

export type Head = 'sigmoid' | 'softmax' | 'linear';

/**
 * Writes d(mean loss)/d(logit) into g (same layout as the logits: `rows` rows of `stride` floats,
 * `outputs` real columns) and returns the weighted SUM of per-row losses (for epoch averages).
 * `y` holds class indices (sigmoid, softmax) or targets (linear); `w` optional row weights.
 */
export function headLossGrad(
  head: Head,
  f: Float32Array,
  logits: number,
  g: number,
  rows: number,
  outputs: number,
  stride: number,
  y: ArrayLike<number>,
  yOffset: number,
  w: ArrayLike<number> | null,
): number {
  let wsum = 0;
  if (w) for (let i = 0; i < rows; i++) wsum += w[yOffset + i]!;
  else wsum = rows;
  const scale = wsum > 0 ? 1 / wsum : 0;
  let total = 0;
  for (let i = 0; i < rows; i++) {
    const wi = w ? w[yOffset + i]! : 1;
    const lo = logits + i * stride;
    const go = g + i * stride;
    const t = y[yOffset + i]!;
    if (head === 'sigmoid') {
      const z = f[lo]!;
      // log(1 + e^z) - t z, written so neither branch overflows.
      const sp = z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
      total += wi * (sp - t * z);
      const p = 1 / (1 + Math.exp(-z));
      f[go] = (p - t) * wi * scale;
    } else if (head === 'softmax') {
      let m = -Infinity;
      for (let k = 0; k < outputs; k++) m = Math.max(m, f[lo + k]!);
      let s = 0;
      for (let k = 0; k < outputs; k++) s += Math.exp(f[lo + k]! - m);
      const logS = Math.log(s);
      total += wi * (m + logS - f[lo + t]!);
      const ws = wi * scale;
      for (let k = 0; k < outputs; k++) {
        const p = Math.exp(f[lo + k]! - m - logS);
        f[go + k] = (p - (k === t ? 1 : 0)) * ws;
      }
    } else {
      // One regression output (the target is one column).
      const r = f[lo]! - t;
      total += 0.5 * wi * r * r;
      f[go] = r * wi * scale;
    }
  }
  return total;
}

/** The head's outputs as probabilities (sigmoid, softmax) or values (linear), row-major rows x width. */
export function headOutput(head: Head, f: Float32Array, logits: number, rows: number, outputs: number, stride: number, out: Float64Array, outOffset: number): void {
  for (let i = 0; i < rows; i++) {
    const lo = logits + i * stride;
    if (head === 'sigmoid') {
      const p = 1 / (1 + Math.exp(-f[lo]!));
      out[(outOffset + i) * 2] = 1 - p;
      out[(outOffset + i) * 2 + 1] = p;
    } else if (head === 'softmax') {
      let m = -Infinity;
      for (let k = 0; k < outputs; k++) m = Math.max(m, f[lo + k]!);
      let s = 0;
      for (let k = 0; k < outputs; k++) s += Math.exp(f[lo + k]! - m);
      for (let k = 0; k < outputs; k++) out[(outOffset + i) * outputs + k] = Math.exp(f[lo + k]! - m) / s;
    } else {
      for (let k = 0; k < outputs; k++) out[(outOffset + i) * outputs + k] = f[lo + k]!;
    }
  }
}
