// The fitted ensemble as flat typed arrays (one record per node across all trees) and the
// prediction kernels that walk it on raw float features. This is what is saved and loaded; the
// grower's training structures never reach prediction. predictRaw walks trees in wasm
// (predict-wasm.ts) where the runtime has it, else in JavaScript; both give identical sums, and
// predict-parallel.ts spreads rows over threads.

import { SPLIT_BYTES, treeWalkKernel, type TreeWalkKernel } from './predict-wasm.js';

/** Node flag bits. */
export const DEFAULT_LEFT = 1;
export const CATEGORICAL = 2;

export interface Forest {
  /** Values per leaf: 1 for boosting trees and regression forests, nClasses for classification forests. */
  readonly nOut: number;
  /** Columns of the raw prediction (1, or nClasses for multiclass boosting and classification forests). */
  readonly nGroups: number;
  /** Split feature, -1 for a leaf. */
  readonly feature: Int32Array;
  /** Numeric split: value <= threshold goes left. Categorical split: offset of its bitset in catBits. */
  readonly threshold: Float64Array;
  readonly left: Int32Array;
  readonly right: Int32Array;
  /** nOut values per node (leaves predict these; inner nodes keep theirs for inspection). */
  readonly value: Float64Array;
  readonly flags: Uint8Array;
  /** Loss reduction of each split (0 at leaves). */
  readonly gain: Float64Array;
  /** Hessian (sample weight for forests) that reached each node in training. */
  readonly cover: Float64Array;
  /** Categorical bitsets: at each offset, the number of categories, then ceil(n / 32) words. */
  readonly catBits: Uint32Array;
  /** Root node of each tree. */
  readonly treeRoots: Int32Array;
  /** Raw prediction column each tree adds to; -1 adds all nOut values to columns 0..nOut-1. */
  readonly treeGroup: Int32Array;
}

/** One tree as the grower produces it, in node-creation order (node 0 is the root). */
export interface TreeNodes {
  feature: number[];
  threshold: number[];
  /** Categorical splits: the categories going left (mask over codes 0..n-1); null otherwise. */
  catLeft: (Uint8Array | null)[];
  left: number[];
  right: number[];
  defaultLeft: boolean[];
  gain: number[];
  cover: number[];
  /** nOut values per node. */
  value: number[];
}

export function emptyTree(): TreeNodes {
  return { feature: [], threshold: [], catLeft: [], left: [], right: [], defaultLeft: [], gain: [], cover: [], value: [] };
}

/** Accumulates trees into growable typed arrays; `finish` trims them into a Forest. */
export class ForestBuilder {
  private n = 0;
  private cap = 256;
  private feature = new Int32Array(this.cap);
  private threshold = new Float64Array(this.cap);
  private left = new Int32Array(this.cap);
  private right = new Int32Array(this.cap);
  private value: Float64Array;
  private flags = new Uint8Array(this.cap);
  private gain = new Float64Array(this.cap);
  private cover = new Float64Array(this.cap);
  private cat: number[] = [];
  private roots: number[] = [];
  private groups: number[] = [];

  constructor(
    readonly nOut: number,
    readonly nGroups: number,
  ) {
    this.value = new Float64Array(this.cap * nOut);
  }

  get treeCount(): number {
    return this.roots.length;
  }

  private grow(need: number): void {
    if (need <= this.cap) return;
    let cap = this.cap;
    while (cap < need) cap *= 2;
    const g = <T extends Int32Array | Float64Array | Uint8Array>(a: T, m = 1): T => {
      const b = new (a.constructor as new (n: number) => T)(cap * m);
      b.set(a);
      return b;
    };
    this.feature = g(this.feature);
    this.threshold = g(this.threshold);
    this.left = g(this.left);
    this.right = g(this.right);
    this.value = g(this.value, this.nOut);
    this.flags = g(this.flags);
    this.gain = g(this.gain);
    this.cover = g(this.cover);
    this.cap = cap;
  }

  /** Appends a tree; `group` is the raw prediction column it adds to (-1: all nOut columns). */
  addTree(t: TreeNodes, group: number): void {
    const m = t.feature.length;
    const base = this.n;
    this.grow(base + m);
    const K = this.nOut;
    for (let i = 0; i < m; i++) {
      const at = base + i;
      const f = t.feature[i]!;
      this.feature[at] = f;
      this.left[at] = f >= 0 ? base + t.left[i]! : -1;
      this.right[at] = f >= 0 ? base + t.right[i]! : -1;
      let fl = t.defaultLeft[i] ? DEFAULT_LEFT : 0;
      const mask = t.catLeft[i];
      if (f >= 0 && mask) {
        fl |= CATEGORICAL;
        this.threshold[at] = this.cat.length;
        this.cat.push(mask.length);
        const words = (mask.length + 31) >>> 5;
        const w0 = this.cat.length;
        for (let w = 0; w < words; w++) this.cat.push(0);
        for (let c = 0; c < mask.length; c++) if (mask[c]) this.cat[w0 + (c >>> 5)] = (this.cat[w0 + (c >>> 5)]! | (1 << (c & 31))) >>> 0;
      } else {
        this.threshold[at] = f >= 0 ? t.threshold[i]! : 0;
      }
      this.flags[at] = fl;
      this.gain[at] = t.gain[i]!;
      this.cover[at] = t.cover[i]!;
      for (let k = 0; k < K; k++) this.value[at * K + k] = t.value[i * K + k]!;
    }
    this.n += m;
    this.roots.push(base);
    this.groups.push(group);
  }

