// Limited-memory BFGS for smooth objectives (strong-Wolfe line search), and its orthant-wise
// variant OWL-QN (Andrew & Gao, 2007) when an L1 term sum_j l1_j |x_j| is added: the L1 part is
// handled through the pseudo-gradient and steps projected onto the current orthant, so the
// smooth part stays the only function the caller has to evaluate.
//
// The optimiser is a stepper (`step()` runs one iteration) so a caller can report progress and
// yield to the event loop between iterations, which is what makes an abort signal work.

import { lineSearchWolfe } from './linesearch.js';

/** Writes the gradient of the smooth objective at x into `grad` and returns its value. */
export type ObjectiveFunction = (x: Float64Array, grad: Float64Array) => number;

export interface LbfgsOptions {
  /** Correction pairs kept (default 10). */
  memory?: number;
  /** Iterations allowed (default 100). */
  maxIter?: number;
  /** Converged when the largest |(pseudo-)gradient| component is at most this (default 1e-5). */
  gtol?: number;
  /** Converged when an iteration lowers the objective by at most this relative amount (default 2.2e-9, SciPy L-BFGS-B's factr=1e7, which scikit-learn 1.2 lbfgs uses). */
  ftol?: number;
  /** Per-coordinate L1 weights (or one weight for all); any positive weight switches to OWL-QN. */
  l1?: Float64Array | number;
}

export type LbfgsStatus = 'running' | 'converged' | 'max_iter' | 'line_search_failed';

export class Lbfgs {
  readonly n: number;
  /** Current point. */
  readonly x: Float64Array;
  /** Gradient of the smooth part at x. */
  readonly grad: Float64Array;
  /** Objective at x, including the L1 term. */
  f: number;
  iterations = 0;
  evaluations = 0;
  status: LbfgsStatus = 'running';

  private readonly fg: ObjectiveFunction;
  private readonly m: number;
  private readonly maxIter: number;
  private readonly gtol: number;
  private readonly ftol: number;
  private readonly l1: Float64Array | null;
  private readonly pg: Float64Array;
  private readonly dir: Float64Array;
  private readonly xt: Float64Array;
  private readonly gt: Float64Array;
  private readonly s: Float64Array[];
  private readonly y: Float64Array[];
  private readonly rho: Float64Array;
  private readonly alpha: Float64Array;
  private stored = 0;
  private head = 0;

  constructor(fg: ObjectiveFunction, x0: Float64Array, options: LbfgsOptions = {}) {
    const n = x0.length;
    this.n = n;
    this.fg = fg;
    this.m = Math.max(1, options.memory ?? 10);
    this.maxIter = options.maxIter ?? 100;
    this.gtol = options.gtol ?? 1e-5;
    this.ftol = options.ftol ?? 2.220446049250313e-9;
    const l1 = options.l1;
    if (typeof l1 === 'number') this.l1 = l1 > 0 ? new Float64Array(n).fill(l1) : null;
    else this.l1 = l1 && l1.some((v) => v > 0) ? l1 : null;
    this.x = Float64Array.from(x0);
    this.grad = new Float64Array(n);
    this.pg = new Float64Array(n);
    this.dir = new Float64Array(n);
    this.xt = new Float64Array(n);
    this.gt = new Float64Array(n);
    this.s = Array.from({ length: this.m }, () => new Float64Array(n));
    this.y = Array.from({ length: this.m }, () => new Float64Array(n));
    this.rho = new Float64Array(this.m);
    this.alpha = new Float64Array(this.m);
    this.f = this.fg(this.x, this.grad) + this.l1Term(this.x);
    this.evaluations = 1;
    if (!Number.isFinite(this.f)) throw new Error(`objective is not finite at the starting point (${this.f})`);
    this.pseudoGradient(this.x, this.grad, this.pg);
    if (this.gradientNorm() <= this.gtol) this.status = 'converged';
  }

  /** Largest |component| of the (pseudo-)gradient: what `gtol` is compared with. */
  gradientNorm(): number {
    let m = 0;
    for (let i = 0; i < this.n; i++) m = Math.max(m, Math.abs(this.pg[i]!));
    return m;
  }

