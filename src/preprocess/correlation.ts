// `correlation`: drops one column of each highly correlated pair. Columns are visited in frame
// order and one is kept unless its absolute Pearson correlation with an already kept column
// exceeds `threshold`, so the earlier column of a pair always survives and the result does not
// depend on anything but the training data and column order. Correlations use the rows where
// both values are present.

import type { Frame } from '../data/frame.js';
import type { JsonObject } from '../util/json.js';
import { columnSelectorSchema, parseSelector, resolveColumns, type ColumnSelector } from './columns.js';
import { checkDensify, valuesOf } from './frames.js';
import { numberParam, stateOf } from './params.js';
import type { StepJSON, StepSpec, Transformer } from './transformer.js';

export class CorrelationFilter implements Transformer {
  readonly step = 'correlation';
  private readonly selector: ColumnSelector;
  private readonly threshold: number;
  private dropped: { column: string; correlated_with: string; r: number }[] = [];

  constructor(readonly params: JsonObject) {
    this.selector = parseSelector(params['columns'], 'numeric');
    this.threshold = numberParam(params, correlationSpec, 'threshold');
  }

  fit(frame: Frame): void {
    const names = resolveColumns(frame, this.selector, ['numeric'], 'correlation');
    // Kept columns are compared with every later one, so their dense values are all held at once.
    checkDensify(frame, names, 'correlation');
    const kept: { name: string; v: Float64Array }[] = [];
    this.dropped = [];
    for (const name of names) {
      const v = valuesOf(frame, name, 'correlation')!;
      let worst: { with: string; r: number } | undefined;
      for (const k of kept) {
        const r = pearson(v, k.v);
        if (Math.abs(r) > this.threshold) {
          worst = { with: k.name, r };
          break;
        }
      }
      if (worst) this.dropped.push({ column: name, correlated_with: worst.with, r: Math.round(worst.r * 1e6) / 1e6 });
      else kept.push({ name, v });
    }
  }

  transform(frame: Frame): Frame {
    return frame.drop(this.dropped.map((d) => d.column));
  }

  toJSON(): StepJSON {
    return { step: this.step, params: this.params, state: { dropped: this.dropped.map((d) => ({ ...d })) } };
  }

  static fromJSON(json: StepJSON): CorrelationFilter {
    const t = new CorrelationFilter(json.params);
    t.dropped = stateOf<{ column: string; correlated_with: string; r: number }[]>(json, 'dropped');
    return t;
  }
}

/** Pearson correlation over rows where both are present; 0 when either is constant there. */
export function pearson(a: Float64Array, b: Float64Array): number {
  let n = 0;
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (Number.isNaN(x) || Number.isNaN(y)) continue;
    n++;
    ma += x;
    mb += y;
  }
  if (n < 2) return 0;
  ma /= n;
  mb /= n;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (Number.isNaN(x) || Number.isNaN(y)) continue;
    const dx = x - ma;
    const dy = y - mb;
    sab += dx * dy;
    saa += dx * dx;
    sbb += dy * dy;
  }
  return saa > 0 && sbb > 0 ? sab / Math.sqrt(saa * sbb) : 0;
}

export const correlationSpec: StepSpec = {
  name: 'correlation',
  description: 'Drop the later column of each pair whose absolute Pearson correlation exceeds a threshold',
  paramsSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      columns: columnSelectorSchema,
      threshold: { type: 'number', exclusiveMinimum: 0, maximum: 1, default: 0.95, description: 'Absolute correlation above which the later column goes' },
    },
  },
  create: (params) => new CorrelationFilter(params),
  fromJSON: (json) => CorrelationFilter.fromJSON(json),
};
