// Best split of a node from its histogram: XGBoost's regularised gain, a learned default direction
// for missing values, and categorical partitions found by sorting categories by gradient/hessian
// (LightGBM's method) or one-vs-rest when a feature has few categories (max_cat_to_onehot).

import type { BinnedData } from './binning.js';

export interface SplitParams {
  /** L2 penalty on leaf values (XGBoost reg_lambda). */
  readonly lambda: number;
  /** L1 penalty on leaf values (XGBoost reg_alpha). */
  readonly alpha: number;
  /** Minimum gain for a split to be made (XGBoost gamma). */
  readonly gamma: number;
  readonly minChildWeight: number;
  readonly minSamplesLeaf: number;
  /** Categorical features with at most this many categories present are split one-vs-rest. */
  readonly maxCatToOnehot: number;
  /** Most categories allowed on the left side of a sorted categorical partition. */
  readonly maxCatThreshold: number;
  /** Added to the hessian when ordering categories, so rare categories do not sort to the ends. */
  readonly catSmooth: number;
}

/** The best split found for a node; `feature` is -1 when no split has positive gain. */
export interface SplitCandidate {
  gain: number;
  feature: number;
  /** Numeric: value bins <= bin go left. */
  bin: number;
  /** Categorical: mask over the feature's value bins, 1 = goes left. */
  catLeft: Uint8Array | null;
  defaultLeft: boolean;
  /** Left child sums: gradient channels, hessian, rows. */
  readonly gl: Float64Array;
  hl: number;
  cl: number;
}

export function newCandidate(nOut: number): SplitCandidate {
  return { gain: 0, feature: -1, bin: 0, catLeft: null, defaultLeft: false, gl: new Float64Array(nOut), hl: 0, cl: 0 };
}

/** Soft-thresholds a gradient sum by the L1 penalty. */
function l1(g: number, alpha: number): number {
  if (alpha === 0) return g;
  if (g > alpha) return g - alpha;
  if (g < -alpha) return g + alpha;
  return 0;
}

/** Leaf value that minimises the regularised second-order loss (before the learning rate). */
export function leafWeight(g: number, h: number, lambda: number, alpha: number): number {
  const d = h + lambda;
  // 0 - x rather than -x, so an empty gradient gives +0 (not -0) in saved trees.
  return d > 0 ? 0 - l1(g, alpha) / d : 0;
}

/**
 * For small nodes: per active feature a, the distinct bins its rows occupy, ascending, in
 * bins[start[a]..start[a + 1]). Lets the scan skip the hundreds of empty bins of a small node.
 */
export interface SparseBins {
  bins: Int32Array;
  start: Int32Array;
}

/** Evaluates splits of one node; owns scratch buffers so scanning allocates nothing. */
export class SplitFinder {
  private readonly K: number;
  private readonly S: number;
  private readonly gl: Float64Array;
  private readonly gm: Float64Array;
  private readonly gt: Float64Array;
  private readonly order: Int32Array;
  private readonly key: Float64Array;
  /**
   * Rows a child needs. One row is already implied by the positive hessian every child must have,
   * so the check runs only when more are asked for; then the counts of quantized fits are the
   * hessian-share estimates of decodePacked.
   */
  private readonly minC: number;

  constructor(
    private readonly data: BinnedData,
    nOut: number,
    private readonly p: SplitParams,
  ) {
    this.K = nOut;
    this.S = nOut + 2;
    this.gl = new Float64Array(nOut);
    this.gm = new Float64Array(nOut);
    this.gt = new Float64Array(nOut);
    let maxBins = 1;
    for (let j = 0; j < data.nFeatures; j++) maxBins = Math.max(maxBins, data.nBins[j]!);
    this.order = new Int32Array(maxBins);
    this.key = new Float64Array(maxBins);
    this.minC = p.minSamplesLeaf > 1 ? p.minSamplesLeaf : 0;
  }

