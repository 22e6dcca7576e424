// Stacking frames row-wise: every cell keeps its value (doubles by their bits, missing as
// missing), categorical dictionaries merge with the first frame's codes kept and later strings
// appended in order of appearance, sparse columns densify, and mismatched frames are refused.

import { describe, expect, it } from 'vitest';
import { concatFrames } from '../../src/data/concat.js';
import { Frame, type CategoricalColumn, type Column, type TextColumn } from '../../src/data/frame.js';

const num = (name: string, v: number[]): Column => ({ type: 'numeric', name, values: Float64Array.from(v) });
const cat = (name: string, dictionary: string[], codes: number[]): Column => ({ type: 'categorical', name, dictionary, codes: Int32Array.from(codes) });

describe('concatFrames', () => {
  it('when frames share a contract\'s categories and add their own, then codes of the shared ones stay and new strings follow in order', () => {
    const a = new Frame([num('x', [1, NaN]), cat('c', ['red', 'blue'], [1, -1]), { type: 'text', name: 't', values: ['a', null] }]);
    const b = new Frame([num('x', [-0, 2.5]), cat('c', ['red', 'blue', 'green'], [2, 0]), { type: 'text', name: 't', values: [null, 'b'] }]);
    const c = new Frame([num('x', [7]), cat('c', ['red', 'blue', 'pink', 'green'], [3]), { type: 'text', name: 't', values: ['c'] }]);
    const out = concatFrames([a, b, c]);
    expect(out.rows).toBe(5);
    const x = out.column('x') as { values: Float64Array };
    expect(Array.from(x.values)).toEqual([1, NaN, -0, 2.5, 7]);
    expect(Object.is(x.values[2], -0)).toBe(true);
    const cc = out.column('c') as CategoricalColumn;
    // 'pink' is in c's dictionary but no row of it: it is still carried (codes need only be consistent).
    expect(cc.dictionary).toEqual(['red', 'blue', 'green', 'pink']);
    expect(Array.from(cc.codes, (k) => (k < 0 ? null : cc.dictionary[k]))).toEqual(['blue', null, 'green', 'red', 'green']);
    expect((out.column('t') as TextColumn).values).toEqual(['a', null, null, 'b', 'c']);
  });

  it('when one frame is given, then it is returned as it is; when columns differ, then it refuses', () => {
    const a = new Frame([num('x', [1])]);
    expect(concatFrames([a])).toBe(a);
    expect(() => concatFrames([a, new Frame([num('y', [1])])])).toThrow(/frames differ in columns/);
    expect(() => concatFrames([a, new Frame([cat('x', ['a'], [0])])])).toThrow(/frames differ in columns/);
  });

  it('when a column is sparse, then it is densified in place', () => {
    const dense = new Frame([num('x', [1, 2])]);
    const sparse = new Frame([{ type: 'numeric', name: 'x', sparse: { kind: 'sparse', length: 3, index: Uint32Array.from([1]), values: Float64Array.from([5]) } }]);
    expect(Array.from((concatFrames([dense, sparse]).column('x') as { values: Float64Array }).values)).toEqual([1, 2, 0, 5, 0]);
  });
});
