// Grows one tree on binned data: depth-wise (breadth first, max_depth) or leaf-wise (best gain
// first, num_leaves), shared by boosting, random forests and the single decision tree. Rows are
// partitioned in place in one index buffer, so each leaf owns a contiguous range of it.

import type { Rng } from '../random.js';
import type { BinnedData } from './binning.js';
import { decodePacked, subtractHistogram, type GradientSet } from './histogram.js';
import { unpack } from './quantize.js';
import { serialHistograms, type HistogramBuilder } from './parallel.js';
import { leafSums, mapLeaves, NO_LEAF } from './round-rows.js';
import { emptyTree, type TreeNodes } from './forest.js';
import { leafWeight, newCandidate, SplitFinder, type SparseBins, type SplitCandidate, type SplitParams } from './split.js';

/** Nodes with at most this many rows get sparse histograms when features are drawn per node. */
const SPARSE_ROWS = 96;

export interface GrowerParams extends SplitParams {
  /** 0 = unlimited. */
  readonly maxDepth: number;
  /** 0 = unlimited. */
  readonly maxLeaves: number;
  /** Expand the leaf with the best gain first (LightGBM's leaf-wise growth) instead of level by level. */
  readonly lossguide: boolean;
  readonly minSamplesSplit: number;
  /** Multiplies every leaf value (boosting's shrinkage; 1 for forests). */
  readonly learningRate: number;
  /** Features drawn at random for each node (random forests); 0 = all active features. */
  readonly maxFeatures: number;
}

/** A grown tree plus, for each leaf, the range of the index buffer holding its training rows. */
export interface GrownTree {
  readonly nodes: TreeNodes;
  readonly nLeaves: number;
  readonly leafNode: Int32Array;
  readonly leafStart: Int32Array;
  readonly leafEnd: Int32Array;
  /**
   * Row -> leaf index (into leafNode), NO_LEAF for rows not grown on; set by boosting's quantized
   * path (in the caller's buffer if given, else valid until the next `grow`).
   */
  readonly leafOf: Uint16Array | null;
}

interface Pending {
  id: number;
  start: number;
  end: number;
  depth: number;
  G: Float64Array;
  H: number;
  C: number;
  hist: Float64Array | null;
  split: SplitCandidate;
}

export class TreeGrower {
  private readonly finder: SplitFinder;
  private readonly totalBins: number;
  private readonly pools = new Map<number, Float64Array[]>();
  private decoded: Float64Array | null = null;
  private histSize = 0;
  private tmp: Uint32Array;
  private readonly nodeFeatures: Int32Array;
  private readonly featurePool: Int32Array;
  private sparse: SparseBins = { bins: new Int32Array(0), start: new Int32Array(0) };
  private leafOf = new Uint16Array(0);

  constructor(
    private readonly data: BinnedData,
    private readonly nOut: number,
    private readonly p: GrowerParams,
    /** Where node histograms are built: in this thread unless a worker-backed builder is given. */
    private readonly histograms: HistogramBuilder = serialHistograms(data),
  ) {
    this.finder = new SplitFinder(data, nOut, p);
    this.totalBins = data.offsets[data.nFeatures]!;
    this.tmp = new Uint32Array(0);
    this.nodeFeatures = new Int32Array(data.nFeatures);
    this.featurePool = new Int32Array(data.nFeatures);
  }

  private acquire(): Float64Array {
    return this.pools.get(this.histSize)?.pop() ?? this.histograms.newHistogram?.(this.histSize) ?? new Float64Array(this.histSize);
  }

  private release(h: Float64Array | null): void {
    if (!h) return;
    let pool = this.pools.get(h.length);
    if (!pool) this.pools.set(h.length, (pool = []));
    pool.push(h);
  }

  private canSplit(depth: number, H: number, rows: number): boolean {
    const p = this.p;
    if (p.maxDepth > 0 && depth >= p.maxDepth) return false;
    if (rows < Math.max(p.minSamplesSplit, 2 * p.minSamplesLeaf, 2)) return false;
    return H >= 2 * p.minChildWeight;
  }

