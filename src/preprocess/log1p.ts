// `log1p`: log(1 + x) for skewed non-negative columns (counts, prices). Values below 0 have no
// sensible log1p on a skewed scale, so they are a data error naming the column, row and value,
// unless `signed: true`, which maps x to sign(x) * log(1 + |x|) and accepts any value.
// log1p(0) = 0, so a sparse column stays sparse: only its stored values are mapped.

import { SomaError } from '../errors.js';
import type { Column, Frame } from '../data/frame.js';
import type { JsonObject } from '../util/json.js';
import { columnSelectorSchema, parseSelector, resolveColumns, type ColumnSelector } from './columns.js';
import { numeric, numericColumnOf, sparseNumeric, withColumns } from './frames.js';
import { sparseVector } from '../engine/sparse.js';
import { boolParam, stateOf } from './params.js';
import type { StepJSON, StepSpec, Transformer } from './transformer.js';

export class Log1p implements Transformer {
  readonly step = 'log1p';
  private readonly selector: ColumnSelector;
  private readonly signed: boolean;
  private columns: string[] = [];

  constructor(readonly params: JsonObject) {
    this.selector = parseSelector(params['columns'], 'numeric');
    this.signed = boolParam(params, log1pSpec, 'signed');
  }

  fit(frame: Frame): void {
    this.columns = resolveColumns(frame, this.selector, ['numeric'], 'log1p');
  }

  transform(frame: Frame): Frame {
    const out: Column[] = [];
    for (const name of this.columns) {
      const c = numericColumnOf(frame, name, 'log1p');
      if (!c) continue;
      const v = c.type === 'numeric' && c.sparse ? c.sparse.values : c.values!;
      const rowOf = c.type === 'numeric' && c.sparse ? (k: number): number => c.sparse.index[k]! : (k: number): number => k;
      const values = new Float64Array(v.length);
      for (let k = 0; k < v.length; k++) {
        const x = v[k]!;
        if (this.signed) values[k] = x < 0 ? -Math.log1p(-x) : Math.log1p(x);
        else if (x < 0) {
          const row = rowOf(k) + 1;
          throw new SomaError('DATA_BAD_VALUE', `preprocess log1p: column "${name}", row ${row}: value ${x} is negative (log1p expects values >= 0)`, {
            hint: 'set signed: true on the log1p step to use sign(x) * log(1 + |x|)',
            details: { column: name, row, value: x },
          });
        } else values[k] = Math.log1p(x);
      }
      out.push(c.type === 'numeric' && c.sparse ? sparseNumeric(name, sparseVector(c.sparse.length, c.sparse.index, values)) : numeric(name, values));
    }
    return withColumns(frame, out);
  }

  toJSON(): StepJSON {
    return { step: this.step, params: this.params, state: { columns: this.columns } };
  }

  static fromJSON(json: StepJSON): Log1p {
    const t = new Log1p(json.params);
    t.columns = stateOf<string[]>(json, 'columns');
    return t;
  }
}

export const log1pSpec: StepSpec = {
  name: 'log1p',
  description: 'log(1 + x) of skewed non-negative columns (a negative value is a data error unless signed: true)',
  paramsSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      columns: columnSelectorSchema,
      signed: { type: 'boolean', default: false, description: 'Use sign(x) * log(1 + |x|), which accepts negative values' },
    },
  },
  create: (params) => new Log1p(params),
  fromJSON: (json) => Log1p.fromJSON(json),
};
