// Regression metrics on typed arrays, matching scikit-learn 1.2.1 (the fixtures in
// test/fixtures/metrics/), and the regression metric family. `yTrue` / `yPred` hold values;
// `sampleWeight` is optional everywhere. A metric undefined for the data (R2 with one row) is NaN
// from the single functions and omitted from `computeMetrics`' record.

import { SomaError } from '../../errors.js';
import { checkRegression } from './checks.js';
import type { MetricFamily, MetricInput, MetricSpec } from './family.js';

/** Every regression metric, in report order. */
const NAMES = ['mse', 'rmse', 'mae', 'mape', 'r2', 'explained_variance'] as const;

export type RegressionMetricName = (typeof NAMES)[number];

/** Errors: lower is better; r2 and explained variance are maximised. */
const MINIMIZE: ReadonlySet<RegressionMetricName> = new Set(['mse', 'rmse', 'mae', 'mape']);

/** Float64 machine epsilon: scikit-learn's MAPE floor for |y|. */
const EPS = Number.EPSILON;

/** Weighted mean of f(i) over rows; NaN when the weights sum to 0. */
function weightedMean(n: number, w: Float64Array | undefined, f: (i: number) => number): number {
  let sum = 0;
  let total = 0;
  for (let i = 0; i < n; i++) {
    const wi = w === undefined ? 1 : w[i]!;
    sum += f(i) * wi;
    total += wi;
  }
  return total > 0 ? sum / total : NaN;
}

function mseKernel(y: Float64Array, p: Float64Array, w: Float64Array | undefined): number {
  return weightedMean(y.length, w, (i) => (y[i]! - p[i]!) ** 2);
}

function maeKernel(y: Float64Array, p: Float64Array, w: Float64Array | undefined): number {
  return weightedMean(y.length, w, (i) => Math.abs(y[i]! - p[i]!));
}

function mapeKernel(y: Float64Array, p: Float64Array, w: Float64Array | undefined): number {
  // A zero target divides by machine epsilon, as scikit-learn: the value explodes rather than
  // silently skipping the row, so a MAPE on data with zeros is visibly meaningless.
  return weightedMean(y.length, w, (i) => Math.abs(p[i]! - y[i]!) / Math.max(Math.abs(y[i]!), EPS));
}

/** scikit-learn's force_finite rule for R2 and explained variance. */
function oneMinusRatio(numerator: number, denominator: number): number {
  if (numerator === 0) return 1;
  if (denominator === 0) return 0;
  return 1 - numerator / denominator;
}

function r2Kernel(y: Float64Array, p: Float64Array, w: Float64Array | undefined): number {
  // scikit-learn counts rows, not weights, for this rule.
  if (y.length < 2) return NaN;
  const mean = weightedMean(y.length, w, (i) => y[i]!);
  let num = 0;
  let den = 0;
  for (let i = 0; i < y.length; i++) {
    const wi = w === undefined ? 1 : w[i]!;
    num += wi * (y[i]! - p[i]!) ** 2;
    den += wi * (y[i]! - mean) ** 2;
  }
  return oneMinusRatio(num, den);
}

function explainedVarianceKernel(y: Float64Array, p: Float64Array, w: Float64Array | undefined): number {
  const n = y.length;
  const diffMean = weightedMean(n, w, (i) => y[i]! - p[i]!);
  const num = weightedMean(n, w, (i) => (y[i]! - p[i]! - diffMean) ** 2);
  const mean = weightedMean(n, w, (i) => y[i]!);
  const den = weightedMean(n, w, (i) => (y[i]! - mean) ** 2);
  if (Number.isNaN(num) || Number.isNaN(den)) return NaN;
  return oneMinusRatio(num, den);
}

export function mse(yTrue: Float64Array, yPred: Float64Array, sampleWeight?: Float64Array): number {
  checkRegression(yTrue, yPred, sampleWeight);
  return mseKernel(yTrue, yPred, sampleWeight);
}

