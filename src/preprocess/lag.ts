// `lag`: the value of a column `k` steps back in its group's time order, as `<column>_lag<k>`
// (missing when the group has no such past). Only strictly earlier timestamps count (see
// timeorder.ts), so a row never sees its own value or the future. At prediction the past is the
// rows of the data being predicted.

import type { Column } from '../data/frame.js';
import type { JsonObject } from '../util/json.js';
import { numeric } from './frames.js';
import { intListParam } from './params.js';
import { SeriesStep } from './series-step.js';
import { seriesSchemaProperties, type TimeOrder } from './timeorder.js';
import type { StepJSON, StepSpec } from './transformer.js';

export class Lag extends SeriesStep {
  readonly step = 'lag';
  private readonly lags: number[];

  constructor(params: JsonObject) {
    super(params, 'lag');
    this.lags = intListParam(params, lagSpec, 'lags');
  }

  protected features(name: string, v: Float64Array, { sorted, groupStart, tieStart }: TimeOrder, rows: number): Column[] {
    return this.lags.map((k) => {
      const out = new Float64Array(rows).fill(NaN);
      for (let p = 0; p < sorted.length; p++) {
        // The k-th row before this row's timestamp block, within the group.
        const q = tieStart[p]! - k;
        if (q >= groupStart[p]!) out[sorted[p]!] = v[sorted[q]!]!;
      }
      return numeric(`${name}_lag${k}`, out);
    });
  }

  static fromJSON(json: StepJSON): Lag {
    return SeriesStep.restore(new Lag(json.params), json);
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
