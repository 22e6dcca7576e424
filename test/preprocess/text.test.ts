import { describe, expect, it } from 'vitest';
import { Frame, isSparseColumn, numericValues } from '../../src/data/frame.js';
import { columnBytes, toDense } from '../../src/engine/sparse.js';
import { CorrelationFilter } from '../../src/preprocess/correlation.js';
import { Pipeline, type PipelineJSON } from '../../src/preprocess/pipeline.js';
import { Hashing, murmur3 } from '../../src/preprocess/hashing.js';
import { Tfidf } from '../../src/preprocess/tfidf.js';
import { Tokenizer, tokenizerOptions } from '../../src/preprocess/text.js';
import { cats, close, expectSameTransform, num, somaError, text, values } from './helpers.js';

describe('tokenizer', () => {
  it('when defaults apply, then text is lowercased and split into tokens of two or more word characters', () => {
    const t = new Tokenizer(tokenizerOptions({}, 'tfidf'));
    expect(t.terms('The Café, a 2nd-rate x!')).toEqual(['the', 'café', '2nd', 'rate']);
  });

  it('when stop words and n-grams are set, then stop words go before n-grams are formed', () => {
    const t = new Tokenizer(tokenizerOptions({ stop_words: 'english', ngram: [1, 2] }, 'tfidf'));
    expect(t.terms('the cat and the hat')).toEqual(['cat', 'hat', 'cat hat']);
    const own = new Tokenizer(tokenizerOptions({ stop_words: ['cat'], lowercase: false, token_pattern: '\\S+' }, 'tfidf'));
    expect(own.terms('Cat cat x')).toEqual(['Cat', 'x']);
  });

  it('when the pattern, ngram or stop_words are invalid, then the config error says which', () => {
    expect(somaError(() => tokenizerOptions({ token_pattern: '(' }, 'tfidf')).message).toMatch(/token_pattern "\(" is not a valid regular expression/);
    expect(somaError(() => tokenizerOptions({ ngram: [2, 1] }, 'tfidf')).message).toMatch(/ngram \[2,1\] is not valid/);
    expect(somaError(() => tokenizerOptions({ stop_words: 'french' }, 'tfidf')).message).toMatch(/stop_words "french" is not valid/);
  });
});

