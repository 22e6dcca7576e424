// The JavaScript tree walk: rows copied row-major in cache-sized blocks, each tree walked over
// the whole block (complete-layout trees in a fixed number of branch-free steps, 8 rows in
// lockstep; the others node by node), leaf values added to the rows' sums in tree order.

import type { Forest } from './forest.js';
import { walkLayout, type WalkLayout } from './walk-layout.js';

/**
 * Rows are copied row-major in blocks this size, and every tree walks the whole block before the
 * next tree starts, so the block and one tree's nodes stay in cache (128 to 1024 measured the same).
 */
const BLOCK = 256;

/** Copies block rows [s, s + m) row-major into `block` and records each one's row in `rowOf`. */
function fillBlock(columns: readonly Float64Array[], subset: Uint32Array | null, s: number, m: number, block: Float64Array, rowOf: Int32Array): void {
  const nF = columns.length;
  for (let j = 0; j < nF; j++) {
    const col = columns[j]!;
    if (subset) for (let i = 0; i < m; i++) block[i * nF + j] = col[subset[s + i]!]!;
    else for (let i = 0; i < m; i++) block[i * nF + j] = col[s + i]!;
  }
  for (let i = 0; i < m; i++) rowOf[i] = subset ? subset[s + i]! : s + i;
}

/** predictRaw in JavaScript: adds trees [from, to) to `out` for every row (or the rows in `subset`). */
export function predictRawJs(forest: Forest, columns: readonly Float64Array[], from: number, to: number, out: Float64Array, subset: Uint32Array | null): void {
  const nF = columns.length;
  const total = subset ? subset.length : nF > 0 ? columns[0]!.length : 0;
  const cap = Math.min(BLOCK, Math.max(1, total));
  const block = new Float64Array(cap * Math.max(1, nF));
  const leafOf = new Int32Array(cap);
  const rowOf = new Int32Array(cap);
  const rows = Int32Array.from({ length: cap }, (_, i) => i);
  const layout = walkLayout(forest);
  for (let s = 0; s < total; s += BLOCK) {
    const e = Math.min(total, s + BLOCK);
    const m = e - s;
    fillBlock(columns, subset, s, m, block, rowOf);
    for (let t = from; t < to; t++) {
      const d = layout.depth[t]!;
      if (d >= 0) walkComplete(layout, t, d, block, nF, rows, m, leafOf);
      else walkNodes(forest, layout, forest.treeRoots[t]!, block, nF, 1, m, leafOf);
      addLeaves(forest, forest.treeGroup[t]!, leafOf, rowOf, m, out);
    }
  }
}

/**
 * Leaf of block rows `rows[0..count)` in a complete-layout tree: exactly `d` steps, 8 rows in
 * lockstep so their independent chains of loads overlap. `(a > b) | 0` compiles to a flag move
 * rather than a branch, which would mispredict on about half the steps.
 */
function walkComplete(layout: WalkLayout, t: number, d: number, block: Float64Array, nF: number, rows: Int32Array, count: number, leafOf: Int32Array): void {
  const { cFeat, cThr, cMissRight, cLeaf } = layout;
  const so = layout.cSplit[t]!;
  const lo = layout.cLeafAt[t]! - ((1 << d) - 1);
  let i = 0;
  for (; i + 8 <= count; i += 8) {
    const x0 = rows[i + 0]! * nF;
    const x1 = rows[i + 1]! * nF;
    const x2 = rows[i + 2]! * nF;
    const x3 = rows[i + 3]! * nF;
    const x4 = rows[i + 4]! * nF;
    const x5 = rows[i + 5]! * nF;
    const x6 = rows[i + 6]! * nF;
    const x7 = rows[i + 7]! * nF;
    let n0 = 0;
    let n1 = 0;
    let n2 = 0;
    let n3 = 0;
    let n4 = 0;
    let n5 = 0;
    let n6 = 0;
    let n7 = 0;
    for (let s = 0; s < d; s++) {
      const a0 = so + n0;
      const a1 = so + n1;
      const a2 = so + n2;
      const a3 = so + n3;
      const a4 = so + n4;
      const a5 = so + n5;
      const a6 = so + n6;
      const a7 = so + n7;
      const v0 = block[x0 + cFeat[a0]!]!;
      const v1 = block[x1 + cFeat[a1]!]!;
      const v2 = block[x2 + cFeat[a2]!]!;
      const v3 = block[x3 + cFeat[a3]!]!;
      const v4 = block[x4 + cFeat[a4]!]!;
      const v5 = block[x5 + cFeat[a5]!]!;
      const v6 = block[x6 + cFeat[a6]!]!;
      const v7 = block[x7 + cFeat[a7]!]!;
      n0 = 2 * n0 + 1 + ((((v0 > cThr[a0]!) as unknown as number) | 0) + (v0 === v0 ? 0 : cMissRight[a0]!));
      n1 = 2 * n1 + 1 + ((((v1 > cThr[a1]!) as unknown as number) | 0) + (v1 === v1 ? 0 : cMissRight[a1]!));
      n2 = 2 * n2 + 1 + ((((v2 > cThr[a2]!) as unknown as number) | 0) + (v2 === v2 ? 0 : cMissRight[a2]!));
      n3 = 2 * n3 + 1 + ((((v3 > cThr[a3]!) as unknown as number) | 0) + (v3 === v3 ? 0 : cMissRight[a3]!));
      n4 = 2 * n4 + 1 + ((((v4 > cThr[a4]!) as unknown as number) | 0) + (v4 === v4 ? 0 : cMissRight[a4]!));
      n5 = 2 * n5 + 1 + ((((v5 > cThr[a5]!) as unknown as number) | 0) + (v5 === v5 ? 0 : cMissRight[a5]!));
      n6 = 2 * n6 + 1 + ((((v6 > cThr[a6]!) as unknown as number) | 0) + (v6 === v6 ? 0 : cMissRight[a6]!));
      n7 = 2 * n7 + 1 + ((((v7 > cThr[a7]!) as unknown as number) | 0) + (v7 === v7 ? 0 : cMissRight[a7]!));
    }
    leafOf[rows[i + 0]!] = cLeaf[lo + n0]!;
    leafOf[rows[i + 1]!] = cLeaf[lo + n1]!;
    leafOf[rows[i + 2]!] = cLeaf[lo + n2]!;
    leafOf[rows[i + 3]!] = cLeaf[lo + n3]!;
    leafOf[rows[i + 4]!] = cLeaf[lo + n4]!;
    leafOf[rows[i + 5]!] = cLeaf[lo + n5]!;
    leafOf[rows[i + 6]!] = cLeaf[lo + n6]!;
    leafOf[rows[i + 7]!] = cLeaf[lo + n7]!;
  }
  for (; i < count; i++) {
    const x = rows[i]! * nF;
    let n = 0;
    for (let s = 0; s < d; s++) {
      const a = so + n;
      const v = block[x + cFeat[a]!]!;
      n = 2 * n + 1 + ((((v > cThr[a]!) as unknown as number) | 0) + (v === v ? 0 : cMissRight[a]!));
    }
    leafOf[rows[i]!] = cLeaf[lo + n]!;
  }
}

