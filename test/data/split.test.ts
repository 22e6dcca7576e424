// Split properties: disjoint, complete, sized by the fractions, stratified, time-ordered, seeded.

import { describe, expect, it } from 'vitest';
import { splitIndices } from '../../src/data/split.js';
import { SomaError } from '../../src/errors.js';

const base = { train: 0.7, validation: 0.15, test: 0.15, seed: 42, shuffle: true };

function all(parts: { train: Int32Array; validation: Int32Array; test: Int32Array }): number[] {
  return [...parts.train, ...parts.validation, ...parts.test];
}

describe('splitIndices', () => {
  it('when splitting, then the parts are disjoint, complete and sized by the fractions', () => {
    const s = splitIndices(1000, base);
    expect(s.train.length).toBe(700);
    expect(s.validation.length).toBe(150);
    expect(s.test.length).toBe(150);
    const rows = all(s);
    expect(new Set(rows).size).toBe(1000);
    expect(Math.min(...rows)).toBe(0);
    expect(Math.max(...rows)).toBe(999);
  });

  it('when the seed is the same, then the split is the same; a different seed gives a different one', () => {
    const a = splitIndices(500, base);
    const b = splitIndices(500, base);
    const c = splitIndices(500, { ...base, seed: 7 });
    expect([...a.test]).toEqual([...b.test]);
    expect([...a.test]).not.toEqual([...c.test]);
  });

  it('when shuffle is false, then file order is kept: train is the head, test the tail', () => {
    const s = splitIndices(20, { ...base, shuffle: false });
    expect([...s.train]).toEqual([...Array(14).keys()]);
    expect([...s.validation]).toEqual([14, 15, 16]);
    expect([...s.test]).toEqual([17, 18, 19]);
  });

  it('when stratified, then every part keeps each class share', () => {
    const n = 1000;
    const codes = new Int32Array(n);
    // 60% class 0, 30% class 1, 10% class 2, interleaved
    for (let i = 0; i < n; i++) codes[i] = i % 10 < 6 ? 0 : i % 10 < 9 ? 1 : 2;
    const s = splitIndices(n, { ...base, stratify: codes });
    expect(new Set(all(s)).size).toBe(n);
    for (const part of [s.train, s.validation, s.test]) {
      const counts = [0, 0, 0];
      for (const i of part) counts[codes[i]!]!++;
      expect(counts[0]! / part.length).toBeCloseTo(0.6, 2);
      expect(counts[1]! / part.length).toBeCloseTo(0.3, 2);
      expect(counts[2]! / part.length).toBeCloseTo(0.1, 2);
    }
  });

  it('when a class is rare, then each part still gets its share of it', () => {
    const codes = new Int32Array(100);
    for (let i = 0; i < 10; i++) codes[i * 10] = 1; // 10 rows of class 1
    const s = splitIndices(100, { ...base, stratify: codes });
    const inTrain = [...s.train].filter((i) => codes[i] === 1).length;
    expect(inTrain).toBe(7);
    expect([...s.test].filter((i) => codes[i] === 1).length).toBeGreaterThan(0);
  });

  it('when ordered by time, then train is oldest and test newest, with NaN times first', () => {
    const n = 100;
    const t = new Float64Array(n);
    for (let i = 0; i < n; i++) t[i] = (i * 37) % n; // a permutation of 0..99 as times
    t[5] = NaN;
    const s = splitIndices(n, { ...base, orderBy: t });
    expect(s.train[0]).toBe(5);
    const maxTrain = Math.max(...[...s.train].map((i) => (Number.isNaN(t[i]!) ? -1 : t[i]!)));
    const minVal = Math.min(...[...s.validation].map((i) => t[i]!));
    const maxVal = Math.max(...[...s.validation].map((i) => t[i]!));
    const minTest = Math.min(...[...s.test].map((i) => t[i]!));
    expect(maxTrain).toBeLessThan(minVal);
    expect(maxVal).toBeLessThan(minTest);
    expect(new Set(all(s)).size).toBe(n);
  });

  it('when the fractions do not sum to 1, then CONFIG_INVALID', () => {
    try {
      splitIndices(10, { ...base, test: 0.2 });
      throw new Error('no error');
    } catch (e) {
      expect(e).toBeInstanceOf(SomaError);
      expect((e as SomaError).code).toBe('CONFIG_INVALID');
      expect((e as SomaError).exitCode).toBe(2);
    }
    expect(() => splitIndices(10, { ...base, train: 0.7 + 1e-12 })).not.toThrow();
  });

  it('when the test fraction is 0, then test is empty and the rest covers every row', () => {
    const s = splitIndices(10, { ...base, train: 0.8, validation: 0.2, test: 0 });
    expect(s.test.length).toBe(0);
    expect(s.train.length + s.validation.length).toBe(10);
  });
});
