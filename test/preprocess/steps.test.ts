import { describe, expect, it } from 'vitest';
import { Frame, numericValues, type Column } from '../../src/data/frame.js';
import { Impute } from '../../src/preprocess/impute.js';
import { Scale } from '../../src/preprocess/scale.js';
import { OneHot } from '../../src/preprocess/onehot.js';
import { stepFromJSON } from '../../src/preprocess/catalog.js';
import { SomaError } from '../../src/errors.js';
import type { Transformer } from '../../src/preprocess/transformer.js';

const num = (name: string, values: number[]): Column => ({ type: 'numeric', name, values: Float64Array.from(values) });
const cat = (name: string, dictionary: string[], codes: number[]): Column => ({ type: 'categorical', name, dictionary, codes: Int32Array.from(codes) });
const values = (f: Frame, name: string): number[] => {
  const c = f.column(name)!;
  return c.type === 'numeric' ? Array.from(numericValues(c)) : [];
};
const roundTrip = (t: Transformer): Transformer => stepFromJSON(JSON.parse(JSON.stringify(t.toJSON())));

describe('impute', () => {
  const train = new Frame([num('x', [1, NaN, 3, 10]), cat('c', ['a', 'b'], [0, 1, 1, -1])]);

  it('when the strategy is median, then numeric gaps get the training median and categories the most frequent value', () => {
    const t = new Impute({ strategy: 'median' });
    t.fit(train);
    const out = t.transform(train);
    expect(values(out, 'x')).toEqual([1, 3, 3, 10]);
    const c = out.column('c')!;
    expect(c.type === 'categorical' && Array.from(c.codes).map((k) => c.dictionary[k])).toEqual(['a', 'b', 'b', 'b']);
  });

  it('when the strategy is mean, then the mean of the present values fills the gap', () => {
    const t = new Impute({ columns: ['x'], strategy: 'mean' });
    t.fit(train);
    expect(values(t.transform(train), 'x')[1]).toBeCloseTo(14 / 3);
  });

  it('when applied to new data after a save/load round trip, then it fills with the training statistic', () => {
    const t = new Impute({ strategy: 'median' });
    t.fit(train);
    const later = new Frame([num('x', [NaN, 5]), cat('c', ['z'], [-1, 0])]);
    const out = roundTrip(t).transform(later);
    expect(values(out, 'x')).toEqual([3, 5]);
    const c = out.column('c')!;
    expect(c.type === 'categorical' && Array.from(c.codes).map((k) => c.dictionary[k])).toEqual(['b', 'z']);
  });

  it('when a named column does not exist, then the error names it', () => {
    const t = new Impute({ columns: ['nope'] });
    expect(() => t.fit(train)).toThrow(/column "nope" not in the data/);
  });
});

describe('scale', () => {
  it('when fitted, then columns get zero mean and unit (population) variance, missing values stay missing', () => {
    const t = new Scale({});
    const f = new Frame([num('x', [1, 2, 3, NaN])]);
    t.fit(f);
    const out = values(roundTrip(t).transform(f), 'x');
    const sd = Math.sqrt(2 / 3);
    expect(out[0]).toBeCloseTo(-1 / sd);
    expect(out[1]).toBeCloseTo(0);
    expect(out[2]).toBeCloseTo(1 / sd);
    expect(Number.isNaN(out[3])).toBe(true);
  });

  it('when a column is constant, then it is centred rather than divided by zero', () => {
    const t = new Scale({});
    const f = new Frame([num('x', [4, 4])]);
    t.fit(f);
    expect(values(t.transform(f), 'x')).toEqual([0, 0]);
  });
});

describe('onehot', () => {
  const train = new Frame([cat('color', ['red', 'blue', 'green'], [0, 0, 1, 2, 0, -1]), num('n', [1, 2, 3, 4, 5, 6])]);

  it('when fitted, then each seen category gets a 0/1 column in place of the original and missing sets none', () => {
    const t = new OneHot({});
    t.fit(train);
    const out = t.transform(train);
    expect(out.names).toEqual(['color=blue', 'color=green', 'color=red', 'n']);
    expect(values(out, 'color=red')).toEqual([1, 1, 0, 0, 1, 0]);
    expect(values(out, 'color=blue')).toEqual([0, 0, 1, 0, 0, 0]);
  });

  it('when max_categories is smaller than the categories seen, then the rest share the infrequent column', () => {
    const t = new OneHot({ max_categories: 1 });
    t.fit(train);
    const out = t.transform(train);
    expect(out.names).toEqual(['color=red', 'color=infrequent', 'n']);
    expect(values(out, 'color=infrequent')).toEqual([0, 0, 1, 1, 0, 0]);
  });

  it('when a chunk has its own dictionary, then categories are matched by value, not by code', () => {
    const t = roundTrip((() => { const o = new OneHot({}); o.fit(train); return o; })());
    const chunk = new Frame([cat('color', ['green', 'red'], [0, 1]), num('n', [0, 0])]);
    const out = t.transform(chunk);
    expect(values(out, 'color=green')).toEqual([1, 0]);
    expect(values(out, 'color=red')).toEqual([0, 1]);
  });

  it('when an unseen category arrives and handle_unknown is error, then a data error names the column, row and value', () => {
    const t = new OneHot({ handle_unknown: 'error' });
    t.fit(train);
    const chunk = new Frame([cat('color', ['red', 'purple'], [0, 1]), num('n', [0, 0])]);
    try {
      t.transform(chunk);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(SomaError);
      expect((e as SomaError).exitCode).toBe(3);
      expect((e as SomaError).message).toMatch(/column "color", row 2: category "purple" was not seen in training/);
    }
  });

  it('when an unseen category arrives and handle_unknown is infrequent, then it sets the infrequent column', () => {
    const t = new OneHot({ handle_unknown: 'infrequent' });
    t.fit(train);
    const out = t.transform(new Frame([cat('color', ['purple'], [0]), num('n', [0])]));
    expect(values(out, 'color=infrequent')).toEqual([1]);
    expect(values(out, 'color=red')).toEqual([0]);
  });
});