  /**
   * Takes over another run's curvature pairs (same dimension): after optimising a cheaper
   * approximation of the same objective (a subsample of rows, say), the pairs describe nearly the
   * same Hessian, so the first steps here are well scaled instead of starting from steepest descent.
   */
  adoptMemory(other: Lbfgs): void {
    if (other.n !== this.n) throw new Error(`cannot adopt L-BFGS memory of dimension ${other.n} into ${this.n}`);
    const k = Math.min(other.stored, this.m);
    for (let c = 0; c < k; c++) {
      const src = (other.head - k + c + other.m) % other.m;
      this.s[c]!.set(other.s[src]!);
      this.y[c]!.set(other.y[src]!);
      this.rho[c] = other.rho[src]!;
    }
    this.stored = k;
    this.head = k % this.m;
  }

  /** Runs until the status is no longer 'running'. */
  run(): LbfgsStatus {
    while (this.step() === 'running');
    return this.status;
  }

  /** One iteration: direction, line search, memory update, convergence test. */
  step(): LbfgsStatus {
    if (this.status !== 'running') return this.status;
    if (this.iterations >= this.maxIter) {
      this.status = 'max_iter';
      return this.status;
    }
    const n = this.n;
    const fOld = this.f;
    let accepted = this.tryStep(false);
    if (!accepted && this.stored > 0) {
      // A stale curvature memory can point badly; restart from steepest descent once.
      this.stored = 0;
      accepted = this.tryStep(true);
    }
    if (!accepted) {
      this.status = 'line_search_failed';
      return this.status;
    }
    // xt/gt now hold the accepted point; update memory with s = xt - x, y = gt - grad.
    const slot = this.head;
    const s = this.s[slot]!;
    const y = this.y[slot]!;
    let sy = 0;
    let yy = 0;
    for (let i = 0; i < n; i++) {
      s[i] = this.xt[i]! - this.x[i]!;
      y[i] = this.gt[i]! - this.grad[i]!;
      sy += s[i]! * y[i]!;
      yy += y[i]! * y[i]!;
    }
    // Only curvature-positive pairs keep the approximation positive definite.
    if (sy > 1e-12 * yy && sy > 0) {
      this.rho[slot] = 1 / sy;
      this.head = (slot + 1) % this.m;
      this.stored = Math.min(this.stored + 1, this.m);
    }
    this.x.set(this.xt);
    this.grad.set(this.gt);
    this.pseudoGradient(this.x, this.grad, this.pg);
    this.iterations++;
    if (this.gradientNorm() <= this.gtol) this.status = 'converged';
    else if (fOld - this.f <= this.ftol * Math.max(Math.abs(fOld), Math.abs(this.f), 1)) this.status = 'converged';
    else if (this.iterations >= this.maxIter) this.status = 'max_iter';
    return this.status;
  }

  /** Computes a direction and searches along it; on success xt, gt and f hold the new point. */
  private tryStep(steepest: boolean): boolean {
    const n = this.n;
    const d = this.dir;
    const pg = this.pg;
    for (let i = 0; i < n; i++) d[i] = -pg[i]!;
    if (!steepest) this.twoLoop(d);
    if (this.l1) {
      // OWL-QN: drop components that would move against the pseudo-gradient's orthant.
      for (let i = 0; i < n; i++) if (d[i]! * pg[i]! >= 0) d[i] = 0;
    }
    let gd = 0;
    let pnorm2 = 0;
    for (let i = 0; i < n; i++) {
      gd += pg[i]! * d[i]!;
      pnorm2 += pg[i]! * pg[i]!;
    }
    if (!(gd < 0)) {
      if (steepest) return false;
      for (let i = 0; i < n; i++) d[i] = -pg[i]!;
      gd = -pnorm2;
      this.stored = 0;
      if (!(gd < 0)) return false;
    }
    // Without curvature memory the direction is unscaled: start with a unit-length move.
    const t0 = this.stored === 0 ? Math.min(1, 1 / Math.sqrt(pnorm2)) : 1;
    return this.l1 ? this.backtrackOrthant(t0) : this.wolfe(t0, gd);
  }

