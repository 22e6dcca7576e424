// Bayesian optimisation with a Gaussian process and expected improvement (`method: bayesian`).
//
// - Start-up: a Latin hypercube over the unit cube (laid out by the study seed, one row per
//   trial), which spreads the first points better than independent draws.
// - Inputs: every dimension in [0, 1] (log dims on the log scale, ints at the centre of their
//   share, so the model sees exactly the points it will get); categoricals one-hot; a dimension
//   that is inactive (a conditional param of another family) sits at a constant.
// - Model: Matérn 5/2 kernel with one length scale per input (ARD), signal variance and noise,
//   fitted by maximising the marginal likelihood plus weak log-normal priors (which keep the
//   fit sane with few points) with L-BFGS, from the previous fit and a default start.
// - Acquisition: log expected improvement over the best posterior mean at the observed points
//   (robust to noisy CV scores), maximised by scoring random and near-best candidates, then
//   a compass search from the most promising ones.
// - Batches: points still running are added with the worst value seen ("constant liar"), so a
//   batch spreads out instead of repeating one point.

import type { Rng } from '../engine/random.js';
import { Rng as SeededRng } from '../engine/random.js';
import { minimizeLbfgs } from '../engine/optim/lbfgs.js';
import { normCdf, normPdf } from '../engine/special.js';
import { latinHypercube } from './latin-hypercube.js';
import type { Observation, Sampler } from './sampler.js';
import { fromUnit, isActive, pointKey, toUnit, type Params, type SearchSpace } from './space.js';

export interface GpOptions {
  /** Trials laid out by the start-up design before the model takes over. */
  startup: number;
  /** Seed of the start-up design (the study seed). */
  seed?: number;
  /** Random candidates scored per suggestion (default 1000 + 100 per dimension). */
  candidates?: number;
}

const SQRT5 = Math.sqrt(5);
/** Most observations the GP is fitted on (about 1 s per suggestion at this size on this machine). */
const MAX_POINTS = 160;

/** Maps params to the GP's input vector and unit coordinates back to params. */
class Encoder {
  readonly width: number;
  private readonly offsets: number[] = [];

  constructor(private readonly space: SearchSpace) {
    let w = 0;
    for (const d of space.dims) {
      this.offsets.push(w);
      w += d.kind === 'categorical' ? d.choices.length : 1;
    }
    this.width = w;
  }

  encode(p: Params, out: Float64Array = new Float64Array(this.width)): Float64Array {
    this.space.dims.forEach((d, i) => {
      const o = this.offsets[i]!;
      const active = isActive(d, p) && d.name in p;
      if (d.kind === 'categorical') {
        for (let j = 0; j < d.choices.length; j++) out[o + j] = 0;
        if (active) {
          const k = d.choices.findIndex((c) => c === p[d.name]);
          if (k >= 0) out[o + k] = 1;
        }
      } else {
        out[o] = active ? Math.min(1, Math.max(0, toUnit(d, p[d.name]!))) : 0.5;
      }
    });
    return out;
  }

  decode(u: Float64Array): Params {
    const p: Params = {};
    this.space.dims.forEach((d, i) => {
      if (isActive(d, p)) p[d.name] = fromUnit(d, u[i]!);
    });
    return p;
  }
}

/** Fitted GP on standardised targets. */
interface GpModel {
  X: Float64Array[];
  L: Float64Array;
  alpha: Float64Array;
  n: number;
  ls: Float64Array;
  sf2: number;
  sn2: number;
}

export class GpSampler implements Sampler {
  readonly name = 'gp-ei';
  private readonly enc: Encoder;
  private readonly design: Float64Array[] = [];
  private lastTheta: Float64Array | undefined;

  constructor(
    private readonly space: SearchSpace,
    private readonly options: GpOptions,
  ) {
    this.enc = new Encoder(space);
    this.design = latinHypercube(options.startup, space.dims.length, new SeededRng((options.seed ?? 0) ^ 0x2545f491));
  }

