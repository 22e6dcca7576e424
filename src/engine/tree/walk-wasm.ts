// The wasm tree walk: complete-layout trees walked by the hand-assembled kernel of
// predict-wasm.ts over chunks of rows staged column-major in its memory; the other trees are
// walked in JS on the same staged rows. Sums see the same additions in the same order as the JS
// walk, so both give identical bits.

import type { Forest } from './forest.js';
import { SPLIT_BYTES, treeWalkKernel, type TreeWalkKernel } from './predict-wasm.js';
import { walkNodes } from './walk-js.js';
import { walkLayout, type WalkLayout } from './walk-layout.js';

/**
 * The wasm walk stages this many rows at a time, column-major, each column COLUMN_BYTES apart
 * (a cache line more than the rows need, so the columns do not all map to the same cache sets).
 * 512 rows of a few dozen features stay in L1/L2 while every tree passes over them (measured on
 * synth_binary, 28 features: 256 to 1024 rows the same within noise, 8192 about 10% slower).
 */
const WASM_CHUNK = 512;
const COLUMN_BYTES = WASM_CHUNK * 8 + 64;

/**
 * The complete-layout trees packed for the wasm kernel (SPLIT_BYTES records, then each tree's
 * leaf values), built once per forest and copied into a kernel's memory when it switches forests.
 */
interface WasmImage {
  bytes: Uint8Array;
  /** Per tree (complete layout only): byte offset of its split records. */
  splits: Int32Array;
  /** Per tree: its leaf values' byte offset, biased by -8 * outs * (2^depth - 1) (see walkFunction). */
  leaves: Int32Array;
  /** Per tree: values added per row (1 for a tree feeding one column, nOut for one feeding all). */
  outs: Int32Array;
  /** Per tree: byte offset of its first output column within a row of sums. */
  column: Int32Array;
}

const images = new WeakMap<Forest, WasmImage>();

function wasmImage(f: Forest, l: WalkLayout): WasmImage {
  let img = images.get(f);
  if (img) return img;
  const T = f.treeRoots.length;
  const splits = new Int32Array(T);
  const leaves = new Int32Array(T);
  const outs = new Int32Array(T);
  const column = new Int32Array(T);
  let size = 0;
  for (let t = 0; t < T; t++) {
    const d = l.depth[t]!;
    const g = f.treeGroup[t]!;
    outs[t] = g >= 0 ? 1 : f.nOut;
    column[t] = g >= 0 ? 8 * g : 0;
    if (d < 0) continue;
    splits[t] = size;
    size += SPLIT_BYTES * ((1 << d) - 1);
    leaves[t] = size - 8 * outs[t]! * ((1 << d) - 1);
    size += 8 * outs[t]! * (1 << d);
  }
  const buf = new ArrayBuffer(size);
  const f64 = new Float64Array(buf);
  const i32 = new Int32Array(buf);
  for (let t = 0; t < T; t++) {
    const d = l.depth[t]!;
    if (d < 0) continue;
    const inner = (1 << d) - 1;
    const so = l.cSplit[t]!;
    for (let j = 0; j < inner; j++) {
      const at = (splits[t]! + SPLIT_BYTES * j) >> 2;
      f64[at >> 1] = l.cThr[so + j]!;
      i32[at + 2] = COLUMN_BYTES * l.cFeat[so + j]!;
      i32[at + 3] = l.cMissRight[so + j]!;
    }
    const K = outs[t]!;
    const v0 = (leaves[t]! >> 3) + K * inner;
    const lo = l.cLeafAt[t]!;
    for (let j = 0; j < 1 << d; j++) {
      const node = l.cLeaf[lo + j]!;
      for (let c = 0; c < K; c++) f64[v0 + j * K + c] = f.value[node * f.nOut + c]!;
    }
  }
  img = { bytes: new Uint8Array(buf), splits, leaves, outs, column };
  images.set(f, img);
  return img;
}

let kernelOfThread: TreeWalkKernel | null | undefined;

/** This thread's wasm walk instance (made on first use), or null without WebAssembly. */
export function walkKernel(): TreeWalkKernel | null {
  if (kernelOfThread === undefined) kernelOfThread = treeWalkKernel();
  return kernelOfThread;
}

/**
 * predictRawJs with complete-layout trees walked in wasm, over chunks of WASM_CHUNK rows staged
 * column-major in the kernel's memory (one memcpy per column, and a tree pass reads only the
 * columns it splits on). Each chunk's running sums live in the kernel's memory too: they start
 * from `out`'s values, take every tree's leaf values in tree order (trees outside the complete
 * layout are walked in JS and added there as well) and are copied back, so each output entry sees
 * the same additions in the same order as the JS walk.
 */