  /**
   * Grows a tree on rows idx[0..nRows) (reordered in place) using the active `features`
   * (null = all; boosting's colsample_bytree). `rng` draws the per-node features of forests.
   * Quantized fits write the row -> leaf map to `leafOf` when given (one slot per data row).
   */
  grow(gs: GradientSet, idx: Uint32Array, nRows: number, features: Int32Array | null, nActive: number, rng: Rng | null, leafOf?: Uint16Array): GrownTree {
    const K = this.nOut;
    const p = this.p;
    const nF = this.data.nFeatures;
    const activeCount = features === null ? nF : nActive;
    const perNode = p.maxFeatures > 0 && p.maxFeatures < activeCount && rng !== null;
    const packed = gs.packed && K === 1 && !gs.classOf ? gs.packed : null;
    const gScale = gs.gScale ?? 1;
    const hScale = gs.hScale ?? 1;
    // Quantized histograms keep one float per bin and are decoded per node for the split scan.
    const S = packed ? 1 : K + 2;
    this.histSize = this.totalBins * S;
    if (packed && !this.decoded) this.decoded = new Float64Array(this.totalBins * 3);
    if (this.tmp.length < nRows) this.tmp = this.data.arena ? this.data.arena.u32(nRows) : new Uint32Array(nRows);
    const tree = emptyTree();
    const leafNode: number[] = [];
    const leafStart: number[] = [];
    const leafEnd: number[] = [];

    // Root sums straight from the rows, so every later sum descends from exact totals.
    const G = new Float64Array(K);
    let H = 0;
    const C = nRows;
    const { grad, hess, classOf } = gs;
    if (packed) {
      // Split gains compare quantized sums with quantized sums, so the root uses them too.
      let sum = gs.packedTotal;
      if (sum === undefined) {
        sum = 0;
        for (let i = 0; i < nRows; i++) sum += packed[idx[i]!]!;
      }
      const [gq, hq] = unpack(sum);
      G[0] = gq * gScale;
      H = hq * hScale;
    } else {
      for (let i = 0; i < nRows; i++) {
        const r = idx[i]!;
        H += hess[r]!;
        if (classOf) G[classOf[r]!] -= hess[r]!;
        else if (K === 1) G[0] += grad[r]!;
        else for (let k = 0; k < K; k++) G[k] += grad[r * K + k]!;
      }
    }
    const addNode = (g: Float64Array, h: number): number => {
      const id = tree.feature.length;
      tree.feature.push(-1);
      tree.threshold.push(0);
      tree.catLeft.push(null);
      tree.left.push(-1);
      tree.right.push(-1);
      tree.defaultLeft.push(false);
      tree.gain.push(0);
      tree.cover.push(h);
      for (let k = 0; k < K; k++) tree.value.push(leafWeight(g[k]!, h, p.lambda, p.alpha) * p.learningRate);
      return id;
    };

    /** A packed node's rows per hessian level, for the estimated bin counts (decodePacked). */
    const rowsPerLevel = (node: Pending): number => {
      const levels = node.H / hScale;
      return levels > 0 ? (node.end - node.start) / levels : 0;
    };
    const pending: Pending[] = [];
    // Finds a node's best split; returns whether it is worth queueing.
    const prepare = (node: Pending): boolean => {
      if (!packed && node.hist === null && node.end - node.start <= SPARSE_ROWS) {
        let m = activeCount;
        if (perNode) m = this.sampleFeatures(features, activeCount, p.maxFeatures, rng);
        else for (let a = 0; a < m; a++) this.nodeFeatures[a] = features === null ? a : features[a]!;
        const h = this.acquire();
        const sparse = this.sparseHistogram(gs, idx, node.start, node.end, m, h);
        this.finder.find(h, this.nodeFeatures, m, node.G, node.H, node.C, node.split, sparse);
        this.release(h);
      } else if (perNode) {
        const m = this.sampleFeatures(features, activeCount, p.maxFeatures, rng);
        const h = this.acquire();
        this.histograms.build(gs, idx, node.start, node.end, this.nodeFeatures, m, h);
        if (packed) decodePacked(this.data, h, gScale, hScale, rowsPerLevel(node), this.nodeFeatures, m, this.decoded!);
        this.finder.find(packed ? this.decoded! : h, this.nodeFeatures, m, node.G, node.H, node.C, node.split);
        this.release(h);
      } else {
        if (packed) decodePacked(this.data, node.hist!, gScale, hScale, rowsPerLevel(node), features, nActive, this.decoded!);
        this.finder.find(packed ? this.decoded! : node.hist!, features, nActive, node.G, node.H, node.C, node.split);
      }
      return node.split.feature >= 0;
    };
    const makeLeaf = (node: Pending): void => {
      this.release(node.hist);
      node.hist = null;
      leafNode.push(node.id);
      leafStart.push(node.start);
      leafEnd.push(node.end);
    };

    const root: Pending = { id: addNode(G, H), start: 0, end: nRows, depth: 0, G, H, C, hist: null, split: newCandidate(K) };
    let nLeaves = 1;
    if (this.canSplit(0, H, nRows)) {
      if (!perNode) {
        root.hist = this.acquire();
        this.histograms.build(gs, idx, 0, nRows, features, nActive, root.hist);
      }
      if (prepare(root)) pending.push(root);
      else makeLeaf(root);
    } else makeLeaf(root);

    while (pending.length > 0) {
      if (p.maxLeaves > 0 && nLeaves >= p.maxLeaves) break;
      let node: Pending;
      if (p.lossguide) {
        let bi = 0;
        for (let i = 1; i < pending.length; i++) if (pending[i]!.split.gain > pending[bi]!.split.gain) bi = i;
        node = pending[bi]!;
        pending.splice(bi, 1);
      } else if (p.maxLeaves > 0) node = pending.shift()!;
      else node = pending.pop()!; // depth first keeps only O(depth) histograms alive
      const s = node.split;
      const mid = this.partition(idx, node.start, node.end, s);
      const f = s.feature;
      tree.feature[node.id] = f;
      tree.defaultLeft[node.id] = s.defaultLeft;
      tree.gain[node.id] = s.gain;
      if (s.catLeft) tree.catLeft[node.id] = this.codeMask(f, s.catLeft, s.defaultLeft);
      else {
        // The last value bin has no upper edge: a split there sends every value left, missing right.
        const edges = this.data.mapper.thresholds[f]!;
        tree.threshold[node.id] = s.bin < edges.length ? edges[s.bin]! : Infinity;
      }
      const gl = Float64Array.from(s.gl);
      const gr = new Float64Array(K);
      for (let k = 0; k < K; k++) gr[k] = node.G[k]! - gl[k]!;
      const rowsL = mid - node.start;
      const rowsR = node.end - mid;
      const hl = s.hl;
      const hr = node.H - hl;
      const depth = node.depth + 1;
      const L: Pending = { id: addNode(gl, hl), start: node.start, end: mid, depth, G: gl, H: hl, C: rowsL, hist: null, split: newCandidate(K) };
      const R: Pending = { id: addNode(gr, hr), start: mid, end: node.end, depth, G: gr, H: hr, C: rowsR, hist: null, split: newCandidate(K) };
      tree.left[node.id] = L.id;
      tree.right[node.id] = R.id;
      nLeaves += 1;
      const splitL = this.canSplit(depth, hl, rowsL);
      const splitR = this.canSplit(depth, hr, rowsR);
      // Two small children are cheaper with sparse histograms than with a dense build and a subtraction.
      const bothSparse = !packed && rowsL <= SPARSE_ROWS && rowsR <= SPARSE_ROWS;
      if (!perNode && !bothSparse && (splitL || splitR)) {
        // Build the smaller child; the larger is the parent minus it, written over the parent's buffer.
        const small = rowsL <= rowsR ? L : R;
        const large = small === L ? R : L;
        small.hist = this.acquire();
        this.histograms.build(gs, idx, small.start, small.end, features, nActive, small.hist);
        subtractHistogram(this.data, S, node.hist!, small.hist, features, nActive, node.hist!);
        large.hist = node.hist;
      } else this.release(node.hist);
      node.hist = null;
      for (const [child, ok] of [[L, splitL], [R, splitR]] as const) {
        if (ok && prepare(child)) pending.push(child);
        else makeLeaf(child);
      }
    }
    for (const node of pending) makeLeaf(node);
    let map: Uint16Array | null = null;
    if (packed && leafNode.length < NO_LEAF) {
      // Leaf values from the exact gradients: quantization only steers the choice of splits. A
      // row -> leaf map turns the scattered reads of each leaf's rows into sequential passes.
      map = this.leafMap(idx, nRows, leafStart, leafEnd, leafOf);
      const nL = leafNode.length;
      const g = new Float64Array(nL);
      const h = new Float64Array(nL);
      if (!this.histograms.leafSums?.(map, grad, hess, nL, g, h)) leafSums(map, grad, hess, nL, g, h);
      for (let l = 0; l < nL; l++) {
        const id = leafNode[l]!;
        tree.value[id] = leafWeight(g[l]!, h[l]!, p.lambda, p.alpha) * p.learningRate;
        tree.cover[id] = h[l]!;
      }
    } else if (packed) {
      for (let l = 0; l < leafNode.length; l++) {
        let g = 0;
        let h = 0;
        for (let i = leafStart[l]!; i < leafEnd[l]!; i++) {
          const r = idx[i]!;
          g += grad[r]!;
          h += hess[r]!;
        }
        const id = leafNode[l]!;
        tree.value[id] = leafWeight(g, h, p.lambda, p.alpha) * p.learningRate;
        tree.cover[id] = h;
      }
    }
    return {
      nodes: tree,
      nLeaves: leafNode.length,
      leafNode: Int32Array.from(leafNode),
      leafStart: Int32Array.from(leafStart),
      leafEnd: Int32Array.from(leafEnd),
      leafOf: map,
    };
  }

