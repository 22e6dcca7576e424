// The tokenizer the text steps share: lowercase, a token pattern, stop words, then word n-grams.
// Documents are tokenized one at a time and only their n-gram ids are kept (a sparse, CSR-style
// document-term list), so memory grows with the text, not with documents x vocabulary.

import { SomaError } from '../errors.js';
import type { Column, Frame } from '../data/frame.js';
import type { JsonObject, JsonValue } from '../util/json.js';
import { boolParam, stringParam, type StepSchema } from './params.js';
import { tokenPatternProblem } from './token-pattern.js';

/** A compact English stop-word list (the most frequent function words). */
const ENGLISH_STOP_WORDS: readonly string[] = (
  'a about above after again against all am an and any are as at be because been before being below between both but by ' +
  'can could did do does doing down during each few for from further had has have having he her here hers herself him ' +
  'himself his how i if in into is it its itself just me more most my myself no nor not now of off on once only or other ' +
  'our ours ourselves out over own same she should so some such than that the their theirs them themselves then there ' +
  'these they this those through to too under until up very was we were what when where which while who whom why will ' +
  'with would you your yours yourself yourselves'
).split(' ');

/** Two or more word characters, as scikit-learn's default, but Unicode-aware. */
const DEFAULT_TOKEN_PATTERN = '[\\p{L}\\p{N}_]{2,}';

export interface TokenizerOptions {
  lowercase: boolean;
  tokenPattern: string;
  stopWords: string[];
  ngram: [number, number];
}

/** The tokenizer params of a text step (tfidf, hashing), read against tokenizerSchemaProperties. */
export function tokenizerOptions(params: JsonObject, step: string): TokenizerOptions {
  const schema = { name: step, paramsSchema: { properties: tokenizerSchemaProperties } };
  const lowercase = boolParam(params, schema, 'lowercase');
  const pattern = params['token_pattern'];
  const tokenPattern = typeof pattern === 'string' ? pattern : stringParam({}, schema, 'token_pattern');
  try {
    new RegExp(tokenPattern, 'gu');
  } catch (e) {
    throw new SomaError('CONFIG_INVALID', `preprocess ${step}: token_pattern ${JSON.stringify(tokenPattern)} is not a valid regular expression (${(e as Error).message})`);
  }
  const slow = tokenPatternProblem(tokenPattern);
  if (slow) {
    throw new SomaError('CONFIG_INVALID', `preprocess ${step}: token_pattern ${JSON.stringify(tokenPattern)} is refused: ${slow}`, {
      hint: 'token patterns are single repetitions such as [\\p{L}\\p{N}_]{2,}, \\b\\w\\w+\\b or [a-z]+|\\d+ (see the README on text steps)',
      details: { step, key: 'token_pattern', value: tokenPattern },
    });
  }
  const sw: JsonValue | undefined = params['stop_words'];
  let stopWords: string[] = [];
  if (sw === 'english') stopWords = [...ENGLISH_STOP_WORDS];
  else if (Array.isArray(sw) && sw.every((w) => typeof w === 'string')) stopWords = sw as string[];
  else if (sw !== undefined && sw !== null && sw !== 'none') {
    throw new SomaError('CONFIG_INVALID', `preprocess ${step}: stop_words ${JSON.stringify(sw)} is not valid (expected "english", "none" or a list of words)`);
  }
  const ng = params['ngram'];
  let ngram = [...(intListDefault(schema, 'ngram'))] as [number, number];
  if (typeof ng === 'number') ngram = [1, ng];
  else if (Array.isArray(ng) && ng.length === 2 && ng.every((x) => typeof x === 'number' && Number.isInteger(x) && x >= 1) && (ng[0] as number) <= (ng[1] as number)) {
    ngram = [ng[0] as number, ng[1] as number];
  } else if (ng !== undefined && ng !== null) {
    throw new SomaError('CONFIG_INVALID', `preprocess ${step}: ngram ${JSON.stringify(ng)} is not valid (expected [min, max] with 1 <= min <= max, e.g. [1, 2])`);
  }
  if (ngram[1] > 5) throw new SomaError('CONFIG_INVALID', `preprocess ${step}: ngram up to ${ngram[1]} words is too long (at most 5)`);
  return { lowercase, tokenPattern, stopWords: lowercase ? stopWords.map((w) => w.toLowerCase()) : stopWords, ngram };
}

/** A list param's schema default (the readers' own list handling does not fit ngram's pair). */
function intListDefault(spec: StepSchema, key: string): number[] {
  return ((spec.paramsSchema['properties'] as JsonObject)[key] as JsonObject)['default'] as number[];
}

export class Tokenizer {
  private readonly re: RegExp;
  private readonly stop: Set<string>;

  constructor(private readonly o: TokenizerOptions) {
    this.re = new RegExp(o.tokenPattern, 'gu');
    this.stop = new Set(o.stopWords);
  }

  /** The document's n-grams in order (repeats kept: they are term counts). */
  terms(doc: string): string[] {
    const text = this.o.lowercase ? doc.toLowerCase() : doc;
    const words: string[] = [];
    this.re.lastIndex = 0;
    for (const m of text.matchAll(this.re)) if (!this.stop.has(m[0])) words.push(m[0]);
    const [lo, hi] = this.o.ngram;
    if (lo === 1 && hi === 1) return words;
    const out: string[] = [];
    for (let n = lo; n <= hi; n++) {
      for (let i = 0; i + n <= words.length; i++) out.push(n === 1 ? words[i]! : words.slice(i, i + n).join(' '));
    }
    return out;
  }
}

/** The string of each row of a text (or categorical) column; null when missing. */
export function documents(c: Column): (string | null)[] | undefined {
  if (c.type === 'text') return c.values as (string | null)[];
  if (c.type === 'categorical') return Array.from(c.codes, (k) => (k < 0 ? null : c.dictionary[k]!));
  return undefined;
}

export function textColumns(frame: Frame, names: readonly string[], step: string): void {
  for (const n of names) {
    const c = frame.column(n);
    if (c && !documents(c)) throw new SomaError('CONFIG_INVALID', `preprocess ${step}: column "${n}" is ${c.type} (expected text or categorical)`);
  }
}

export const tokenizerSchemaProperties: JsonObject = {
  lowercase: { type: 'boolean', default: true, description: 'Lowercase before tokenizing' },
  token_pattern: { type: 'string', default: DEFAULT_TOKEN_PATTERN, description: 'Regular expression (Unicode) a token matches' },
  stop_words: {
    anyOf: [{ type: 'string', enum: ['english', 'none'] }, { type: 'array', items: { type: 'string' } }],
    description: 'Words left out: "english" (a built-in list), "none", or your list',
  },
  ngram: {
    type: 'array',
    items: { type: 'integer', minimum: 1, maximum: 5 },
    minItems: 2,
    maxItems: 2,
    default: [1, 1],
    description: 'Smallest and largest n-gram length in words, e.g. [1, 2]',
  },
};
