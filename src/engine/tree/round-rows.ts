// The row passes of a boosting round besides growing the trees: the row -> leaf map of a grown
// tree, adding the round's leaves to the raw scores, the next round's gradients, and the exact
// gradient sums of each leaf. Each row is independent and leaf sums add fixed blocks of rows in
// block order, so splitting a pass across threads gives the very bits of one pass: the arena's
// workers run these functions on shared memory for large fits, the calling thread runs them alone
// otherwise.

import type { Loss } from '../loss/loss.js';

/** Marks rows outside a tree's sample in a row -> leaf map; trees with this many leaves have no map. */
export const NO_LEAF = 0xffff;

/** Rows per block of a leaf-sum pass: blocks are summed separately and added in block order. */
export const LEAF_BLOCK = 1 << 16;

/** Rows per step of `updateRows`: a step's raw scores are still in cache for its gradients. */
const STEP = 2048;

/** The arrays of a boosting fit that the row passes read and write (n rows, K outputs). */
export interface RoundArrays {
  readonly K: number;
  readonly y: Float64Array;
  readonly w: Float64Array | null;
  /** Raw scores, rows x K, row-major. */
  readonly raw: Float64Array;
  /** Gradients and hessians, class-major (output k of row i at k * n + i). */
  readonly grad: Float64Array;
  readonly hess: Float64Array;
  /** Row -> leaf of this round's tree for each output, class-major; NO_LEAF for rows it did not grow on. */
  readonly leafOf: Uint16Array;
  /** Leaf values of this round's trees, output k's from k * cap. */
  readonly values: Float64Array;
  readonly cap: number;
}

/**
 * For rows [from, to): adds the leaf values of outputs [c0, c1) to the raw scores, then, given a
 * loss, computes the rows' gradients at the new scores.
 */
export function updateRows(a: RoundArrays, loss: Loss | null, from: number, to: number, c0: number, c1: number): void {
  const { K, raw, leafOf, values, cap } = a;
  const n = a.y.length;
  for (let s = from; s < to; s += STEP) {
    const e = Math.min(to, s + STEP);
    for (let k = c0; k < c1; k++) {
      const lo = k * n;
      const vo = k * cap;
      if (K === 1) {
        for (let r = s; r < e; r++) {
          const l = leafOf[lo + r]!;
          if (l !== NO_LEAF) raw[r] += values[vo + l]!;
        }
      } else {
        for (let r = s; r < e; r++) {
          const l = leafOf[lo + r]!;
          if (l !== NO_LEAF) raw[r * K + k] += values[vo + l]!;
        }
      }
    }
    if (loss) loss.gradients(a.y, raw, a.w, a.grad, a.hess, s, e);
  }
}

/**
 * The row -> leaf map of a grown tree for index positions [p0, p1): leafOf[idx[i]] = leaf for each
 * (start, end, leaf) triple in `ranges`. Leaves own disjoint positions, so threads taking disjoint
 * windows write disjoint rows.
 */
export function mapLeaves(idx: Uint32Array, ranges: Int32Array, nRanges: number, p0: number, p1: number, leafOf: Uint16Array): void {
  for (let r = 0; r < nRanges; r++) {
    const a = Math.max(p0, ranges[3 * r]!);
    const b = Math.min(p1, ranges[3 * r + 1]!);
    const l = ranges[3 * r + 2]!;
    for (let i = a; i < b; i++) leafOf[idx[i]!] = l;
  }
}

/** Blocks of LEAF_BLOCK rows in n rows. */
export const leafBlocks = (n: number): number => Math.ceil(n / LEAF_BLOCK);

/**
 * Sums grad and hess per leaf over blocks [b0, b1) of the rows; block b's sums go to
 * partial[(b * nLeaves + l) * 2] (gradient) and the slot after it (hessian).
 */
export function leafSumBlocks(leafOf: Uint16Array, grad: Float64Array, hess: Float64Array, nLeaves: number, b0: number, b1: number, partial: Float64Array): void {
  const n = leafOf.length;
  for (let b = b0; b < b1; b++) {
    const o = b * nLeaves * 2;
    partial.fill(0, o, o + nLeaves * 2);
    const e = Math.min(n, (b + 1) * LEAF_BLOCK);
    for (let r = b * LEAF_BLOCK; r < e; r++) {
      const l = leafOf[r]!;
      if (l === NO_LEAF) continue;
      partial[o + 2 * l] += grad[r]!;
      partial[o + 2 * l + 1] += hess[r]!;
    }
  }
}

/** Adds the blocks' partial sums in block order into g and h (one slot per leaf). */
export function addLeafBlocks(partial: Float64Array, nBlocks: number, nLeaves: number, g: Float64Array, h: Float64Array): void {
  g.fill(0, 0, nLeaves);
  h.fill(0, 0, nLeaves);
  for (let b = 0; b < nBlocks; b++) {
    const o = b * nLeaves * 2;
    for (let l = 0; l < nLeaves; l++) {
      g[l] += partial[o + 2 * l]!;
      h[l] += partial[o + 2 * l + 1]!;
    }
  }
}

/** Exact per-leaf sums of grad and hess through a row -> leaf map, in this thread. */
export function leafSums(leafOf: Uint16Array, grad: Float64Array, hess: Float64Array, nLeaves: number, g: Float64Array, h: Float64Array): void {
  const nBlocks = leafBlocks(leafOf.length);
  const partial = new Float64Array(nBlocks * nLeaves * 2);
  leafSumBlocks(leafOf, grad, hess, nLeaves, 0, nBlocks, partial);
  addLeafBlocks(partial, nBlocks, nLeaves, g, h);
}
