// `onehot`: replaces each categorical column by one 0/1 column per category seen in training
// (the most frequent `max_categories`, each seen at least `min_frequency` times; the rest share
// an "infrequent" column). A missing value sets no column; an unseen value follows
// `handle_unknown`: `error` (exit 3 naming the column, row and value), `ignore` (all zeros) or
// `infrequent` (the infrequent column, created even when training had no infrequent category).

import { checkDenseOutput } from './budget.js';
import { SomaError } from '../errors.js';
import { Frame, type Column, type NumericColumn } from '../data/frame.js';
import type { JsonObject } from '../util/json.js';
import { UNSEEN, categoryCounts, remapCodes, unknownCategoryError } from './categories.js';
import { columnSelectorSchema, parseSelector, resolveColumns, type ColumnSelector } from './columns.js';
import { enumParam, numberParam } from './params.js';
import type { StepJSON, StepSpec, Transformer } from './transformer.js';

type HandleUnknown = 'error' | 'ignore' | 'infrequent';

interface Encoding {
  column: string;
  /** Categories with their own output column, in output order. */
  categories: string[];
  /** Categories folded into the shared infrequent column. */
  infrequent: string[];
}

const INFREQUENT_LABEL = 'infrequent';

export class OneHot implements Transformer {
  readonly step = 'onehot';
  private readonly selector: ColumnSelector;
  private readonly maxCategories: number;
  private readonly handleUnknown: HandleUnknown;
  private readonly minFrequency: number;
  private encodings: Encoding[] = [];

  constructor(readonly params: JsonObject) {
    this.selector = parseSelector(params['columns'], 'categorical');
    this.maxCategories = numberParam(params, onehotSpec, 'max_categories');
    this.handleUnknown = enumParam(params, onehotSpec, 'handle_unknown');
    this.minFrequency = numberParam(params, onehotSpec, 'min_frequency');
  }

  fit(frame: Frame): void {
    const names = resolveColumns(frame, this.selector, ['categorical'], 'onehot');
    this.encodings = names.map((name) => {
      const c = frame.column(name)!;
      if (c.type !== 'categorical') throw new SomaError('INTERNAL', `onehot: ${name} is not categorical`);
      const counts = categoryCounts(c);
      const seen = c.dictionary.map((value, i) => ({ value, n: counts[i]! })).filter((e) => e.n > 0);
      // Most frequent first; ties by value so the encoding does not depend on file order.
      seen.sort((a, b) => b.n - a.n || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0));
      // min_frequency below 1 is a share of the training rows, else a count.
      const minCount = this.minFrequency < 1 ? this.minFrequency * frame.rows : this.minFrequency;
      const frequent = seen.filter((e) => e.n >= minCount);
      const kept = frequent.slice(0, this.maxCategories).map((e) => e.value).sort();
      const keptSet = new Set(kept);
      const infrequent = seen.filter((e) => !keptSet.has(e.value)).map((e) => e.value).sort();
      return { column: name, categories: kept, infrequent };
    });
    // Before transform allocates a Float64Array per kept category (and the infrequent column).
    const widths = this.encodings.map((e) => e.categories.length + (e.infrequent.length > 0 || this.handleUnknown === 'infrequent' ? 1 : 0));
    const total = widths.reduce((a, b) => a + b, 0);
    const widest = this.encodings.map((e, i) => ({ column: e.column, n: widths[i]! })).sort((a, b) => b.n - a.n).slice(0, 3);
    checkDenseOutput('onehot', total, frame.rows, widest.map((w) => `${JSON.stringify(w.column)} (${w.n} columns)`).join(', '), 'lower max_categories, set min_frequency, or encode such columns with frequency, target or hashing, which add one column (or a sparse set) each');
  }

  transform(frame: Frame): Frame {
    const replaced = new Map<string, NumericColumn[]>();
    for (const enc of this.encodings) {
      const c = frame.column(enc.column);
      if (!c || c.type !== 'categorical') continue;
      replaced.set(enc.column, this.encode(c, enc));
    }
    const columns: Column[] = [];
    for (const c of frame.columns) {
      const r = replaced.get(c.name);
      if (r) columns.push(...r);
      else columns.push(c);
    }
    return new Frame(columns);
  }

  private encode(c: Extract<Column, { type: 'categorical' }>, enc: Encoding): NumericColumn[] {
    const all = [...enc.categories, ...enc.infrequent];
    const codes = remapCodes(c, all);
    const k = enc.categories.length;
    const hasInfrequentColumn = enc.infrequent.length > 0 || this.handleUnknown === 'infrequent';
    const outputs = enc.categories.map(() => new Float64Array(codes.length));
    const infrequentOut = hasInfrequentColumn ? new Float64Array(codes.length) : undefined;
    for (let i = 0; i < codes.length; i++) {
      const code = codes[i]!;
      if (code === -1) continue;
      if (code === UNSEEN) {
        if (this.handleUnknown === 'error') throw unknownCategoryError('onehot', c, i, all);
        if (this.handleUnknown === 'infrequent') infrequentOut![i] = 1;
        continue;
      }
      if (code < k) outputs[code]![i] = 1;
      else infrequentOut![i] = 1;
    }
    const cols: NumericColumn[] = enc.categories.map((cat, j) => ({ type: 'numeric', name: `${c.name}=${cat}`, values: outputs[j]! }));
    if (infrequentOut) cols.push({ type: 'numeric', name: `${c.name}=${INFREQUENT_LABEL}`, values: infrequentOut });
    return cols;
  }

  toJSON(): StepJSON {
    return { step: this.step, params: this.params, state: { encodings: this.encodings.map((e) => ({ ...e })) } };
  }

  static fromJSON(json: StepJSON): OneHot {
    const t = new OneHot(json.params);
    t.encodings = (json.state as unknown as { encodings: Encoding[] }).encodings;
    return t;
  }
}

export const onehotSpec: StepSpec = {
  name: 'onehot',
  description: 'One 0/1 column per category seen in training',
  paramsSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      columns: columnSelectorSchema,
      max_categories: { type: 'integer', minimum: 1, default: 100, description: 'Most frequent categories kept; the rest share one "infrequent" column' },
      min_frequency: {
        type: 'number',
        exclusiveMinimum: 0,
        default: 1,
        description: 'Categories seen fewer times (a count, or a share of the training rows when below 1) go to the "infrequent" column',
      },
      handle_unknown: {
        type: 'string',
        enum: ['error', 'ignore', 'infrequent'],
        default: 'ignore',
        description: 'A category unseen in training: error (exit 3), ignore (all zeros) or infrequent (the infrequent column)',
      },
    },
  },
  create: (params) => new OneHot(params),
  fromJSON: (json) => OneHot.fromJSON(json),
};
