// One column's drift verdict from two summaries on the same bins: the test Evidently would pick
// by type, size and distinct values (or the one asked for), its statistic against its threshold,
// and PSI beside it. A summary is what a stream leaves (sketch.ts) or what a version stored
// (reference.ts), so the training data is never needed.
//
// How each test runs on binned data:
// - KS: the largest CDF gap at the bin edges. Exact when the edges hold every value (a small
//   reference file: see sampleEdges), else a lower bound of the raw statistic (a stored profile's
//   255 quantile edges: the gap between edges is missed; p-values are then slightly high).
// - Wasserstein: ∫|F_r - F_c| bin by bin; exact where F_r - F_c keeps its sign within a bin when
//   both sides carry in-bin offsets (two files, and profiles that store them), the values taken as
//   uniform within a bin otherwise (older profiles).
// - chi-square, Z, Jensen-Shannon: on category counts (exact), or on the bins of a numeric column
//   with few values (each value then has its own bin).
// - PSI: numeric bins merged into about 10 bins of equal reference mass; categories as they are.

import { chiSquareCounts } from './stats/chisquare.js';
import { jensenShannon } from './stats/jensenshannon.js';
import { ksFromCumulative } from './stats/ks.js';
import { coarseBins, psi } from './stats/psi.js';
import { normedWasserstein, wassersteinBinned } from './stats/wasserstein.js';
import { twoProportionZ } from './stats/ztest.js';

export const DRIFT_METHODS = ['auto', 'ks', 'chi2', 'ztest', 'wasserstein', 'jensenshannon', 'psi'] as const;
export type DriftMethod = (typeof DRIFT_METHODS)[number];
export type DriftTest = Exclude<DriftMethod, 'auto'>;

/** Evidently's size rule: up to this many reference values, the tests with p-values. */
export const SMALL_REFERENCE = 1000;
/** Evidently's rule: numeric columns with at most this many values (both samples together) get a categorical test. */
export const FEW_VALUES = 5;
/** Integer columns with at most this many distinct reference values are categorical (Evidently's type inference). */
export const INTEGER_CATEGORIES = 10;
/** Bins PSI is computed on for numeric columns (the drift anchor's 10 reference quantile bins). */
export const PSI_BINS = 10;
/** PSI at or above this is reported as a significant shift (`psi_drift`). */
export const PSI_SIGNIFICANT = 0.2;

/** Default thresholds: p-value tests drift below theirs, distances at or above. */
export const DEFAULT_THRESHOLDS: Record<DriftTest, number> = { ks: 0.05, chi2: 0.05, ztest: 0.05, wasserstein: 0.1, jensenshannon: 0.1, psi: 0.1 };

export function isPValueTest(t: DriftTest): boolean {
  return t === 'ks' || t === 'chi2' || t === 'ztest';
}

export interface NumericSummary {
  kind: 'numeric';
  edges: ArrayLike<number>;
  counts: ArrayLike<number>;
  offsets?: ArrayLike<number>;
  /** Values counted (finite, present). */
  n: number;
  missing: number;
  min: number;
  max: number;
  std: number;
  /** How many distinct values, when known to be at most DISTINCT_CAP; null when more or unknown. */
  distinct: number | null;
  /** An integer column (by its file type), for Evidently's "integers with few values are categories". */
  integer?: boolean;
  /** Bin -> PSI bin, when the reference's deciles are among the edges (a reference file); else bins are merged by reference mass. */
  psiGroups?: Int32Array;
}

export interface CategoricalSummary {
  kind: 'categorical';
  counts: ReadonlyMap<string, number>;
  n: number;
  missing: number;
  /** Too many distinct values to test (an id or free text). */
  overflow?: boolean;
}

export type Summary = NumericSummary | CategoricalSummary;

export interface ColumnDriftResult {
  method: DriftTest;
  statistic: number;
  /** The p-value (ks, chi2, ztest), else null. */
  p_value: number | null;
  threshold: number;
  drift: boolean;
  /** How far past its threshold: distance / threshold, or threshold / p (capped at 1e6); >= 1 means drift. */
  score: number;
  psi: number;
  psi_drift: boolean;
  reference_rows: number;
  current_rows: number;
  /** Why the method differs from the one asked for, or how it was computed. */
  note?: string;
}

export interface TestChoice {
  method?: DriftMethod;
  threshold?: number;
}