  /**
   * A categorical split's left-going set over category codes, as the model stores it: the mask over
   * bins itself, or, where rare categories share a bin, each code's bin's side (codes in the missing
   * bin, which no training row has, follow the default direction).
   */
  private codeMask(f: number, binMask: Uint8Array, defaultLeft: boolean): Uint8Array {
    const map = this.data.mapper.categoryBins?.[f];
    if (!map) return binMask;
    const nv = this.data.nBins[f]! - 1;
    return Uint8Array.from(map, (b) => (b === nv ? (defaultLeft ? 1 : 0) : binMask[b]!));
  }

  /** leafOf[row] = the leaf holding it, NO_LEAF for rows outside idx[0..nRows). */
  private leafMap(idx: Uint32Array, nRows: number, leafStart: number[], leafEnd: number[], out?: Uint16Array): Uint16Array {
    const n = this.data.rows;
    if (!out && this.leafOf.length !== n) this.leafOf = new Uint16Array(n);
    const leafOf = out ?? this.leafOf;
    if (nRows < n) leafOf.fill(NO_LEAF);
    const nL = leafStart.length;
    const ranges = new Int32Array(3 * nL);
    for (let l = 0; l < nL; l++) {
      ranges[3 * l] = leafStart[l]!;
      ranges[3 * l + 1] = leafEnd[l]!;
      ranges[3 * l + 2] = l;
    }
    if (!this.histograms.leafMap?.(idx, nRows, ranges, nL, leafOf)) mapLeaves(idx, ranges, nL, 0, nRows, leafOf);
    return leafOf;
  }

