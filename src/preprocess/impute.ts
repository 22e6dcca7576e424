// `impute`: fills missing values with a statistic learned on the training split: mean or median
// for numeric columns, the most frequent category for categorical ones, or a constant. With
// `indicator: true`, each column that had missing values in training also gets a 0/1
// `<column>_missing` column right after it (the fact that a value was missing often predicts).
// Sparse columns stay sparse: their implicit zeros are present values (they count in the mean and
// median), only stored NaN entries are filled, and a column without any is passed through as is.

import { SomaError } from '../errors.js';
import { numericValues, type CategoricalColumn, type Column, type Frame } from '../data/frame.js';
import { sparseMoments, sparseVector } from '../engine/sparse.js';
import type { JsonObject } from '../util/json.js';
import { categoryCounts } from './categories.js';
import { columnSelectorSchema, parseSelector, resolveColumns, type ColumnSelector } from './columns.js';
import { insertAfter, numeric, withColumns } from './frames.js';
import { boolParam, enumParam } from './params.js';
import { medianOf, sparseMedian } from './stats.js';
import type { StepJSON, StepSpec, Transformer } from './transformer.js';

type Strategy = 'mean' | 'median' | 'most_frequent' | 'constant';

interface Fill {
  column: string;
  /** Numeric fill, or the category string for categorical columns. */
  value: number | string;
}

export class Impute implements Transformer {
  readonly step = 'impute';
  private readonly selector: ColumnSelector;
  private readonly strategy: Strategy;
  private readonly indicator: boolean;
  private fills: Fill[] = [];
  /** Columns that get a missing-indicator column: those with a missing value in training. */
  private indicated: string[] = [];

  constructor(readonly params: JsonObject) {
    this.selector = parseSelector(params['columns'], 'all');
    this.strategy = enumParam(params, imputeSpec, 'strategy');
    this.indicator = boolParam(params, imputeSpec, 'indicator');
  }

  fit(frame: Frame): void {
    const names = resolveColumns(frame, this.selector, ['numeric', 'categorical'], 'impute');
    this.fills = names.map((name) => ({ column: name, value: this.learn(frame.column(name)!) }));
    this.indicated = this.indicator ? names.filter((n) => hasMissing(frame.column(n)!)) : [];
  }

  private learn(c: Column): number | string {
    const constant = this.params['fill_value'];
    if (c.type === 'numeric') {
      if (this.strategy === 'constant') return typeof constant === 'number' ? constant : 0;
      if (c.sparse && this.strategy !== 'most_frequent') {
        const m = this.strategy === 'median' ? sparseMedian(c.sparse) : meanOf(sparseMoments(c.sparse));
        return Number.isNaN(m) ? 0 : m;
      }
      if (this.strategy === 'median') {
        // One order statistic by quickselect (no full sort, no extra copy of the present values).
        const m = medianOf(c.values!);
        return Number.isNaN(m) ? 0 : m;
      }
      const present = presentValues(numericValues(c));
      if (present.length === 0) return 0;
      if (this.strategy === 'mean') return present.reduce((s, v) => s + v, 0) / present.length;
      return mode(present);
    }
    if (c.type === 'categorical') {
      if (this.strategy === 'constant') return typeof constant === 'string' ? constant : 'missing';
      // mean and median make no sense for categories: they fall back to the most frequent value.
      return mostFrequent(c) ?? 'missing';
    }
    throw new SomaError('INTERNAL', `impute cannot learn from ${c.type} column ${c.name}`);
  }

