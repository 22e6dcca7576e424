// The fitted ensemble as flat typed arrays (one record per node across all trees) and the
// prediction kernels that walk it on raw float features. This is what is saved and loaded; the
// grower's training structures never reach prediction.

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

/** Rows are copied row-major in blocks this size so a tree walk reads one row from one cache line run. */
const BLOCK = 2048;

/**
 * The walk-friendly form of a forest: `code` >= 0 is a numeric split feature, -1 a leaf, <= -2 a
 * categorical split on feature -(code + 2); children are interleaved so the next node is
 * kids[2n + (go right ? 1 : 0)], which compiles without a hard-to-predict branch.
 */
interface WalkLayout {
  code: Int32Array;
  kids: Int32Array;
  /** 0 when missing values go left, 1 when right. */
  missingRight: Uint8Array;
  /** Split feature, 0 at leaves (whose kids point back to themselves, so extra steps stay put). */
  feat: Int32Array;
  /** Per tree: its depth, or -1 when it has categorical splits (walked node by node instead). */
  depth: Int32Array;
}

const layouts = new WeakMap<Forest, WalkLayout>();

function walkLayout(f: Forest): WalkLayout {
  let l = layouts.get(f);
  if (l) return l;
  const n = f.feature.length;
  const code = new Int32Array(n);
  const kids = new Int32Array(2 * n);
  const missingRight = new Uint8Array(n);
  const feat = new Int32Array(n);
  const nodeDepth = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const ft = f.feature[i]!;
    code[i] = ft < 0 ? -1 : f.flags[i]! & CATEGORICAL ? -(ft + 2) : ft;
    feat[i] = ft < 0 ? 0 : ft;
    kids[2 * i] = ft < 0 ? i : f.left[i]!;
    kids[2 * i + 1] = ft < 0 ? i : f.right[i]!;
    missingRight[i] = f.flags[i]! & DEFAULT_LEFT ? 0 : 1;
  }
  const T = f.treeRoots.length;
  const depth = new Int32Array(T);
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
    depth[t] = categorical ? -1 : d;
  }
  l = { code, kids, missingRight, feat, depth };
  layouts.set(f, l);
  return l;
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
): void {
  const nF = columns.length;
  const total = subset ? subset.length : nF > 0 ? columns[0]!.length : 0;
  const block = new Float64Array(Math.min(BLOCK, Math.max(1, total)) * Math.max(1, nF));
  const leafOf = new Int32Array(Math.min(BLOCK, Math.max(1, total)));
  const { threshold, value, catBits, treeRoots, treeGroup, nOut, nGroups } = forest;
  const { code, kids, missingRight, feat, depth } = walkLayout(forest);
  for (let s = 0; s < total; s += BLOCK) {
    const e = Math.min(total, s + BLOCK);
    const m = e - s;
    for (let j = 0; j < nF; j++) {
      const col = columns[j]!;
      if (subset) for (let i = 0; i < m; i++) block[i * nF + j] = col[subset[s + i]!]!;
      else for (let i = 0; i < m; i++) block[i * nF + j] = col[s + i]!;
    }
    for (let t = from; t < to; t++) {
      const root = treeRoots[t]!;
      const d = depth[t]!;
      let i = 0;
      if (d >= 0) {
        // Numeric trees: walk four rows in lockstep for exactly `d` steps; the four independent
        // chains of loads overlap, and finished rows idle on their leaf.
        for (; i + 4 <= m; i += 4) {
          const x0 = i * nF;
          const x1 = x0 + nF;
          const x2 = x1 + nF;
          const x3 = x2 + nF;
          let n0 = root;
          let n1 = root;
          let n2 = root;
          let n3 = root;
          for (let s2 = 0; s2 < d; s2++) {
            const v0 = block[x0 + feat[n0]!]!;
            const v1 = block[x1 + feat[n1]!]!;
            const v2 = block[x2 + feat[n2]!]!;
            const v3 = block[x3 + feat[n3]!]!;
            n0 = kids[2 * n0 + (v0 > threshold[n0]! ? 1 : v0 === v0 ? 0 : missingRight[n0]!)]!;
            n1 = kids[2 * n1 + (v1 > threshold[n1]! ? 1 : v1 === v1 ? 0 : missingRight[n1]!)]!;
            n2 = kids[2 * n2 + (v2 > threshold[n2]! ? 1 : v2 === v2 ? 0 : missingRight[n2]!)]!;
            n3 = kids[2 * n3 + (v3 > threshold[n3]! ? 1 : v3 === v3 ? 0 : missingRight[n3]!)]!;
          }
          leafOf[i] = n0;
          leafOf[i + 1] = n1;
          leafOf[i + 2] = n2;
          leafOf[i + 3] = n3;
        }
      }
      for (; i < m; i++) {
        const xb = i * nF;
        let n = root;
        let c = code[n]!;
        while (c !== -1) {
          if (c >= 0) {
            const v = block[xb + c]!;
            n = v === v ? kids[2 * n + (v > threshold[n]! ? 1 : 0)]! : kids[2 * n + missingRight[n]!]!;
          } else {
            const v = block[xb - c - 2]!;
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
      const group = treeGroup[t]!;
      for (let i = 0; i < m; i++) {
        const row = subset ? subset[s + i]! : s + i;
        const n = leafOf[i]!;
        if (group >= 0) out[row * nGroups + group] += value[n * nOut]!;
        else for (let k = 0; k < nOut; k++) out[row * nGroups + k] += value[n * nOut + k]!;
      }
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
