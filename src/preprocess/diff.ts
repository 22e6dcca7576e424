// `diff`: the change of a column over `k` steps, measured on the past: x(t-1) - x(t-1-k) in the
// group's time order, as `<column>_diff<k>`. It ends at the last earlier row rather than at the
// row itself because the row's own value may be what is predicted (demand), and a feature must
// only use the past.

import type { Column, Frame } from '../data/frame.js';
import type { JsonObject } from '../util/json.js';
import { insertAfter, numeric } from './frames.js';
import { intListParam, stateOf } from './params.js';
import { seriesColumns, seriesParams, seriesSchemaProperties, timeOrder, type SeriesParams } from './timeorder.js';
import type { StepJSON, StepSpec, Transformer } from './transformer.js';

export class Diff implements Transformer {
  readonly step = 'diff';
  private readonly series: SeriesParams;
  private readonly periods: number[];
  private columns: string[] = [];

  constructor(readonly params: JsonObject) {
    this.series = seriesParams(params, 'diff');
    this.periods = intListParam(params, 'diff', 'periods', [1]);
  }

  fit(frame: Frame): void {
    this.columns = seriesColumns(frame, this.series, 'diff');
  }

  transform(frame: Frame): Frame {
    const { sorted, groupStart, tieStart } = timeOrder(frame, this.series.by, this.series.order, 'diff');
    const added = new Map<string, Column[]>();
    for (const name of this.columns) {
      const c = frame.column(name);
      if (!c || c.type !== 'numeric') continue;
      const v = c.values;
      added.set(
        name,
        this.periods.map((k) => {
          const out = new Float64Array(frame.rows).fill(NaN);
          for (let p = 0; p < sorted.length; p++) {
            const last = tieStart[p]! - 1;
            const before = last - k;
            if (before >= groupStart[p]!) out[sorted[p]!] = v[sorted[last]!]! - v[sorted[before]!]!;
          }
          return numeric(`${name}_diff${k}`, out);
        }),
      );
    }
    return insertAfter(frame, added);
  }

  toJSON(): StepJSON {
    return { step: this.step, params: this.params, state: { columns: this.columns } };
  }

  static fromJSON(json: StepJSON): Diff {
    const t = new Diff(json.params);
    t.columns = stateOf<string[]>(json, 'columns');
    return t;
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
