import { describe, expect, it } from 'vitest';
import { cvFolds } from '../../src/data/folds.js';

const union = (folds: { test: Int32Array }[]): number[] => folds.flatMap((f) => Array.from(f.test)).sort((a, b) => a - b);

describe('cvFolds', () => {
  it('when k-fold splits 103 rows into 5 folds, then train and test are disjoint, cover every row and every row is tested once', () => {
    const folds = cvFolds(103, { folds: 5, seed: 1 });
    expect(folds).toHaveLength(5);
    for (const f of folds) {
      const test = new Set(f.test);
      expect(f.train.length + f.test.length).toBe(103);
      for (const r of f.train) expect(test.has(r)).toBe(false);
      expect(f.test.length === 20 || f.test.length === 21).toBe(true);
    }
    expect(union(folds)).toEqual(Array.from({ length: 103 }, (_, i) => i));
  });

  it('when the seed is the same, then the folds are the same; when it differs, then they differ', () => {
    const a = cvFolds(50, { folds: 3, seed: 7 });
    const b = cvFolds(50, { folds: 3, seed: 7 });
    const c = cvFolds(50, { folds: 3, seed: 8 });
    expect(a.map((f) => Array.from(f.test))).toEqual(b.map((f) => Array.from(f.test)));
    expect(a.map((f) => Array.from(f.test))).not.toEqual(c.map((f) => Array.from(f.test)));
  });

  it('when folds are stratified, then each test fold keeps the class shares within one row', () => {
    // 60 rows of class 0, 30 of class 1, 10 of class 2.
    const codes = Int32Array.from([...Array(60).fill(0), ...Array(30).fill(1), ...Array(10).fill(2)]);
    const folds = cvFolds(100, { folds: 5, seed: 3, stratify: codes });
    for (const f of folds) {
      const counts = [0, 0, 0];
      for (const r of f.test) counts[codes[r]!]!++;
      expect(Math.abs(counts[0]! - 12)).toBeLessThanOrEqual(1);
      expect(Math.abs(counts[1]! - 6)).toBeLessThanOrEqual(1);
      expect(Math.abs(counts[2]! - 2)).toBeLessThanOrEqual(1);
    }
    expect(union(folds)).toHaveLength(100);
  });

  it('when folds are grouped, then no group is on both sides of any fold', () => {
    const groups = Int32Array.from({ length: 90 }, (_, i) => i % 11);
    const folds = cvFolds(90, { folds: 4, seed: 2, groups });
    for (const f of folds) {
      const testGroups = new Set(Array.from(f.test, (r) => groups[r]));
      for (const r of f.train) expect(testGroups.has(groups[r]!)).toBe(false);
    }
    expect(union(folds)).toHaveLength(90);
  });

  it('when there are fewer groups than folds, then it says so', () => {
    expect(() => cvFolds(10, { folds: 4, seed: 0, groups: Int32Array.from({ length: 10 }, (_, i) => i % 3) })).toThrow(/3 distinct groups/);
  });

  it('when folds are time-series, then every training row is older than every test row and the window expands', () => {
    // Times in shuffled file order, with ties.
    const times = Float64Array.from({ length: 60 }, (_, i) => (i * 37) % 60 >> 1);
    const folds = cvFolds(60, { folds: 4, seed: 0, times });
    let prevTrain = 0;
    for (const f of folds) {
      const newestTrain = Math.max(...Array.from(f.train, (r) => times[r]!));
      const oldestTest = Math.min(...Array.from(f.test, (r) => times[r]!));
      expect(newestTrain).toBeLessThan(oldestTest);
      expect(f.train.length).toBeGreaterThan(prevTrain);
      prevTrain = f.train.length;
    }
  });

  it('when folds is below 2 or rows are too few, then it is a config or data error', () => {
    expect(() => cvFolds(10, { folds: 1, seed: 0 })).toThrow(/folds/);
    expect(() => cvFolds(3, { folds: 5, seed: 0 })).toThrow(/at least 5 rows/);
  });
});
