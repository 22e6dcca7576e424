// `rolling`: statistics (mean, std, min, max, sum) of a column over the previous `window` rows of
// its group in time order, as `<column>_roll<window>_<stat>`. The window ends before the row's
// own timestamp (see timeorder.ts), so the current value never enters its own feature. Missing
// values are skipped; fewer than `min_periods` values (2 for std, the sample deviation) give a
// missing feature.

import type { Column } from '../data/frame.js';
import type { JsonObject } from '../util/json.js';
import { numeric } from './frames.js';
import { enumListParam, intListParam, numberParam } from './params.js';
import { SeriesStep } from './series-step.js';
import { seriesSchemaProperties, type TimeOrder } from './timeorder.js';
import type { StepJSON, StepSpec } from './transformer.js';

const STATS = ['mean', 'std', 'min', 'max', 'sum'] as const;
type Stat = (typeof STATS)[number];

export class Rolling extends SeriesStep {
  readonly step = 'rolling';
  private readonly windows: number[];
  private readonly stats: Stat[];
  private readonly minPeriods: number;

  constructor(params: JsonObject) {
    super(params, 'rolling');
    this.windows = intListParam(params, rollingSpec, 'windows');
    this.stats = enumListParam(params, rollingSpec, 'stats');
    this.minPeriods = numberParam(params, rollingSpec, 'min_periods');
  }

  protected features(name: string, v: Float64Array, { sorted, groupStart, tieStart }: TimeOrder, rows: number): Column[] {
    const cols: Column[] = [];
    for (const w of this.windows) {
      const outs = this.stats.map(() => new Float64Array(rows).fill(NaN));
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
        if (n < this.minPeriods) continue;
        const row = sorted[p]!;
        this.stats.forEach((s, j) => {
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
    return cols;
  }

  static fromJSON(json: StepJSON): Rolling {
    return SeriesStep.restore(new Rolling(json.params), json);
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
