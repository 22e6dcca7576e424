// Cross-validation folds as row indices: k-fold, stratified k-fold, group k-fold and the
// time-series split (expanding window). Every fold's train and test rows are disjoint, and the
// folds are a pure function of the inputs and the seed, so a study repeats exactly.

import { SomaError } from '../errors.js';
import { Rng } from '../engine/random.js';

export type FoldKind = 'kfold' | 'stratified' | 'group' | 'time';

export interface FoldOptions {
  folds: number;
  seed: number;
  /** false keeps file order when assigning rows to folds (k-fold and stratified). */
  shuffle?: boolean;
  /** Class code per row: each test fold keeps the class shares (stratified k-fold). */
  stratify?: Int32Array;
  /** Group code per row: a group never appears in both the train and the test part of a fold. */
  groups?: Int32Array;
  /** A time per row: folds follow time order and train only on rows older than the test rows. */
  times?: Float64Array;
}

export interface Fold {
  /** Sorted row indices. */
  train: Int32Array;
  test: Int32Array;
}

/** The kind of split the options ask for (time beats groups beats stratify). */
export function foldKind(options: FoldOptions): FoldKind {
  if (options.times) return 'time';
  if (options.groups) return 'group';
  if (options.stratify) return 'stratified';
  return 'kfold';
}

/** Cross-validation folds over `n` rows. */
export function cvFolds(n: number, options: FoldOptions): Fold[] {
  const k = options.folds;
  if (!Number.isInteger(k) || k < 2) {
    throw new SomaError('CONFIG_INVALID', `search.cv.folds: ${k} (expected an integer >= 2)`);
  }
  for (const [name, a] of [['stratify', options.stratify], ['groups', options.groups], ['times', options.times]] as const) {
    if (a && a.length !== n) throw new SomaError('INTERNAL', `cvFolds: ${name} has ${a.length} values for ${n} rows`);
  }
  const kind = foldKind(options);
  // Time-series folds need k + 1 blocks (the first only ever trains); the others need k rows.
  const needed = kind === 'time' ? k + 1 : k;
  if (n < needed) {
    throw new SomaError('DATA_EMPTY', `cross-validation with ${k} folds needs at least ${needed} rows (got ${n})`, { hint: 'lower search.cv.folds' });
  }
  const rng = new Rng(options.seed);
  const shuffle = options.shuffle ?? true;
  switch (kind) {
    case 'time':
      return timeFolds(options.times!, k);
    case 'group':
      return fromAssignment(groupAssignment(options.groups!, k, rng), k);
    case 'stratified':
      return fromAssignment(stratifiedAssignment(options.stratify!, k, shuffle, rng), k);
    case 'kfold':
      return fromAssignment(kfoldAssignment(n, k, shuffle, rng), k);
  }
}

/** Fold number per row: a (shuffled) order cut into k nearly equal consecutive blocks. */
function kfoldAssignment(n: number, k: number, shuffle: boolean, rng: Rng): Int32Array {
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  if (shuffle) rng.shuffle(order);
  const fold = new Int32Array(n);
  for (let i = 0; i < n; i++) fold[order[i]!] = Math.floor((i * k) / n);
  return fold;
}

/**
 * Each class is dealt round-robin over the folds, continuing where the previous class stopped,
 * so every fold gets its share of each class (within one row) and the fold sizes stay balanced.
 */
function stratifiedAssignment(codes: Int32Array, k: number, shuffle: boolean, rng: Rng): Int32Array {
  const byClass = new Map<number, number[]>();
  for (let i = 0; i < codes.length; i++) {
    const c = codes[i]!;
    let list = byClass.get(c);
    if (!list) byClass.set(c, (list = []));
    list.push(i);
  }
  const fold = new Int32Array(codes.length);
  let next = 0;
  for (const c of [...byClass.keys()].sort((a, b) => a - b)) {
    const rows = Int32Array.from(byClass.get(c)!);
    if (shuffle) rng.shuffle(rows);
    for (const r of rows) {
      fold[r] = next;
      next = (next + 1) % k;
    }
  }
  return fold;
}

/**
 * Whole groups go to folds, largest first, each to the currently smallest fold (scikit-learn's
 * GroupKFold rule); ties between equal groups are broken by a seeded shuffle so the seed matters.
 */
function groupAssignment(groups: Int32Array, k: number, rng: Rng): Int32Array {
  const sizes = new Map<number, number>();
  for (const g of groups) sizes.set(g, (sizes.get(g) ?? 0) + 1);
  if (sizes.size < k) {
    throw new SomaError('DATA_BAD_VALUE', `search.cv.groups: ${sizes.size} distinct groups cannot fill ${k} folds`, { hint: 'lower search.cv.folds or choose a column with more groups' });
  }
  const keys = Int32Array.from([...sizes.keys()].sort((a, b) => a - b));
  rng.shuffle(keys);
  const ordered = Array.from(keys).sort((a, b) => sizes.get(b)! - sizes.get(a)!);
  const load = new Float64Array(k);
  const foldOf = new Map<number, number>();
  for (const g of ordered) {
    let best = 0;
    for (let f = 1; f < k; f++) if (load[f]! < load[best]!) best = f;
    foldOf.set(g, best);
    load[best]! += sizes.get(g)!;
  }
  const fold = new Int32Array(groups.length);
  for (let i = 0; i < groups.length; i++) fold[i] = foldOf.get(groups[i]!)!;
  return fold;
}

function fromAssignment(fold: Int32Array, k: number): Fold[] {
  const counts = new Int32Array(k);
  for (const f of fold) counts[f]!++;
  const out: Fold[] = [];
  for (let f = 0; f < k; f++) {
    const test = new Int32Array(counts[f]!);
    const train = new Int32Array(fold.length - counts[f]!);
    let a = 0;
    let b = 0;
    for (let i = 0; i < fold.length; i++) {
      if (fold[i] === f) test[a++] = i;
      else train[b++] = i;
    }
    out.push({ train, test });
  }
  return out;
}

/**
 * Expanding window: rows sorted by time (NaN first, ties in file order) are cut into k + 1
 * blocks; fold i tests on block i + 1 and trains on every block before it. Rows sharing a
 * timestamp are kept in one block, so no training row is as new as a test row.
 */
function timeFolds(times: Float64Array, k: number): Fold[] {
  const n = times.length;
  const key = (i: number): number => (Number.isNaN(times[i]!) ? -Infinity : times[i]!);
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => key(a) - key(b) || a - b);
  // Block boundaries, moved forward past runs of equal times.
  const bounds: number[] = [0];
  for (let b = 1; b <= k; b++) {
    let cut = Math.max(bounds[b - 1]!, Math.floor((b * n) / (k + 1)));
    while (cut > 0 && cut < n && key(order[cut]!) === key(order[cut - 1]!)) cut++;
    bounds.push(cut);
  }
  bounds.push(n);
  const out: Fold[] = [];
  for (let f = 0; f < k; f++) {
    const train = Int32Array.from(order.slice(0, bounds[f + 1]!)).sort();
    const test = Int32Array.from(order.slice(bounds[f + 1]!, bounds[f + 2]!)).sort();
    if (train.length === 0 || test.length === 0) {
      throw new SomaError('DATA_BAD_VALUE', `time-series fold ${f + 1} of ${k} is empty: too few distinct times for ${k} folds`, { hint: 'lower search.cv.folds' });
    }
    out.push({ train, test });
  }
  return out;
}
