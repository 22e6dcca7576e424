import { describe, expect, it } from 'vitest';
import { groupInteractions, splitInteractions } from '../../src/data/interactions.js';
import { Rng } from '../../src/engine/random.js';

describe('grouped interactions', () => {
  it('when pairs repeat, then each policy combines them at the latest time and the user order stays (time, item)', () => {
    // user 0: item 2 at t=5 (3), item 1 at t=1 (4), item 2 again at t=9 (1); user 1: item 0 at t=2.
    const user = Int32Array.of(0, 0, 1, 0);
    const item = Int32Array.of(2, 1, 0, 2);
    const value = Float64Array.of(3, 4, 5, 1);
    const time = Float64Array.of(5, 1, 2, 9);
    const last = groupInteractions(user, item, value, time, 2, 3, 'last');
    expect(last.duplicates).toBe(1);
    expect(Array.from(last.ptr)).toEqual([0, 2, 3]);
    expect(Array.from(last.item)).toEqual([1, 2, 0]);
    expect(Array.from(last.value)).toEqual([4, 1, 5]);
    expect(Array.from(last.time)).toEqual([1, 9, 2]);
    expect(Array.from(groupInteractions(user, item, value, time, 2, 3, 'mean').value)).toEqual([4, 2, 5]);
    expect(Array.from(groupInteractions(user, item, value, time, 2, 3, 'sum').value)).toEqual([4, 4, 5]);
    expect(Array.from(groupInteractions(user, item, value, time, 2, 3, 'max').value)).toEqual([4, 3, 5]);
    expect(() => groupInteractions(user, item, value, time, 2, 3, 'error', { user: (u) => `u${u}`, item: (i) => `i${i}` })).toThrow(/repeat the pair user u0, item i2/);
  });
});

describe('per-user splits', () => {
  const rng = new Rng(4);
  const n = 3000;
  const user = Int32Array.from({ length: n }, () => rng.int(100));
  const item = Int32Array.from({ length: n }, () => rng.int(400));
  const time = Float64Array.from({ length: n }, () => rng.int(10000));
  const g = groupInteractions(user, item, new Float64Array(n).fill(1), time, 100, 400, 'last');

  it('when split by time, then every user keeps floor(20%) newest interactions for test, none older than their training ones, and small users stay whole', () => {
    const part = splitInteractions(g, { method: 'time', test: 0.2, validation: 0.1, minInteractions: 5, seed: 1 });
    for (let u = 0; u < 100; u++) {
      const a = g.ptr[u]!;
      const b = g.ptr[u + 1]!;
      const cnt = b - a;
      const parts = Array.from(part.subarray(a, b));
      if (cnt < 5) {
        expect(parts.every((p) => p === 0)).toBe(true);
        continue;
      }
      expect(parts.filter((p) => p === 2)).toHaveLength(Math.floor(0.2 * cnt));
      expect(parts.filter((p) => p === 1)).toHaveLength(Math.floor(0.1 * cnt));
      let newestTrain = -Infinity;
      let oldestHeld = Infinity;
      let oldestTest = Infinity;
      let newestVal = -Infinity;
      for (let e = a; e < b; e++) {
        if (part[e] === 0) newestTrain = Math.max(newestTrain, g.time[e]!);
        else oldestHeld = Math.min(oldestHeld, g.time[e]!);
        if (part[e] === 2) oldestTest = Math.min(oldestTest, g.time[e]!);
        if (part[e] === 1) newestVal = Math.max(newestVal, g.time[e]!);
      }
      expect(newestTrain).toBeLessThanOrEqual(oldestHeld);
      expect(newestVal).toBeLessThanOrEqual(oldestTest);
    }
  });

  it('when split at random or leave-last-out, then the counts hold, a pair is in one part only, and a seed repeats the split', () => {
    const random = splitInteractions(g, { method: 'random', test: 0.25, validation: 0, minInteractions: 5, seed: 3 });
    expect(splitInteractions(g, { method: 'random', test: 0.25, validation: 0, minInteractions: 5, seed: 3 })).toEqual(random);
    expect(splitInteractions(g, { method: 'random', test: 0.25, validation: 0, minInteractions: 5, seed: 4 })).not.toEqual(random);
    const last = splitInteractions(g, { method: 'last', test: 0.2, validation: 0, minInteractions: 5, seed: 3 });
    for (let u = 0; u < 100; u++) {
      const a = g.ptr[u]!;
      const b = g.ptr[u + 1]!;
      if (b - a < 5) continue;
      expect(Array.from(random.subarray(a, b)).filter((p) => p === 2)).toHaveLength(Math.floor(0.25 * (b - a)));
      expect(Array.from(last.subarray(a, b))).toEqual([...new Array(b - a - 1).fill(0), 2]);
      expect(new Set(Array.from(g.item.subarray(a, b))).size).toBe(b - a);
    }
  });
});
