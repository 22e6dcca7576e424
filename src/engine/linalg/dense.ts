// Dense helpers shared by the linear models: weighted column statistics, standardised packing
// (row-major, so one row's features sit together for fused loss/gradient passes) and the
// weighted Gram matrix of standardised columns. Matrices are Float64Array, row-major, n x n.

/** Per-column centre and scale: the optimiser works on z = (x - mean) / scale. */
export interface Standardization {
  readonly means: Float64Array;
  readonly scales: Float64Array;
}

/**
 * Weighted mean (0 when `center` is false) and weighted standard deviation around it (root mean
 * square when not centred) of each column. A constant column gets scale 1 so it stays finite;
 * its centred values are all zero and its coefficient stays at zero.
 */
export function standardization(columns: readonly Float64Array[], weights: Float64Array | null, center: boolean): Standardization {
  const p = columns.length;
  const means = new Float64Array(p);
  const scales = new Float64Array(p);
  for (let j = 0; j < p; j++) {
    const c = columns[j]!;
    const n = c.length;
    let sw = 0;
    let s = 0;
    if (weights) {
      for (let i = 0; i < n; i++) {
        sw += weights[i]!;
        s += weights[i]! * c[i]!;
      }
    } else {
      for (let i = 0; i < n; i++) s += c[i]!;
      sw = n;
    }
    const m = center && sw > 0 ? s / sw : 0;
    // Second pass around the mean: the one-pass formula loses digits when |mean| >> std.
    let ss = 0;
    if (weights) {
      for (let i = 0; i < n; i++) {
        const d = c[i]! - m;
        ss += weights[i]! * d * d;
      }
    } else {
      for (let i = 0; i < n; i++) {
        const d = c[i]! - m;
        ss += d * d;
      }
    }
    const sd = sw > 0 ? Math.sqrt(ss / sw) : 0;
    means[j] = m;
    scales[j] = sd > 1e-12 * Math.max(1, Math.abs(m)) ? sd : 1;
  }
  return { means, scales };
}

/** Standardised copy of the columns, packed row-major (rows x p). */
export function packStandardized(columns: readonly Float64Array[], rows: number, st: Standardization): Float64Array {
  const p = columns.length;
  const out = new Float64Array(rows * p);
  for (let j = 0; j < p; j++) {
    const c = columns[j]!;
    const m = st.means[j]!;
    const inv = 1 / st.scales[j]!;
    for (let i = 0, o = j; i < rows; i++, o += p) out[o] = (c[i]! - m) * inv;
  }
  return out;
}

/**
 * Weighted Gram matrix Z'WZ (p x p, full symmetric) and Z'W t of standardised columns, where t is
 * `target` minus `targetMean`. Rows are processed in blocks copied into a small row-major buffer,
 * so the columns are read once and the p^2/2 multiply-adds per row run on cached data.
 */
export function weightedGram(
  columns: readonly Float64Array[],
  rows: number,
  st: Standardization,
  weights: Float64Array | null,
  target: Float64Array,
  targetMean: number,
): { gram: Float64Array; xty: Float64Array } {
  const p = columns.length;
  const gram = new Float64Array(p * p);
  const xty = new Float64Array(p);
  const block = 1024;
  const buf = new Float64Array(block * p);
  const tb = new Float64Array(block);
  const inv = new Float64Array(p);
  for (let j = 0; j < p; j++) inv[j] = 1 / st.scales[j]!;
  for (let r0 = 0; r0 < rows; r0 += block) {
    const len = Math.min(block, rows - r0);
    for (let j = 0; j < p; j++) {
      const c = columns[j]!;
      const m = st.means[j]!;
      const s = inv[j]!;
      for (let r = 0, o = j; r < len; r++, o += p) buf[o] = (c[r0 + r]! - m) * s;
    }
    // Fold sqrt(w) into the buffer rows so the inner loop stays a plain product.
    for (let r = 0; r < len; r++) {
      const sw = weights ? Math.sqrt(weights[r0 + r]!) : 1;
      tb[r] = sw * (target[r0 + r]! - targetMean);
      if (weights) for (let j = 0, o = r * p; j < p; j++, o++) buf[o] = buf[o]! * sw;
    }
    for (let r = 0; r < len; r++) {
      const o = r * p;
      const t = tb[r]!;
      for (let j = 0; j < p; j++) {
        const a = buf[o + j]!;
        if (a === 0) continue;
        xty[j] += a * t;
        const gj = j * p;
        for (let k = j; k < p; k++) gram[gj + k] += a * buf[o + k]!;
      }
    }
  }
  for (let j = 0; j < p; j++) for (let k = 0; k < j; k++) gram[j * p + k] = gram[k * p + j]!;
  return { gram, xty };
}

export function dot(a: Float64Array, b: Float64Array, n: number): number {
  let s0 = 0;
  let s1 = 0;
  let i = 0;
  for (; i + 1 < n; i += 2) {
    s0 += a[i]! * b[i]!;
    s1 += a[i + 1]! * b[i + 1]!;
  }
  if (i < n) s0 += a[i]! * b[i]!;
  return s0 + s1;
}

export function normInf(a: Float64Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const v = Math.abs(a[i]!);
    if (v > m) m = v;
  }
  return m;
}
