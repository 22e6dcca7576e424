// Gradient/hessian histograms of a node: per feature and bin, the sums of K gradient channels, the
// hessian and the row count, interleaved (stride K + 2). The sibling of a built child comes from
// subtracting it from the parent, so each split scans only the smaller child's rows.

import type { BinnedData } from './binning.js';
import { PACK } from './quantize.js';

const INV_PACK = 1 / PACK;

/** The per-row quantities a tree is grown on. */
export interface GradientSet {
  /** Gradient channels: K = 1 uses grad[row]; K > 1 uses grad[row * K + k] (unless `classOf` is set). */
  readonly nOut: number;
  readonly grad: Float64Array;
  readonly hess: Float64Array;
  /**
   * Optional one-hot shortcut (random forest classification): the gradient of row r is -hess[r] on
   * channel classOf[r] and 0 elsewhere, so the loop touches one channel instead of K.
   */
  readonly classOf: Int32Array | null;
  /**
   * Optional quantized form (K = 1 only): packed[row] = gq * PACK + hq with integer gq (signed) and
   * hq >= 0, so one float add per row-feature accumulates both exactly (sums stay below 2^53).
   * The histogram then has stride 1; see `decodePacked`.
   */
  readonly packed?: Float64Array | null;
  /** Value of one gradient / hessian level in `packed`. */
  readonly gScale?: number;
  readonly hScale?: number;
  /** Sum of `packed` over the rows being grown on, when the caller already has it (exact). */
  readonly packedTotal?: number;
}

/** Floats per histogram bin for a gradient set: 1 when packed, else K gradients + hessian + count. */
export function histogramStrideOf(gs: GradientSet): number {
  return gs.packed ? 1 : gs.nOut + 2;
}

/**
 * Accumulates rows idx[start..end) into `hist` for the features listed (all when `features` is
 * null). Clears those features' bins first.
 */
export function buildHistogram(
  data: BinnedData,
  gs: GradientSet,
  idx: Uint32Array,
  start: number,
  end: number,
  features: Int32Array | null,
  nActive: number,
  hist: Float64Array,
): void {
  const nF = data.nFeatures;
  const off = data.offsets;
  const S = histogramStrideOf(gs);
  if (features === null) hist.fill(0, 0, off[nF]! * S);
  else {
    for (let a = 0; a < nActive; a++) {
      const j = features[a]!;
      hist.fill(0, off[j]! * S, off[j + 1]! * S);
    }
  }
  const bins = data.bins;
  const grad = gs.grad;
  const hess = gs.hess;
  const packed = gs.packed;
  const sh = data.shift;
  if (packed) {
    // The hottest loop of the engine: one load of the bin, one add into the histogram.
    if (features === null) {
      for (let i = start; i < end; i++) {
        const r = idx[i]!;
        const v = packed[r]!;
        const p = r * nF;
        for (let j = 0; j < nF; j++) hist[(j << sh) | bins[p + j]!] += v;
      }
    } else {
      for (let i = start; i < end; i++) {
        const r = idx[i]!;
        const v = packed[r]!;
        const p = r * nF;
        for (let a = 0; a < nActive; a++) {
          const j = features[a]!;
          hist[(j << sh) | bins[p + j]!] += v;
        }
      }
    }
    return;
  }
  if (gs.nOut === 1 && gs.classOf === null) {
    if (features === null) {
      for (let i = start; i < end; i++) {
        const r = idx[i]!;
        const g = grad[r]!;
        const h = hess[r]!;
        const p = r * nF;
        for (let j = 0; j < nF; j++) {
          const k = ((j << sh) | bins[p + j]!) * 3;
          hist[k] += g;
          hist[k + 1] += h;
          hist[k + 2] += 1;
        }
      }
    } else {
      for (let i = start; i < end; i++) {
        const r = idx[i]!;
        const g = grad[r]!;
        const h = hess[r]!;
        const p = r * nF;
        for (let a = 0; a < nActive; a++) {
          const j = features[a]!;
          const k = ((j << sh) | bins[p + j]!) * 3;
          hist[k] += g;
          hist[k + 1] += h;
          hist[k + 2] += 1;
        }
      }
    }
    return;
  }
  const K = gs.nOut;
  const classOf = gs.classOf;
  const all = features === null;
  const nA = all ? nF : nActive;
  for (let i = start; i < end; i++) {
    const r = idx[i]!;
    const h = hess[r]!;
    const p = r * nF;
    if (classOf !== null) {
      const c = classOf[r]!;
      for (let a = 0; a < nA; a++) {
        const j = all ? a : features[a]!;
        const k = ((j << sh) | bins[p + j]!) * S;
        hist[k + c] -= h;
        hist[k + K] += h;
        hist[k + K + 1] += 1;
      }
    } else {
      const gb = r * K;
      for (let a = 0; a < nA; a++) {
        const j = all ? a : features[a]!;
        const k = ((j << sh) | bins[p + j]!) * S;
        for (let c = 0; c < K; c++) hist[k + c] += grad[gb + c]!;
        hist[k + K] += h;
        hist[k + K + 1] += 1;
      }
    }
  }
}

/** out = parent - child over the listed features (all when null); out may alias parent. */
export function subtractHistogram(
  data: BinnedData,
  S: number,
  parent: Float64Array,
  child: Float64Array,
  features: Int32Array | null,
  nActive: number,
  out: Float64Array,
): void {
  const off = data.offsets;
  if (features === null) {
    const n = off[data.nFeatures]! * S;
    for (let i = 0; i < n; i++) out[i] = parent[i]! - child[i]!;
    return;
  }
  for (let a = 0; a < nActive; a++) {
    const j = features[a]!;
    const e = off[j + 1]! * S;
    for (let i = off[j]! * S; i < e; i++) out[i] = parent[i]! - child[i]!;
  }
}

/**
 * Expands a packed histogram (stride 1) over the listed features into the (g, h, count) layout the
 * split finder reads. Packed sums carry no row count, so a bin's count is estimated from its share
 * of the node's hessian (`rowsPerLevel` = node rows / node hessian levels), as LightGBM estimates
 * min_data_in_leaf: exact for constant hessians (squared error), and 0 exactly when a bin has no
 * rows of positive hessian.
 */
export function decodePacked(
  data: BinnedData,
  packed: Float64Array,
  gScale: number,
  hScale: number,
  rowsPerLevel: number,
  features: Int32Array | null,
  nActive: number,
  out: Float64Array,
): void {
  const off = data.offsets;
  const nA = features === null ? data.nFeatures : nActive;
  for (let a = 0; a < nA; a++) {
    const j = features === null ? a : features[a]!;
    for (let b = off[j]!; b < off[j + 1]!; b++) {
      const v = packed[b]!;
      // Division by a power of two, floor and the product are exact for these integers; V8's
      // floating-point % would be an out-of-line fmod call, and this runs for every bin of every node.
      const g = Math.floor(v * INV_PACK);
      const h = v - g * PACK;
      out[3 * b] = g * gScale;
      out[3 * b + 1] = h * hScale;
      out[3 * b + 2] = h * rowsPerLevel;
    }
  }
}