  /**
   * Histogram of a small node over the sampled features, touching only the bins its rows occupy
   * (plus each feature's missing bin); returns those bins per feature for the sparse split scan.
   * Bins it does not list may hold stale sums and must not be read.
   */
  private sparseHistogram(gs: GradientSet, idx: Uint32Array, start: number, end: number, m: number, hist: Float64Array): SparseBins {
    const { bins, nFeatures: nF, offsets: off, nBins } = this.data;
    const K = this.nOut;
    const S = K + 2;
    const rows = end - start;
    if (this.sparse.bins.length < rows * m) this.sparse = { bins: new Int32Array(rows * m * 2), start: new Int32Array(nF + 1) };
    const list = this.sparse.bins;
    const st = this.sparse.start;
    const cat = this.data.mapper.categorical;
    const { grad, hess, classOf } = gs;
    let w = 0;
    for (let a = 0; a < m; a++) {
      const j = this.nodeFeatures[a]!;
      st[a] = w;
      if (cat[j]) {
        hist.fill(0, off[j]! * S, off[j + 1]! * S);
      } else {
        // Distinct occupied bins, ascending (insertion sort: nodes here are small).
        for (let i = start; i < end; i++) {
          const b = bins[idx[i]! * nF + j]!;
          let k = w;
          while (k > st[a]! && list[k - 1]! > b) k--;
          if (k > st[a]! && list[k - 1] === b) continue;
          list.copyWithin(k + 1, k, w);
          list[k] = b;
          w++;
        }
        for (let k = st[a]!; k < w; k++) hist.fill(0, (off[j]! + list[k]!) * S, (off[j]! + list[k]! + 1) * S);
        const miss = off[j]! + nBins[j]! - 1;
        hist.fill(0, miss * S, (miss + 1) * S);
      }
      for (let i = start; i < end; i++) {
        const r = idx[i]!;
        const o = (off[j]! + bins[r * nF + j]!) * S;
        const h = hess[r]!;
        if (classOf) hist[o + classOf[r]!] -= h;
        else for (let k = 0; k < K; k++) hist[o + k] += grad[r * K + k]!;
        hist[o + K] += h;
        hist[o + K + 1] += 1;
      }
    }
    st[m] = w;
    return this.sparse;
  }

