// Reference profiles: what drift checks compare new data against, learned once at train time so
// the training data is never read again. Per column, a histogram on learned bin edges (numeric,
// datetime), category frequencies (categorical) or a histogram of value lengths (text), with the
// missing count; the same for the model's outputs on each split.
//
// Guarantees:
// - numeric and datetime edges are the tree binning's quantile edges (fitBinMapper with at most
//   REFERENCE_MAX_BINS value bins: midpoints between distinct values when there are few, else
//   quantiles of at most 200,000 sampled rows, deterministic for a seed), learned on finite
//   values; the counts cover every row (infinities fall in the end bins) and are what
//   `countOnEdges` gives, so a new batch counted on the stored edges is directly comparable;
// - categorical frequencies are counted by value, most frequent first (ties by value); past
//   REFERENCE_MAX_CATEGORIES the rest are summed into `other`;
// - for every entry, sum(counts) (+ other) + missing = rows.

import { numericMoments } from '../data/profile.js';
import { columnLength, numericValues, type CategoricalColumn, type Column, type Frame } from '../data/frame.js';
import { fitBinMapper } from '../engine/tree/binning.js';
import { countOnEdges } from './histogram.js';
import { NumericSketch } from './sketch.js';

export const REFERENCE_FORMAT_VERSION = 1;
/** Value bins per numeric column: the tree binning's default max_bin (256) less its missing bin. */
export const REFERENCE_MAX_BINS = 255;
/** Categories kept by name per categorical column; rarer ones are counted together in `other`. */
export const REFERENCE_MAX_CATEGORIES = 1000;

/** Range, mean and population standard deviation of the present values (each null when no value is present, or when it is not finite). */
export interface Summary {
  min: number | null;
  max: number | null;
  mean: number | null;
  std: number | null;
}

/** A numeric (or datetime, epoch ms) column as a histogram on learned edges. */
export interface NumericReference extends Summary {
  name: string;
  type: 'numeric' | 'datetime';
  rows: number;
  missing: number;
  /** Upper edges of the value bins but the last, increasing: bin b holds edges[b-1] < v <= edges[b]. */
  edges: number[];
  /** Rows per value bin: edges.length + 1 entries. */
  counts: number[];
  /**
   * Where in each bin the finite values lie: Σ (edges[b] - v) for bin b < edges.length, Σ (v -
   * last edge) for the last bin (monitor/sketch.ts). Lets drift integrate the CDF within a bin
   * (Wasserstein) instead of assuming uniform bins. Absent in profiles written before it.
   */
  offsets?: number[];
}

export interface CategoricalReference {
  name: string;
  type: 'categorical';
  rows: number;
  missing: number;
  /** Present categories, most frequent first (ties by value), at most REFERENCE_MAX_CATEGORIES. */
  categories: string[];
  /** Rows per category, aligned with `categories`. */
  counts: number[];
  /** Rows whose category is past the cap. */
  other: number;
  /** How many distinct categories `other` holds. */
  otherCategories: number;
}

/** A text column: its missing count and the distribution of its values' lengths (UTF-16 units). */
export interface TextReference {
  name: string;
  type: 'text';
  rows: number;
  missing: number;
  length: Summary & { edges: number[]; counts: number[]; offsets?: number[] };
}

export type ColumnReference = NumericReference | CategoricalReference | TextReference;

/** The model's output columns (as `soma predict` writes them) on one split. */
export interface OutputReference {
  rows: number;
  columns: ColumnReference[];
}

export interface ReferenceProfile {
  formatVersion: number;
  maxBins: number;
  maxCategories: number;
  /** Rows of the training split the input columns were counted on. */
  rows: number;
  /** Every input column of the model's contract, in contract order. */
  columns: ColumnReference[];
  /** The target on the training split (classes for classifiers). */
  target?: ColumnReference;
  /**
   * The outputs on each split; numeric output edges are learned on `train` and reused for the
   * others, so the splits' counts line up bin for bin.
   */
  outputs: { train: OutputReference; validation?: OutputReference; test?: OutputReference };
}

export interface ReferenceOptions {
  /** Seeds the row sample quantiles are estimated on (above 200,000 rows). */
  seed: number;
  /** Edges to count on instead of learning them (another split's), by column name. */
  edges?: ReadonlyMap<string, Float64Array>;
}

/** What a version's reference is built from: the training split's inputs and target, and the outputs per split. */
export interface ReferenceInput {
  /** The model's input columns on the training split. */
  features: Frame;
  /** The target on the training split, as a column (classes as categories for classifiers). */
  target?: Column;
  /** The output columns `soma predict` writes, per split; `train` is required, it sets the edges. */
  outputs: { train: readonly Column[]; validation?: readonly Column[]; test?: readonly Column[] };
  seed: number;
}

