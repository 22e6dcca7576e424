import { describe, expect, it } from 'vitest';
import { Frame } from '../../src/data/frame.js';
import { Bin } from '../../src/preprocess/bin.js';
import { Log1p } from '../../src/preprocess/log1p.js';
import { Polynomial } from '../../src/preprocess/polynomial.js';
import { Scale } from '../../src/preprocess/scale.js';
import { TargetTransform } from '../../src/preprocess/target-transform.js';
import { OneHot } from '../../src/preprocess/onehot.js';
import { cats, close, expectSameTransform, num, regression, roundTrip, somaError, values } from './helpers.js';

describe('scale methods', () => {
  const f = new Frame([num('x', [2, 4, 6, 10, NaN])]);

  it('when the method is minmax, then the training range maps to [0, 1] and later values may fall outside', () => {
    const t = new Scale({ method: 'minmax' });
    t.fit(f);
    expect(values(t.transform(f), 'x')).toEqual([0, 0.25, 0.5, 1, null]);
    expect(values(roundTrip(t).transform(new Frame([num('x', [18])])), 'x')).toEqual([2]);
  });

  it('when the method is robust, then values are centred on the median and divided by the IQR', () => {
    const t = new Scale({ method: 'robust' });
    t.fit(f);
    // [2, 4, 6, 10]: median 5, q1 3.5, q3 7, IQR 3.5.
    close(values(t.transform(f), 'x'), [-3 / 3.5, -1 / 3.5, 1 / 3.5, 5 / 3.5, NaN]);
    expectSameTransform(t, f);
  });

  it('when the method is unknown, then the error lists the methods', () => {
    expect(somaError(() => new Scale({ method: 'l2' })).message).toMatch(/method "l2" is not valid \(expected one of standard, minmax, robust\)/);
  });
});

describe('log1p', () => {
  it('when values are non-negative, then each becomes log(1 + x) and missing stays missing', () => {
    const t = new Log1p({ columns: ['x'] });
    const f = new Frame([num('x', [0, Math.E - 1, NaN])]);
    t.fit(f);
    close(values(t.transform(f), 'x'), [0, 1, NaN]);
    expectSameTransform(t, f);
  });

  it('when signed is true, then negative values map to -log(1 + |x|)', () => {
    const t = new Log1p({ signed: true });
    const f = new Frame([num('x', [-(Math.E - 1), 0])]);
    t.fit(f);
    close(values(t.transform(f), 'x'), [-1, 0]);
  });

  it('when a value is negative, then a data error names the column, row and value', () => {
    const t = new Log1p({});
    const f = new Frame([num('x', [1, -3])]);
    t.fit(f);
    const e = somaError(() => t.transform(f));
    expect(e.exitCode).toBe(3);
    expect(e.message).toMatch(/column "x", row 2: value -3 is negative/);
  });
});

describe('bin', () => {
  const f = new Frame([num('x', [0, 1, 2, 3, 4, 5, 6, 7, 8, NaN])]);

  it('when the method is uniform, then equal-width intervals give indices 0..k-1, values outside the training range fall in the end bins', () => {
    const t = new Bin({ method: 'uniform', bins: 4 });
    t.fit(f);
    // Range [0, 8], edges 2, 4, 6.
    expect(values(t.transform(f), 'x')).toEqual([0, 0, 1, 1, 2, 2, 3, 3, 3, null]);
    expect(values(roundTrip(t).transform(new Frame([num('x', [-5, 99])])), 'x')).toEqual([0, 3]);
  });

  it('when the method is quantile, then each interval holds about the same count and tied edges merge', () => {
    const t = new Bin({ method: 'quantile', bins: 2 });
    t.fit(f);
    expect(values(t.transform(f), 'x')).toEqual([0, 0, 0, 0, 1, 1, 1, 1, 1, null]);
    const ties = new Frame([num('x', [1, 1, 1, 1, 1, 1, 2, 3])]);
    const u = new Bin({ bins: 4 });
    u.fit(ties);
    expect(new Set(values(u.transform(ties), 'x')).size).toBeLessThan(4);
    expectSameTransform(u, ties);
  });

  it('when bins is below 2, then the error gives the accepted range', () => {
    expect(somaError(() => new Bin({ bins: 1 })).message).toMatch(/bins 1 is not valid \(expected an integer >= 2 <= 1000\)/);
  });
});

