// Frames in, summaries out: the per-column sketches of one stream (a file read in chunks, the
// model's outputs on them), a row reservoir for learning edges from a reference file, and the
// stored reference profile read as the same summaries. Nothing here reads files; the pipeline
// hands in the chunks.

import { numericValues, type Column, type Frame } from '../data/frame.js';
import { Rng } from '../engine/random.js';
import type { CategoricalReference, ColumnReference } from './reference.js';
import { CategoricalSketch, DISTINCT_CAP, NumericSketch } from './sketch.js';
import type { CategoricalSummary, NumericSummary, Summary } from './column-drift.js';

/** How one column is sketched. Text columns are sketched by value length when `lengths`, else as categories. */
export interface SketchSpec {
  name: string;
  kind: 'numeric' | 'categorical';
  /** Numeric: the bin edges (the reference's). */
  edges?: Float64Array;
  /** Numeric: an integer column in its file. */
  integer?: boolean;
  /** Text columns: sketch value lengths (numeric) rather than values. */
  lengths?: boolean;
  /** Bin -> PSI bin (see NumericSummary.psiGroups). */
  psiGroups?: Int32Array;
}

/** Key under which categories past a stored reference's cap are counted. */
export const OTHER_CATEGORY = '\u0000other';

export class FrameSketch {
  private readonly numeric = new Map<string, NumericSketch>();
  private readonly categorical = new Map<string, CategoricalSketch>();
  rows = 0;

  constructor(readonly specs: readonly SketchSpec[]) {
    for (const s of specs) {
      if (s.kind === 'numeric') this.numeric.set(s.name, new NumericSketch(s.edges ?? new Float64Array(0)));
      else this.categorical.set(s.name, new CategoricalSketch());
    }
  }

  /** Adds the columns of `frame` that are sketched (by name); other columns are ignored. */
  add(frame: Frame): void {
    this.addColumns(frame.columns, frame.rows);
  }

  addColumns(columns: readonly Column[], rows: number): void {
    this.rows += rows;
    for (const c of columns) {
      const num = this.numeric.get(c.name);
      if (num) {
        if (c.type === 'numeric' || c.type === 'datetime') num.add(numericValues(c));
        else if (c.type === 'text') num.add(lengthsOf(c.values));
        else throw new RangeError(`FrameSketch: ${c.name} is categorical, sketched as numeric`);
        continue;
      }
      const cat = this.categorical.get(c.name);
      if (!cat) continue;
      if (c.type === 'categorical') cat.add(c.codes, c.dictionary);
      else if (c.type === 'text') cat.addStrings(c.values);
      else throw new RangeError(`FrameSketch: ${c.name} is ${c.type}, sketched as categorical`);
    }
  }

  summary(name: string): Summary | undefined {
    const num = this.numeric.get(name);
    if (num) {
      const spec = this.specs.find((s) => s.name === name);
      return {
        kind: 'numeric',
        edges: num.edges,
        counts: num.counts,
        offsets: num.offsets,
        n: num.n,
        missing: num.missing + num.infinite,
        min: num.min,
        max: num.max,
        std: num.std,
        distinct: num.distinct ? num.distinct.size : null,
        ...(spec?.integer ? { integer: true } : {}),
        ...(spec?.psiGroups ? { psiGroups: spec.psiGroups } : {}),
      };
    }
    const cat = this.categorical.get(name);
    if (!cat) return undefined;
    return { kind: 'categorical', counts: cat.counts, n: cat.n, missing: cat.missing, overflow: cat.overflow };
  }
}

function lengthsOf(values: readonly (string | null)[]): Float64Array {
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = values[i] === null ? NaN : values[i]!.length;
  return out;
}

/**
 * A uniform sample of rows (Vitter's algorithm R) kept for the numeric columns of a reference
 * file, to learn its bin edges in the first pass. While the file has at most `size` rows, the
 * sample is the whole file.
 */