  suggest(history: readonly Observation[], rng: Rng, pending: readonly Params[], trial: number): Params {
    const nDims = this.space.dims.length;
    if (trial < this.options.startup || history.length < 2) {
      const row = trial < this.design.length ? this.design[trial]! : Float64Array.from({ length: nDims }, () => rng.next());
      return this.enc.decode(row);
    }
    // The fit is cubic in the trials it sees: past MAX_POINTS, the best ones (where expected
    // improvement lives) are kept.
    const used = history.length > MAX_POINTS ? [...history].sort((a, b) => a.loss - b.loss).slice(0, MAX_POINTS) : history;
    const X = used.map((h) => this.enc.encode(h.params));
    const ys = standardise(used.map((h) => h.loss));
    const theta = this.fit(X, ys);
    let model = buildModel(X, ys, theta, this.enc.width);
    if (pending.length > 0) {
      // Constant liar: running points count as observed at the worst value seen, so the rest of
      // the batch moves away from them (believing their predicted value instead lets a flat
      // model suggest near-copies of one point).
      const Xp = pending.map((p) => this.enc.encode(p));
      const worst = ys.reduce((m, v) => Math.max(m, v), -Infinity);
      const yp = Xp.map(() => worst);
      model = buildModel([...X, ...Xp], Float64Array.from([...ys, ...yp]), theta, this.enc.width);
    }
    let best = Infinity;
    for (const x of model.X) best = Math.min(best, predict(model, x).mean);

    const seen = new Set([...history.map((h) => pointKey(h.params)), ...pending.map(pointKey)]);
    const xbuf = new Float64Array(this.enc.width);
    const score = (u: Float64Array): number => {
      const p = this.enc.decode(u);
      this.enc.encode(p, xbuf);
      const { mean, variance } = predict(model, xbuf);
      return logEI(best, mean, Math.sqrt(Math.max(variance, 1e-18)));
    };

    // Candidates: uniform draws, and perturbations of the best observed points.
    const cands: { u: Float64Array; s: number }[] = [];
    const nRandom = this.options.candidates ?? 1000 + 100 * nDims;
    for (let i = 0; i < nRandom; i++) {
      const u = Float64Array.from({ length: nDims }, () => rng.next());
      cands.push({ u, s: score(u) });
    }
    const order = used.map((h, i) => [h.loss, i] as const).sort((a, b) => a[0] - b[0]).slice(0, 5);
    for (const [, i] of order) {
      const base = this.unitOf(used[i]!.params);
      for (const sd of [0.01, 0.05, 0.15]) {
        for (let r = 0; r < 40; r++) {
          const u = Float64Array.from(base, (v) => clamp01(v + sd * rng.normal()));
          cands.push({ u, s: score(u) });
        }
      }
    }
    cands.sort((a, b) => b.s - a.s);
    let bestU = cands[0]!.u;
    let bestS = -Infinity;
    for (const c of cands.slice(0, 4)) {
      const r = compassSearch(c.u, c.s, score);
      if (r.s > bestS && !seen.has(pointKey(this.enc.decode(r.u)))) {
        bestS = r.s;
        bestU = r.u;
      }
    }
    if (bestS === -Infinity) {
      // Every promising point was already tried (small discrete spaces): take the best new one.
      const fresh = cands.find((c) => !seen.has(pointKey(this.enc.decode(c.u))));
      bestU = fresh ? fresh.u : Float64Array.from({ length: nDims }, () => rng.next());
    }
    return this.enc.decode(bestU);
  }

  /** Unit coordinates of params (inactive dims at the centre). */
  private unitOf(p: Params): Float64Array {
    return Float64Array.from(this.space.dims, (d) => (d.name in p && isActive(d, p) ? clamp01(toUnit(d, p[d.name]!)) : 0.5));
  }

  /** Maximum a posteriori hyperparameters: [log ls..., log sf2, log sn2]. */
  private fit(X: Float64Array[], y: Float64Array): Float64Array {
    const D = this.enc.width;
    const prior = priorOf(D);
    const starts: Float64Array[] = [prior.mean.slice()];
    if (this.lastTheta && this.lastTheta.length === D + 2) starts.push(this.lastTheta.slice());
    let bestTheta = starts[0]!;
    let bestF = Infinity;
    for (const s of starts) {
      const r = minimizeLbfgs((t, g) => negLogPosterior(X, y, t, g, prior), s, { maxIter: 60, gtol: 1e-4 });
      if (Number.isFinite(r.f) && r.f < bestF) {
        bestF = r.f;
        bestTheta = r.x;
      }
    }
    this.lastTheta = bestTheta.slice();
    return bestTheta;
  }
}

interface Prior {
  mean: Float64Array;
  sd: Float64Array;
}

/** Log-normal priors: length scales around 0.5 * sqrt(D / 2) (longer in more dimensions), unit signal, small noise. */
function priorOf(D: number): Prior {
  const mean = new Float64Array(D + 2);
  const sd = new Float64Array(D + 2);
  for (let i = 0; i < D; i++) {
    mean[i] = Math.log(0.5) + 0.5 * Math.log(Math.max(1, D / 2));
    sd[i] = 1.0;
  }
  mean[D] = 0;
  sd[D] = 1.5;
  mean[D + 1] = Math.log(1e-3);
  sd[D + 1] = 2.5;
  return { mean, sd };
}