export function predictRawWasm(k: TreeWalkKernel, forest: Forest, columns: readonly Float64Array[], from: number, to: number, out: Float64Array, subset: Uint32Array | null): void {
  const nF = columns.length;
  const G = forest.nGroups;
  const total = subset ? subset.length : nF > 0 ? columns[0]!.length : 0;
  if (total === 0 || to <= from) return;
  const layout = walkLayout(forest);
  const img = wasmImage(forest, layout);
  const cap = Math.min(WASM_CHUNK, total);
  // Memory: the forest image, the staged columns, the NaN flags, the row lists, then the sums.
  const stageAt = (img.bytes.length + 63) & ~63;
  const flagsAt = stageAt + Math.max(1, nF) * COLUMN_BYTES;
  const cleanAt = flagsAt + cap * 4;
  const missingAt = cleanAt + cap * 4;
  const accAt = (missingAt + cap * 4 + 63) & ~63;
  k.ensure(accAt + cap * G * 8);
  if (k.loaded !== img) {
    new Uint8Array(k.memory.buffer, 0, img.bytes.length).set(img.bytes);
    k.loaded = img;
  }
  const buf = k.memory.buffer;
  const stage = new Float64Array(buf, stageAt, (Math.max(1, nF) * COLUMN_BYTES) / 8);
  const acc = new Float64Array(buf, accAt, cap * G);
  const leafOf = new Int32Array(cap);
  const rowOf = new Int32Array(cap);
  const G8 = G * 8;
  const colStride = COLUMN_BYTES / 8;
  const { depth } = layout;
  const { splits, leaves, outs, column } = img;
  for (let s = 0; s < total; s += cap) {
    const m = Math.min(total, s + cap) - s;
    if (subset) {
      for (let j = 0; j < nF; j++) {
        const col = columns[j]!;
        const o = j * colStride;
        for (let i = 0; i < m; i++) stage[o + i] = col[subset[s + i]!]!;
      }
      for (let i = 0; i < m; i++) {
        const r = subset[s + i]! * G;
        for (let c = 0; c < G; c++) acc[i * G + c] = out[r + c]!;
      }
    } else {
      for (let j = 0; j < nF; j++) stage.set(columns[j]!.subarray(s, s + m), j * colStride);
      acc.set(out.subarray(s * G, (s + m) * G));
    }
    const nClean = k.scan(stageAt, COLUMN_BYTES, nF, m, flagsAt, cleanAt, missingAt);
    const nMissing = m - nClean;
    for (let t = from; t < to; t++) {
      const d = depth[t]!;
      if (d >= 0) {
        const K = outs[t]!;
        const a = accAt + column[t]!;
        if (K === 1) {
          if (nClean > 0) k.clean1(cleanAt, nClean, stageAt, 8, splits[t]!, d, leaves[t]!, a, G8, 1);
          if (nMissing > 0) k.missing1(missingAt, nMissing, stageAt, 8, splits[t]!, d, leaves[t]!, a, G8, 1);
        } else {
          if (nClean > 0) k.cleanN(cleanAt, nClean, stageAt, 8, splits[t]!, d, leaves[t]!, a, G8, K);
          if (nMissing > 0) k.missingN(missingAt, nMissing, stageAt, 8, splits[t]!, d, leaves[t]!, a, G8, K);
        }
      } else {
        walkNodes(forest, layout, forest.treeRoots[t]!, stage, 1, colStride, m, leafOf);
        addLeavesToBlock(forest, forest.treeGroup[t]!, leafOf, m, acc);
      }
    }
    if (subset) {
      for (let i = 0; i < m; i++) rowOf[i] = subset[s + i]!;
      for (let i = 0; i < m; i++) for (let c = 0; c < G; c++) out[rowOf[i]! * G + c] = acc[i * G + c]!;
    } else {
      out.set(acc.subarray(0, m * G), s * G);
    }
  }
}

/** addLeaves into a block's running sums (row i of the block at acc[i * nGroups]). */
function addLeavesToBlock(forest: Forest, group: number, leafOf: Int32Array, m: number, acc: Float64Array): void {
  const { value, nOut, nGroups } = forest;
  if (group >= 0) {
    for (let i = 0; i < m; i++) acc[i * nGroups + group] += value[leafOf[i]! * nOut]!;
  } else {
    for (let i = 0; i < m; i++) {
      const r = i * nGroups;
      const n = leafOf[i]! * nOut;
      for (let k = 0; k < nOut; k++) acc[r + k] += value[n + k]!;
    }
  }
}
