import { describe, expect, it } from 'vitest';
import { Frame } from '../../src/data/frame.js';
import { Frequency } from '../../src/preprocess/frequency.js';
import { Ordinal } from '../../src/preprocess/ordinal.js';
import { TargetEncode } from '../../src/preprocess/target-encode.js';
import { cat, cats, classes, close, expectSameTransform, num, regression, roundTrip, somaError, values } from './helpers.js';

describe('ordinal', () => {
  const f = new Frame([cats('size', ['M', 'S', 'L', null, 'S'])]);

  it('when no order is given, then codes follow the sorted training categories and missing stays missing', () => {
    const t = new Ordinal({});
    t.fit(f);
    expect(values(t.transform(f), 'size')).toEqual([1, 2, 0, null, 2]);
    expectSameTransform(t, f);
  });

  it('when an order is given, then codes follow it, matched by value in any chunk dictionary', () => {
    const t = new Ordinal({ order: { size: ['S', 'M', 'L'] } });
    t.fit(f);
    expect(values(t.transform(f), 'size')).toEqual([1, 0, 2, null, 0]);
    expect(values(roundTrip(t).transform(new Frame([cat('size', ['L', 'S'], [0, 1])])), 'size')).toEqual([2, 0]);
  });

  it('when a category is unseen and handle_unknown is error, then the data error names the column, row and value', () => {
    const t = new Ordinal({});
    t.fit(f);
    const e = somaError(() => t.transform(new Frame([cats('size', ['S', 'XL'])])));
    expect(e.exitCode).toBe(3);
    expect(e.message).toMatch(/column "size", row 2: category "XL" was not seen in training/);
    const lenient = new Ordinal({ handle_unknown: 'ignore' });
    lenient.fit(f);
    expect(values(lenient.transform(new Frame([cats('size', ['XL'])])), 'size')).toEqual([null]);
  });

  it('when the order misses a training category or names another column, then the config error says which', () => {
    expect(somaError(() => new Ordinal({ order: { size: ['S', 'M'] } }).fit(f)).message).toMatch(/order.size lacks 1 training category: "L"/);
    expect(somaError(() => new Ordinal({ order: { colour: ['red'] } }).fit(f)).message).toMatch(/order names column "colour"/);
  });
});

describe('frequency', () => {
  const f = new Frame([cats('c', ['a', 'b', 'a', 'a', null])]);

  it('when normalize is true, then each category becomes its share of the training rows', () => {
    const t = new Frequency({});
    t.fit(f);
    expect(values(t.transform(f), 'c')).toEqual([0.6, 0.2, 0.6, 0.6, null]);
    expectSameTransform(t, f);
  });

  it('when normalize is false, then counts; an unseen category gets 0', () => {
    const t = new Frequency({ normalize: false });
    t.fit(f);
    expect(values(roundTrip(t).transform(new Frame([cats('c', ['z', 'a'])])), 'c')).toEqual([0, 3]);
  });

  it('when handle_unknown is error, then an unseen category exits 3', () => {
    const t = new Frequency({ handle_unknown: 'error' });
    t.fit(f);
    expect(somaError(() => t.transform(new Frame([cats('c', ['z'])]))).exitCode).toBe(3);
  });
});

describe('target encoding', () => {
  // Category a: targets 1, 3 (mean 2); b: 10; prior (1 + 3 + 10 + 6) / 4 = 5; c: 6.
  const f = new Frame([cats('c', ['a', 'a', 'b', 'c']), num('x', [0, 0, 0, 0])]);
  const y = regression([1, 3, 10, 6]);

  it('when fitted, then prediction uses the smoothed mean over all training rows, (sum + m prior) / (n + m)', () => {
    const t = new TargetEncode({ smoothing: 1 });
    t.fit(f, { target: y });
    const out = t.transform(new Frame([cats('c', ['a', 'b', 'zzz', null]), num('x', [0, 0, 0, 0])]));
    // a: (4 + 5) / 3 = 3; b: (10 + 5) / 2 = 7.5; unseen and missing: the prior 5.
    expect(values(out, 'c')).toEqual([3, 7.5, 5, 5]);
    expectSameTransform(t, f);
  });

  it('when encoding the training rows, then each row is encoded without its own target (out of fold)', () => {
    // One row per fold (n = folds = 4): each row sees only the other three.
    const t = new TargetEncode({ smoothing: 0, folds: 4 });
    const out = t.fitTransform(f, { target: y, seed: 1 });
    // Row 0 (a): the other a row has target 3. Row 1 (a): 1. Rows 2, 3: their category is alone,
    // so with smoothing 0 and no rows they get the out-of-fold prior.
    close(values(out, 'c'), [3, 1, (1 + 3 + 6) / 3, (1 + 3 + 10) / 3]);
  });

  it('when a row’s own target changes, then its own training encoding does not', () => {
    const t1 = new TargetEncode({ folds: 2 }).fitTransform(f, { target: y, seed: 7 });
    const t2 = new TargetEncode({ folds: 2 }).fitTransform(f, { target: regression([1000, 3, 10, 6]), seed: 7 });
    expect(values(t2, 'c')[0]).toBe(values(t1, 'c')[0]);
  });

  it('when the target is binary, then the encoding is the positive share; multiclass gives one column per class', () => {
    const b = new TargetEncode({ smoothing: 0 });
    b.fit(f, { target: classes([1, 0, 1, 1], 2) });
    expect(values(b.transform(f), 'c')).toEqual([0.5, 0.5, 1, 1]);
    const m = new TargetEncode({ smoothing: 0 });
    m.fit(f, { target: classes([0, 1, 2, 2], 3) });
    const out = m.transform(f);
    expect(out.names).toEqual(['c:class0', 'c:class1', 'c:class2', 'x']);
    const named = new TargetEncode({});
    named.fit(f, { target: classes([0, 1, 2, 2], 3), classes: ['cat', 'dog', 'eel'] });
    expect(roundTrip(named).transform(f).names).toEqual(['c:cat', 'c:dog', 'c:eel', 'x']);
    expect(values(out, 'c:class0')).toEqual([0.5, 0.5, 0, 0]);
    expect(values(out, 'c:class2')).toEqual([0, 0, 1, 1]);
    expectSameTransform(m, f);
  });

  it('when fitted without a target or with an unseen category under error, then the errors say so', () => {
    expect(somaError(() => new TargetEncode({}).fit(f)).message).toMatch(/needs the training target/);
    const t = new TargetEncode({ handle_unknown: 'error' });
    t.fit(f, { target: y });
    expect(somaError(() => t.transform(new Frame([cats('c', ['q']), num('x', [0])]))).message).toMatch(/category "q" was not seen/);
  });
});