  /** Σ_k T(G_k)^2 / (H + λ): twice the loss reduction a leaf with these sums achieves. */
  score(g: Float64Array, h: number): number {
    const d = h + this.p.lambda;
    if (d <= 0) return 0;
    let s = 0;
    for (let k = 0; k < this.K; k++) {
      const t = l1(g[k]!, this.p.alpha);
      s += t * t;
    }
    return s / d;
  }

  /**
   * Finds the best split over the given features (all when null) for a node with sums G, H, C.
   * Writes into `out`; out.feature = -1 if nothing beats gamma.
   */
  find(
    hist: Float64Array,
    features: Int32Array | null,
    nActive: number,
    G: Float64Array,
    H: number,
    C: number,
    out: SplitCandidate,
    sparse: SparseBins | null = null,
  ): void {
    out.feature = -1;
    out.gain = 0;
    out.catLeft = null;
    const parentScore = this.score(G, H);
    const nA = features === null ? this.data.nFeatures : nActive;
    for (let a = 0; a < nA; a++) {
      const j = features === null ? a : features[a]!;
      if (this.data.mapper.categorical[j]) this.scanCategorical(hist, j, G, H, C, parentScore, out);
      else this.scanNumeric(hist, j, G, H, C, parentScore, out, sparse, a);
    }
  }

  /** Gain of sending (gl, hl, cl) left; records it in `out` when it is the best so far. */
  private evaluate(G: Float64Array, H: number, C: number, parentScore: number, hl: number, cl: number): number {
    const p = this.p;
    const hr = H - hl;
    const cr = C - cl;
    if (cl < this.minC || cr < this.minC) return -Infinity;
    if (hl < p.minChildWeight || hr < p.minChildWeight || hl <= 0 || hr <= 0) return -Infinity;
    const gr = this.gt;
    for (let k = 0; k < this.K; k++) gr[k] = G[k]! - this.gl[k]!;
    return 0.5 * (this.score(this.gl, hl) + this.score(gr, hr) - parentScore) - p.gamma;
  }

  private record(out: SplitCandidate, gain: number, j: number, hl: number, cl: number, defaultLeft: boolean): void {
    out.gain = gain;
    out.feature = j;
    out.hl = hl;
    out.cl = cl;
    out.defaultLeft = defaultLeft;
    out.gl.set(this.gl);
  }

  private scanNumeric(
    hist: Float64Array,
    j: number,
    G: Float64Array,
    H: number,
    C: number,
    parentScore: number,
    out: SplitCandidate,
    sparse: SparseBins | null = null,
    a = 0,
  ): void {
    if (this.K === 1) {
      this.scanNumeric1(hist, j, G[0]!, H, C, parentScore, out, sparse, a);
      return;
    }
    const K = this.K;
    const S = this.S;
    const base = this.data.offsets[j]!;
    const nv = this.data.nBins[j]! - 1;
    const gl = this.gl;
    const gm = this.gm;
    const mk = (base + nv) * S;
    for (let k = 0; k < K; k++) gm[k] = hist[mk + k]!;
    const hm = hist[mk + K]!;
    const cm = hist[mk + K + 1]!;
    gl.fill(0);
    let hl = 0;
    let cl = 0;
    // Sparse: visit only the bins the node's rows occupy (ascending); empty bins are skipped anyway.
    const list = sparse ? sparse.bins : null;
    const u0 = sparse ? sparse.start[a]! : 0;
    const u1 = sparse ? sparse.start[a + 1]! : nv - 1;
    for (let u = u0; u < u1; u++) {
      const b = list ? list[u]! : u;
      if (b >= nv - 1) break;
      const o = (base + b) * S;
      const cb = hist[o + K + 1]!;
      if (cb === 0) continue;
      for (let k = 0; k < K; k++) gl[k] += hist[o + k]!;
      hl += hist[o + K]!;
      cl += cb;
      // Missing rows to the right.
      let gain = this.evaluate(G, H, C, parentScore, hl, cl);
      if (gain > out.gain) {
        // With no missing rows here, unseen missing values follow the heavier child.
        const dl = cm > 0 ? false : hl >= H - hl;
        this.record(out, gain, j, hl, cl, dl);
        out.bin = b;
        out.catLeft = null;
      }
      if (cm > 0) {
        for (let k = 0; k < K; k++) gl[k] += gm[k]!;
        gain = this.evaluate(G, H, C, parentScore, hl + hm, cl + cm);
        if (gain > out.gain) {
          this.record(out, gain, j, hl + hm, cl + cm, true);
          out.bin = b;
          out.catLeft = null;
        }
        for (let k = 0; k < K; k++) gl[k] -= gm[k]!;
      }
    }
    // Every value left, the missing rows alone on the right (bin nv - 1: the last value bin).
    if (cm > 0 && this.tryMissingAlone(out, j, G, H, C, parentScore, hm, cm)) {
      out.bin = nv - 1;
      out.catLeft = null;
    }
  }

