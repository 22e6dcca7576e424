// `scale`: rescales numeric columns with statistics of the training split: `standard` (mean and
// population standard deviation), `minmax` (to [0, 1] over the training range) or `robust`
// (median and interquartile range, unmoved by outliers). Missing values stay missing; a constant
// column is only shifted, never divided by zero.

import type { Column, Frame } from '../data/frame.js';
import type { JsonObject } from '../util/json.js';
import { columnSelectorSchema, parseSelector, resolveColumns, type ColumnSelector } from './columns.js';
import { numeric, valuesOf, withColumns } from './frames.js';
import { enumParam } from './params.js';
import { meanStd, quantileSorted, sortedPresent } from './stats.js';
import type { StepJSON, StepSpec, Transformer } from './transformer.js';

interface Scaling {
  column: string;
  center: number;
  scale: number;
}

type Method = 'standard' | 'minmax' | 'robust';

export class Scale implements Transformer {
  readonly step = 'scale';
  private readonly selector: ColumnSelector;
  private readonly method: Method;
  private scalings: Scaling[] = [];

  constructor(readonly params: JsonObject) {
    this.selector = parseSelector(params['columns'], 'numeric');
    this.method = enumParam(params, 'scale', 'method', ['standard', 'minmax', 'robust'], 'standard');
  }

  fit(frame: Frame): void {
    const names = resolveColumns(frame, this.selector, ['numeric'], 'scale');
    this.scalings = names.map((column) => {
      const values = valuesOf(frame, column, 'scale')!;
      let center: number;
      let scale: number;
      if (this.method === 'standard') {
        const s = meanStd(values);
        center = s.mean;
        scale = s.std;
      } else if (this.method === 'minmax') {
        let lo = Infinity;
        let hi = -Infinity;
        for (let i = 0; i < values.length; i++) {
          const v = values[i]!;
          if (v < lo) lo = v;
          if (v > hi) hi = v;
        }
        center = lo;
        scale = hi - lo;
      } else {
        const sorted = sortedPresent(values);
        center = quantileSorted(sorted, 0.5);
        scale = quantileSorted(sorted, 0.75) - quantileSorted(sorted, 0.25);
      }
      // No present values: leave the column as is. A constant column: centre only.
      if (!Number.isFinite(center)) return { column, center: 0, scale: 1 };
      return { column, center, scale: scale > 0 && Number.isFinite(scale) ? scale : 1 };
    });
  }

  transform(frame: Frame): Frame {
    const out: Column[] = [];
    for (const s of this.scalings) {
      const v = valuesOf(frame, s.column, 'scale');
      if (!v) continue;
      const values = new Float64Array(v.length);
      const inv = 1 / s.scale;
      const center = s.center;
      for (let i = 0; i < values.length; i++) values[i] = (v[i]! - center) * inv;
      out.push(numeric(s.column, values));
    }
    return withColumns(frame, out);
  }

  toJSON(): StepJSON {
    return { step: this.step, params: this.params, state: { scalings: this.scalings.map((s) => ({ ...s })) } };
  }

  static fromJSON(json: StepJSON): Scale {
    const t = new Scale(json.params);
    t.scalings = (json.state as unknown as { scalings: Scaling[] }).scalings;
    return t;
  }
}

export const scaleSpec: StepSpec = {
  name: 'scale',
  description: 'Rescale numeric columns with training-split statistics: standard, min-max or robust',
  paramsSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      columns: columnSelectorSchema,
      method: {
        type: 'string',
        enum: ['standard', 'minmax', 'robust'],
        default: 'standard',
        description: 'standard: (x - mean) / std; minmax: (x - min) / (max - min); robust: (x - median) / IQR',
      },
    },
  },
  create: (params) => new Scale(params),
  fromJSON: (json) => Scale.fromJSON(json),
};