describe('tfidf', () => {
  const docs = ['red apple', 'green apple', 'red red car', null];
  const f = new Frame([text('title', docs), num('x', [1, 2, 3, 4])]);

  it('when fitted, then the vocabulary is sorted, idf is smoothed and rows are L2-normalised (as scikit-learn)', () => {
    const t = new Tfidf({});
    t.fit(f);
    const out = t.transform(f);
    expect(out.names).toEqual(['title:apple', 'title:car', 'title:green', 'title:red', 'x']);
    // n = 4 documents (the missing one counts, as an empty document): idf = ln(5 / (1 + df)) + 1.
    const idf = (df: number) => Math.log(5 / (1 + df)) + 1;
    const r1 = [idf(2), 0, 0, idf(2)];
    const r3 = [0, idf(1), 0, 2 * idf(2)];
    const norm = (r: number[]) => r.map((v) => v / Math.hypot(...r));
    close(values(out, 'title:apple'), [norm(r1)[0]!, norm([idf(2), 0, idf(1), 0])[0]!, 0, 0]);
    close(values(out, 'title:red'), [norm(r1)[3]!, 0, norm(r3)[3]!, 0]);
    close(values(out, 'title:car'), [0, 0, norm(r3)[1]!, 0]);
    // The same numbers from scikit-learn 1.2's TfidfVectorizer().fit_transform on these documents.
    close(values(out, 'title:apple'), [0.707107, 0.61913, 0, 0], 5);
    close(values(out, 'title:green'), [0, 0.785288, 0, 0], 5);
    close(values(out, 'title:red'), [0.707107, 0, 0.844493, 0], 5);
    close(values(out, 'title:car'), [0, 0, 0.535566, 0], 5);
    expectSameTransform(t, f);
  });

  it('when min_df and max_features limit the vocabulary, then rare terms go first, then the least frequent', () => {
    const t = new Tfidf({ min_df: 2 });
    t.fit(f);
    expect(t.transform(f).names).toEqual(['title:apple', 'title:red', 'x']);
    const top = new Tfidf({ max_features: 1 });
    top.fit(f);
    // red occurs 3 times, apple twice.
    expect(top.transform(f).names).toEqual(['title:red', 'x']);
  });

  it('when bigrams are on and a new document arrives, then unknown terms are ignored', () => {
    const t = new Tfidf({ ngram: [1, 2], norm: 'none', use_idf: false });
    t.fit(f);
    const out = t.transform(new Frame([text('title', ['red apple pie']), num('x', [0])]));
    expect(values(out, 'title:red apple')).toEqual([1]);
    expect(values(out, 'title:apple')).toEqual([1]);
    expect(out.names.some((n) => n.includes('pie'))).toBe(false);
  });

  it('when the column is categorical, then its values are the documents; a numeric column is an error', () => {
    const g = new Frame([cats('c', ['big dog', 'small dog']), num('x', [1, 2])]);
    const t = new Tfidf({ columns: ['c'] });
    t.fit(g);
    expect(t.transform(g).names).toEqual(['c:big', 'c:dog', 'c:small', 'x']);
    expect(somaError(() => new Tfidf({ columns: ['x'] }).fit(g)).message).toMatch(/column "x" is numeric/);
  });

  it('when transformed, then each term column is sparse: only the rows where the term occurs are stored', () => {
    const t = new Tfidf({});
    t.fit(f);
    const out = t.transform(f);
    const idf = (df: number) => Math.log(5 / (1 + df)) + 1;
    const red = out.column('title:red')!;
    expect(isSparseColumn(red)).toBe(true);
    if (!isSparseColumn(red)) return;
    // "red apple" and "red red car": rows 0 and 2; the missing document and "green apple" store nothing.
    expect(Array.from(red.sparse.index)).toEqual([0, 2]);
    const r3 = [idf(1), 2 * idf(2)]; // row 2: car once, red twice
    close(Array.from(red.sparse.values), [1 / Math.SQRT2, r3[1]! / Math.hypot(...r3)]);
    const green = out.column('title:green')!;
    expect(isSparseColumn(green) && Array.from(green.sparse.index)).toEqual([1]);
    // The other columns are untouched and dense.
    expect(isSparseColumn(out.column('x')!)).toBe(false);
  });

  it('when max_features exceeds the cap, then the config error gives the limit', () => {
    expect(new Tfidf({ max_features: 50000 }).params['max_features']).toBe(50000);
    expect(somaError(() => new Tfidf({ max_features: 500000 })).message).toMatch(/max_features 500000 is not valid \(expected an integer >= 1 <= 200000\)/);
  });
});

describe('hashing', () => {
  const f = new Frame([text('t', ['a dog dog', null])]);

  it('when hashed, then each term lands in column murmur3(term) mod n with the hash sign, rows L2-normalised', () => {
    const t = new Hashing({ n_features: 16, norm: 'none' });
    t.fit(f);
    const out = t.transform(f);
    expect(out.names.length).toBe(16);
    const h = murmur3('dog');
    const j = h % 16;
    expect(values(out, `t#${j}`)).toEqual([(h & 0x80000000 ? -1 : 1) * 2, 0]);
    const total = out.columns.reduce((s, c) => s + (c.type === 'numeric' ? Math.abs(numericValues(c)[0]!) : 0), 0);
    expect(total).toBe(2); // "a" is shorter than the token pattern allows
    const l2 = new Hashing({ n_features: 16 });
    l2.fit(f);
    expect(Math.abs(values(l2.transform(f), `t#${j}`)[0]!)).toBeCloseTo(1);
    expectSameTransform(l2, f);
  });

  it('when murmur3 hashes known strings, then it matches scikit-learn on the UTF-16LE bytes', () => {
    // sklearn.utils.murmurhash3_32(s.encode('utf-16-le'), seed=0, positive=True)
    expect(murmur3('')).toBe(0);
    expect(murmur3('a')).toBe(0x6f49d11a);
    expect(murmur3('dog')).toBe(0xe9f7820a);
    expect(murmur3('hello world')).toBe(0x64b256a4);
    expect(murmur3('café')).toBe(0x94498559);
  });

  it('when hashed, then the columns are sparse and colliding terms that cancel store nothing', () => {
    const t = new Hashing({ n_features: 8, norm: 'none' });
    t.fit(f);
    const out = t.transform(f);
    const j = murmur3('dog') % 8;
    const c = out.column(`t#${j}`)!;
    expect(isSparseColumn(c) && Array.from(c.sparse.index)).toEqual([0]);
    expect(isSparseColumn(c) && Array.from(c.sparse.values)).toEqual([(murmur3('dog') & 0x80000000 ? -1 : 1) * 2]);
    const stored = out.columns.reduce((n, col) => n + (isSparseColumn(col) ? col.sparse.index.length : 0), 0);
    expect(stored).toBe(1);
  });

  it('when n_features is out of range, then the error gives the range', () => {
    expect(somaError(() => new Hashing({ n_features: 0 })).message).toMatch(/n_features 0 is not valid/);
  });
});

