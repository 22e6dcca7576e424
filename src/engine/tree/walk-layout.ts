// The walk-friendly layout of a forest, built once per forest and cached: interleaved children
// with the node's split coded in one integer, and for shallow numeric trees a complete binary
// layout whose next slot is computed rather than loaded. Both walks (walk-js.ts, walk-wasm.ts)
// read it.

import { CATEGORICAL, DEFAULT_LEFT, type Forest } from './forest.js';

/** Trees up to this depth are also stored as complete trees for the fixed-depth walk (2^depth leaves each). */
const MAX_COMPLETE_DEPTH = 10;

/**
 * The walk-friendly form of a forest: `code` >= 0 is a numeric split feature, -1 a leaf, <= -2 a
 * categorical split on feature -(code + 2); children are interleaved so the next node is
 * kids[2n + (go right ? 1 : 0)].
 *
 * Numeric trees no deeper than MAX_COMPLETE_DEPTH are also laid out as complete binary trees
 * (heap order: the children of slot i are 2i + 1 and 2i + 2), so a row's next slot is computed
 * from the comparison instead of loaded, taking one dependent load off every step. A leaf above
 * the full depth is padded with pass-through splits (feature 0, threshold +Infinity, missing
 * left) whose leaves all hold that same node, so the walk always takes exactly `depth` steps and
 * lands on the leaf the node-by-node walk reaches.
 */
export interface WalkLayout {
  code: Int32Array;
  kids: Int32Array;
  /** 0 when missing values go left, 1 when right. */
  missingRight: Uint8Array;
  /** Per tree: its depth in the complete layout, or -1 when it is walked node by node. */
  depth: Int32Array;
  /** Per tree: the offset of its 2^depth - 1 complete-layout splits in cFeat/cThr/cMissRight. */
  cSplit: Int32Array;
  /** Per tree: the offset of its 2^depth complete-layout leaves in cLeaf. */
  cLeafAt: Int32Array;
  cFeat: Int32Array;
  cThr: Float64Array;
  cMissRight: Uint8Array;
  /** Forest node index of each complete-layout leaf. */
  cLeaf: Int32Array;
}

const layouts = new WeakMap<Forest, WalkLayout>();

export function walkLayout(f: Forest): WalkLayout {
  let l = layouts.get(f);
  if (l) return l;
  const n = f.feature.length;
  const code = new Int32Array(n);
  const kids = new Int32Array(2 * n);
  const missingRight = new Uint8Array(n);
  const nodeDepth = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const ft = f.feature[i]!;
    code[i] = ft < 0 ? -1 : f.flags[i]! & CATEGORICAL ? -(ft + 2) : ft;
    kids[2 * i] = ft < 0 ? i : f.left[i]!;
    kids[2 * i + 1] = ft < 0 ? i : f.right[i]!;
    missingRight[i] = f.flags[i]! & DEFAULT_LEFT ? 0 : 1;
  }
  const T = f.treeRoots.length;
  const depth = new Int32Array(T);
  const cSplit = new Int32Array(T);
  const cLeafAt = new Int32Array(T);
  let nSplit = 0;
  let nLeaf = 0;
  for (let t = 0; t < T; t++) {
    const end = t + 1 < T ? f.treeRoots[t + 1]! : n;
    let d = 0;
    let categorical = false;
    // Children follow their parents, so one forward pass gives every node's depth.
    for (let i = f.treeRoots[t]!; i < end; i++) {
      if (code[i]! < -1) categorical = true;
      if (code[i]! !== -1) nodeDepth[f.left[i]!] = nodeDepth[f.right[i]!] = nodeDepth[i]! + 1;
      else d = Math.max(d, nodeDepth[i]!);
    }
    depth[t] = categorical || d > MAX_COMPLETE_DEPTH ? -1 : d;
    cSplit[t] = nSplit;
    cLeafAt[t] = nLeaf;
    if (depth[t]! >= 0) {
      nSplit += (1 << d) - 1;
      nLeaf += 1 << d;
    }
  }
  const cFeat = new Int32Array(nSplit);
  const cThr = new Float64Array(nSplit);
  const cMissRight = new Uint8Array(nSplit);
  const cLeaf = new Int32Array(nLeaf);
  for (let t = 0; t < T; t++) {
    const d = depth[t]!;
    if (d < 0) continue;
    const so = cSplit[t]!;
    const lo = cLeafAt[t]!;
    const inner = (1 << d) - 1;
    // Explicit stack of (slot, node); a padded slot carries its leaf down to the bottom level.
    const stack: number[] = [0, f.treeRoots[t]!];
    while (stack.length > 0) {
      const node = stack.pop()!;
      const slot = stack.pop()!;
      if (slot >= inner) {
        cLeaf[lo + slot - inner] = node;
        continue;
      }
      if (code[node]! >= 0) {
        cFeat[so + slot] = code[node]!;
        cThr[so + slot] = f.threshold[node]!;
        cMissRight[so + slot] = missingRight[node]!;
        stack.push(2 * slot + 1, f.left[node]!, 2 * slot + 2, f.right[node]!);
      } else {
        cFeat[so + slot] = 0;
        cThr[so + slot] = Infinity;
        cMissRight[so + slot] = 0;
        stack.push(2 * slot + 1, node, 2 * slot + 2, node);
      }
    }
  }
  l = { code, kids, missingRight, depth, cSplit, cLeafAt, cFeat, cThr, cMissRight, cLeaf };
  layouts.set(f, l);
  return l;
}

