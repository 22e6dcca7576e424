// `lag`: the value of a column `k` steps back in its group's time order, as `<column>_lag<k>`
// (missing when the group has no such past). Only strictly earlier timestamps count (see
// timeorder.ts), so a row never sees its own value or the future. At prediction the past is the
// rows of the data being predicted.

import type { Column, Frame } from '../data/frame.js';
import type { JsonObject } from '../util/json.js';
import { insertAfter, numeric } from './frames.js';
import { intListParam, stateOf } from './params.js';
import { seriesColumns, seriesParams, seriesSchemaProperties, timeOrder, type SeriesParams } from './timeorder.js';
import type { StepJSON, StepSpec, Transformer } from './transformer.js';

export class Lag implements Transformer {
  readonly step = 'lag';
  private readonly series: SeriesParams;
  private readonly lags: number[];
  private columns: string[] = [];

  constructor(readonly params: JsonObject) {
    this.series = seriesParams(params, 'lag');
    this.lags = intListParam(params, 'lag', 'lags', [1]);
  }

  fit(frame: Frame): void {
    this.columns = seriesColumns(frame, this.series, 'lag');
  }

  transform(frame: Frame): Frame {
    const { sorted, groupStart, tieStart } = timeOrder(frame, this.series.by, this.series.order, 'lag');
    const added = new Map<string, Column[]>();
    for (const name of this.columns) {
      const c = frame.column(name);
      if (!c || c.type !== 'numeric') continue;
      const v = c.values;
      added.set(
        name,
        this.lags.map((k) => {
          const out = new Float64Array(frame.rows).fill(NaN);
          for (let p = 0; p < sorted.length; p++) {
            // The k-th row before this row's timestamp block, within the group.
            const q = tieStart[p]! - k;
            if (q >= groupStart[p]!) out[sorted[p]!] = v[sorted[q]!]!;
          }
          return numeric(`${name}_lag${k}`, out);
        }),
      );
    }
    return insertAfter(frame, added);
  }

  toJSON(): StepJSON {
    return { step: this.step, params: this.params, state: { columns: this.columns } };
  }

  static fromJSON(json: StepJSON): Lag {
    const t = new Lag(json.params);
    t.columns = stateOf<string[]>(json, 'columns');
    return t;
  }
}

export const lagSpec: StepSpec = {
  name: 'lag',
  description: 'Values k steps back in time order within each group, as `<column>_lag<k>` (strictly past rows only)',
  paramsSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['order'],
    properties: {
      ...seriesSchemaProperties,
      lags: { type: 'array', items: { type: 'integer', minimum: 1 }, minItems: 1, default: [1], description: 'Steps back' },
    },
  },
  create: (params) => new Lag(params),
  fromJSON: (json) => Lag.fromJSON(json),
};
