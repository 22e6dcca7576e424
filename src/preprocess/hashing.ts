// `hashing`: the hashing trick for text columns: each n-gram is hashed (MurmurHash3, 32 bit)
// into one of `n_features` columns `<column>#<i>`, with a sign from the hash so collisions tend
// to cancel, then rows are L2-normalised. Nothing is learned, so there is no vocabulary to store
// and unseen words at prediction are handled like any other. The output columns are sparse
// (only each column's non-zero rows are stored, see engine/sparse.ts).

import type { Column, Frame } from '../data/frame.js';
import type { JsonObject } from '../util/json.js';
import { columnSelectorSchema, parseSelector, resolveColumns, type ColumnSelector } from './columns.js';
import { replaceColumns, sparseNumeric } from './frames.js';
import { SparseBuilder } from '../engine/sparse.js';
import { boolParam, enumParam, numberParam, stateOf } from './params.js';
import { Tokenizer, documents, textColumns, tokenizerOptions, tokenizerSchemaProperties } from './text.js';
import type { StepJSON, StepSpec, Transformer } from './transformer.js';

/** Most hash columns (2^18): columns are sparse, so this only bounds per-column bookkeeping. */
const MAX_HASH_FEATURES = 262_144;

export class Hashing implements Transformer {
  readonly step = 'hashing';
  private readonly selector: ColumnSelector;
  private readonly tokenizer: Tokenizer;
  private readonly nFeatures: number;
  private readonly alternateSign: boolean;
  private readonly norm: 'l2' | 'none';
  private columns: string[] = [];

  constructor(readonly params: JsonObject) {
    this.selector = parseSelector(params['columns'], 'text');
    this.tokenizer = new Tokenizer(tokenizerOptions(params, 'hashing'));
    this.nFeatures = numberParam(params, hashingSpec, 'n_features');
    this.alternateSign = boolParam(params, hashingSpec, 'alternate_sign');
    this.norm = enumParam(params, hashingSpec, 'norm');
  }

  fit(frame: Frame): void {
    this.columns = resolveColumns(frame, this.selector, ['text', 'categorical'], 'hashing');
    textColumns(frame, this.columns, 'hashing');
  }

  transform(frame: Frame): Frame {
    const m = this.nFeatures;
    const replaced = new Map<string, Column[]>();
    for (const name of this.columns) {
      const c = frame.column(name);
      const docs = c ? documents(c) : undefined;
      if (!docs) continue;
      const entries = new SparseBuilder();
      const row = new Map<number, number>();
      for (let i = 0; i < docs.length; i++) {
        const doc = docs[i];
        if (doc === null || doc === undefined) continue;
        row.clear();
        for (const t of this.tokenizer.terms(doc)) {
          const h = murmur3(t);
          const j = h % m;
          const s = this.alternateSign && h & 0x80000000 ? -1 : 1;
          row.set(j, (row.get(j) ?? 0) + s);
        }
        let norm2 = 0;
        for (const w of row.values()) norm2 += w * w;
        const scale = this.norm === 'l2' && norm2 > 0 ? 1 / Math.sqrt(norm2) : 1;
        // Colliding terms whose signs cancel leave an exact 0: an implicit zero, not stored.
        for (const [j, w] of row) if (w !== 0) entries.push(i, j, w * scale);
      }
      replaced.set(name, entries.build(m, frame.rows).map((values, j) => sparseNumeric(`${name}#${j}`, values)));
    }
    return replaceColumns(frame, replaced);
  }

  toJSON(): StepJSON {
    return { step: this.step, params: this.params, state: { columns: this.columns } };
  }

  static fromJSON(json: StepJSON): Hashing {
    const t = new Hashing(json.params);
    t.columns = stateOf<string[]>(json, 'columns');
    return t;
  }
}

/** MurmurHash3 x86 32-bit of the string's UTF-16 code units, seed 0; unsigned. */
export function murmur3(s: string): number {
  let h = 0;
  const n = s.length;
  let i = 0;
  for (; i + 1 < n; i += 2) {
    let k = s.charCodeAt(i) | (s.charCodeAt(i + 1) << 16);
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  if (i < n) {
    let k = s.charCodeAt(i);
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    h ^= k;
  }
  h ^= n * 2;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

export const hashingSpec: StepSpec = {
  name: 'hashing',
  description: 'Hashing trick for text columns: n-grams hashed into `n_features` columns `<column>#<i>` (no vocabulary stored)',
  paramsSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      columns: columnSelectorSchema,
      ...tokenizerSchemaProperties,
      n_features: { type: 'integer', minimum: 1, maximum: MAX_HASH_FEATURES, default: 256, description: 'Output columns per text column (stored sparse: memory follows the non-zeros)' },
      alternate_sign: { type: 'boolean', default: true, description: 'Sign each term by its hash so collisions tend to cancel' },
      norm: { type: 'string', enum: ['l2', 'none'], default: 'l2', description: 'Row normalisation' },
    },
  },
  create: (params) => new Hashing(params),
  fromJSON: (json) => Hashing.fromJSON(json),
};