  transform(frame: Frame): Frame {
    // Indicators describe the input, so they are computed before any value is filled.
    const added = new Map<string, Column[]>();
    for (const name of this.indicated) {
      const c = frame.column(name);
      if (!c || (c.type !== 'numeric' && c.type !== 'categorical')) continue;
      const flags = new Float64Array(frame.rows);
      if (c.type === 'numeric' && c.sparse) {
        const { index, values } = c.sparse;
        for (let k = 0; k < index.length; k++) if (Number.isNaN(values[k]!)) flags[index[k]!] = 1;
      } else if (c.type === 'numeric') for (let i = 0; i < flags.length; i++) flags[i] = Number.isNaN(c.values[i]!) ? 1 : 0;
      else for (let i = 0; i < flags.length; i++) flags[i] = c.codes[i]! < 0 ? 1 : 0;
      added.set(name, [numeric(`${name}_missing`, flags)]);
    }
    const filled: Column[] = [];
    for (const fill of this.fills) {
      const c = frame.column(fill.column);
      if (!c) continue; // absent columns are reported by the input-schema check before transforms run
      if (c.type === 'numeric' && c.sparse) {
        if (!hasMissing(c)) continue;
        const v = Number(fill.value);
        const values = c.sparse.values.map((x) => (Number.isNaN(x) ? v : x));
        filled.push({ ...c, sparse: sparseVector(c.sparse.length, c.sparse.index, values) });
      } else if (c.type === 'numeric') {
        const v = Number(fill.value);
        const values = c.values.slice();
        for (let i = 0; i < values.length; i++) if (Number.isNaN(values[i]!)) values[i] = v;
        filled.push({ ...c, values });
      } else if (c.type === 'categorical') {
        filled.push(fillCategorical(c, String(fill.value)));
      }
    }
    const out = withColumns(frame, filled);
    return insertAfter(out, added);
  }

  toJSON(): StepJSON {
    return { step: this.step, params: this.params, state: { fills: this.fills.map((f) => ({ column: f.column, value: f.value })), indicated: this.indicated } };
  }

  static fromJSON(json: StepJSON): Impute {
    const t = new Impute(json.params);
    const state = json.state as unknown as { fills: Fill[]; indicated?: string[] };
    t.fills = state.fills;
    t.indicated = state.indicated ?? [];
    return t;
  }
}

function presentValues(values: Float64Array): Float64Array {
  let n = 0;
  for (let i = 0; i < values.length; i++) if (!Number.isNaN(values[i]!)) n++;
  const out = new Float64Array(n);
  let k = 0;
  for (let i = 0; i < values.length; i++) if (!Number.isNaN(values[i]!)) out[k++] = values[i]!;
  return out;
}

const meanOf = (m: { sum: number; n: number }): number => (m.n > 0 ? m.sum / m.n : NaN);

function hasMissing(c: Column): boolean {
  if (c.type === 'numeric' && c.sparse) return c.sparse.values.some((v) => Number.isNaN(v));
  if (c.type === 'numeric' || c.type === 'datetime') return c.values!.some((v) => Number.isNaN(v));
  if (c.type === 'categorical') return c.codes.some((v) => v < 0);
  return c.values.some((v) => v === null);
}

function mode(present: Float64Array): number {
  const sorted = present.slice().sort();
  let best = sorted[0]!;
  let bestRun = 0;
  let run = 0;
  for (let i = 0; i < sorted.length; i++) {
    run = i > 0 && sorted[i] === sorted[i - 1] ? run + 1 : 1;
    if (run > bestRun) {
      bestRun = run;
      best = sorted[i]!;
    }
  }
  return best;
}

function mostFrequent(c: CategoricalColumn): string | undefined {
  const counts = categoryCounts(c);
  let best = -1;
  for (let i = 0; i < counts.length; i++) {
    // ties go to the lexically smallest value so the result does not depend on dictionary order
    if (counts[i]! > 0 && (best < 0 || counts[i]! > counts[best]! || (counts[i] === counts[best] && c.dictionary[i]! < c.dictionary[best]!))) best = i;
  }
  return best < 0 ? undefined : c.dictionary[best];
}

function fillCategorical(c: CategoricalColumn, value: string): CategoricalColumn {
  let code = c.dictionary.indexOf(value);
  const dictionary = code >= 0 ? c.dictionary : [...c.dictionary, value];
  if (code < 0) code = dictionary.length - 1;
  const codes = c.codes.slice();
  for (let i = 0; i < codes.length; i++) if (codes[i]! < 0) codes[i] = code;
  return { ...c, codes, dictionary };
}

export const imputeSpec: StepSpec = {
  name: 'impute',
  description: 'Fill missing values with a statistic learned on the training split',
  paramsSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      columns: columnSelectorSchema,
      strategy: {
        type: 'string',
        enum: ['mean', 'median', 'most_frequent', 'constant'],
        default: 'median',
        description: 'mean/median apply to numeric columns; categorical columns always take the most frequent value (or the constant)',
      },
      fill_value: { type: ['number', 'string'], description: 'The value for strategy: constant' },
      indicator: { type: 'boolean', default: false, description: 'Add a 0/1 `<column>_missing` column for each column that had missing values in training' },
    },
  },
  create: (params) => new Impute(params),
  fromJSON: (json) => Impute.fromJSON(json),
};
