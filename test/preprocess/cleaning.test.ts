import { describe, expect, it } from 'vitest';
import { Frame } from '../../src/data/frame.js';
import { Dedupe } from '../../src/preprocess/dedupe.js';
import { Impute } from '../../src/preprocess/impute.js';
import { Outliers } from '../../src/preprocess/outliers.js';
import { cat, cats, expectSameTransform, num, regression, roundTrip, somaError, text, values } from './helpers.js';

describe('dedupe', () => {
  // Rows 0 and 2 are equal; row 3 equals row 1 except for its text; chunks own their codes.
  const f = new Frame([num('x', [1, 2, 1, 2, NaN, NaN]), cat('c', ['a', 'b'], [0, 1, 0, 1, -1, -1]), text('t', ['p', 'q', 'p', 'r', null, null])]);

  it('when rows repeat exactly, then only the first occurrence is kept (missing equals missing)', () => {
    const t = new Dedupe({});
    t.fit(f);
    expect(Array.from(t.keepRows(f)!)).toEqual([0, 1, 3, 4]);
  });

  it('when keep is last, then the last occurrence stays', () => {
    const t = new Dedupe({ keep: 'last' });
    t.fit(f);
    expect(Array.from(t.keepRows(f)!)).toEqual([1, 2, 3, 5]);
  });

  it('when key columns are given, then rows repeating those keys go', () => {
    const t = new Dedupe({ columns: ['x', 'c'] });
    t.fit(f);
    expect(Array.from(t.keepRows(f)!)).toEqual([0, 1, 4]);
  });

  it('when equal feature rows have different targets, then both stay (the target is part of an exact row)', () => {
    const g = new Frame([num('x', [1, 1, 1])]);
    const t = new Dedupe({});
    t.fit(g, { target: regression([5, 6, 5]) });
    expect(Array.from(t.keepRows(g)!)).toEqual([0, 1]);
  });

  it('when two frames spell the same category with different codes, then they compare by value', () => {
    const g = new Frame([cat('c', ['a', 'b', 'a2'], [1, 0, 1])]);
    const t = new Dedupe({});
    t.fit(g);
    expect(Array.from(t.keepRows(g)!)).toEqual([0, 1]);
  });

  it('when nothing repeats, then keepRows keeps all (undefined) and transform never drops rows, also after a round trip', () => {
    const g = new Frame([num('x', [1, 2, 3])]);
    const t = new Dedupe({});
    t.fit(g);
    expect(t.keepRows(g)).toBeUndefined();
    expect(roundTrip(t).transform(f).rows).toBe(6);
  });

  it('when a key column does not exist or keep is wrong, then the error names it', () => {
    expect(() => new Dedupe({ columns: ['nope'] }).fit(f)).toThrow(/column "nope" not in the data/);
    expect(somaError(() => new Dedupe({ keep: 'middle' })).message).toMatch(/keep "middle" is not valid \(expected one of first, last\)/);
  });
});

describe('impute indicator', () => {
  const train = new Frame([num('x', [1, NaN, 3]), num('y', [1, 2, 3]), cats('c', ['a', null, 'a'])]);

  it('when indicator is true, then columns with training gaps get a <column>_missing column right after them', () => {
    const t = new Impute({ strategy: 'mean', indicator: true });
    t.fit(train);
    const out = t.transform(train);
    expect(out.names).toEqual(['x', 'x_missing', 'y', 'c', 'c_missing']);
    expect(values(out, 'x')).toEqual([1, 2, 3]);
    expect(values(out, 'x_missing')).toEqual([0, 1, 0]);
    expect(values(out, 'c_missing')).toEqual([0, 1, 0]);
  });

  it('when a column had no gap in training but has one later, then it still gets no indicator (the feature set is fixed at fit)', () => {
    const t = new Impute({ strategy: 'median', indicator: true });
    t.fit(train);
    const later = new Frame([num('x', [NaN]), num('y', [NaN]), cats('c', ['b'])]);
    const out = roundTrip(t).transform(later);
    expect(out.names).toEqual(['x', 'x_missing', 'y', 'c', 'c_missing']);
    expect(values(out, 'y')).toEqual([2]);
    expect(values(out, 'x_missing')).toEqual([1]);
    expectSameTransform(t, later);
  });

  it('when the strategy is unknown, then the error lists the strategies', () => {
    expect(somaError(() => new Impute({ strategy: 'magic' })).message).toMatch(/strategy "magic" is not valid \(expected one of mean, median, most_frequent, constant\)/);
  });

  it('when the median is taken of an even count, then it averages the two middle values', () => {
    const t = new Impute({ strategy: 'median' });
    const f = new Frame([num('x', [9, NaN, 1, 4, 2, 100, 3])]);
    t.fit(f);
    expect(values(t.transform(f), 'x')[1]).toBe(3.5);
  });
});

