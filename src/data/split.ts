// Train / validation / test splits as row indices: seeded shuffle, stratified by class, in file
// order, or in time order. Deterministic for a seed.

import { SomaError } from '../errors.js';
import { Rng } from '../engine/random.js';

export interface SplitOptions {
  train: number;
  validation: number;
  test: number;
  seed: number;
  /** false keeps file order (ignored with `orderBy`). */
  shuffle: boolean;
  /** Class code per row (-1 = missing, kept as its own group): each part keeps the class shares. */
  stratify?: Int32Array;
  /**
   * A time per row: oldest rows go to train, newest to test. Rows with a NaN time count as
   * the oldest (they go first, into train), in file order. Ties keep file order.
   */
  orderBy?: Float64Array;
}

export interface SplitIndices {
  train: Int32Array;
  validation: Int32Array;
  test: Int32Array;
}

/** Row indices of each part. Every row lands in exactly one part. */
export function splitIndices(n: number, options: SplitOptions): SplitIndices {
  const { train, validation, test } = options;
  for (const [k, v] of [['train', train], ['validation', validation], ['test', test]] as const) {
    if (!Number.isFinite(v) || v < 0 || v > 1) {
      throw new SomaError('CONFIG_INVALID', `split.${k}: ${v} is not a fraction (expected a number in [0, 1])`, { details: { key: `split.${k}`, value: v } });
    }
  }
  const sum = train + validation + test;
  if (Math.abs(sum - 1) > 1e-9) {
    throw new SomaError('CONFIG_INVALID', `split: train + validation + test = ${+sum.toFixed(12)} (expected 1)`, {
      hint: 'e.g. {train: 0.7, validation: 0.15, test: 0.15}',
      details: { train, validation, test },
    });
  }
  if (!Number.isInteger(n) || n < 0) throw new SomaError('INTERNAL', `splitIndices: row count ${n} is not a non-negative integer`);
  if (options.stratify && options.stratify.length !== n) throw new SomaError('INTERNAL', `splitIndices: stratify has ${options.stratify.length} codes for ${n} rows`);
  if (options.orderBy && options.orderBy.length !== n) throw new SomaError('INTERNAL', `splitIndices: orderBy has ${options.orderBy.length} times for ${n} rows`);

  if (options.orderBy) return cut(timeOrder(options.orderBy), train, validation);

  const rng = new Rng(options.seed);
  if (options.stratify) return stratified(options.stratify, train, validation, options.shuffle, rng);

  const order = identity(n);
  if (options.shuffle) rng.shuffle(order);
  const parts = cut(order, train, validation);
  // Shuffled parts are returned in file order: cheaper gathers, and the same rows either way.
  if (options.shuffle) for (const p of [parts.train, parts.validation, parts.test]) p.sort();
  return parts;
}

/** Sizes that add up to n: train and validation rounded, test gets the rest. */
function sizes(n: number, train: number, validation: number): [number, number, number] {
  const a = Math.min(n, Math.round(n * train));
  const b = Math.min(n - a, Math.round(n * validation));
  return [a, b, n - a - b];
}

function cut(order: Int32Array, train: number, validation: number): SplitIndices {
  const [a, b] = sizes(order.length, train, validation);
  return { train: order.slice(0, a), validation: order.slice(a, a + b), test: order.slice(a + b) };
}

function identity(n: number): Int32Array {
  const o = new Int32Array(n);
  for (let i = 0; i < n; i++) o[i] = i;
  return o;
}

/** Rows by time, NaN first; a stable sort so equal times keep file order. */
function timeOrder(t: Float64Array): Int32Array {
  const idx = Array.from(identity(t.length));
  const key = (i: number): number => (Number.isNaN(t[i]!) ? -Infinity : t[i]!);
  idx.sort((x, y) => key(x) - key(y) || x - y);
  return Int32Array.from(idx);
}

/**
 * Each class is split on its own with the same fractions, so every part keeps the class shares
 * (within one row per class, from rounding).
 */
function stratified(codes: Int32Array, train: number, validation: number, shuffle: boolean, rng: Rng): SplitIndices {
  const n = codes.length;
  const groups = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    const g = codes[i]!;
    let list = groups.get(g);
    if (!list) groups.set(g, (list = []));
    list.push(i);
  }
  const keys = [...groups.keys()].sort((x, y) => x - y);
  const out = { train: [] as number[], validation: [] as number[], test: [] as number[] };
  for (const k of keys) {
    const rows = Int32Array.from(groups.get(k)!);
    if (shuffle) rng.shuffle(rows);
    const [a, b] = sizes(rows.length, train, validation);
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i]!;
      if (i < a) out.train.push(r);
      else if (i < a + b) out.validation.push(r);
      else out.test.push(r);
    }
  }
  const sorted = (a: number[]): Int32Array => Int32Array.from(a).sort();
  return { train: sorted(out.train), validation: sorted(out.validation), test: sorted(out.test) };
}