  finish(): Forest {
    const n = this.n;
    return {
      nOut: this.nOut,
      nGroups: this.nGroups,
      feature: this.feature.slice(0, n),
      threshold: this.threshold.slice(0, n),
      left: this.left.slice(0, n),
      right: this.right.slice(0, n),
      value: this.value.slice(0, n * this.nOut),
      flags: this.flags.slice(0, n),
      gain: this.gain.slice(0, n),
      cover: this.cover.slice(0, n),
      catBits: Uint32Array.from(this.cat),
      treeRoots: Int32Array.from(this.roots),
      treeGroup: Int32Array.from(this.groups),
    };
  }
}

/**
 * Rows are copied row-major in blocks this size, and every tree walks the whole block before the
 * next tree starts, so the block and one tree's nodes stay in cache (128 to 1024 measured the same).
 */
const BLOCK = 256;

/**
 * The wasm walk stages this many rows at a time, column-major, each column COLUMN_BYTES apart
 * (a cache line more than the rows need, so the columns do not all map to the same cache sets).
 * 512 rows of a few dozen features stay in L1/L2 while every tree passes over them (measured on
 * synth_binary, 28 features: 256 to 1024 rows the same within noise, 8192 about 10% slower).
 */
const WASM_CHUNK = 512;
const COLUMN_BYTES = WASM_CHUNK * 8 + 64;

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
interface WalkLayout {
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

function walkLayout(f: Forest): WalkLayout {
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

/** Which walk predictRaw runs: 'auto' takes wasm when the runtime has it; both give identical sums. */
export type PredictKernel = 'auto' | 'js' | 'wasm';

/** Whether this runtime can run the wasm walk. */
export function wasmWalkAvailable(): boolean {
  return walkKernel() !== null;
}

/** Trees [from, to) must exist: trees past the end would walk memory that belongs to no tree. */
export function checkTreeRange(forest: Forest, from: number, to: number, who: string): void {
  if (!(from >= 0 && from <= to && to <= forest.treeRoots.length)) {
    throw new RangeError(`${who}: trees [${from}, ${to}) are outside the forest's ${forest.treeRoots.length}`);
  }
}

/**
 * Adds the outputs of trees [from, to) to `out` (rows x nGroups, row-major), for all rows of
 * `columns`, or only rows `subset` (out still indexed by the original row).
 */
export function predictRaw(
  forest: Forest,
  columns: readonly Float64Array[],
  from: number,
  to: number,
  out: Float64Array,
  subset: Uint32Array | null = null,
  kernel: PredictKernel = 'auto',
): void {
  checkTreeRange(forest, from, to, 'predictRaw');
  const k = kernel === 'js' ? null : walkKernel();
  if (kernel === 'wasm' && !k) throw new Error('predictRaw: this runtime has no WebAssembly');
  if (k) predictRawWasm(k, forest, columns, from, to, out, subset);
  else predictRawJs(forest, columns, from, to, out, subset);
}

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

function predictRawJs(forest: Forest, columns: readonly Float64Array[], from: number, to: number, out: Float64Array, subset: Uint32Array | null): void {
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
function walkKernel(): TreeWalkKernel | null {
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
function predictRawWasm(k: TreeWalkKernel, forest: Forest, columns: readonly Float64Array[], from: number, to: number, out: Float64Array, subset: Uint32Array | null): void {
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
function walkNodes(forest: Forest, layout: WalkLayout, root: number, block: Float64Array, rowStride: number, featureStride: number, m: number, leafOf: Int32Array): void {
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

export interface TreeImportance {
  gain: Float64Array;
  split: Float64Array;
  cover: Float64Array;
}

/** Total gain, number of splits and total cover per feature over trees [0, nTrees). */
export function featureImportance(forest: Forest, nFeatures: number, nTrees: number): TreeImportance {
  const gain = new Float64Array(nFeatures);
  const split = new Float64Array(nFeatures);
  const cover = new Float64Array(nFeatures);
  const end = nTrees < forest.treeRoots.length ? forest.treeRoots[nTrees]! : forest.feature.length;
  for (let n = 0; n < end; n++) {
    const f = forest.feature[n]!;
    if (f < 0) continue;
    gain[f] += forest.gain[n]!;
    split[f] += 1;
    cover[f] += forest.cover[n]!;
  }
  return { gain, split, cover };
}

/** Checks the internal consistency of a loaded forest, so a corrupt artifact fails on load, not in a walk. */
export function validateForest(f: Forest, nFeatures: number): string | null {
  const n = f.feature.length;
  if (f.threshold.length !== n || f.left.length !== n || f.right.length !== n || f.flags.length !== n || f.gain.length !== n || f.cover.length !== n) {
    return 'node arrays differ in length';
  }
  if (f.value.length !== n * f.nOut) return 'value array has the wrong length';
  if (f.treeRoots.length !== f.treeGroup.length) return 'treeRoots and treeGroup differ in length';
  for (let i = 0; i < n; i++) {
    const ft = f.feature[i]!;
    if (ft >= nFeatures) return `node ${i} splits on feature ${ft} of ${nFeatures}`;
    if (ft >= 0) {
      // Children always come after their parent, which also rules out cycles.
      if (f.left[i]! <= i || f.left[i]! >= n || f.right[i]! <= i || f.right[i]! >= n) return `node ${i} has children out of range`;
      if (f.flags[i]! & CATEGORICAL) {
        const off = f.threshold[i]!;
        if (!(off >= 0 && off < f.catBits.length) || off + 1 + ((f.catBits[off]! + 31) >>> 5) > f.catBits.length) return `node ${i} has a bad category set`;
      }
    }
  }
  for (let t = 0; t < f.treeRoots.length; t++) {
    const r = f.treeRoots[t]!;
    if (r < 0 || r >= n) return `tree ${t} root out of range`;
    if (f.treeGroup[t]! >= f.nGroups) return `tree ${t} output column out of range`;
  }
  return null;
}