/**
 * Leaf of every block row, node by node: categorical splits and trees too deep for the complete
 * layout. Row i's feature j is block[i * rowStride + j * featureStride] (row-major in the JS
 * walk, column-major in the wasm kernel's staging area).
 */
export function walkNodes(forest: Forest, layout: WalkLayout, root: number, block: Float64Array, rowStride: number, featureStride: number, m: number, leafOf: Int32Array): void {
  const { threshold, catBits } = forest;
  const { code, kids, missingRight } = layout;
  for (let i = 0; i < m; i++) {
    const xb = i * rowStride;
    let n = root;
    let c = code[n]!;
    while (c !== -1) {
      if (c >= 0) {
        const v = block[xb + c * featureStride]!;
        n = v === v ? kids[2 * n + (v > threshold[n]! ? 1 : 0)]! : kids[2 * n + missingRight[n]!]!;
      } else {
        const v = block[xb + (-c - 2) * featureStride]!;
        const off = threshold[n]!;
        const k = Math.floor(v);
        // Missing codes, and codes never seen in training, follow the default direction.
        const right = v !== v || k < 0 || k >= catBits[off]! ? missingRight[n]! : 1 - ((catBits[off + 1 + (k >>> 5)]! >>> (k & 31)) & 1);
        n = kids[2 * n + right]!;
      }
      c = code[n]!;
    }
    leafOf[i] = n;
  }
}

/** Adds each block row's leaf value(s) to its row of `out`. */
function addLeaves(forest: Forest, group: number, leafOf: Int32Array, rowOf: Int32Array, m: number, out: Float64Array): void {
  const { value, nOut, nGroups } = forest;
  if (group >= 0) {
    for (let i = 0; i < m; i++) out[rowOf[i]! * nGroups + group] += value[leafOf[i]! * nOut]!;
  } else {
    for (let i = 0; i < m; i++) {
      const r = rowOf[i]! * nGroups;
      const n = leafOf[i]! * nOut;
      for (let k = 0; k < nOut; k++) out[r + k] += value[n + k]!;
    }
  }
}


/** The rows of a one-row walk, reused between calls (grown when a forest has more features). */
let rowScratch = new Float64Array(64);

/**
 * predictRawJs for a handful of rows (an online request), without the block machinery: each row
 * is gathered once and walks every tree in one loop, so a single row costs a few hundred loads
 * instead of a block's set-up per tree. The same leaves and the same additions in tree order as
 * the block walk, so the sums are bit-identical.
 */
export function predictRawFew(forest: Forest, columns: readonly Float64Array[], from: number, to: number, out: Float64Array): void {
  const nF = columns.length;
  const rows = nF > 0 ? columns[0]!.length : 0;
  if (rowScratch.length < nF) rowScratch = new Float64Array(nF);
  const x = rowScratch;
  const layout = walkLayout(forest);
  const { depth, cSplit, cLeafAt, cFeat, cThr, cMissRight, cLeaf } = layout;
  const { value, nOut, nGroups, treeRoots, treeGroup } = forest;
  const leaf = new Int32Array(1);
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < nF; j++) x[j] = columns[j]![r]!;
    const o = r * nGroups;
    for (let t = from; t < to; t++) {
      const d = depth[t]!;
      let node: number;
      if (d >= 0) {
        const so = cSplit[t]!;
        let n = 0;
        for (let s = 0; s < d; s++) {
          const a = so + n;
          const v = x[cFeat[a]!]!;
          n = 2 * n + 1 + ((((v > cThr[a]!) as unknown as number) | 0) + (v === v ? 0 : cMissRight[a]!));
        }
        node = cLeaf[cLeafAt[t]! - ((1 << d) - 1) + n]!;
      } else {
        walkNodes(forest, layout, treeRoots[t]!, x, 0, 1, 1, leaf);
        node = leaf[0]!;
      }
      const g = treeGroup[t]!;
      if (g >= 0) out[o + g] += value[node * nOut]!;
      else for (let k = 0; k < nOut; k++) out[o + k] += value[node * nOut + k]!;
    }
  }
}
