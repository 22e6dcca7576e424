// A feed-forward network of dense layers (each optionally followed by batch normalisation, an
// activation and dropout) trained on float32 buffers in one arena, with every product on the
// wasm SIMD kernel of gemm.ts. All buffers are sized once for the largest batch, so a training
// step allocates nothing. Widths are padded to multiples of 4 for the kernel; padding columns of
// weights, activations and gradients are kept at exactly zero, so they never affect results.

import { Rng } from '../random.js';
import { activate, activateBackward, type Activation } from './activations.js';
import { Gemm } from './gemm.js';
import { headLossGrad, headOutput, type Head } from './loss.js';

export interface DenseSpec {
  units: number;
  activation: Activation;
  /** Share of this layer's outputs dropped in training (inverted dropout), 0 = none. */
  dropout: number;
  /** Batch normalisation between the dense product and the activation (the dense layer then has no bias). */
  batchNorm: boolean;
}

export interface NetworkSpec {
  inputs: number;
  hidden: DenseSpec[];
  /** Width of the output layer: 1 (sigmoid, linear) or the class count (softmax). */
  outputs: number;
  head: Head;
}

/** One named weight tensor, as the layers format lists them (real shape, no padding). */
export interface WeightTensor {
  name: string;
  shape: number[];
  values: Float32Array;
}

/** Batch normalisation constants as TensorFlow.js's BatchNormalization layer uses them. */
export const BN_EPSILON = 1e-3;
export const BN_MOMENTUM = 0.99;

const pad4 = (n: number): number => Math.ceil(n / 4) * 4;

interface Layer {
  K: number;
  N: number;
  Np: number;
  act: Activation;
  dropout: number;
  bn: boolean;
  /** ReLU without batch norm: applied inside the product kernel, and no separate Z is kept. */
  fused: boolean;
  hasBias: boolean;
  // Offsets of trainable tensors relative to the parameter block (W is K x Np, the rest Np).
  rW: number;
  rB: number;
  rGamma: number;
  rBeta: number;
  // Running statistics (non-trainable), offsets in the arena.
  runMean: number;
  runVar: number;
  // Workspace (arena offsets), rows x Np each.
  WT: number;
  Z: number;
  A: number;
  D: number;
  G: number;
  H: number;
  mask: Float32Array | null;
  mean: Float64Array | null;
  invStd: Float64Array | null;
  /** Per-column sums of the batch-norm backward pass, allocated once. */
  sums: Float64Array | null;
}

export class Network {
  readonly spec: NetworkSpec;
  readonly gemm: Gemm;
  readonly maxRows: number;
  /** Number of floats in the (padded) trainable parameter block. */
  readonly paramCount: number;
  readonly paramBase: number;
  readonly gradBase: number;
  /** Input rows go here, `inputs` floats per row. */
  readonly X: number;
  private readonly layers: Layer[];
  private readonly zero: number;
  /** maxRows ones: the bias gradient is the product ones^T G. */
  private readonly ones: number;
  private readonly rng: Rng;