export function rmse(yTrue: Float64Array, yPred: Float64Array, sampleWeight?: Float64Array): number {
  checkRegression(yTrue, yPred, sampleWeight);
  return Math.sqrt(mseKernel(yTrue, yPred, sampleWeight));
}

export function mae(yTrue: Float64Array, yPred: Float64Array, sampleWeight?: Float64Array): number {
  checkRegression(yTrue, yPred, sampleWeight);
  return maeKernel(yTrue, yPred, sampleWeight);
}

/** Mean of |pred - true| / max(|true|, eps), a fraction (0.1 = 10 %), as scikit-learn. */
export function mape(yTrue: Float64Array, yPred: Float64Array, sampleWeight?: Float64Array): number {
  checkRegression(yTrue, yPred, sampleWeight);
  return mapeKernel(yTrue, yPred, sampleWeight);
}

/** Coefficient of determination; NaN with fewer than two rows, 1 or 0 for a constant target. */
export function r2(yTrue: Float64Array, yPred: Float64Array, sampleWeight?: Float64Array): number {
  checkRegression(yTrue, yPred, sampleWeight);
  return r2Kernel(yTrue, yPred, sampleWeight);
}

export function explainedVariance(yTrue: Float64Array, yPred: Float64Array, sampleWeight?: Float64Array): number {
  checkRegression(yTrue, yPred, sampleWeight);
  return explainedVarianceKernel(yTrue, yPred, sampleWeight);
}

// ---------------------------------------------------------------------------------------------
// The family

export const regressionMetrics: MetricFamily = {
  task: 'regression',
  target: 'values',
  metrics: NAMES.map((name): MetricSpec => ({
    name,
    direction: MINIMIZE.has(name) ? 'minimize' : 'maximize',
    ...(name === 'mape' ? { undefinedFor: mapeUndefinedFor } : {}),
  })),
  defaults: ['mse', 'rmse', 'mae', 'mape', 'r2', 'explained_variance'],
  score: 'r2',
  groupMetrics: ['mae', 'rmse', 'r2'],
  compute: computeRegression,
};

/** MAPE divides by |y|: a target of 0 (in a row that counts) makes it meaningless. */
function mapeUndefinedFor(input: MetricInput): string | undefined {
  const { yTrue, sampleWeight: w } = input;
  let zeros = 0;
  for (let i = 0; i < yTrue.length; i++) if (Math.abs(yTrue[i]!) < EPS && (w === undefined || w[i]! > 0)) zeros++;
  if (zeros === 0) return undefined;
  return `the target is 0 in ${zeros} row${zeros === 1 ? '' : 's'} and MAPE divides by the target (use mae or rmse)`;
}

function computeRegression(input: MetricInput, names: readonly string[]): Record<string, number> {
  const { yTrue, yPred, sampleWeight: w } = input;
  const out: Record<string, number> = {};
  const put = (name: string, value: number): void => {
    if (!Number.isNaN(value)) out[name] = value;
  };
  checkRegression(yTrue, yPred, w);
  for (const name of names as readonly RegressionMetricName[]) {
    switch (name) {
      case 'mse': put(name, mseKernel(yTrue, yPred, w)); break;
      case 'rmse': put(name, Math.sqrt(mseKernel(yTrue, yPred, w))); break;
      case 'mae': put(name, maeKernel(yTrue, yPred, w)); break;
      case 'mape': put(name, mapeKernel(yTrue, yPred, w)); break;
      case 'r2': put(name, r2Kernel(yTrue, yPred, w)); break;
      case 'explained_variance': put(name, explainedVarianceKernel(yTrue, yPred, w)); break;
      default: unreachable(name);
    }
  }
  return out;
}

/** Every declared metric has a case above: a name added to NAMES without one fails to compile. */
function unreachable(name: never): never {
  throw new SomaError('INTERNAL', `regression metric ${String(name)} has no kernel`);
}
