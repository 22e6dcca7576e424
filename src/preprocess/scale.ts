// `scale`: rescales numeric columns with statistics of the training split: `standard` (mean and
// population standard deviation), `minmax` (to [0, 1] over the training range) or `robust`
// (median and interquartile range, unmoved by outliers). Missing values stay missing; a constant
// column is only shifted, never divided by zero.
//
// A sparse column (text features) is never shifted, so its zeros stay implicit (scikit-learn's
// with_mean=False): centre 0, and the scale is the standard deviation (standard), the largest
// |x| (minmax, so values land in [-1, 1]) or the interquartile range (robust), all computed with
// the implicit zeros counted as values.

import type { Column, Frame } from '../data/frame.js';
import { mapStored, type SparseVector } from '../engine/sparse.js';
import type { JsonObject } from '../util/json.js';
import { columnSelectorSchema, parseSelector, resolveColumns, type ColumnSelector } from './columns.js';
import { numeric, numericColumnOf, sparseNumeric, valuesOf, withColumns } from './frames.js';
import { enumParam } from './params.js';
import { meanStd, quantileSorted, sortedPresent, sparseQuantile, sparseVariance } from './stats.js';
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
    this.method = enumParam(params, scaleSpec, 'method');
  }

  fit(frame: Frame): void {
    const names = resolveColumns(frame, this.selector, ['numeric'], 'scale');
    this.scalings = names.map((column) => {
      const c = numericColumnOf(frame, column, 'scale')!;
      if (c.type === 'numeric' && c.sparse) return { column, center: 0, scale: this.sparseScale(c.sparse) };
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

  /** Scale of a sparse column around 0 (1 when it would be 0 or undefined). */
  private sparseScale(c: SparseVector): number {
    let scale: number;
    if (this.method === 'standard') {
      scale = Math.sqrt(sparseVariance(c).variance);
    } else if (this.method === 'minmax') {
      scale = 0;
      for (const v of c.values) if (Math.abs(v) > scale) scale = Math.abs(v);
    } else {
      scale = sparseQuantile(c, 0.75) - sparseQuantile(c, 0.25);
    }
    return scale > 0 && Number.isFinite(scale) ? scale : 1;
  }

  transform(frame: Frame): Frame {
    const out: Column[] = [];
    for (const s of this.scalings) {
      const c = frame.column(s.column);
      if (c && c.type === 'numeric' && c.sparse && s.center === 0) {
        const inv = 1 / s.scale;
        out.push(sparseNumeric(s.column, mapStored(c.sparse, (x) => x * inv)));
        continue;
      }
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
