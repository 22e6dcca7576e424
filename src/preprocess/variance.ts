// `variance`: drops numeric columns whose training variance (population, missing values
// skipped) is at most `threshold`: with the default 0, the constant columns, which no model can
// use. The dropped columns are recorded so prediction drops the very same ones. A sparse
// column's variance comes from its stored values alone (implicit zeros add to the count only).

import type { Frame } from '../data/frame.js';
import type { JsonObject } from '../util/json.js';
import { columnSelectorSchema, parseSelector, resolveColumns, type ColumnSelector } from './columns.js';
import { numericColumnOf, valuesOf } from './frames.js';
import { numberParam, stateOf } from './params.js';
import { meanStd, sparseVariance } from './stats.js';
import type { StepJSON, StepSpec, Transformer } from './transformer.js';

export class VarianceFilter implements Transformer {
  readonly step = 'variance';
  private readonly selector: ColumnSelector;
  private readonly threshold: number;
  private dropped: string[] = [];

  constructor(readonly params: JsonObject) {
    this.selector = parseSelector(params['columns'], 'numeric');
    this.threshold = numberParam(params, varianceSpec, 'threshold');
  }

  fit(frame: Frame): void {
    const names = resolveColumns(frame, this.selector, ['numeric'], 'variance');
    this.dropped = names.filter((n) => {
      const c = numericColumnOf(frame, n, 'variance')!;
      if (c.type === 'numeric' && c.sparse) {
        const { variance, n: count } = sparseVariance(c.sparse);
        return count === 0 || variance <= this.threshold;
      }
      const { std, n: count } = meanStd(valuesOf(frame, n, 'variance')!);
      return count === 0 || std * std <= this.threshold;
    });
  }

  transform(frame: Frame): Frame {
    return frame.drop(this.dropped);
  }

  toJSON(): StepJSON {
    return { step: this.step, params: this.params, state: { dropped: this.dropped } };
  }

  static fromJSON(json: StepJSON): VarianceFilter {
    const t = new VarianceFilter(json.params);
    t.dropped = stateOf<string[]>(json, 'dropped');
    return t;
  }
}

export const varianceSpec: StepSpec = {
  name: 'variance',
  description: 'Drop numeric columns whose training variance is at most a threshold (by default the constant ones)',
  paramsSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      columns: columnSelectorSchema,
      threshold: { type: 'number', minimum: 0, default: 0, description: 'Columns with variance <= threshold are dropped' },
    },
  },
  create: (params) => new VarianceFilter(params),
  fromJSON: (json) => VarianceFilter.fromJSON(json),
};
