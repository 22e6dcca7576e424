#!/usr/bin/env node
// Text features, memory: what `tfidf` stores now (sparse columns: row indices + values of the
// non-zeros) against the dense columns it used to materialise (rows x terms x 8 bytes), on the
// real movie titles of vega-datasets and on a generated corpus too wide to ever densify.
// Figures are bytes of the stored arrays (exact) and the growth of the process's JS heap plus
// ArrayBuffer memory across the fit (measured after a GC, so it includes the vocabulary); plus a logistic fit on both forms of the
// movie features, which must give the same model.
//
//   npm run build && node --expose-gc bench/text.js
//
// Prints one JSON line per data set. Not run by CI; no anchor (a memory figure, not a race).

import { readFileSync } from 'node:fs';
import { Frame } from '../dist/data/frame.js';
import { columnBytes, toDense } from '../dist/engine/sparse.js';
import { numericMatrix } from '../dist/engine/matrix.js';
import { LogisticRegression } from '../dist/models/logistic.js';
import { Pipeline } from '../dist/preprocess/pipeline.js';

const gc = globalThis.gc ?? (() => {});
const buffers = () => {
  gc();
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
};
const mb = (b) => Math.round(b / 1e5) / 10;

function measure(name, docs, tfidf) {
  const frame = new Frame([{ type: 'text', name: 'doc', values: docs }]);
  const pipeline = Pipeline.fromConfig([{ name: 'tfidf', params: { columns: ['doc'], ...tfidf } }], { nativeCategorical: false });
  const before = buffers();
  const t = performance.now();
  const { X } = pipeline.fit(frame);
  const seconds = (performance.now() - t) / 1000;
  const grown = buffers() - before;
  let nnz = 0;
  let stored = 0;
  for (const c of X.columns) {
    nnz += c.index.length;
    stored += columnBytes(c);
  }
  const denseBytes = X.rows * X.columns.length * 8;
  const out = { data: name, rows: X.rows, terms: X.columns.length, nnz, stored_mb: mb(stored), memory_growth_mb: mb(grown), dense_mb: mb(denseBytes), ratio: Math.round(denseBytes / stored), fit_transform_s: Math.round(seconds * 100) / 100 };
  return { X, out };
}

// 1. Real titles: every unigram and bigram (no cap), and what densifying them all costs.
const movies = JSON.parse(readFileSync(new URL('../node_modules/vega-datasets/data/movies.json', import.meta.url), 'utf8'));
const titles = movies.map((m) => (m.Title === null ? null : String(m.Title)));
{
  const { X, out } = measure('movies titles (vega-datasets), ngram [1, 2]', titles, { ngram: [1, 2], max_features: 200000 });
  const before = buffers();
  const dense = numericMatrix([...X.names], X.columns.map((c) => Float64Array.from(toDense(c))));
  out.densified_memory_growth_mb = mb(buffers() - before);
  // The same model from both forms, and the time each fit takes.
  const y = { task: 'classification', values: Float64Array.from(movies, (m) => (m['Major Genre'] === 'Comedy' ? 1 : 0)), nClasses: 2 };
  const fit = async (M) => {
    const t = performance.now();
    const m = await new LogisticRegression({ alpha: 1 }).fit(M, y);
    return { m, s: (performance.now() - t) / 1000 };
  };
  const a = await fit(X);
  const b = await fit(dense);
  const pa = a.m.predictProba(X);
  const pb = b.m.predictProba(dense);
  let diff = 0;
  for (let i = 0; i < pa.length; i++) diff = Math.max(diff, Math.abs(pa[i] - pb[i]));
  Object.assign(out, { logistic_sparse_s: Math.round(a.s * 100) / 100, logistic_dense_s: Math.round(b.s * 100) / 100, logistic_max_proba_diff: diff });
  console.log(JSON.stringify(out));
}

// 2. A generated corpus: 200k documents of 12 words drawn from a Zipf-like vocabulary of 60k
// words (a fixed LCG), 50k-term vocabulary: dense it would be 80 GB.
{
  let seed = 42;
  const next = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
  const V = 60000;
  const docs = Array.from({ length: 200000 }, () => Array.from({ length: 12 }, () => `w${Math.floor(V ** next()) - 1}`).join(' '));
  const { out } = measure('generated: 200k docs x 12 words, Zipf-like', docs, { max_features: 50000 });
  console.log(JSON.stringify(out));
}
