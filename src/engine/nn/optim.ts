// First-order optimisers over one flat float32 parameter block (Adam, and SGD with momentum) and
// the learning-rate schedules. State lives in float64 arrays: the moment estimates decay over
// thousands of steps, and float64 keeps a run bit-for-bit repeatable on every platform.

export const OPTIMIZERS = ['adam', 'sgd'] as const;
export type OptimizerName = (typeof OPTIMIZERS)[number];
export const SCHEDULES = ['constant', 'step', 'exponential', 'cosine'] as const;
export type ScheduleName = (typeof SCHEDULES)[number];

export interface OptimizerOptions {
  learningRate: number;
  /** SGD momentum (0 = plain SGD). */
  momentum: number;
  beta1: number;
  beta2: number;
  epsilon: number;
}

export interface Optimizer {
  /** One update of params from grads with the given learning rate. */
  step(params: Float32Array, grads: Float32Array, lr: number): void;
}

export function createOptimizer(name: OptimizerName, size: number, o: OptimizerOptions): Optimizer {
  return name === 'adam' ? new Adam(size, o.beta1, o.beta2, o.epsilon) : new Sgd(size, o.momentum);
}

class Adam implements Optimizer {
  private readonly m: Float64Array;
  private readonly v: Float64Array;
  private t = 0;
  constructor(
    size: number,
    private readonly b1: number,
    private readonly b2: number,
    private readonly eps: number,
  ) {
    this.m = new Float64Array(size);
    this.v = new Float64Array(size);
  }

  step(params: Float32Array, grads: Float32Array, lr: number): void {
    this.t++;
    const { m, v, b1, b2, eps } = this;
    // Bias correction folded into the step size, as in Kingma & Ba's efficient form.
    const a = (lr * Math.sqrt(1 - b2 ** this.t)) / (1 - b1 ** this.t);
    for (let i = 0; i < params.length; i++) {
      const g = grads[i]!;
      const mi = b1 * m[i]! + (1 - b1) * g;
      const vi = b2 * v[i]! + (1 - b2) * g * g;
      m[i] = mi;
      v[i] = vi;
      params[i] -= (a * mi) / (Math.sqrt(vi) + eps);
    }
  }
}

class Sgd implements Optimizer {
  private readonly vel: Float64Array;
  constructor(
    size: number,
    private readonly momentum: number,
  ) {
    this.vel = new Float64Array(size);
  }

  step(params: Float32Array, grads: Float32Array, lr: number): void {
    const { vel, momentum } = this;
    for (let i = 0; i < params.length; i++) {
      const u = momentum * vel[i]! - lr * grads[i]!;
      vel[i] = u;
      params[i] += u;
    }
  }
}

export interface ScheduleOptions {
  name: ScheduleName;
  learningRate: number;
  /** Factor per decay (step, exponential). */
  decayRate: number;
  /** Epochs between decays (step). */
  stepSize: number;
  epochs: number;
  stepsPerEpoch: number;
}

/** Learning rate at optimiser step `s` (0-based) of epoch `epoch` (0-based). */
export function learningRateAt(o: ScheduleOptions, epoch: number, s: number): number {
  switch (o.name) {
    case 'constant':
      return o.learningRate;
    case 'step':
      return o.learningRate * o.decayRate ** Math.floor(epoch / o.stepSize);
    case 'exponential':
      return o.learningRate * o.decayRate ** epoch;
    case 'cosine': {
      // Annealed per step (not per epoch) so the rate falls smoothly to zero at the last step.
      const total = Math.max(1, o.epochs * o.stepsPerEpoch);
      return 0.5 * o.learningRate * (1 + Math.cos((Math.PI * Math.min(s, total)) / total));
    }
  }
}
