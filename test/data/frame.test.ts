import { describe, expect, it } from 'vitest';
import { Frame, countMissing, isMissing, isSparseColumn, numericValues, valueAt, type Column } from '../../src/data/frame.js';
import { fromDense } from '../../src/engine/sparse.js';

const sparseCol = (name: string, values: number[]): Column => ({ type: 'numeric', name, sparse: fromDense(values) });
const dense = (f: Frame, name: string): number[] => {
  const c = f.column(name)!;
  if (c.type !== 'numeric') throw new Error(`${name} is ${c.type}`);
  return Array.from(numericValues(c));
};

describe('Frame with sparse numeric columns', () => {
  const frame = new Frame([
    sparseCol('s', [0, 1.5, 0, NaN, 2]),
    { type: 'numeric', name: 'd', values: Float64Array.from([1, 2, 3, 4, 5]) },
  ]);

  it('when built, then a sparse column counts its implicit rows and reads as the dense values', () => {
    expect(frame.rows).toBe(5);
    const s = frame.column('s')!;
    expect(isSparseColumn(s)).toBe(true);
    if (s.type !== 'numeric') throw new Error('not numeric');
    expect(Array.from(numericValues(s))).toEqual([0, 1.5, 0, NaN, 2]);
    expect([0, 1, 3, 4].map((i) => valueAt(s, i))).toEqual([0, 1.5, NaN, 2]);
    expect([0, 3].map((i) => isMissing(s, i))).toEqual([false, true]);
    expect(countMissing(s)).toBe(1);
  });

  it('when rows are taken or sliced, then sparse columns stay sparse with the same values as dense ones', () => {
    const taken = frame.take(Int32Array.of(4, 1, 1, 0));
    const s = taken.column('s')!;
    expect(isSparseColumn(s)).toBe(true);
    expect(dense(taken, 's')).toEqual([2, 1.5, 1.5, 0]);
    expect(dense(taken, 'd')).toEqual([5, 2, 2, 1]);
    const sliced = frame.slice(1, 4);
    const c = sliced.column('s')!;
    expect(isSparseColumn(c) && c.sparse.length).toBe(3);
    expect(dense(sliced, 's')).toEqual([1.5, 0, NaN]);
  });

  it('when a sparse column is one row short, then the frame refuses it like a dense one', () => {
    expect(() => new Frame([sparseCol('s', [0, 1]), { type: 'numeric', name: 'd', values: new Float64Array(3) }])).toThrow(/column d has 3 rows, expected 2/);
  });
});
