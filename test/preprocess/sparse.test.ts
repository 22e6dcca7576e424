// Sparse numeric columns (what tfidf and hashing produce) through the numeric steps: the steps
// that can keep zeros implicit do, and give the values the documented rule says; the others
// densify and give exactly what they give on the dense column.

import { describe, expect, it } from 'vitest';
import { Frame, isSparseColumn, type Column } from '../../src/data/frame.js';
import { fromDense } from '../../src/engine/sparse.js';
import { Dedupe } from '../../src/preprocess/dedupe.js';
import { Impute } from '../../src/preprocess/impute.js';
import { Log1p } from '../../src/preprocess/log1p.js';
import { Outliers } from '../../src/preprocess/outliers.js';
import { Scale } from '../../src/preprocess/scale.js';
import { VarianceFilter } from '../../src/preprocess/variance.js';
import { sparseMedian, sparseQuantile, sparseVariance } from '../../src/preprocess/stats.js';
import { close, expectSameTransform, num, values } from './helpers.js';

const sp = (name: string, v: number[]): Column => ({ type: 'numeric', name, sparse: fromDense(v) });
const s = [0, 3, 0, 0, -1, 0, 4, 0];

describe('sparse columns in numeric steps', () => {
  it('when statistics include the implicit zeros, then they equal the dense statistics', () => {
    const v = fromDense(s);
    expect(sparseMedian(v)).toBe(0);
    expect(sparseQuantile(v, 0.75)).toBeCloseTo(0.75); // sorted: -1 0 0 0 0 0 3 4 -> between 0 and 3
    const mean = 6 / 8;
    expect(sparseVariance(v).variance).toBeCloseTo(s.reduce((a, x) => a + (x - mean) ** 2, 0) / 8, 12);
    expect(sparseVariance(fromDense([2, 2, 2])).variance).toBe(0);
    expect(sparseMedian(fromDense([5, -2, 7, 9]))).toBe(6);
  });

  it('when scaled, then a sparse column is divided but never shifted, so it stays sparse', () => {
    const f = new Frame([sp('s', s), num('d', s)]);
    for (const method of ['standard', 'minmax', 'robust'] as const) {
      const t = new Scale({ method });
      t.fit(f);
      const out = t.transform(f);
      expect(isSparseColumn(out.column('s')!)).toBe(true);
      const mean = 6 / 8;
      const std = Math.sqrt(s.reduce((a, x) => a + (x - mean) ** 2, 0) / 8);
      const scale = method === 'standard' ? std : method === 'minmax' ? 4 : 0.75;
      close(values(out, 's'), s.map((x) => x / scale));
      expectSameTransform(t, f);
    }
    // The dense copy of the same values is centred as before.
    const t = new Scale({});
    t.fit(f);
    expect(values(t.transform(f), 'd')[0]).toBeCloseTo(-0.75 / Math.sqrt(s.reduce((a, x) => a + (x - 0.75) ** 2, 0) / 8));
  });

  it('when the variance filter, log1p and impute meet a sparse column, then they work on its stored values', () => {
    const f = new Frame([sp('flat', [0, 0, 0, 0]), sp('s', [0, 1, NaN, 3])]);
    const v = new VarianceFilter({});
    v.fit(f);
    expect(v.transform(f).names).toEqual(['s']);
    const lg = new Log1p({ columns: ['s'] });
    lg.fit(f);
    const logged = lg.transform(f);
    expect(isSparseColumn(logged.column('s')!)).toBe(true);
    expect(values(logged, 's')).toEqual([0, Math.log1p(1), null, Math.log1p(3)]);
    const im = new Impute({ strategy: 'mean', indicator: true });
    im.fit(f);
    const filled = im.transform(f);
    // Present values 0, 1, 3 (the implicit zero counts): mean 4/3.
    close(values(filled, 's'), [0, 1, 4 / 3, 3]);
    expect(values(filled, 's_missing')).toEqual([0, 0, 1, 0]);
    expect(isSparseColumn(filled.column('s')!)).toBe(true);
    expect(filled.column('flat')).toBe(f.column('flat')); // nothing missing: passed through
    expectSameTransform(im, f);
  });

  it('when a step needs dense values, then it densifies the column and gives what it gives on the dense copy', () => {
    const sparse = new Frame([sp('x', s)]);
    const dense = new Frame([num('x', s)]);
    const a = new Outliers({ method: 'zscore', factor: 1 });
    const b = new Outliers({ method: 'zscore', factor: 1 });
    a.fit(sparse);
    b.fit(dense);
    expect(values(a.transform(sparse), 'x')).toEqual(values(b.transform(dense), 'x'));
    // Dedupe reads sparse rows through a cursor: rows 0, 2, 3, 5 and 7 are equal (all zero).
    const d = new Dedupe({});
    d.fit(sparse);
    expect(Array.from(d.keepRows(sparse)!)).toEqual([0, 1, 4, 6]);
  });
});