  private wolfe(t0: number, gd: number): boolean {
    const n = this.n;
    const { x, dir, xt, gt } = this;
    const phi = (t: number): { f: number; d: number } => {
      for (let i = 0; i < n; i++) xt[i] = x[i]! + t * dir[i]!;
      const f = this.fg(xt, gt);
      this.evaluations++;
      let dd = 0;
      for (let i = 0; i < n; i++) dd += gt[i]! * dir[i]!;
      return { f, d: dd };
    };
    const r = lineSearchWolfe(phi, this.f, gd, t0);
    if (r.step <= 0) return false;
    if (!r.lastEvaluated) phi(r.step);
    this.f = r.f;
    return true;
  }

  private backtrackOrthant(t0: number): boolean {
    const n = this.n;
    const { x, dir, xt, gt, pg } = this;
    let t = t0;
    for (let k = 0; k < 40; k++) {
      for (let i = 0; i < n; i++) {
        const xi = x[i]!;
        const orthant = xi !== 0 ? Math.sign(xi) : -Math.sign(pg[i]!);
        const v = xi + t * dir[i]!;
        xt[i] = Math.sign(v) === orthant ? v : 0;
      }
      const f = this.fg(xt, gt) + this.l1Term(xt);
      this.evaluations++;
      let dec = 0;
      for (let i = 0; i < n; i++) dec += pg[i]! * (xt[i]! - x[i]!);
      if (Number.isFinite(f) && f <= this.f + 1e-4 * dec) {
        this.f = f;
        return true;
      }
      t *= 0.5;
    }
    return false;
  }

  /** d <- H d, the standard two-loop recursion over the stored pairs (newest first). */
  private twoLoop(d: Float64Array): void {
    const n = this.n;
    const m = this.m;
    const k = this.stored;
    for (let c = 0; c < k; c++) {
      const j = (this.head - 1 - c + m) % m;
      const s = this.s[j]!;
      let a = 0;
      for (let i = 0; i < n; i++) a += s[i]! * d[i]!;
      a *= this.rho[j]!;
      this.alpha[j] = a;
      const y = this.y[j]!;
      for (let i = 0; i < n; i++) d[i] -= a * y[i]!;
    }
    if (k > 0) {
      const j = (this.head - 1 + m) % m;
      const y = this.y[j]!;
      let yy = 0;
      for (let i = 0; i < n; i++) yy += y[i]! * y[i]!;
      const gamma = 1 / (this.rho[j]! * yy);
      for (let i = 0; i < n; i++) d[i] *= gamma;
    }
    for (let c = k - 1; c >= 0; c--) {
      const j = (this.head - 1 - c + m) % m;
      const y = this.y[j]!;
      let b = 0;
      for (let i = 0; i < n; i++) b += y[i]! * d[i]!;
      b *= this.rho[j]!;
      const s = this.s[j]!;
      const a = this.alpha[j]!;
      for (let i = 0; i < n; i++) d[i] += (a - b) * s[i]!;
    }
  }

  private l1Term(x: Float64Array): number {
    const l1 = this.l1;
    if (!l1) return 0;
    let s = 0;
    for (let i = 0; i < this.n; i++) s += l1[i]! * Math.abs(x[i]!);
    return s;
  }

  /** The minimum-norm subgradient of f + L1 (equal to the gradient when there is no L1 term). */
  private pseudoGradient(x: Float64Array, g: Float64Array, out: Float64Array): void {
    const l1 = this.l1;
    if (!l1) {
      out.set(g);
      return;
    }
    for (let i = 0; i < this.n; i++) {
      const lam = l1[i]!;
      const xi = x[i]!;
      const gi = g[i]!;
      if (xi > 0) out[i] = gi + lam;
      else if (xi < 0) out[i] = gi - lam;
      else if (gi + lam < 0) out[i] = gi + lam;
      else if (gi - lam > 0) out[i] = gi - lam;
      else out[i] = 0;
    }
  }
}

/** Convenience wrapper: minimise to convergence or the iteration limit. */
export function minimizeLbfgs(fg: ObjectiveFunction, x0: Float64Array, options: LbfgsOptions = {}): { x: Float64Array; f: number; iterations: number; evaluations: number; status: LbfgsStatus } {
  const opt = new Lbfgs(fg, x0, options);
  opt.run();
  return { x: opt.x, f: opt.f, iterations: opt.iterations, evaluations: opt.evaluations, status: opt.status };
}