  constructor(spec: NetworkSpec, maxRows: number, seed = 0, forceScalar = false) {
    this.spec = spec;
    this.maxRows = maxRows;
    this.gemm = new Gemm(forceScalar);
    this.rng = new Rng(seed);
    const g = this.gemm;
    const dims: Array<Omit<DenseSpec, 'units'> & { N: number }> = [
      ...spec.hidden.map((h) => ({ ...h, N: h.units })),
      { N: spec.outputs, activation: 'linear' as Activation, dropout: 0, batchNorm: false },
    ];
    let K = spec.inputs;
    let rel = 0;
    const layers: Layer[] = [];
    let widest = pad4(spec.inputs);
    for (const d of dims) {
      const Np = pad4(d.N);
      widest = Math.max(widest, Np);
      const hasBias = !d.batchNorm;
      const l: Layer = {
        K,
        N: d.N,
        Np,
        act: d.activation,
        dropout: d.dropout,
        bn: d.batchNorm,
        fused: d.activation === 'relu' && !d.batchNorm,
        hasBias,
        rW: rel,
        rB: -1,
        rGamma: -1,
        rBeta: -1,
        runMean: -1,
        runVar: -1,
        WT: 0,
        Z: 0,
        A: 0,
        D: 0,
        G: 0,
        H: 0,
        mask: null,
        mean: null,
        invStd: null,
        sums: null,
      };
      rel += K * Np;
      if (hasBias) {
        l.rB = rel;
        rel += Np;
      }
      if (d.batchNorm) {
        l.rGamma = rel;
        l.rBeta = rel + Np;
        rel += 2 * Np;
      }
      layers.push(l);
      K = d.N;
    }
    this.paramCount = rel;
    this.paramBase = g.alloc(rel);
    this.gradBase = g.alloc(rel);
    this.zero = g.alloc(widest);
    this.X = g.alloc(maxRows * spec.inputs);
    this.ones = g.alloc(maxRows);
    g.f32.fill(1, this.ones, this.ones + maxRows);
    for (const l of layers) {
      l.WT = g.alloc(l.N * pad4(l.K));
      l.Z = l.fused ? -1 : g.alloc(maxRows * l.Np);
      l.A = g.alloc(maxRows * l.Np);
      l.D = l.dropout > 0 ? g.alloc(maxRows * l.Np) : l.A;
      l.G = g.alloc(maxRows * l.Np);
      if (l.bn) {
        l.H = g.alloc(maxRows * l.Np);
        l.runMean = g.alloc(l.Np);
        l.runVar = g.alloc(l.Np);
        g.f32.fill(1, l.runVar, l.runVar + l.N);
        g.f32.fill(1, this.paramBase + l.rGamma, this.paramBase + l.rGamma + l.N);
        l.mean = new Float64Array(l.N);
        l.invStd = new Float64Array(l.N);
        l.sums = new Float64Array(2 * l.N);
      }
      if (l.dropout > 0) l.mask = new Float32Array(maxRows * l.N);
    }
    this.layers = layers;
  }

  /**
   * Seeded initialisation: He-uniform for ReLU/GELU layers, Glorot-uniform otherwise (what keeps
   * activations at a steady scale through depth); biases zero.
   */
  initialize(): void {
    const f = this.gemm.f32;
    for (const l of this.layers) {
      const limit = l.act === 'relu' || l.act === 'gelu' ? Math.sqrt(6 / l.K) : Math.sqrt(6 / (l.K + l.N));
      const W = this.paramBase + l.rW;
      for (let k = 0; k < l.K; k++) for (let j = 0; j < l.N; j++) f[W + k * l.Np + j] = (2 * this.rng.next() - 1) * limit;
    }
  }

  private input(li: number): { off: number; stride: number } {
    if (li === 0) return { off: this.X, stride: this.spec.inputs };
    const p = this.layers[li - 1]!;
    return { off: p.D, stride: p.Np };
  }

  /** Forward pass over the first `rows` rows of X; returns the arena offset of the logits (stride = outputStride). */
  forward(rows: number, training: boolean): number {
    const g = this.gemm;
    for (let li = 0; li < this.layers.length; li++) {
      const l = this.layers[li]!;
      const { off, stride } = this.input(li);
      const W = this.paramBase + l.rW;
      const bias = l.hasBias ? this.paramBase + l.rB : this.zero;
      const target = l.fused || (l.act === 'linear' && !l.bn) ? l.A : l.Z;
      g.run(off, stride, 1, W, l.Np, target, l.Np, bias, rows, l.K, l.Np, l.fused);
      if (l.bn) this.batchNormForward(l, rows, training);
      if (target !== l.A) activate(l.act, g.f32, l.Z, l.A, rows, l.N, l.Np);
      if (training && l.dropout > 0) this.dropoutForward(l, rows);
      else if (l.D !== l.A) g.f32.copyWithin(l.D, l.A, l.A + rows * l.Np);
    }
    return this.layers[this.layers.length - 1]!.A;
  }