describe('outliers', () => {
  // Present values sorted: [1, 2, 3, 4, 5, 100]; numpy-style quantiles q1 = 2.25, q3 = 4.75.
  const f = new Frame([num('x', [1, 2, 3, 4, 5, 100, NaN]), num('y', [0, 0, 0, 0, 0, 0, 0])]);

  it('when action is clip with iqr, then values beyond q1 - 1.5 IQR and q3 + 1.5 IQR are clipped and missing stays missing', () => {
    const t = new Outliers({ columns: ['x'], method: 'iqr', action: 'clip' });
    t.fit(f);
    // Present sorted: [1,2,3,4,5,100]: q1 = 2.25, q3 = 4.75, IQR 2.5, bounds [-1.5, 8.5].
    expect(values(t.transform(f), 'x')).toEqual([1, 2, 3, 4, 5, 8.5, null]);
    expectSameTransform(t, f);
  });

  it('when action is flag, then a 0/1 <column>_outlier column follows the column, which is unchanged', () => {
    const t = new Outliers({ columns: ['x'], action: 'flag' });
    t.fit(f);
    const out = t.transform(f);
    expect(out.names).toEqual(['x', 'x_outlier', 'y']);
    expect(values(out, 'x_outlier')).toEqual([0, 0, 0, 0, 0, 1, 0]);
    expect(values(out, 'x')[5]).toBe(100);
  });

  it('when the method is zscore with factor 1, then bounds are mean +- std', () => {
    const g = new Frame([num('x', [0, 0, 0, 0, 10])]);
    const t = new Outliers({ method: 'zscore', factor: 1, action: 'clip' });
    t.fit(g);
    // mean 2, population std 4: bounds [-2, 6].
    expect(values(t.transform(g), 'x')).toEqual([0, 0, 0, 0, 6]);
  });

  it('when action is drop, then training rows outside the bounds are dropped and prediction keeps every row', () => {
    const t = new Outliers({ columns: ['x'], action: 'drop' });
    t.fit(f);
    expect(Array.from(t.keepRows(f)!)).toEqual([0, 1, 2, 3, 4, 6]);
    expect(values(roundTrip(t).transform(f), 'x')).toEqual(values(f, 'x'));
  });

  it('when a column has no present training value, then it has no bounds and is left alone after a round trip', () => {
    const g = new Frame([num('x', [NaN, NaN]), num('y', [1, 2])]);
    const t = new Outliers({ action: 'clip' });
    t.fit(g);
    const later = new Frame([num('x', [5, -5]), num('y', [1, 99])]);
    expect(values(roundTrip(t).transform(later), 'x')).toEqual([5, -5]);
    // y: q1 1.25, q3 1.75, IQR 0.5: upper bound 1.75 + 0.75 = 2.5.
    expect(values(roundTrip(t).transform(later), 'y')).toEqual([1, 2.5]);
  });

  it('when a column is not numeric or the method is unknown, then the error says so', () => {
    const g = new Frame([cats('c', ['a'])]);
    expect(() => new Outliers({ columns: ['c'] }).fit(g)).toThrow(/column "c" is categorical/);
    expect(somaError(() => new Outliers({ method: 'mad' })).message).toMatch(/method "mad" is not valid \(expected one of iqr, zscore\)/);
    expect(somaError(() => new Outliers({ factor: -1 })).message).toMatch(/factor -1 is not valid/);
  });
});
