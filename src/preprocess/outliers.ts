// `outliers`: bounds learned on the training split per numeric column, by the interquartile range
// ([q1 - factor*IQR, q3 + factor*IQR], factor 1.5 by default) or the z-score (mean +- factor*std,
// factor 3 by default). Then `clip` values to the bounds, `flag` them in a 0/1
// `<column>_outlier` column, or `drop` training rows outside them (training only: at prediction
// every row is kept and left as is). Missing values are never outliers.

import type { Column, Frame } from '../data/frame.js';
import type { JsonObject } from '../util/json.js';
import { columnSelectorSchema, parseSelector, resolveColumns, type ColumnSelector } from './columns.js';
import { checkDensify, insertAfter, numeric, valuesOf, withColumns } from './frames.js';
import { enumParam, optionalNumberParam, stateOf } from './params.js';
import { meanStd, quantileSorted, sortedPresent } from './stats.js';
import type { StepJSON, StepSpec, Transformer } from './transformer.js';

interface Bounds {
  column: string;
  low: number;
  high: number;
}

export class Outliers implements Transformer {
  readonly step = 'outliers';
  private readonly selector: ColumnSelector;
  private readonly method: 'iqr' | 'zscore';
  private readonly action: 'clip' | 'drop' | 'flag';
  private readonly factor: number;
  private bounds: Bounds[] = [];

  constructor(readonly params: JsonObject) {
    this.selector = parseSelector(params['columns'], 'numeric');
    this.method = enumParam(params, outliersSpec, 'method');
    this.action = enumParam(params, outliersSpec, 'action');
    // The default width depends on the method, so the schema leaves it out.
    this.factor = optionalNumberParam(params, outliersSpec, 'factor') ?? (this.method === 'iqr' ? 1.5 : 3);
  }

  fit(frame: Frame): void {
    const names = resolveColumns(frame, this.selector, ['numeric'], 'outliers');
    // A column with no present training values has no bounds (NaN would not survive JSON).
    this.bounds = names.flatMap((column): Bounds[] => {
      const values = valuesOf(frame, column, 'outliers')!;
      if (this.method === 'iqr') {
        const sorted = sortedPresent(values);
        const q1 = quantileSorted(sorted, 0.25);
        const q3 = quantileSorted(sorted, 0.75);
        const iqr = q3 - q1;
        return Number.isNaN(iqr) ? [] : [{ column, low: q1 - this.factor * iqr, high: q3 + this.factor * iqr }];
      }
      const { mean, std } = meanStd(values);
      return Number.isNaN(mean) ? [] : [{ column, low: mean - this.factor * std, high: mean + this.factor * std }];
    });
  }

  keepRows(frame: Frame): Int32Array | undefined {
    if (this.action !== 'drop') return undefined;
    const n = frame.rows;
    const keep = new Uint8Array(n).fill(1);
    for (const b of this.bounds) {
      const v = valuesOf(frame, b.column, 'outliers');
      if (!v) continue;
      for (let i = 0; i < n; i++) if (v[i]! < b.low || v[i]! > b.high) keep[i] = 0;
    }
    let k = 0;
    for (let i = 0; i < n; i++) k += keep[i]!;
    if (k === n) return undefined;
    const out = new Int32Array(k);
    k = 0;
    for (let i = 0; i < n; i++) if (keep[i]) out[k++] = i;
    return out;
  }

  transform(frame: Frame): Frame {
    if (this.action === 'drop') return frame;
    if (this.action === 'flag') {
      const added = new Map<string, ReturnType<typeof numeric>[]>();
      for (const b of this.bounds) {
        const v = valuesOf(frame, b.column, 'outliers');
        if (!v) continue;
        const flags = new Float64Array(v.length);
        for (let i = 0; i < v.length; i++) flags[i] = v[i]! < b.low || v[i]! > b.high ? 1 : 0;
        added.set(b.column, [numeric(`${b.column}_outlier`, flags)]);
      }
      return insertAfter(frame, added);
    }
    // Clipping can move an implicit zero, so clipped sparse columns come out dense.
    checkDensify(frame, this.bounds.map((b) => b.column), 'outliers');
    const out: Column[] = [];
    for (const b of this.bounds) {
      const v = valuesOf(frame, b.column, 'outliers');
      if (!v) continue;
      const values = new Float64Array(v.length);
      for (let i = 0; i < v.length; i++) {
        const x = v[i]!;
        values[i] = x < b.low ? b.low : x > b.high ? b.high : x;
      }
      out.push(numeric(b.column, values));
    }
    return withColumns(frame, out);
  }

  toJSON(): StepJSON {
    return { step: this.step, params: this.params, state: { bounds: this.bounds.map((b) => ({ ...b })) } };
  }

  static fromJSON(json: StepJSON): Outliers {
    const t = new Outliers(json.params);
    t.bounds = stateOf<Bounds[]>(json, 'bounds');
    return t;
  }
}

export const outliersSpec: StepSpec = {
  name: 'outliers',
  description: 'Clip, flag or (training only) drop values outside IQR or z-score bounds learned on the training split',
  paramsSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      columns: columnSelectorSchema,
      method: { type: 'string', enum: ['iqr', 'zscore'], default: 'iqr', description: 'iqr: [q1 - factor*IQR, q3 + factor*IQR]; zscore: mean +- factor*std' },
      factor: { type: 'number', exclusiveMinimum: 0, description: 'Width of the bounds (default 1.5 for iqr, 3 for zscore)' },
      action: {
        type: 'string',
        enum: ['clip', 'drop', 'flag'],
        default: 'clip',
        description: 'clip to the bounds; drop the training rows outside them (prediction keeps all rows); flag in a 0/1 `<column>_outlier` column',
      },
    },
  },
  create: (params) => new Outliers(params),
  fromJSON: (json) => Outliers.fromJSON(json),
};
