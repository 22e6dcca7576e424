// Shared by the metric tests: scikit-learn 1.2.1's values (fixtures written by
// test/fixtures/metrics/make_fixtures.py and committed) and closeness checks.

import { readdirSync, readFileSync } from 'node:fs';
import { expect } from 'vitest';
import type { METRIC_NAMES } from '../../../src/evaluate/metrics/index.js';

export interface Fixture {
  name: string;
  task: keyof typeof METRIC_NAMES;
  nClasses?: number;
  yTrue: number[];
  yPred: number[];
  proba?: number[];
  sampleWeight: number[] | null;
  expected: Record<string, number>;
  omitted: string[];
  confusion?: number[][];
  curves?: {
    roc: { fpr: number[]; tpr: number[]; thresholds: number[] };
    pr: { precision: number[]; recall: number[]; thresholds: number[] };
  };
}

const fixtureDir = new URL('../../fixtures/metrics/', import.meta.url);
export const fixtures: Fixture[] = readdirSync(fixtureDir)
  .filter((f) => f.endsWith('.json'))
  .sort()
  .map((f) => JSON.parse(readFileSync(new URL(f, fixtureDir), 'utf8')) as Fixture);

export const f64 = (a: readonly number[]): Float64Array => Float64Array.from(a);

export function inputOf(fx: Fixture) {
  return {
    yTrue: f64(fx.yTrue),
    yPred: f64(fx.yPred),
    ...(fx.proba === undefined ? {} : { proba: f64(fx.proba) }),
    ...(fx.nClasses === undefined ? {} : { nClasses: fx.nClasses }),
    ...(fx.sampleWeight === null ? {} : { sampleWeight: f64(fx.sampleWeight) }),
  };
}

/** Relative closeness; an expected exact zero must come out as (almost) exact zero. */
export function expectClose(actual: number | undefined, expected: number, label: string, rel = 1e-9): void {
  expect(actual, label).toBeTypeOf('number');
  const tol = rel * Math.max(Math.abs(expected), 1e-300);
  if (Math.abs(actual! - expected) > tol) {
    expect.fail(`${label}: got ${actual}, scikit-learn ${expected} (relative error ${Math.abs(actual! - expected) / Math.abs(expected)})`);
  }
}

export function expectAllClose(actual: ArrayLike<number>, expected: readonly number[], label: string): void {
  expect(actual.length, `${label} length`).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    if (expected[i] === 0) expect(Math.abs(actual[i]!), `${label}[${i}]`).toBeLessThan(1e-15);
    else expectClose(actual[i], expected[i]!, `${label}[${i}]`);
  }
}
