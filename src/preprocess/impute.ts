// `impute`: fills missing values with a statistic learned on the training split: mean or median
// for numeric columns, the most frequent category for categorical ones, or a constant.

import { SomaError } from '../errors.js';
import type { CategoricalColumn, Column, Frame } from '../data/frame.js';
import type { JsonObject } from '../util/json.js';
import { categoryCounts } from './categories.js';
import { columnSelectorSchema, parseSelector, resolveColumns, type ColumnSelector } from './columns.js';
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
  private fills: Fill[] = [];

  constructor(readonly params: JsonObject) {
    this.selector = parseSelector(params['columns'], 'all');
    this.strategy = (params['strategy'] as Strategy | undefined) ?? 'median';
  }

  fit(frame: Frame): void {
    const names = resolveColumns(frame, this.selector, ['numeric', 'categorical'], 'impute');
    this.fills = names.map((name) => ({ column: name, value: this.learn(frame.column(name)!) }));
  }

  private learn(c: Column): number | string {
    const constant = this.params['fill_value'];
    if (c.type === 'numeric') {
      if (this.strategy === 'constant') return typeof constant === 'number' ? constant : 0;
      const present = presentValues(c.values);
      if (present.length === 0) return 0;
      if (this.strategy === 'mean') return present.reduce((s, v) => s + v, 0) / present.length;
      if (this.strategy === 'median') return median(present);
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
    let out = frame;
    for (const fill of this.fills) {
      const c = out.column(fill.column);
      if (!c) continue; // absent columns are reported by the input-schema check before transforms run
      if (c.type === 'numeric') {
        const v = Number(fill.value);
        const values = c.values.slice();
        for (let i = 0; i < values.length; i++) if (Number.isNaN(values[i]!)) values[i] = v;
        out = out.with({ ...c, values });
      } else if (c.type === 'categorical') {
        out = out.with(fillCategorical(c, String(fill.value)));
      }
    }
    return out;
  }

  toJSON(): StepJSON {
    return { step: this.step, params: this.params, state: { fills: this.fills.map((f) => ({ column: f.column, value: f.value })) } };
  }

  static fromJSON(json: StepJSON): Impute {
    const t = new Impute(json.params);
    const state = json.state as unknown as { fills: Fill[] };
    t.fills = state.fills;
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

function median(present: Float64Array): number {
  const sorted = present.slice().sort();
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
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
    },
  },
  create: (params) => new Impute(params),
  fromJSON: (json) => Impute.fromJSON(json),
};
