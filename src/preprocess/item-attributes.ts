// Item attribute vectors for content-based recommendation, from an items table: category
// columns (several values per cell split on a separator: "Drama|Thriller") become `column=value`
// tokens, numeric columns their decile (`year:q7`), free-text columns their words (the text
// steps' tokenizer, stop words left out); every token is weighted by its inverse document
// frequency over the items, ln((1 + n) / (1 + df)) + 1 as the tfidf step, times its count, and
// each item's vector has unit norm. The category tokens alone (unweighted) are the attribute
// sets intra-list diversity compares.

import { SomaError } from '../errors.js';
import { numericValues, type Frame } from '../data/frame.js';
import { csrFromTriplets, normalizeRows, type Csr } from '../engine/recsys/csr.js';
import { Tokenizer, documents, tokenizerOptions } from './text.js';

export interface ItemAttributeOptions {
  /** The id column; its values map to item codes through `codeOf`. */
  key: string;
  text: readonly string[];
  attributes: readonly string[];
  numeric: readonly string[];
  separator: string;
}

export interface ItemAttributes {
  /** items x tokens, unit-norm rows (content vectors). */
  vectors: Csr;
  /** items x category tokens, value 1 (diversity). */
  sets: Csr;
  tokens: string[];
  /** Items of the table that no interaction names (counted for the report). */
  rows: number;
}

/**
 * Which columns play which part when the config does not say, by the types they were read as:
 * text columns are text; categorical columns are attributes when they have few distinct values
 * (after splitting on the separator: at most 1000, and fewer than a fifth of the items; genres),
 * else text (titles that repeat words); numeric columns are numeric.
 */
export function defaultAttributeColumns(frame: Frame, key: string, separator = '|'): { text: string[]; attributes: string[]; numeric: string[] } {
  const others = frame.columns.filter((c) => c.name !== key);
  const few = (c: (typeof others)[number]): boolean => {
    if (c.type !== 'categorical') return false;
    const tokens = new Set(c.dictionary.flatMap((d) => d.split(separator).map((s) => s.trim())));
    return tokens.size <= Math.min(1000, Math.max(2, frame.rows / 5));
  };
  return {
    text: others.filter((c) => c.type === 'text' || (c.type === 'categorical' && !few(c))).map((c) => c.name),
    attributes: others.filter(few).map((c) => c.name),
    numeric: others.filter((c) => c.type === 'numeric').map((c) => c.name),
  };
}

export function itemAttributes(frame: Frame, o: ItemAttributeOptions, items: number, codeOf: (id: string) => number | undefined, file: string): ItemAttributes {
  const keyDocs = documents(frame.column(o.key)!)!;
  const code = Int32Array.from(keyDocs, (id) => (id === null ? -1 : codeOf(id) ?? -1));
  const tokenIds = new Map<string, number>();
  const rows: number[] = [];
  const cols: number[] = [];
  const setRows: number[] = [];
  const setCols: number[] = [];
  const tok = (t: string): number => {
    let j = tokenIds.get(t);
    if (j === undefined) tokenIds.set(t, (j = tokenIds.size));
    return j;
  };
  const need = (name: string, types: readonly string[]): void => {
    const c = frame.column(name);
    if (!c) throw new SomaError('DATA_MISSING_COLUMN', `${file}: column "${name}" not found (columns: ${frame.names.join(', ')})`);
    if (!types.includes(c.type)) throw new SomaError('CONFIG_INVALID', `data.items: column "${name}" of ${file} is ${c.type} (expected ${types.join(' or ')})`);
  };
  for (const name of o.attributes) {
    need(name, ['categorical', 'text']);
    const docs = documents(frame.column(name)!)!;
    docs.forEach((d, r) => {
      if (d === null || code[r]! < 0) return;
      for (const v of new Set(d.split(o.separator).map((s) => s.trim()).filter((s) => s !== ''))) {
        const j = tok(`${name}=${v}`);
        rows.push(code[r]!);
        cols.push(j);
        setRows.push(code[r]!);
        setCols.push(j);
      }
    });
  }
  for (const name of o.numeric) {
    need(name, ['numeric', 'datetime']);
    const c = frame.column(name)!;
    const v = numericValues(c as Parameters<typeof numericValues>[0]);
    const sorted = Float64Array.from(v.filter((x) => !Number.isNaN(x))).sort();
    if (sorted.length === 0) continue;
    const edges = Array.from({ length: 9 }, (_, q) => sorted[Math.floor(((q + 1) * sorted.length) / 10)]!);
    v.forEach((x, r) => {
      if (Number.isNaN(x) || code[r]! < 0) return;
      let q = 0;
      while (q < 9 && x >= edges[q]!) q++;
      rows.push(code[r]!);
      cols.push(tok(`${name}:q${q}`));
    });
  }
  const tokenizer = new Tokenizer(tokenizerOptions({ stop_words: 'english' }, 'data.items'));
  for (const name of o.text) {
    need(name, ['text', 'categorical']);
    documents(frame.column(name)!)!.forEach((d, r) => {
      if (d === null || code[r]! < 0) return;
      for (const t of tokenizer.terms(d)) {
        rows.push(code[r]!);
        cols.push(tok(`${name}:${t}`));
      }
    });
  }
  const nTok = tokenIds.size;
  // Counts per (item, token): the triplet builder sums repeats (a word twice in a title).
  const counts = csrFromTriplets(Int32Array.from(rows), Int32Array.from(cols), new Float64Array(rows.length).fill(1), items, nTok, 'sum').matrix;
  const df = new Int32Array(nTok);
  for (const j of counts.indices) df[j]!++;
  let described = 0;
  for (let i = 0; i < items; i++) if (counts.indptr[i + 1]! > counts.indptr[i]!) described++;
  const idf = Float64Array.from(df, (d) => Math.log((1 + described) / (1 + d)) + 1);
  const weighted = { ...counts, values: Float64Array.from(counts.values, (c, e) => c * idf[counts.indices[e]!]!) };
  const sets = csrFromTriplets(Int32Array.from(setRows), Int32Array.from(setCols), new Float64Array(setRows.length).fill(1), items, nTok, 'max').matrix;
  return { vectors: normalizeRows(weighted), sets, tokens: [...tokenIds.keys()], rows: frame.rows };
}
