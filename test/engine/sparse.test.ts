import { describe, expect, it } from 'vitest';
import {
  SparseBuilder,
  columnBytes,
  denseRange,
  fromDense,
  mapStored,
  rowInverse,
  rowReader,
  sliceSparse,
  sparseMoments,
  takeColumnRows,
  toDense,
  type SparseVector,
} from '../../src/engine/sparse.js';
import { takeRows, numericMatrix } from '../../src/engine/matrix.js';

const dense = [0, 2.5, 0, 0, -1, NaN, 0, 3];

describe('sparse columns', () => {
  it('when built from dense values, then only non-zeros are stored (NaN included) and densify gives the values back', () => {
    const s = fromDense(dense);
    expect(Array.from(s.index)).toEqual([1, 4, 5, 7]);
    expect(Array.from(s.values)).toEqual([2.5, -1, NaN, 3]);
    expect(Array.from(toDense(s))).toEqual(dense);
    expect(columnBytes(s)).toBe(4 * 4 + 4 * 8);
    expect(Array.from(denseRange(s, 3, 8))).toEqual([0, -1, NaN, 0, 3]);
  });

  it('when entries arrive row by row in any column order, then the builder gives each column its rows ascending', () => {
    const b = new SparseBuilder(2); // small, so it has to grow
    b.push(0, 2, 1);
    b.push(0, 0, 2);
    b.push(2, 0, 3);
    b.push(3, 2, 4);
    b.push(3, 1, 5);
    const cols = b.build(4, 5);
    expect(cols.map((c) => Array.from(toDense(c)))).toEqual([
      [2, 0, 3, 0, 0],
      [0, 0, 0, 5, 0],
      [1, 0, 0, 4, 0],
      [0, 0, 0, 0, 0],
    ]);
    // Each column owns its buffers (posting one column must not copy the others).
    expect(cols[0]!.index.buffer).not.toBe(cols[2]!.index.buffer);
  });

  it('when rows are taken in any order with repeats, then the result equals taking the dense rows', () => {
    const s = fromDense(dense);
    for (const idx of [Int32Array.of(7, 1, 1, 0, 5), Int32Array.of(0, 1, 2, 3, 4, 5, 6, 7), Int32Array.of(), Uint32Array.of(4, 4, 4)]) {
      const expected = Array.from(idx, (i) => dense[i]!);
      const taken = takeColumnRows(s, idx) as SparseVector;
      expect(Array.from(toDense(taken))).toEqual(expected);
      // Stored rows stay strictly ascending.
      for (let k = 1; k < taken.index.length; k++) expect(taken.index[k]!).toBeGreaterThan(taken.index[k - 1]!);
      expect(rowInverse(idx, dense.length).ascending).toBe(idx.every((v, i) => i === 0 || v > idx[i - 1]!));
    }
  });

  it('when a matrix mixes dense and sparse columns, then takeRows keeps each column in its storage', () => {
    const m = numericMatrix(['d', 's'], [Float64Array.from([1, 2, 3, 4]), fromDense([0, 9, 0, 7])]);
    const t = takeRows(m, Int32Array.of(3, 1));
    expect(t.rows).toBe(2);
    expect(t.columns[0]).toBeInstanceOf(Float64Array);
    expect(Array.from(toDense(t.columns[0]!))).toEqual([4, 2]);
    expect(Array.from(toDense(t.columns[1]!))).toEqual([7, 9]);
    expect(t.columns[1]).not.toBeInstanceOf(Float64Array);
  });

  it('when sliced, read in row order or mapped, then the values are those of the dense column', () => {
    const s = fromDense(dense);
    expect(Array.from(toDense(sliceSparse(s, 2, 6)))).toEqual(dense.slice(2, 6));
    const at = rowReader(s);
    expect([0, 1, 1, 4, 7, 2].map(at)).toEqual([0, 2.5, 2.5, -1, 3, 0]);
    expect(Array.from(toDense(mapStored(s, (v) => v * 2)))).toEqual(dense.map((v) => v * 2));
    // Implicit zeros count as present values; NaN does not.
    expect(sparseMoments(s)).toEqual({ sum: 4.5, sumSq: 2.5 * 2.5 + 1 + 9, n: 7 });
  });
});
