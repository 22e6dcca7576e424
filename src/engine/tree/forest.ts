// The fitted ensemble as flat typed arrays, one record per node across all trees: what every tree
// model (boosting, random forest, single tree) saves, loads and predicts with. The grower's
// training structures never reach this form; ForestBuilder appends grown trees to it, and
// validateForest checks a loaded one before any walk reads it.

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

/** A forest of the one tree `nodes` (a round's tree predicted alone, a tree's out-of-bag rows). */
export function singleTreeForest(nodes: TreeNodes, nOut: number, nGroups: number, group: number): Forest {
  const b = new ForestBuilder(nOut, nGroups);
  b.addTree(nodes, group);
  return b.finish();
}

/** Trees [from, to) must exist: trees past the end would walk memory that belongs to no tree. */
export function checkTreeRange(forest: Forest, from: number, to: number, who: string): void {
  if (!(from >= 0 && from <= to && to <= forest.treeRoots.length)) {
    throw new RangeError(`${who}: trees [${from}, ${to}) are outside the forest's ${forest.treeRoots.length}`);
  }
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