  get outputStride(): number {
    return this.layers[this.layers.length - 1]!.Np;
  }

  private batchNormForward(l: Layer, rows: number, training: boolean): void {
    const f = this.gemm.f32;
    const { N, Np, Z, H } = l;
    const gamma = this.paramBase + l.rGamma;
    const beta = this.paramBase + l.rBeta;
    const mean = l.mean!;
    const invStd = l.invStd!;
    if (training) {
      mean.fill(0);
      const v = invStd; // holds the variance until converted below
      v.fill(0);
      for (let i = 0; i < rows; i++) for (let j = 0; j < N; j++) mean[j] += f[Z + i * Np + j]!;
      for (let j = 0; j < N; j++) mean[j] /= rows;
      for (let i = 0; i < rows; i++) {
        for (let j = 0; j < N; j++) {
          const d = f[Z + i * Np + j]! - mean[j]!;
          v[j] += d * d;
        }
      }
      for (let j = 0; j < N; j++) {
        const variance = v[j]! / rows;
        f[l.runMean + j] = BN_MOMENTUM * f[l.runMean + j]! + (1 - BN_MOMENTUM) * mean[j]!;
        f[l.runVar + j] = BN_MOMENTUM * f[l.runVar + j]! + (1 - BN_MOMENTUM) * variance;
        invStd[j] = 1 / Math.sqrt(variance + BN_EPSILON);
      }
    } else {
      for (let j = 0; j < N; j++) {
        mean[j] = f[l.runMean + j]!;
        invStd[j] = 1 / Math.sqrt(f[l.runVar + j]! + BN_EPSILON);
      }
    }
    // xhat kept in H for the backward pass; Z becomes the pre-activation gamma * xhat + beta.
    for (let i = 0; i < rows; i++) {
      const o = i * Np;
      for (let j = 0; j < N; j++) {
        const xh = (f[Z + o + j]! - mean[j]!) * invStd[j]!;
        f[H + o + j] = xh;
        f[Z + o + j] = f[gamma + j]! * xh + f[beta + j]!;
      }
    }
  }

