// `bin`: discretises numeric columns into `bins` intervals learned on the training split, equal
// width (`uniform`) or equal count (`quantile`, repeated edges merged), and replaces each value
// by its interval index 0..k-1. Values beyond the training range fall in the first or last bin;
// missing values stay missing.

import type { Column, Frame } from '../data/frame.js';
import type { JsonObject } from '../util/json.js';
import { columnSelectorSchema, parseSelector, resolveColumns, type ColumnSelector } from './columns.js';
import { checkDensify, numeric, valuesOf, withColumns } from './frames.js';
import { enumParam, numberParam, stateOf } from './params.js';
import { quantileSorted, sortedPresent } from './stats.js';
import type { StepJSON, StepSpec, Transformer } from './transformer.js';

interface Edges {
  column: string;
  /** Inner edges, ascending: bin b holds edges[b-1] <= x < edges[b]. */
  edges: number[];
}

export class Bin implements Transformer {
  readonly step = 'bin';
  private readonly selector: ColumnSelector;
  private readonly method: 'quantile' | 'uniform';
  private readonly bins: number;
  private edges: Edges[] = [];

  constructor(readonly params: JsonObject) {
    this.selector = parseSelector(params['columns'], 'numeric');
    this.method = enumParam(params, binSpec, 'method');
    this.bins = numberParam(params, binSpec, 'bins');
  }

  fit(frame: Frame): void {
    const names = resolveColumns(frame, this.selector, ['numeric'], 'bin');
    this.edges = names.map((column) => {
      const sorted = sortedPresent(valuesOf(frame, column, 'bin')!);
      const inner: number[] = [];
      if (sorted.length > 0) {
        const lo = sorted[0]!;
        const hi = sorted[sorted.length - 1]!;
        for (let b = 1; b < this.bins; b++) {
          const e = this.method === 'uniform' ? lo + ((hi - lo) * b) / this.bins : quantileSorted(sorted, b / this.bins);
          // Equal edges would make empty bins: heavy ties in quantile binning merge them.
          if (e > lo && e <= hi && (inner.length === 0 || e > inner[inner.length - 1]!)) inner.push(e);
        }
      }
      return { column, edges: inner };
    });
  }

  transform(frame: Frame): Frame {
    checkDensify(frame, this.edges.map((e) => e.column), 'bin');
    const out: Column[] = [];
    for (const { column, edges } of this.edges) {
      const v = valuesOf(frame, column, 'bin');
      if (!v) continue;
      const values = new Float64Array(v.length);
      for (let i = 0; i < v.length; i++) {
        const x = v[i]!;
        if (Number.isNaN(x)) {
          values[i] = NaN;
          continue;
        }
        // Binary search: the number of edges <= x.
        let lo = 0;
        let hi = edges.length;
        while (lo < hi) {
          const mid = (lo + hi) >> 1;
          if (edges[mid]! <= x) lo = mid + 1;
          else hi = mid;
        }
        values[i] = lo;
      }
      out.push(numeric(column, values));
    }
    return withColumns(frame, out);
  }

  toJSON(): StepJSON {
    return { step: this.step, params: this.params, state: { edges: this.edges.map((e) => ({ column: e.column, edges: e.edges })) } };
  }

  static fromJSON(json: StepJSON): Bin {
    const t = new Bin(json.params);
    t.edges = stateOf<Edges[]>(json, 'edges');
    return t;
  }
}

export const binSpec: StepSpec = {
  name: 'bin',
  description: 'Replace numeric values by their interval index 0..k-1, intervals of equal count (quantile) or width (uniform)',
  paramsSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      columns: columnSelectorSchema,
      method: { type: 'string', enum: ['quantile', 'uniform'], default: 'quantile', description: 'Equal-count or equal-width intervals over the training values' },
      bins: { type: 'integer', minimum: 2, maximum: 1000, default: 5, description: 'Number of intervals (ties can merge quantile intervals)' },
    },
  },
  create: (params) => new Bin(params),
  fromJSON: (json) => Bin.fromJSON(json),
};
