// The predicted class of each row from its row of class scores or probabilities.

/** Index of the largest of each row's K values (rows x K, row-major); ties go to the lower index. */
export function argmaxRows(p: Float64Array, rows: number, K: number): Float64Array {
  const out = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    let best = 0;
    for (let k = 1; k < K; k++) if (p[i * K + k]! > p[i * K + best]!) best = k;
    out[i] = best;
  }
  return out;
}