describe('polynomial', () => {
  const f = new Frame([num('a', [1, 2, 3]), num('b', [4, 5, NaN])]);

  it('when degree is 2, then squares and the interaction are appended', () => {
    const t = new Polynomial({});
    t.fit(f);
    const out = t.transform(f);
    expect(out.names).toEqual(['a', 'b', 'a^2', 'a*b', 'b^2']);
    expect(values(out, 'a*b')).toEqual([4, 10, null]);
    expect(values(out, 'a^2')).toEqual([1, 4, 9]);
    expectSameTransform(t, f);
  });

  it('when interaction_only is true at degree 3, then only products of distinct columns appear', () => {
    const g = new Frame([num('a', [1]), num('b', [2]), num('c', [3])]);
    const t = new Polynomial({ degree: 3, interaction_only: true });
    t.fit(g);
    const out = t.transform(g);
    expect(out.names.slice(3)).toEqual(['a*b', 'a*b*c', 'a*c', 'b*c']);
    expect(values(out, 'a*b*c')).toEqual([6]);
  });

  it('when degree is out of range, then the error says so', () => {
    expect(somaError(() => new Polynomial({ degree: 5 })).message).toMatch(/degree 5 is not valid/);
  });
});

describe('target_transform', () => {
  it('when the method is standard, then the target is standardised and the inverse restores it', () => {
    const t = new TargetTransform({ method: 'standard' });
    t.fit(new Frame([num('x', [0, 0])]), { target: regression([1, 3]) });
    const z = t.transformTarget(Float64Array.from([1, 3]));
    expect(Array.from(z)).toEqual([-1, 1]);
    const back = (roundTrip(t) as TargetTransform).inverseTarget(z);
    expect(Array.from(back)).toEqual([1, 3]);
  });

  it('when the method is sqrt, then negative predictions invert to 0', () => {
    const t = new TargetTransform({ method: 'sqrt' });
    t.fit(new Frame([num('x', [0])]), { target: regression([4]) });
    expect(Array.from(t.transformTarget(Float64Array.from([4])))).toEqual([2]);
    expect(Array.from(t.inverseTarget(Float64Array.from([3, -0.5])))).toEqual([9, 0]);
  });

  it('when log1p meets a negative target, then a data error names the row', () => {
    const t = new TargetTransform({ method: 'log1p' });
    const e = somaError(() => t.fit(new Frame([num('x', [0, 0])]), { target: regression([1, -2]) }));
    expect(e.exitCode).toBe(3);
    expect(e.message).toMatch(/target row 2 is -2/);
  });

  it('when fitted without a target, then the error says it needs one', () => {
    expect(somaError(() => new TargetTransform({}).fit(new Frame([num('x', [0])]))).message).toMatch(/needs the training target/);
  });
});

describe('onehot min_frequency', () => {
  const f = new Frame([cats('c', ['a', 'a', 'a', 'b', 'b', 'c', null])]);

  it('when min_frequency is a count, then rarer categories share the infrequent column', () => {
    const t = new OneHot({ min_frequency: 2 });
    t.fit(f);
    const out = t.transform(f);
    expect(out.names).toEqual(['c=a', 'c=b', 'c=infrequent']);
    expect(values(out, 'c=infrequent')).toEqual([0, 0, 0, 0, 0, 1, 0]);
    expectSameTransform(t, f);
  });

  it('when min_frequency is a share, then it is a share of the training rows', () => {
    const t = new OneHot({ min_frequency: 0.4 });
    t.fit(f);
    // 7 rows: 2.8 needed, only "a" (3) qualifies.
    expect(t.transform(f).names).toEqual(['c=a', 'c=infrequent']);
  });

  it('when max_categories and min_frequency both apply, then a category must pass both to keep its column', () => {
    const t = new OneHot({ min_frequency: 2, max_categories: 1 });
    t.fit(f);
    expect(t.transform(f).names).toEqual(['c=a', 'c=infrequent']);
  });

  it('when handle_unknown is not one of the three, then the error lists them', () => {
    expect(somaError(() => new OneHot({ handle_unknown: 'skip' })).message).toMatch(/expected one of error, ignore, infrequent/);
  });
});
