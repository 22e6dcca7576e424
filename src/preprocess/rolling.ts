// `rolling`: statistics (mean, std, min, max, sum) of a column over the previous `window` rows of
// its group in time order, as `<column>_roll<window>_<stat>`. The window ends before the row's
// own timestamp (see timeorder.ts), so the current value never enters its own feature. Missing
// values are skipped; fewer than `min_periods` values (2 for std, the sample deviation) give a
// missing feature.

import type { Column, Frame } from '../data/frame.js';
import type { JsonObject } from '../util/json.js';
import { insertAfter, numeric } from './frames.js';
import { enumListParam, intListParam, numberParam, stateOf } from './params.js';
import { seriesColumns, seriesParams, seriesSchemaProperties, timeOrder, type SeriesParams } from './timeorder.js';
import type { StepJSON, StepSpec, Transformer } from './transformer.js';

const STATS = ['mean', 'std', 'min', 'max', 'sum'] as const;
type Stat = (typeof STATS)[number];

export class Rolling implements Transformer {
  readonly step = 'rolling';
  private readonly series: SeriesParams;
  private readonly windows: number[];
  private readonly stats: Stat[];
  private readonly minPeriods: number;
  private columns: string[] = [];

  constructor(readonly params: JsonObject) {
    this.series = seriesParams(params, 'rolling');
    this.windows = intListParam(params, 'rolling', 'windows', [7]);
    this.stats = enumListParam(params, 'rolling', 'stats', STATS, ['mean']);
    this.minPeriods = numberParam(params, 'rolling', 'min_periods', 1, { min: 1, integer: true });
  }

  fit(frame: Frame): void {
    this.columns = seriesColumns(frame, this.series, 'rolling');
  }

  transform(frame: Frame): Frame {
    const { sorted, groupStart, tieStart } = timeOrder(frame, this.series.by, this.series.order, 'rolling');
    const added = new Map<string, Column[]>();
    for (const name of this.columns) {
      const c = frame.column(name);
      if (!c || c.type !== 'numeric') continue;
      const v = c.values;
      const cols: Column[] = [];
      for (const w of this.windows) {
        const outs = this.stats.map(() => new Float64Array(frame.rows).fill(NaN));
        for (let p = 0; p < sorted.length; p++) {
          const end = tieStart[p]!;
          const start = Math.max(groupStart[p]!, end - w);
          let n = 0;
          let sum = 0;
          let sq = 0;
          let lo = Infinity;
          let hi = -Infinity;
          for (let q = start; q < end; q++) {
            const x = v[sorted[q]!]!;
            if (Number.isNaN(x)) continue;
            n++;
            sum += x;
            sq += x * x;
            if (x < lo) lo = x;
            if (x > hi) hi = x;
          }
          const row = sorted[p]!;
          this.stats.forEach((s, j) => {
            if (n < this.minPeriods) return;
            const out = outs[j]!;
            if (s === 'mean') out[row] = sum / n;
            else if (s === 'sum') out[row] = sum;
            else if (s === 'min') out[row] = lo;
            else if (s === 'max') out[row] = hi;
            else if (n >= 2) {
              const mean = sum / n;
              out[row] = Math.sqrt(Math.max(0, (sq - n * mean * mean) / (n - 1)));
            }
          });
        }
        this.stats.forEach((s, j) => cols.push(numeric(`${name}_roll${w}_${s}`, outs[j]!)));
      }
      added.set(name, cols);
    }
    return insertAfter(frame, added);
  }

  toJSON(): StepJSON {
    return { step: this.step, params: this.params, state: { columns: this.columns } };
  }

  static fromJSON(json: StepJSON): Rolling {
    const t = new Rolling(json.params);
    t.columns = stateOf<string[]>(json, 'columns');
    return t;
  }
}

export const rollingSpec: StepSpec = {
  name: 'rolling',
  description: 'Statistics over the previous `window` rows of each group in time order, as `<column>_roll<window>_<stat>` (strictly past rows only)',
  paramsSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['order'],
    properties: {
      ...seriesSchemaProperties,
      windows: { type: 'array', items: { type: 'integer', minimum: 1 }, minItems: 1, default: [7], description: 'Window lengths in rows' },
      stats: { type: 'array', items: { type: 'string', enum: [...STATS] }, minItems: 1, default: ['mean'], description: 'Statistics per window (std is the sample deviation)' },
      min_periods: { type: 'integer', minimum: 1, default: 1, description: 'Fewest present values for a statistic; fewer give a missing value' },
    },
  },
  create: (params) => new Rolling(params),
  fromJSON: (json) => Rolling.fromJSON(json),
};