export function buildReference(input: ReferenceInput): ReferenceProfile {
  const options = { seed: input.seed };
  const outputsOf = (columns: readonly Column[], edges?: ReadonlyMap<string, Float64Array>): OutputReference => ({
    rows: columns.length > 0 ? columnLength(columns[0]!) : 0,
    columns: columns.map((c) => columnReference(c, edges ? { ...options, edges } : options)),
  });
  const train = outputsOf(input.outputs.train);
  const trainEdges = edgesOf(train.columns);
  const { validation, test } = input.outputs;
  return {
    formatVersion: REFERENCE_FORMAT_VERSION,
    maxBins: REFERENCE_MAX_BINS,
    maxCategories: REFERENCE_MAX_CATEGORIES,
    rows: input.features.rows,
    columns: input.features.columns.map((c) => columnReference(c, options)),
    ...(input.target ? { target: columnReference(input.target, options) } : {}),
    outputs: {
      train,
      ...(validation ? { validation: outputsOf(validation, trainEdges) } : {}),
      ...(test ? { test: outputsOf(test, trainEdges) } : {}),
    },
  };
}

/** The reference entry of one column. */
export function columnReference(c: Column, options: ReferenceOptions): ColumnReference {
  switch (c.type) {
    case 'numeric':
    case 'datetime': {
      const values = numericValues(c);
      const h = histogram(values, options.edges?.get(c.name) ?? learnEdges(values, options.seed));
      return { name: c.name, type: c.type, rows: values.length, missing: h.missing, edges: h.edges, counts: h.counts, offsets: h.offsets, ...h.summary };
    }
    case 'categorical':
      return categoricalReference(c);
    case 'text': {
      const lengths = new Float64Array(c.values.length);
      for (let i = 0; i < lengths.length; i++) lengths[i] = c.values[i] === null ? NaN : c.values[i]!.length;
      const h = histogram(lengths, options.edges?.get(c.name) ?? learnEdges(lengths, options.seed));
      return { name: c.name, type: 'text', rows: lengths.length, missing: h.missing, length: { edges: h.edges, counts: h.counts, offsets: h.offsets, ...h.summary } };
    }
  }
}

/** The numeric edges of a set of references (to count other splits on them), by column name. */
export function edgesOf(refs: readonly ColumnReference[]): Map<string, Float64Array> {
  const out = new Map<string, Float64Array>();
  for (const r of refs) {
    if (r.type === 'numeric' || r.type === 'datetime') out.set(r.name, Float64Array.from(r.edges));
    else if (r.type === 'text') out.set(r.name, Float64Array.from(r.length.edges));
  }
  return out;
}

/**
 * Code -> slot for counting a categorical column against a reference with `countCodes`: a
 * reference category's index, or categories.length (the `other` slot) for anything else. The
 * missing slot is categories.length + 1.
 */
export function categorySlots(dictionary: readonly string[], categories: readonly string[]): Int32Array {
  const index = new Map(categories.map((c, i) => [c, i]));
  const slots = new Int32Array(dictionary.length);
  for (let k = 0; k < dictionary.length; k++) slots[k] = index.get(dictionary[k]!) ?? categories.length;
  return slots;
}

/** Bin edges for a column, learned by the tree binning on its finite values. */
export function learnEdges(values: Float64Array, seed: number): Float64Array {
  // Infinities would make infinite edges (not JSON) and say nothing about the bulk: learn on the
  // finite values; counting still puts them in the end bins.
  let finite = values;
  for (let i = 0; i < values.length; i++) {
    if (values[i] === Infinity || values[i] === -Infinity) {
      finite = values.map((v) => (Number.isFinite(v) ? v : NaN));
      break;
    }
  }
  return fitBinMapper([finite], [0], [0], REFERENCE_MAX_BINS + 1, seed).thresholds[0]!;
}

function histogram(values: Float64Array, edges: Float64Array): { edges: number[]; counts: number[]; offsets: number[]; missing: number; summary: Summary } {
  const out = new Float64Array(edges.length + 2);
  countOnEdges(edges, values, out);
  const sketch = new NumericSketch(edges);
  sketch.add(values);
  const m = numericMoments(values);
  const finite = (x: number | null): number | null => (x !== null && Number.isFinite(x) ? x : null);
  return {
    edges: Array.from(edges),
    counts: Array.from(out.subarray(0, edges.length + 1)),
    offsets: Array.from(sketch.offsets),
    missing: out[edges.length + 1]!,
    summary: { min: finite(m.min), max: finite(m.max), mean: finite(m.mean), std: finite(m.std) },
  };
}

function categoricalReference(c: CategoricalColumn): CategoricalReference {
  const byCode = new Float64Array(c.dictionary.length);
  let missing = 0;
  for (let i = 0; i < c.codes.length; i++) {
    const k = c.codes[i]!;
    if (k < 0) missing++;
    else byCode[k]!++;
  }
  // A dictionary can hold one string twice (per-chunk dictionaries merged): count by value.
  const byValue = new Map<string, number>();
  for (let k = 0; k < byCode.length; k++) if (byCode[k]! > 0) byValue.set(c.dictionary[k]!, (byValue.get(c.dictionary[k]!) ?? 0) + byCode[k]!);
  const entries = [...byValue].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const kept = entries.slice(0, REFERENCE_MAX_CATEGORIES);
  let other = 0;
  for (let i = kept.length; i < entries.length; i++) other += entries[i]![1];
  return {
    name: c.name,
    type: 'categorical',
    rows: c.codes.length,
    missing,
    categories: kept.map((e) => e[0]),
    counts: kept.map((e) => e[1]),
    other,
    otherCategories: entries.length - kept.length,
  };
}