  /** Draws m features without replacement from the active set into nodeFeatures. */
  private sampleFeatures(features: Int32Array | null, activeCount: number, m: number, rng: Rng | null): number {
    const pool = this.featurePool;
    for (let a = 0; a < activeCount; a++) pool[a] = features === null ? a : features[a]!;
    for (let a = 0; a < m; a++) {
      const b = a + (rng ? rng.int(activeCount - a) : 0);
      const t = pool[a]!;
      pool[a] = pool[b]!;
      pool[b] = t;
      this.nodeFeatures[a] = pool[a]!;
    }
    return m;
  }

  /** Stable in-place partition of idx[start..end) by the split; returns where the right rows begin. */
  private partition(idx: Uint32Array, start: number, end: number, s: SplitCandidate): number {
    const f = s.feature;
    const nv = this.data.nBins[f]! - 1;
    // A bin column keeps this scan in cache; packed rows are the fallback (workers' copies lack columns).
    const col = this.data.columns?.[f];
    const bins = col ?? this.data.bins;
    const stride = col ? 1 : this.data.nFeatures;
    const at = col ? 0 : f;
    const tmp = this.tmp;
    const dl = s.defaultLeft;
    const mask = s.catLeft;
    // Builders on the wasm arena partition with their kernel (and threads); -1 leaves it to us.
    if (col) {
      const mid = this.histograms.partition?.(idx, start, end, s, col, nv, tmp) ?? -1;
      if (mid >= 0) return mid;
    }
    let w = start;
    let t = 0;
    if (mask) {
      for (let i = start; i < end; i++) {
        const r = idx[i]!;
        const b = bins[r * stride + at]!;
        if (b === nv ? dl : mask[b] === 1) idx[w++] = r;
        else tmp[t++] = r;
      }
    } else {
      const thr = s.bin;
      for (let i = start; i < end; i++) {
        const r = idx[i]!;
        const b = bins[r * stride + at]!;
        if (b === nv ? dl : b <= thr) idx[w++] = r;
        else tmp[t++] = r;
      }
    }
    idx.set(tmp.subarray(0, t), w);
    return w;
  }
}
