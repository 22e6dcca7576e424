// Helpers of the factor families (mf, als): cosine between item factor vectors (similar items)
// and the tensor fields of a factor model.

/** out[j] = cos(q_item, q_j) for trained items j, NaN for the rest. */
export function factorCosine(Q: Float32Array, f: number, item: number, trained: Uint8Array, out: Float64Array): void {
  const n = out.length;
  const a = item * f;
  let na = 0;
  for (let k = 0; k < f; k++) na += Q[a + k]! * Q[a + k]!;
  for (let j = 0; j < n; j++) {
    if (!trained[j]) {
      out[j] = NaN;
      continue;
    }
    const b = j * f;
    let d = 0;
    let nb = 0;
    for (let k = 0; k < f; k++) {
      d += Q[a + k]! * Q[b + k]!;
      nb += Q[b + k]! * Q[b + k]!;
    }
    out[j] = na > 0 && nb > 0 ? d / Math.sqrt(na * nb) : 0;
  }
}