/** Bounds that keep the kernel matrix factorisable. */
function boundTheta(t: Float64Array, D: number): Float64Array {
  const b = t.slice();
  for (let i = 0; i < D; i++) b[i] = Math.min(Math.log(50), Math.max(Math.log(0.01), b[i]!));
  b[D] = Math.min(Math.log(100), Math.max(Math.log(1e-3), b[D]!));
  b[D + 1] = Math.min(Math.log(1), Math.max(Math.log(1e-7), b[D + 1]!));
  return b;
}

function matern(r: number): number {
  const s = SQRT5 * r;
  return (1 + s + (s * s) / 3) * Math.exp(-s);
}

/** Scaled squared distance and per-input squared scaled differences. */
function scaledDist2(a: Float64Array, b: Float64Array, ls: Float64Array): number {
  let s = 0;
  for (let k = 0; k < ls.length; k++) {
    const d = (a[k]! - b[k]!) / ls[k]!;
    s += d * d;
  }
  return s;
}

/** The negative log marginal likelihood minus the log prior, and its gradient in `g`. */
function negLogPosterior(X: Float64Array[], y: Float64Array, thetaRaw: Float64Array, g: Float64Array, prior: Prior): number {
  const n = X.length;
  const D = thetaRaw.length - 2;
  const theta = boundTheta(thetaRaw, D);
  const ls = Float64Array.from({ length: D }, (_, i) => Math.exp(theta[i]!));
  const sf2 = Math.exp(theta[D]!);
  const sn2 = Math.exp(theta[D + 1]!);
  const K = new Float64Array(n * n);
  const R = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      const r = Math.sqrt(scaledDist2(X[i]!, X[j]!, ls));
      R[i * n + j] = R[j * n + i] = r;
      const k = sf2 * matern(r);
      K[i * n + j] = K[j * n + i] = k;
    }
    K[i * n + i]! += sn2 + 1e-9;
  }
  const L = K.slice();
  if (!cholesky(L, n)) {
    g.fill(0);
    return 1e10;
  }
  const alpha = y.slice();
  cholSolve(L, n, alpha);
  let logDet = 0;
  for (let i = 0; i < n; i++) logDet += Math.log(L[i * n + i]!);
  let fit = 0;
  for (let i = 0; i < n; i++) fit += y[i]! * alpha[i]!;
  let nlp = 0.5 * fit + logDet + 0.5 * n * Math.log(2 * Math.PI);

  // W = alpha alpha^T - K^-1; dNLL/dtheta = -0.5 tr(W dK/dtheta).
  const Kinv = inverseFromCholesky(L, n);
  const W = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) W[i * n + j] = alpha[i]! * alpha[j]! - Kinv[i * n + j]!;
  g.fill(0);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const w = W[i * n + j]!;
      if (w === 0) continue;
      const r = R[i * n + j]!;
      const ksig = sf2 * matern(r);
      g[D]! -= 0.5 * w * ksig;
      if (i === j) continue;
      // d k / d log ls_k = sf2 * 5/3 * (1 + sqrt5 r) exp(-sqrt5 r) * (dx_k / ls_k)^2
      const common = sf2 * (5 / 3) * (1 + SQRT5 * r) * Math.exp(-SQRT5 * r);
      const xi = X[i]!;
      const xj = X[j]!;
      for (let k = 0; k < D; k++) {
        const d = (xi[k]! - xj[k]!) / ls[k]!;
        if (d !== 0) g[k]! -= 0.5 * w * common * d * d;
      }
    }
    g[D + 1]! -= 0.5 * W[i * n + i]! * sn2;
  }
  // Priors on theta (Gaussian on the log scale); bounded coordinates get no gradient past the bound.
  for (let k = 0; k < D + 2; k++) {
    const z = (theta[k]! - prior.mean[k]!) / prior.sd[k]!;
    nlp += 0.5 * z * z;
    g[k]! += z / prior.sd[k]!;
    // Past a bound the clamped value no longer moves: only the wall below pulls back.
    if (theta[k] !== thetaRaw[k]) g[k] = thetaRaw[k]! - theta[k]!;
  }
  // A quadratic wall outside the bounds keeps L-BFGS inside them.
  for (let k = 0; k < D + 2; k++) nlp += 0.5 * (thetaRaw[k]! - theta[k]!) ** 2;
  return nlp;
}

function buildModel(X: Float64Array[], y: Float64Array, thetaRaw: Float64Array, D: number): GpModel {
  const theta = boundTheta(thetaRaw, D);
  const ls = Float64Array.from({ length: D }, (_, i) => Math.exp(theta[i]!));
  const sf2 = Math.exp(theta[D]!);
  let sn2 = Math.exp(theta[D + 1]!);
  const n = X.length;
  for (let attempt = 0; attempt < 8; attempt++) {
    const L = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j <= i; j++) L[i * n + j] = L[j * n + i] = sf2 * matern(Math.sqrt(scaledDist2(X[i]!, X[j]!, ls)));
      L[i * n + i]! += sn2 + 1e-9;
    }
    if (cholesky(L, n)) {
      const alpha = y.slice();
      cholSolve(L, n, alpha);
      return { X, L, alpha, n, ls, sf2, sn2 };
    }
    sn2 = Math.max(sn2 * 10, 1e-6);
  }
  throw new Error('gp: kernel matrix is not positive definite');
}