  private dropoutForward(l: Layer, rows: number): void {
    const f = this.gemm.f32;
    const keep = 1 - l.dropout;
    const scale = 1 / keep;
    const mask = l.mask!;
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < l.N; j++) {
        const m = this.rng.next() < keep ? scale : 0;
        mask[i * l.N + j] = m;
        f[l.D + i * l.Np + j] = f[l.A + i * l.Np + j]! * m;
      }
    }
  }

  /**
   * One backward pass after `forward(rows, true)`: loss gradient at the head, then every layer's
   * weight gradients into the gradient block. Returns the weighted sum of row losses.
   */
  backward(rows: number, y: ArrayLike<number>, yOffset: number, w: ArrayLike<number> | null, l2: number): number {
    const g = this.gemm;
    const last = this.layers[this.layers.length - 1]!;
    const loss = headLossGrad(this.spec.head, g.f32, last.A, last.G, rows, last.N, last.Np, y, yOffset, w);
    for (let li = this.layers.length - 1; li >= 0; li--) {
      const l = this.layers[li]!;
      const f = g.f32;
      if (li !== this.layers.length - 1) {
        if (l.dropout > 0) {
          const mask = l.mask!;
          for (let i = 0; i < rows; i++) for (let j = 0; j < l.N; j++) f[l.G + i * l.Np + j] *= mask[i * l.N + j]!;
        }
        // A ReLU without dropout had its derivative applied inside the product that made G.
        if (!(l.fused && l.dropout === 0)) activateBackward(l.act, f, l.Z, l.A, l.G, rows, l.N, l.Np);
        if (l.bn) this.batchNormBackward(l, rows);
      }
      const { off, stride } = this.input(li);
      const dW = this.gradBase + l.rW;
      // dW = input^T G: rows of the product are input features, summed over the batch.
      g.run(off, 1, stride, l.G, l.Np, dW, l.Np, this.zero, l.K, rows, l.Np, false);
      if (l2 > 0) {
        const W = this.paramBase + l.rW;
        for (let i = 0, n = l.K * l.Np; i < n; i++) f[dW + i] += l2 * f[W + i]!;
      }
      if (l.hasBias) g.run(this.ones, 0, 1, l.G, l.Np, this.gradBase + l.rB, l.Np, this.zero, 1, rows, l.Np, false);
      if (li > 0) {
        // Gradient of the input: G W^T, through a transposed copy of W so the kernel reads rows.
        const Kp = pad4(l.K);
        const W = this.paramBase + l.rW;
        for (let k = 0; k < l.K; k++) for (let j = 0; j < l.N; j++) f[l.WT + j * Kp + k] = f[W + k * l.Np + j]!;
        const prev = this.layers[li - 1]!;
        g.run(l.G, l.Np, 1, l.WT, Kp, prev.G, Kp, this.zero, rows, l.N, Kp, false, prev.fused && prev.dropout === 0 ? prev.A : -1);
      }
    }
    return loss;
  }

  private batchNormBackward(l: Layer, rows: number): void {
    const f = this.gemm.f32;
    const { N, Np, G, H } = l;
    const gamma = this.paramBase + l.rGamma;
    const dGamma = this.gradBase + l.rGamma;
    const dBeta = this.gradBase + l.rBeta;
    const invStd = l.invStd!;
    const sumDy = l.sums!.subarray(0, N);
    const sumDyXh = l.sums!.subarray(N, 2 * N);
    l.sums!.fill(0);
    for (let i = 0; i < rows; i++) {
      const o = i * Np;
      for (let j = 0; j < N; j++) {
        const dy = f[G + o + j]!;
        sumDy[j] += dy;
        sumDyXh[j] += dy * f[H + o + j]!;
      }
    }
    for (let j = 0; j < N; j++) {
      f[dBeta + j] = sumDy[j]!;
      f[dGamma + j] = sumDyXh[j]!;
    }
    // dz = gamma * invStd / n * (n dy - sum dy - xhat sum(dy xhat)).
    for (let i = 0; i < rows; i++) {
      const o = i * Np;
      for (let j = 0; j < N; j++) {
        const c = (f[gamma + j]! * invStd[j]!) / rows;
        f[G + o + j] = c * (rows * f[G + o + j]! - sumDy[j]! - f[H + o + j]! * sumDyXh[j]!);
      }
    }
  }

  /** Sum of row losses of the logits of the last `forward` (y from yOffset), unweighted. */
  lossOnly(rows: number, y: ArrayLike<number>, yOffset: number): number {
    const last = this.layers[this.layers.length - 1]!;
    return headLossGrad(this.spec.head, this.gemm.f32, last.A, last.G, rows, last.N, last.Np, y, yOffset, null);
  }

  /** Head outputs (probabilities or values) for `rows` rows already in X, into out (row-major, width per head). */
  predictRows(rows: number, out: Float64Array, outOffset: number): void {
    const logits = this.forward(rows, false);
    headOutput(this.spec.head, this.gemm.f32, logits, rows, this.spec.outputs, this.outputStride, out, outOffset);
  }

  /** A copy of everything learned: trainable parameters, then batch-norm running statistics. */
  snapshot(): Float32Array {
    const f = this.gemm.f32;
    const out = new Float32Array(this.paramCount + this.runningCount());
    out.set(f.subarray(this.paramBase, this.paramBase + this.paramCount));
    let o = this.paramCount;
    for (const l of this.layers) {
      if (!l.bn) continue;
      out.set(f.subarray(l.runMean, l.runMean + l.Np), o);
      out.set(f.subarray(l.runVar, l.runVar + l.Np), o + l.Np);
      o += 2 * l.Np;
    }
    return out;
  }

  restore(s: Float32Array): void {
    const f = this.gemm.f32;
    f.set(s.subarray(0, this.paramCount), this.paramBase);
    let o = this.paramCount;
    for (const l of this.layers) {
      if (!l.bn) continue;
      f.set(s.subarray(o, o + l.Np), l.runMean);
      f.set(s.subarray(o + l.Np, o + 2 * l.Np), l.runVar);
      o += 2 * l.Np;
    }
  }

  private runningCount(): number {
    return this.layers.reduce((s, l) => s + (l.bn ? 2 * l.Np : 0), 0);
  }

  /**
   * The learned tensors in layers-format order, unpadded, named by layer index:
   * kernel [K, N], bias [N] (no bias under batch norm), then gamma, beta, moving_mean, moving_variance.
   */
  tensors(): WeightTensor[] {
    const f = this.gemm.f32;
    const out: WeightTensor[] = [];
    this.layers.forEach((l, i) => {
      const W = new Float32Array(l.K * l.N);
      const base = this.paramBase + l.rW;
      for (let k = 0; k < l.K; k++) for (let j = 0; j < l.N; j++) W[k * l.N + j] = f[base + k * l.Np + j]!;
      out.push({ name: `${i}/kernel`, shape: [l.K, l.N], values: W });
      const vecOf = (off: number): Float32Array => f.slice(off, off + l.N);
      if (l.hasBias) out.push({ name: `${i}/bias`, shape: [l.N], values: vecOf(this.paramBase + l.rB) });
      if (l.bn) {
        out.push({ name: `${i}/gamma`, shape: [l.N], values: vecOf(this.paramBase + l.rGamma) });
        out.push({ name: `${i}/beta`, shape: [l.N], values: vecOf(this.paramBase + l.rBeta) });
        out.push({ name: `${i}/moving_mean`, shape: [l.N], values: vecOf(l.runMean) });
        out.push({ name: `${i}/moving_variance`, shape: [l.N], values: vecOf(l.runVar) });
      }
    });
    return out;
  }

  /** Loads tensors in the order and shapes `tensors()` gives (names are checked). */
  setTensors(ts: readonly WeightTensor[]): void {
    const f = this.gemm.f32;
    let t = 0;
    const next = (name: string, len: number): Float32Array => {
      const w = ts[t++];
      if (!w || w.name !== name || w.values.length !== len) {
        throw new Error(`weight ${t - 1}: expected ${name} with ${len} values, got ${w ? `${w.name} with ${w.values.length}` : 'nothing'}`);
      }
      return w.values;
    };
    this.layers.forEach((l, i) => {
      const W = next(`${i}/kernel`, l.K * l.N);
      const base = this.paramBase + l.rW;
      for (let k = 0; k < l.K; k++) for (let j = 0; j < l.N; j++) f[base + k * l.Np + j] = W[k * l.N + j]!;
      if (l.hasBias) f.set(next(`${i}/bias`, l.N), this.paramBase + l.rB);
      if (l.bn) {
        f.set(next(`${i}/gamma`, l.N), this.paramBase + l.rGamma);
        f.set(next(`${i}/beta`, l.N), this.paramBase + l.rBeta);
        f.set(next(`${i}/moving_mean`, l.N), l.runMean);
        f.set(next(`${i}/moving_variance`, l.N), l.runVar);
      }
    });
    if (t !== ts.length) throw new Error(`expected ${t} weight tensors, got ${ts.length}`);
  }

  /** The trainable parameters and their gradients (live views: re-read after any arena growth). */
  paramView(): Float32Array {
    return this.gemm.f32.subarray(this.paramBase, this.paramBase + this.paramCount);
  }

  gradView(): Float32Array {
    return this.gemm.f32.subarray(this.gradBase, this.gradBase + this.paramCount);
  }
}