  /**
   * The split of every present value (or category) left and the missing rows alone right, given
   * the missing bin's gradients in this.gm and its hessian and rows; records it in `out` when it
   * beats the best so far, and says so.
   */
  private tryMissingAlone(out: SplitCandidate, j: number, G: Float64Array, H: number, C: number, parentScore: number, hm: number, cm: number): boolean {
    for (let k = 0; k < this.K; k++) this.gl[k] = G[k]! - this.gm[k]!;
    const gain = this.evaluate(G, H, C, parentScore, H - hm, C - cm);
    if (!(gain > out.gain)) return false;
    this.record(out, gain, j, H - hm, C - cm, false);
    return true;
  }

  /** scanNumeric for one gradient channel with the gain written out: the hot path of boosting. */
  private scanNumeric1(hist: Float64Array, j: number, G: number, H: number, C: number, parentScore: number, out: SplitCandidate, sparse: SparseBins | null, a: number): void {
    const p = this.p;
    const lam = p.lambda;
    const alpha = p.alpha;
    const minC = this.minC;
    const minH = p.minChildWeight;
    const base = this.data.offsets[j]!;
    const nv = this.data.nBins[j]! - 1;
    const mk = (base + nv) * 3;
    const gm = hist[mk]!;
    const hm = hist[mk + 1]!;
    const cm = hist[mk + 2]!;
    const list = sparse ? sparse.bins : null;
    const u0 = sparse ? sparse.start[a]! : 0;
    const u1 = sparse ? sparse.start[a + 1]! : nv - 1;
    let gl = 0;
    let hl = 0;
    let cl = 0;
    let best = out.gain;
    let bestB = -1;
    let bestMissingLeft = false;
    let bestG = 0;
    let bestH = 0;
    let bestC = 0;
    const gamma = p.gamma;
    const l1Off = alpha === 0;
    // gain > best  <=>  t1^2 / dl + t2^2 / dr > bar, bar = 2 (best + gamma) + parentScore (>= 0).
    // Most bins lose, and the products test that without the two divisions (dl, dr > 0). The
    // margin keeps every bin the exact gain could accept (rounding errs by ~1e-15), so the exact
    // gain below still decides, with the very same arithmetic as a scan that always divides.
    const barOf = (g: number): number => (2 * (g + gamma) + parentScore) * (1 - 1e-9);
    let bar = barOf(best);
    // The two sides are written out (not a loop over them): this loop runs for every bin of every
    // feature of every node, and V8 keeps it tight this way.
    for (let u = u0; u < u1; u++) {
      const b = list ? list[u]! : u;
      if (b >= nv - 1) break;
      const o = (base + b) * 3;
      const cb = hist[o + 2]!;
      if (cb === 0) continue;
      gl += hist[o]!;
      hl += hist[o + 1]!;
      cl += cb;
      // Missing rows right.
      const h2 = H - hl;
      const c2 = C - cl;
      if (cl >= minC && c2 >= minC && hl >= minH && h2 >= minH && hl > 0 && h2 > 0) {
        const t1 = l1Off ? gl : l1(gl, alpha);
        const t2 = l1Off ? G - gl : l1(G - gl, alpha);
        const dl = hl + lam;
        const dr = h2 + lam;
        const a1 = t1 * t1;
        const a2 = t2 * t2;
        const gain = a1 * dr + a2 * dl > bar * dl * dr ? 0.5 * (a1 / dl + a2 / dr - parentScore) - gamma : -Infinity;
        if (gain > best) {
          best = gain;
          bar = barOf(best);
          bestB = b;
          bestMissingLeft = false;
          bestG = gl;
          bestH = hl;
          bestC = cl;
        }
      }
      if (cm > 0) {
        // Missing rows left.
        const g1 = gl + gm;
        const h1 = hl + hm;
        const c1 = cl + cm;
        const h2m = H - h1;
        const c2m = C - c1;
        if (c1 < minC || c2m < minC || h1 < minH || h2m < minH || h1 <= 0 || h2m <= 0) continue;
        const t1 = l1Off ? g1 : l1(g1, alpha);
        const t2 = l1Off ? G - g1 : l1(G - g1, alpha);
        const dl = h1 + lam;
        const dr = h2m + lam;
        const a1 = t1 * t1;
        const a2 = t2 * t2;
        const gain = a1 * dr + a2 * dl > bar * dl * dr ? 0.5 * (a1 / dl + a2 / dr - parentScore) - gamma : -Infinity;
        if (gain > best) {
          best = gain;
          bar = barOf(best);
          bestB = b;
          bestMissingLeft = true;
          bestG = g1;
          bestH = h1;
          bestC = c1;
        }
      }
    }
    if (cm > 0) {
      // Every value left, the missing rows alone on the right: the one split that separates a
      // single-valued (flag-like) column from its missing rows.
      const g1 = G - gm;
      const h1 = H - hm;
      const c1 = C - cm;
      if (c1 >= minC && cm >= minC && h1 >= minH && hm >= minH && h1 > 0 && hm > 0) {
        const t1 = l1Off ? g1 : l1(g1, alpha);
        const t2 = l1Off ? gm : l1(gm, alpha);
        const gain = 0.5 * ((t1 * t1) / (h1 + lam) + (t2 * t2) / (hm + lam) - parentScore) - gamma;
        if (gain > best) {
          best = gain;
          bestB = nv - 1;
          bestMissingLeft = false;
          bestG = g1;
          bestH = h1;
          bestC = c1;
        }
      }
    }
    if (bestB >= 0) {
      out.gain = best;
      out.feature = j;
      out.bin = bestB;
      out.catLeft = null;
      out.gl[0] = bestG;
      out.hl = bestH;
      out.cl = bestC;
      // With no missing rows here, unseen missing values follow the heavier child.
      out.defaultLeft = cm > 0 ? bestMissingLeft : bestH >= H - bestH;
    }
  }