export class Reservoir {
  private readonly samples = new Map<string, Float64Array>();
  private readonly rng: Rng;
  rows = 0;

  constructor(
    names: readonly string[],
    readonly size: number,
    seed: number,
  ) {
    for (const n of names) this.samples.set(n, new Float64Array(size));
    this.rng = new Rng(seed);
  }

  add(frame: Frame): void {
    const n = frame.rows;
    // Row -> slot (or -1), decided once for all columns.
    const slots = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const t = this.rows + i;
      if (t < this.size) slots[i] = t;
      else {
        const j = Math.floor(this.rng.next() * (t + 1));
        slots[i] = j < this.size ? j : -1;
      }
    }
    for (const [name, sample] of this.samples) {
      const c = frame.column(name);
      if (!c) continue;
      const v = c.type === 'numeric' || c.type === 'datetime' ? numericValues(c) : c.type === 'text' ? lengthsOf(c.values) : undefined;
      if (!v) continue;
      for (let i = 0; i < n; i++) if (slots[i]! >= 0) sample[slots[i]!] = v[i]!;
    }
    this.rows += n;
  }

  /** Whether the sample holds every row read. */
  get complete(): boolean {
    return this.rows <= this.size;
  }

  /** The sampled finite values of a column. */
  values(name: string): Float64Array {
    const s = this.samples.get(name)!.subarray(0, Math.min(this.rows, this.size));
    return s.filter((v) => Number.isFinite(v));
  }
}

/** A stored reference entry as a summary on its own edges. */
export function referenceSummary(ref: ColumnReference): Summary {
  if (ref.type === 'categorical') return categoricalReferenceSummary(ref);
  const h = ref.type === 'text' ? ref.length : ref;
  let n = 0;
  let nonEmpty = 0;
  for (const c of h.counts) {
    n += c;
    if (c > 0) nonEmpty++;
  }
  const edges = h.edges;
  const s: NumericSummary = {
    kind: 'numeric',
    edges,
    counts: h.counts,
    ...(h.offsets ? { offsets: h.offsets } : {}),
    n,
    missing: ref.missing,
    min: h.min ?? (edges.length > 0 ? edges[0]! : 0),
    max: h.max ?? (edges.length > 0 ? edges[edges.length - 1]! : 0),
    std: h.std ?? NaN,
    // With at most 255 distinct training values the edges are midpoints between them, so each
    // non-empty bin is one value.
    distinct: nonEmpty <= DISTINCT_CAP ? nonEmpty : null,
  };
  return s;
}

function categoricalReferenceSummary(ref: CategoricalReference): CategoricalSummary {
  const counts = new Map<string, number>();
  ref.categories.forEach((c, i) => counts.set(c, ref.counts[i]!));
  if (ref.other > 0) counts.set(OTHER_CATEGORY, ref.other);
  return { kind: 'categorical', counts, n: ref.rows - ref.missing, missing: ref.missing };
}

/**
 * A current categorical summary lined up with a stored reference that capped its categories:
 * values the reference only counted in `other` are counted there too.
 */
export function alignCategories(cur: CategoricalSummary, ref: CategoricalSummary): CategoricalSummary {
  if (!ref.counts.has(OTHER_CATEGORY)) return cur;
  const counts = new Map<string, number>();
  for (const [k, v] of cur.counts) {
    const key = ref.counts.has(k) ? k : OTHER_CATEGORY;
    counts.set(key, (counts.get(key) ?? 0) + v);
  }
  return { ...cur, counts };
}

/** The sketch spec that counts a stream against a stored reference entry. */
export function specForReference(ref: ColumnReference): SketchSpec {
  if (ref.type === 'categorical') return { name: ref.name, kind: 'categorical' };
  const edges = Float64Array.from(ref.type === 'text' ? ref.length.edges : ref.edges);
  return { name: ref.name, kind: 'numeric', edges, ...(ref.type === 'text' ? { lengths: true } : {}) };
}
