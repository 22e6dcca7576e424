// `ordinal`: replaces each categorical column by an integer code: the position of its value in
// an explicit order (`order: {size: [S, M, L]}`) or, by default, in the sorted training
// categories. Missing stays missing; an unseen value is missing (`handle_unknown: ignore`) or
// an error naming the column, row and value (`error`, exit 3).

import { SomaError } from '../errors.js';
import type { Column, Frame } from '../data/frame.js';
import type { JsonObject } from '../util/json.js';
import { encoderCodes, presentCategories } from './categories.js';
import { columnSelectorSchema, parseSelector, resolveColumns, type ColumnSelector } from './columns.js';
import { numeric, replaceColumns } from './frames.js';
import { enumParam, stateOf } from './params.js';
import type { StepJSON, StepSpec, Transformer } from './transformer.js';

interface Encoding {
  column: string;
  categories: string[];
}

export class Ordinal implements Transformer {
  readonly step = 'ordinal';
  private readonly selector: ColumnSelector;
  private readonly handleUnknown: 'error' | 'ignore';
  private readonly order: Record<string, string[]>;
  private encodings: Encoding[] = [];

  constructor(readonly params: JsonObject) {
    this.selector = parseSelector(params['columns'], 'categorical');
    this.handleUnknown = enumParam(params, ordinalSpec, 'handle_unknown');
    const order = params['order'];
    this.order = {};
    if (order !== undefined && order !== null) {
      if (typeof order !== 'object' || Array.isArray(order)) throw new SomaError('CONFIG_INVALID', `preprocess ordinal: order must map column names to lists of categories (got ${JSON.stringify(order)})`);
      for (const [k, v] of Object.entries(order)) {
        if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) throw new SomaError('CONFIG_INVALID', `preprocess ordinal: order.${k} must be a list of category strings (got ${JSON.stringify(v)})`);
        this.order[k] = v as string[];
      }
    }
  }

  fit(frame: Frame): void {
    const names = resolveColumns(frame, this.selector, ['categorical'], 'ordinal');
    this.encodings = names.map((column) => {
      const c = frame.column(column)!;
      if (c.type !== 'categorical') throw new SomaError('INTERNAL', `ordinal: ${column} is not categorical`);
      const seen = presentCategories(c);
      const explicit = this.order[column];
      if (!explicit) return { column, categories: seen };
      const listed = new Set(explicit);
      const missing = seen.filter((s) => !listed.has(s));
      if (missing.length > 0) {
        throw new SomaError('CONFIG_INVALID', `preprocess ordinal: order.${column} lacks ${missing.length} training categor${missing.length > 1 ? 'ies' : 'y'}: ${missing.slice(0, 10).map((m) => JSON.stringify(m)).join(', ')}`);
      }
      return { column, categories: [...explicit] };
    });
    for (const k of Object.keys(this.order)) {
      if (!names.includes(k)) throw new SomaError('CONFIG_INVALID', `preprocess ordinal: order names column "${k}", which the step does not encode (columns: ${names.join(', ')})`);
    }
  }

  transform(frame: Frame): Frame {
    const replaced = new Map<string, Column[]>();
    for (const enc of this.encodings) {
      const c = frame.column(enc.column);
      if (!c || c.type !== 'categorical') continue;
      const codes = encoderCodes('ordinal', c, enc.categories, this.handleUnknown);
      const values = new Float64Array(codes.length);
      for (let i = 0; i < codes.length; i++) values[i] = codes[i]! >= 0 ? codes[i]! : NaN;
      replaced.set(enc.column, [numeric(enc.column, values)]);
    }
    return replaceColumns(frame, replaced);
  }

  toJSON(): StepJSON {
    return { step: this.step, params: this.params, state: { encodings: this.encodings.map((e) => ({ ...e })) } };
  }

  static fromJSON(json: StepJSON): Ordinal {
    const t = new Ordinal(json.params);
    t.encodings = stateOf<Encoding[]>(json, 'encodings');
    return t;
  }
}

export const ordinalSpec: StepSpec = {
  name: 'ordinal',
  description: 'Replace categories by integer codes 0..k-1: their position in an explicit order, or in the sorted training categories',
  paramsSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      columns: columnSelectorSchema,
      order: {
        type: 'object',
        additionalProperties: { type: 'array', items: { type: 'string' }, minItems: 1 },
        description: 'Explicit category order per column, e.g. {size: [S, M, L]}; it must list every training category',
      },
      handle_unknown: { type: 'string', enum: ['error', 'ignore'], default: 'error', description: 'A category unseen in training: error (exit 3) or ignore (missing)' },
    },
  },
  create: (params) => new Ordinal(params),
  fromJSON: (json) => Ordinal.fromJSON(json),
};