  private scanCategorical(hist: Float64Array, j: number, G: Float64Array, H: number, C: number, parentScore: number, out: SplitCandidate): void {
    const K = this.K;
    const S = this.S;
    const p = this.p;
    const base = this.data.offsets[j]!;
    const nv = this.data.nBins[j]! - 1;
    const gl = this.gl;
    const gm = this.gm;
    const mk = (base + nv) * S;
    for (let k = 0; k < K; k++) gm[k] = hist[mk + k]!;
    const hm = hist[mk + K]!;
    const cm = hist[mk + K + 1]!;
    const order = this.order;
    let nUsed = 0;
    for (let c = 0; c < nv; c++) if (hist[(base + c) * S + K + 1]! > 0) order[nUsed++] = c;
    if (nUsed === 0) return;
    const before = out.gain;
    // Which scan found the best: one-hot category (1), a prefix (2: length, from which end), or
    // every present category against the missing rows (3).
    let bestMode = 0;
    let bestArg = 0;
    let bestFromEnd = false;
    let bestMissingLeft = false;
    const tryLeft = (hl: number, cl: number, arg: number, fromEnd: boolean, mode: number): void => {
      let gain = this.evaluate(G, H, C, parentScore, hl, cl);
      if (gain > out.gain) {
        this.record(out, gain, j, hl, cl, cm > 0 ? false : hl >= H - hl);
        bestMode = mode;
        bestArg = arg;
        bestFromEnd = fromEnd;
        bestMissingLeft = false;
      }
      if (cm > 0) {
        for (let k = 0; k < K; k++) gl[k] += gm[k]!;
        gain = this.evaluate(G, H, C, parentScore, hl + hm, cl + cm);
        if (gain > out.gain) {
          this.record(out, gain, j, hl + hm, cl + cm, true);
          bestMode = mode;
          bestArg = arg;
          bestFromEnd = fromEnd;
          bestMissingLeft = true;
        }
        for (let k = 0; k < K; k++) gl[k] -= gm[k]!;
      }
    };
    if (nUsed < 2) {
      // One category: only the split below (it against the missing rows) can separate rows.
    } else if (nUsed <= p.maxCatToOnehot) {
      for (let u = 0; u < nUsed; u++) {
        const o = (base + order[u]!) * S;
        for (let k = 0; k < K; k++) gl[k] = hist[o + k]!;
        tryLeft(hist[o + K]!, hist[o + K + 1]!, order[u]!, false, 1);
      }
    } else {
      // Order categories by gradient/hessian; for several channels use the one with the largest
      // total |gradient| (for Gini trees: the node's majority class).
      let ks = 0;
      for (let k = 1; k < K; k++) if (Math.abs(G[k]!) > Math.abs(G[ks]!)) ks = k;
      const key = this.key;
      for (let u = 0; u < nUsed; u++) {
        const o = (base + order[u]!) * S;
        key[order[u]!] = hist[o + ks]! / (hist[o + K]! + p.catSmooth);
      }
      const sorted = Array.from(order.subarray(0, nUsed)).sort((a, b) => key[a]! - key[b]! || a - b);
      for (let u = 0; u < nUsed; u++) order[u] = sorted[u]!;
      const maxLen = Math.min(p.maxCatThreshold, nUsed - 1);
      for (let dir = 0; dir < 2; dir++) {
        const fromEnd = dir === 1;
        gl.fill(0);
        let hl = 0;
        let cl = 0;
        for (let len = 1; len <= maxLen; len++) {
          const c = order[fromEnd ? nUsed - len : len - 1]!;
          const o = (base + c) * S;
          for (let k = 0; k < K; k++) gl[k] += hist[o + k]!;
          hl += hist[o + K]!;
          cl += hist[o + K + 1]!;
          tryLeft(hl, cl, len, fromEnd, 2);
        }
      }
    }
    // Every category present left, the missing rows (and unseen categories) right.
    if (cm > 0 && this.tryMissingAlone(out, j, G, H, C, parentScore, hm, cm)) {
      bestMode = 3;
      bestMissingLeft = false;
    }
    if (out.gain > before && out.feature === j && bestMode !== 0) {
      const mask = new Uint8Array(nv);
      if (bestMode === 1) mask[bestArg] = 1;
      else if (bestMode === 3) for (let u = 0; u < nUsed; u++) mask[order[u]!] = 1;
      else for (let len = 1; len <= bestArg; len++) mask[order[bestFromEnd ? nUsed - len : len - 1]!] = 1;
      out.defaultLeft = bestMissingLeft || (cm === 0 && out.defaultLeft);
      // Categories without rows in this node follow the default direction, as missing values do.
      if (out.defaultLeft) for (let c = 0; c < nv; c++) if (hist[(base + c) * S + K + 1]! === 0) mask[c] = 1;
      out.catLeft = mask;
      out.bin = -1;
    }
  }
}