/** The verdict for one column; undefined when it cannot be tested (no values on a side, too many categories). */
export function columnDrift(ref: Summary, cur: Summary, choice: TestChoice = {}): ColumnDriftResult | undefined {
  if (ref.n === 0 || cur.n === 0) return undefined;
  if (ref.kind === 'categorical' && cur.kind === 'categorical') {
    if (ref.overflow || cur.overflow) return undefined;
    const keys = [...new Set([...ref.counts.keys(), ...cur.counts.keys()])].sort();
    const r = keys.map((k) => ref.counts.get(k) ?? 0);
    const c = keys.map((k) => cur.counts.get(k) ?? 0);
    return categoricalTest(r, c, ref.n, cur.n, choice, psi(r, c));
  }
  if (ref.kind !== 'numeric' || cur.kind !== 'numeric') throw new RangeError('columnDrift: a numeric and a categorical summary');
  if (ref.edges.length !== cur.edges.length) throw new RangeError('columnDrift: summaries on different edges');
  const psiValue = numericPsi(ref.counts, cur.counts, ref.psiGroups);
  const few =
    (ref.integer === true && ref.distinct !== null && ref.distinct <= INTEGER_CATEGORIES) ||
    (ref.distinct !== null && cur.distinct !== null && unionBins(ref.counts, cur.counts) <= FEW_VALUES);
  const asked = choice.method ?? 'auto';
  const numericTest = asked === 'ks' || asked === 'wasserstein' || asked === 'psi' ? asked : asked === 'auto' && !few ? (ref.n <= SMALL_REFERENCE ? 'ks' : 'wasserstein') : undefined;
  if (numericTest === undefined) {
    // Few values: each non-empty bin is a value (a category).
    const r: number[] = [];
    const c: number[] = [];
    for (let k = 0; k < ref.counts.length; k++) {
      if (ref.counts[k]! + cur.counts[k]! === 0) continue;
      r.push(ref.counts[k]!);
      c.push(cur.counts[k]!);
    }
    return categoricalTest(r, c, ref.n, cur.n, choice, psiValue);
  }
  const threshold = choice.threshold ?? DEFAULT_THRESHOLDS[numericTest];
  let statistic: number;
  let p: number | null = null;
  if (numericTest === 'ks') {
    const ca = cumulative(ref.counts);
    const cb = cumulative(cur.counts);
    const r = ksFromCumulative(ca.subarray(0, ref.edges.length), cb.subarray(0, cur.edges.length), ref.n, cur.n);
    statistic = r.statistic;
    p = r.pValue;
  } else if (numericTest === 'wasserstein') {
    const w = wassersteinBinned(
      ref.edges,
      { counts: ref.counts, ...(ref.offsets ? { offsets: ref.offsets } : {}), min: ref.min, max: ref.max },
      { counts: cur.counts, ...(cur.offsets ? { offsets: cur.offsets } : {}), min: cur.min, max: cur.max },
    );
    statistic = normedWasserstein(w, ref.std);
  } else statistic = psiValue;
  return verdict(numericTest, statistic, p, threshold, psiValue, ref.n, cur.n);
}

function categoricalTest(r: number[], c: number[], nr: number, nc: number, choice: TestChoice, psiValue: number): ColumnDriftResult {
  const asked = choice.method ?? 'auto';
  let method: DriftTest;
  let note: string | undefined;
  if (asked === 'chi2' || asked === 'jensenshannon' || asked === 'psi') method = asked;
  else if (asked === 'ztest') {
    method = r.length <= 2 ? 'ztest' : 'chi2';
    if (method !== 'ztest') note = `ztest needs 2 values, the column has ${r.length}: chi-square instead`;
  } else {
    method = nr <= SMALL_REFERENCE ? (r.length > 2 ? 'chi2' : 'ztest') : 'jensenshannon';
    if (asked === 'ks' || asked === 'wasserstein') note = `${asked} needs a numeric column with more than ${FEW_VALUES} values: ${method} instead`;
  }
  // An explicit threshold belongs to the asked method; a substituted one takes its own default.
  const threshold = asked === method || asked === 'auto' ? (choice.threshold ?? DEFAULT_THRESHOLDS[method]) : DEFAULT_THRESHOLDS[method];
  let statistic: number;
  let p: number | null = null;
  if (method === 'chi2') {
    const t = chiSquareCounts(r, c);
    statistic = t.statistic;
    p = t.pValue;
  } else if (method === 'ztest') {
    // "Not the first value" shares; one value on both sides is no drift.
    const t = r.length < 2 ? { statistic: 0, pValue: 1 } : twoProportionZ(nr - r[0]!, nr, nc - c[0]!, nc);
    statistic = t.statistic;
    p = t.pValue;
  } else if (method === 'jensenshannon') statistic = jensenShannon(r, c);
  else statistic = psiValue;
  return verdict(method, statistic, p, threshold, psiValue, nr, nc, note);
}

function verdict(method: DriftTest, statistic: number, p: number | null, threshold: number, psiValue: number, nr: number, nc: number, note?: string): ColumnDriftResult {
  const drift = p !== null ? p < threshold : statistic >= threshold;
  const score = p !== null ? (p <= threshold / 1e6 ? 1e6 : threshold / p) : Math.min(1e6, statistic / threshold);
  return {
    method,
    statistic,
    p_value: p,
    threshold,
    drift,
    score,
    psi: psiValue,
    psi_drift: psiValue >= PSI_SIGNIFICANT,
    reference_rows: nr,
    current_rows: nc,
    ...(note ? { note } : {}),
  };
}

function cumulative(counts: ArrayLike<number>): Float64Array {
  const out = new Float64Array(counts.length);
  let s = 0;
  for (let k = 0; k < counts.length; k++) out[k] = s += counts[k]!;
  return out;
}

function unionBins(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let n = 0;
  for (let k = 0; k < a.length; k++) if (a[k]! + b[k]! > 0) n++;
  return n;
}

function numericPsi(ref: ArrayLike<number>, cur: ArrayLike<number>, fixed?: Int32Array): number {
  const map = fixed ?? coarseBins(ref, PSI_BINS);
  const groups = map.length > 0 ? map[map.length - 1]! + 1 : 0;
  const r = new Float64Array(groups);
  const c = new Float64Array(groups);
  for (let k = 0; k < map.length; k++) {
    r[map[k]!]! += ref[k]!;
    c[map[k]!]! += cur[k]!;
  }
  return psi(r, c);
}
