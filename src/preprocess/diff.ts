// `diff`: the change of a column over `k` steps, measured on the past: x(t-1) - x(t-1-k) in the
// group's time order, as `<column>_diff<k>`. It ends at the last earlier row rather than at the
// row itself because the row's own value may be what is predicted (demand), and a feature must
// only use the past.

import type { Column } from '../data/frame.js';
import type { JsonObject } from '../util/json.js';
import { numeric } from './frames.js';
import { intListParam } from './params.js';
import { SeriesStep } from './series-step.js';
import { seriesSchemaProperties, type TimeOrder } from './timeorder.js';
import type { StepJSON, StepSpec } from './transformer.js';

export class Diff extends SeriesStep {
  readonly step = 'diff';
  private readonly periods: number[];

  constructor(params: JsonObject) {
    super(params, 'diff');
    this.periods = intListParam(params, diffSpec, 'periods');
  }

  protected features(name: string, v: Float64Array, { sorted, groupStart, tieStart }: TimeOrder, rows: number): Column[] {
    return this.periods.map((k) => {
      const out = new Float64Array(rows).fill(NaN);
      for (let p = 0; p < sorted.length; p++) {
        const last = tieStart[p]! - 1;
        const before = last - k;
        if (before >= groupStart[p]!) out[sorted[p]!] = v[sorted[last]!]! - v[sorted[before]!]!;
      }
      return numeric(`${name}_diff${k}`, out);
    });
  }

  static fromJSON(json: StepJSON): Diff {
    return SeriesStep.restore(new Diff(json.params), json);
  }
}

export const diffSpec: StepSpec = {
  name: 'diff',
  description: 'Change over k steps on the past, x(t-1) - x(t-1-k) within each group in time order, as `<column>_diff<k>`',
  paramsSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['order'],
    properties: {
      ...seriesSchemaProperties,
      periods: { type: 'array', items: { type: 'integer', minimum: 1 }, minItems: 1, default: [1], description: 'Steps k' },
    },
  },
  create: (params) => new Diff(params),
  fromJSON: (json) => Diff.fromJSON(json),
};
