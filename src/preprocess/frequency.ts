// `frequency`: replaces each categorical column by how often its value occurs in the training
// split, a share of the rows (or a count with `normalize: false`). One numeric column however
// many categories there are. Missing stays missing; an unseen value gets 0 (`ignore`) or exits 3
// (`error`).

import { SomaError } from '../errors.js';
import type { Column, Frame } from '../data/frame.js';
import type { JsonObject } from '../util/json.js';
import { UNSEEN, categoryCounts, encoderCodes } from './categories.js';
import { columnSelectorSchema, parseSelector, resolveColumns, type ColumnSelector } from './columns.js';
import { numeric, replaceColumns } from './frames.js';
import { boolParam, enumParam, stateOf } from './params.js';
import type { StepJSON, StepSpec, Transformer } from './transformer.js';

interface Encoding {
  column: string;
  categories: string[];
  values: number[];
}

export class Frequency implements Transformer {
  readonly step = 'frequency';
  private readonly selector: ColumnSelector;
  private readonly normalize: boolean;
  private readonly handleUnknown: 'error' | 'ignore';
  private encodings: Encoding[] = [];

  constructor(readonly params: JsonObject) {
    this.selector = parseSelector(params['columns'], 'categorical');
    this.normalize = boolParam(params, frequencySpec, 'normalize');
    this.handleUnknown = enumParam(params, frequencySpec, 'handle_unknown');
  }

  fit(frame: Frame): void {
    const names = resolveColumns(frame, this.selector, ['categorical'], 'frequency');
    this.encodings = names.map((column) => {
      const c = frame.column(column)!;
      if (c.type !== 'categorical') throw new SomaError('INTERNAL', `frequency: ${column} is not categorical`);
      const counts = categoryCounts(c);
      const entries = c.dictionary.map((value, i) => ({ value, n: counts[i]! })).filter((e) => e.n > 0);
      entries.sort((a, b) => (a.value < b.value ? -1 : a.value > b.value ? 1 : 0));
      const denom = this.normalize ? Math.max(1, frame.rows) : 1;
      return { column, categories: entries.map((e) => e.value), values: entries.map((e) => e.n / denom) };
    });
  }

  transform(frame: Frame): Frame {
    const replaced = new Map<string, Column[]>();
    for (const enc of this.encodings) {
      const c = frame.column(enc.column);
      if (!c || c.type !== 'categorical') continue;
      const codes = encoderCodes('frequency', c, enc.categories, this.handleUnknown);
      const out = new Float64Array(codes.length);
      for (let i = 0; i < codes.length; i++) {
        const k = codes[i]!;
        // An unseen category (allowed by handle_unknown: ignore) was never seen: frequency 0.
        out[i] = k >= 0 ? enc.values[k]! : k === UNSEEN ? 0 : NaN;
      }
      replaced.set(enc.column, [numeric(enc.column, out)]);
    }
    return replaceColumns(frame, replaced);
  }

  toJSON(): StepJSON {
    return { step: this.step, params: this.params, state: { encodings: this.encodings.map((e) => ({ ...e })) } };
  }

  static fromJSON(json: StepJSON): Frequency {
    const t = new Frequency(json.params);
    t.encodings = stateOf<Encoding[]>(json, 'encodings');
    return t;
  }
}

export const frequencySpec: StepSpec = {
  name: 'frequency',
  description: 'Replace categories by their training frequency (a share of the rows, or a count)',
  paramsSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      columns: columnSelectorSchema,
      normalize: { type: 'boolean', default: true, description: 'Share of the training rows (true) or raw count (false)' },
      handle_unknown: { type: 'string', enum: ['error', 'ignore'], default: 'ignore', description: 'A category unseen in training: error (exit 3) or ignore (frequency 0)' },
    },
  },
  create: (params) => new Frequency(params),
  fromJSON: (json) => Frequency.fromJSON(json),
};
