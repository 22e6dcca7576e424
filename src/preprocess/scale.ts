// `scale`: standardises numeric columns with the training split's mean and standard deviation
// (missing values stay missing).

import type { Frame } from '../data/frame.js';
import type { JsonObject } from '../util/json.js';
import { columnSelectorSchema, parseSelector, resolveColumns, type ColumnSelector } from './columns.js';
import type { StepJSON, StepSpec, Transformer } from './transformer.js';

interface Scaling {
  column: string;
  center: number;
  scale: number;
}

export class Scale implements Transformer {
  readonly step = 'scale';
  private readonly selector: ColumnSelector;
  private scalings: Scaling[] = [];

  constructor(readonly params: JsonObject) {
    this.selector = parseSelector(params['columns'], 'numeric');
  }

  fit(frame: Frame): void {
    const names = resolveColumns(frame, this.selector, ['numeric'], 'scale');
    this.scalings = names.map((name) => {
      const col = frame.column(name)!;
      const values = col.type === 'numeric' ? col.values : new Float64Array(0);
      let n = 0;
      let mean = 0;
      let m2 = 0;
      // Welford's update: one pass, numerically stable for large offsets.
      for (let i = 0; i < values.length; i++) {
        const v = values[i]!;
        if (Number.isNaN(v)) continue;
        n++;
        const d = v - mean;
        mean += d / n;
        m2 += d * (v - mean);
      }
      const std = n > 0 ? Math.sqrt(m2 / n) : 0;
      // A constant column keeps its values centred rather than dividing by zero.
      return { column: name, center: mean, scale: std > 0 ? std : 1 };
    });
  }

  transform(frame: Frame): Frame {
    let out = frame;
    for (const s of this.scalings) {
      const c = out.column(s.column);
      if (!c || c.type !== 'numeric') continue;
      const values = new Float64Array(c.values.length);
      const inv = 1 / s.scale;
      for (let i = 0; i < values.length; i++) values[i] = (c.values[i]! - s.center) * inv;
      out = out.with({ ...c, values });
    }
    return out;
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
  description: 'Standardise numeric columns to zero mean and unit variance (training-split statistics)',
  paramsSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      columns: columnSelectorSchema,
      method: { type: 'string', enum: ['standard'], default: 'standard', description: 'Scaling method' },
    },
  },
  create: (params) => new Scale(params),
  fromJSON: (json) => Scale.fromJSON(json),
};