function predict(m: GpModel, x: Float64Array): { mean: number; variance: number } {
  const n = m.n;
  const k = new Float64Array(n);
  let mean = 0;
  for (let i = 0; i < n; i++) {
    k[i] = m.sf2 * matern(Math.sqrt(scaledDist2(x, m.X[i]!, m.ls)));
    mean += k[i]! * m.alpha[i]!;
  }
  // v = L^-1 k; variance = sf2 - v.v
  let vv = 0;
  for (let i = 0; i < n; i++) {
    let s = k[i]!;
    for (let j = 0; j < i; j++) s -= m.L[i * n + j]! * k[j]!;
    k[i] = s / m.L[i * n + i]!;
    vv += k[i]! * k[i]!;
  }
  return { mean, variance: m.sf2 - vv };
}

/** log EI for minimisation, stable far into the tail (where EI itself underflows to 0). */
function logEI(best: number, mean: number, sd: number): number {
  const z = (best - mean) / sd;
  let logH: number;
  if (z > -6) {
    const h = normPdf(z) + z * normCdf(z);
    logH = Math.log(Math.max(h, 1e-300));
  } else {
    // h(z) = phi(z) - |z| Q(|z|) ~ phi(z) / z^2 * (1 - 3/z^2 + 15/z^4)
    const z2 = z * z;
    logH = -0.5 * z2 - 0.5 * Math.log(2 * Math.PI) - Math.log(z2) + Math.log(1 - 3 / z2 + 15 / (z2 * z2));
  }
  return Math.log(sd) + logH;
}

/** Coordinate-wise pattern search in the unit cube, halving the step until it is tiny. */
function compassSearch(u0: Float64Array, s0: number, f: (u: Float64Array) => number): { u: Float64Array; s: number } {
  let u = u0.slice();
  let s = s0;
  let step = 0.05;
  let evals = 0;
  while (step > 1e-4 && evals < 300) {
    let improved = false;
    for (let k = 0; k < u.length; k++) {
      for (const dir of [1, -1]) {
        const v = u.slice();
        v[k] = clamp01(v[k]! + dir * step);
        if (v[k] === u[k]) continue;
        const sv = f(v);
        evals++;
        if (sv > s) {
          u = v;
          s = sv;
          improved = true;
          break;
        }
      }
    }
    if (!improved) step /= 2;
  }
  return { u, s };
}

function standardise(v: number[]): Float64Array {
  const n = v.length;
  const mean = v.reduce((s, x) => s + x, 0) / n;
  const sd = Math.sqrt(v.reduce((s, x) => s + (x - mean) ** 2, 0) / n) || 1;
  return Float64Array.from(v, (x) => (x - mean) / sd);
}

const clamp01 = (x: number): number => (x < 0 ? 0 : x > 1 ? 1 : x);

/** In-place lower Cholesky of a row-major SPD matrix; false when it is not positive definite. */
function cholesky(a: Float64Array, n: number): boolean {
  for (let j = 0; j < n; j++) {
    let d = a[j * n + j]!;
    for (let k = 0; k < j; k++) d -= a[j * n + k]! * a[j * n + k]!;
    if (!(d > 0)) return false;
    const l = Math.sqrt(d);
    a[j * n + j] = l;
    for (let i = j + 1; i < n; i++) {
      let s = a[i * n + j]!;
      for (let k = 0; k < j; k++) s -= a[i * n + k]! * a[j * n + k]!;
      a[i * n + j] = s / l;
    }
    for (let i = 0; i < j; i++) a[i * n + j] = 0;
  }
  return true;
}

/** Solves L L^T x = b in place. */
function cholSolve(L: Float64Array, n: number, b: Float64Array): void {
  for (let i = 0; i < n; i++) {
    let s = b[i]!;
    for (let k = 0; k < i; k++) s -= L[i * n + k]! * b[k]!;
    b[i] = s / L[i * n + i]!;
  }
  for (let i = n - 1; i >= 0; i--) {
    let s = b[i]!;
    for (let k = i + 1; k < n; k++) s -= L[k * n + i]! * b[k]!;
    b[i] = s / L[i * n + i]!;
  }
}

function inverseFromCholesky(L: Float64Array, n: number): Float64Array {
  const inv = new Float64Array(n * n);
  const col = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    col.fill(0);
    col[j] = 1;
    cholSolve(L, n, col);
    for (let i = 0; i < n; i++) inv[i * n + j] = col[i]!;
  }
  return inv;
}
