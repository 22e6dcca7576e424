// `tfidf`: TF-IDF features of text columns with a vocabulary learned on the training split:
// n-grams kept when their document frequency is within [min_df, max_df], the `max_features` most
// frequent of them (ties by term), idf = ln((1 + n) / (1 + df)) + 1 and rows L2-normalised, as
// scikit-learn's TfidfVectorizer. Each text column becomes `<column>:<term>` columns.
//
// Sparse end to end: counting uses per-document term maps and the output columns are sparse
// numeric columns holding only each term's non-zero rows (engine/sparse.ts), so memory grows
// with the text (about 12 bytes per document-term pair), not with documents x vocabulary.

import type { Column, Frame } from '../data/frame.js';
import type { JsonObject } from '../util/json.js';
import { columnSelectorSchema, parseSelector, resolveColumns, type ColumnSelector } from './columns.js';
import { replaceColumns, sparseNumeric } from './frames.js';
import { SparseBuilder } from '../engine/sparse.js';
import { boolParam, enumParam, numberParam, stateOf } from './params.js';
import { Tokenizer, documents, textColumns, tokenizerOptions, tokenizerSchemaProperties } from './text.js';
import type { StepJSON, StepSpec, Transformer } from './transformer.js';

interface Vocabulary {
  column: string;
  terms: string[];
  idf: number[];
}

/** Largest vocabulary: output columns are sparse, so this only bounds per-column bookkeeping. */
const MAX_VOCABULARY = 200_000;

export class Tfidf implements Transformer {
  readonly step = 'tfidf';
  private readonly selector: ColumnSelector;
  private readonly tokenizer: Tokenizer;
  private readonly minDf: number;
  private readonly maxDf: number;
  private readonly maxFeatures: number;
  private readonly sublinear: boolean;
  private readonly norm: 'l2' | 'none';
  private readonly useIdf: boolean;
  private vocabularies: Vocabulary[] = [];

  constructor(readonly params: JsonObject) {
    this.selector = parseSelector(params['columns'], 'text');
    this.tokenizer = new Tokenizer(tokenizerOptions(params, 'tfidf'));
    this.minDf = numberParam(params, tfidfSpec, 'min_df');
    this.maxDf = numberParam(params, tfidfSpec, 'max_df');
    this.maxFeatures = numberParam(params, tfidfSpec, 'max_features');
    this.sublinear = boolParam(params, tfidfSpec, 'sublinear_tf');
    this.norm = enumParam(params, tfidfSpec, 'norm');
    this.useIdf = boolParam(params, tfidfSpec, 'use_idf');
  }

  fit(frame: Frame): void {
    const names = resolveColumns(frame, this.selector, ['text', 'categorical'], 'tfidf');
    textColumns(frame, names, 'tfidf');
    this.vocabularies = names.map((column) => this.learn(column, documents(frame.column(column)!)!));
  }

  private learn(column: string, docs: (string | null)[]): Vocabulary {
    const df = new Map<string, number>();
    const tf = new Map<string, number>();
    const n = docs.length;
    for (const doc of docs) {
      if (doc === null) continue;
      const seen = new Set<string>();
      for (const t of this.tokenizer.terms(doc)) {
        tf.set(t, (tf.get(t) ?? 0) + 1);
        if (!seen.has(t)) {
          seen.add(t);
          df.set(t, (df.get(t) ?? 0) + 1);
        }
      }
    }
    // Below 1 a share of the documents, else a count (scikit-learn's convention for min_df).
    const minCount = this.minDf < 1 ? Math.ceil(this.minDf * n) : this.minDf;
    const maxCount = this.maxDf * n;
    const candidates = [...df.entries()].filter(([, d]) => d >= minCount && d <= maxCount).map(([t]) => t);
    candidates.sort((a, b) => tf.get(b)! - tf.get(a)! || (a < b ? -1 : a > b ? 1 : 0));
    const terms = candidates.slice(0, this.maxFeatures).sort();
    const idf = terms.map((t) => (this.useIdf ? Math.log((1 + n) / (1 + df.get(t)!)) + 1 : 1));
    return { column, terms, idf };
  }

  transform(frame: Frame): Frame {
    const replaced = new Map<string, Column[]>();
    for (const v of this.vocabularies) {
      const c = frame.column(v.column);
      const docs = c ? documents(c) : undefined;
      if (!docs) continue;
      const index = new Map(v.terms.map((t, j) => [t, j]));
      const entries = new SparseBuilder();
      const counts = new Map<number, number>();
      for (let i = 0; i < docs.length; i++) {
        const doc = docs[i];
        if (doc === null || doc === undefined) continue;
        counts.clear();
        for (const t of this.tokenizer.terms(doc)) {
          const j = index.get(t);
          if (j !== undefined) counts.set(j, (counts.get(j) ?? 0) + 1);
        }
        let norm2 = 0;
        for (const [j, k] of counts) {
          const w = (this.sublinear ? 1 + Math.log(k) : k) * v.idf[j]!;
          counts.set(j, w);
          norm2 += w * w;
        }
        const scale = this.norm === 'l2' && norm2 > 0 ? 1 / Math.sqrt(norm2) : 1;
        for (const [j, w] of counts) entries.push(i, j, w * scale);
      }
      const cols = entries.build(v.terms.length, frame.rows);
      replaced.set(v.column, v.terms.map((t, j) => sparseNumeric(`${v.column}:${t}`, cols[j]!)));
    }
    return replaceColumns(frame, replaced);
  }

  toJSON(): StepJSON {
    return { step: this.step, params: this.params, state: { vocabularies: this.vocabularies.map((v) => ({ ...v })) } };
  }

  static fromJSON(json: StepJSON): Tfidf {
    const t = new Tfidf(json.params);
    t.vocabularies = stateOf<Vocabulary[]>(json, 'vocabularies');
    return t;
  }
}

export const tfidfSpec: StepSpec = {
  name: 'tfidf',
  description: 'TF-IDF of text columns over a vocabulary learned on the training split, as `<column>:<term>` columns',
  paramsSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      columns: columnSelectorSchema,
      ...tokenizerSchemaProperties,
      min_df: { type: 'number', exclusiveMinimum: 0, default: 1, description: 'Fewest documents a term must appear in (a count, or a share when below 1)' },
      max_df: { type: 'number', exclusiveMinimum: 0, maximum: 1, default: 1, description: 'Largest share of documents a term may appear in' },
      max_features: { type: 'integer', minimum: 1, maximum: MAX_VOCABULARY, default: 1000, description: 'Vocabulary size: the most frequent terms (stored sparse: memory follows the non-zeros, not rows x terms)' },
      sublinear_tf: { type: 'boolean', default: false, description: 'Use 1 + log(tf) instead of the raw count' },
      use_idf: { type: 'boolean', default: true, description: 'Weight by inverse document frequency' },
      norm: { type: 'string', enum: ['l2', 'none'], default: 'l2', description: 'Row normalisation' },
    },
  },
  create: (params) => new Tfidf(params),
  fromJSON: (json) => Tfidf.fromJSON(json),
};