describe('sparse text features end to end', () => {
  it('when a pipeline with tfidf and hashing is saved as preprocess.json and loaded, then it produces the same sparse columns', () => {
    const docs = ['the quick brown fox', 'a lazy dog', null, 'quick quick dog', 'brown dog and brown fox'];
    const frame = new Frame([text('title', docs), text('body', ['x y', 'y z', 'z', null, 'x x']), num('n', [1, 2, 3, 4, 5])]);
    const p = Pipeline.fromConfig(
      [
        { name: 'tfidf', params: { columns: ['title'], ngram: [1, 2], sublinear_tf: true } },
        { name: 'hashing', params: { columns: ['body'], n_features: 32 } },
        { name: 'scale', params: { columns: 'numeric' } },
      ],
      { nativeCategorical: false },
    );
    const { X, frame: fitted } = p.fit(frame);
    const restored = Pipeline.fromJSON(JSON.parse(JSON.stringify(p.toJSON())) as PipelineJSON);
    const again = restored.transformFrame(frame);
    expect(again.names).toEqual(fitted.names);
    for (const c of fitted.columns) {
      const d = again.column(c.name)!;
      expect(isSparseColumn(d)).toBe(isSparseColumn(c));
      if (isSparseColumn(c) && isSparseColumn(d)) {
        expect(Array.from(d.sparse.index)).toEqual(Array.from(c.sparse.index));
        expect(Array.from(d.sparse.values)).toEqual(Array.from(c.sparse.values));
      }
    }
    // The feature matrix keeps them sparse too; scale divided them without centring.
    const j = X.names.indexOf('title:quick');
    const col = X.columns[j]!;
    expect(col).not.toBeInstanceOf(Float64Array);
    expect(Array.from(toDense(col)).map((v) => v !== 0)).toEqual([true, false, false, true, false]);
    expect(toDense(X.columns[X.names.indexOf('n')]!)[2]).toBeCloseTo(0); // dense columns are centred
  });

  it('when 20k documents meet a 20k-term vocabulary, then the stored arrays take 12 bytes per non-zero, not rows x terms', () => {
    const rows = 20_000;
    const vocabulary = 20_000;
    // Document i holds its own word w<i> and five words drawn from the vocabulary (a fixed LCG).
    let seed = 12345;
    const next = (): number => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) % vocabulary;
    const docs = Array.from({ length: rows }, (_, i) => [i, next(), next(), next(), next(), next()].map((k) => `w${k}`).join(' '));
    const frame = new Frame([text('doc', docs)]);
    const t = new Tfidf({ max_features: vocabulary });
    t.fit(frame);
    const out = t.transform(frame);
    expect(out.columns.length).toBe(vocabulary);
    let nnz = 0;
    let bytes = 0;
    for (const c of out.columns) {
      if (!isSparseColumn(c)) throw new Error(`${c.name} is dense`);
      nnz += c.sparse.index.length;
      bytes += columnBytes(c.sparse);
    }
    // At most 6 distinct words per document; repeats within a document share an entry.
    expect(nnz).toBeLessThanOrEqual(rows * 6);
    expect(nnz).toBeGreaterThan(rows * 5);
    expect(bytes).toBe(nnz * 12);
    expect(bytes).toBeLessThan(1.5e6); // dense: 20k x 20k x 8 bytes = 3.2 GB
    // A step that would need every column dense refuses with sizes instead of exhausting memory.
    const e = somaError(() => new CorrelationFilter({}).fit(out));
    expect(e.message).toMatch(/preprocess correlation: densifying 20000 sparse columns x 20000 rows \("doc:w0", "doc:w1", "doc:w10", \.\.\. \(20000 in all\)\) would need 3\.0 GiB \(limit 2\.0 GiB\)/);
    expect(e.exitCode).toBe(3);
  });
});
