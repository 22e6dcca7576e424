import { describe, expect, it } from 'vitest';
import { Frame } from '../../src/data/frame.js';
import { toDense } from '../../src/engine/sparse.js';
import { Diff } from '../../src/preprocess/diff.js';
import { Lag } from '../../src/preprocess/lag.js';
import { Rolling } from '../../src/preprocess/rolling.js';
import { Pipeline } from '../../src/preprocess/pipeline.js';
import type { Transformer } from '../../src/preprocess/transformer.js';
import { cats, close, dt, expectSameTransform, num, somaError, values } from './helpers.js';

// Two stores, shuffled file order. Store a: days 1..4 with q 10, 20, 30, 40; store b: days 1..3
// with q 1, 2, 4.
const f = new Frame([
  dt('date', ['2024-01-03', '2024-01-01', '2024-01-02', '2024-01-01', '2024-01-04', '2024-01-03', '2024-01-02']),
  cats('store', ['a', 'b', 'a', 'a', 'a', 'b', 'b']),
  num('q', [30, 1, 20, 10, 40, 4, 2]),
]);

describe('lag', () => {
  it('when lags are asked for, then each row gets the value k steps back in its own group, whatever the file order', () => {
    const t = new Lag({ columns: ['q'], by: 'store', order: 'date', lags: [1, 2] });
    t.fit(f);
    const out = t.transform(f);
    expect(out.names).toEqual(['date', 'store', 'q', 'q_lag1', 'q_lag2']);
    expect(values(out, 'q_lag1')).toEqual([20, null, 10, null, 30, 2, 1]);
    expect(values(out, 'q_lag2')).toEqual([10, null, null, null, 20, 1, null]);
    expectSameTransform(t, f);
  });

  it('when rows share a timestamp, then none of them sees another (both get the earlier row)', () => {
    const g = new Frame([num('t', [1, 2, 2, 3]), num('q', [5, 6, 7, 8])]);
    const t = new Lag({ columns: ['q'], order: 't' });
    t.fit(g);
    expect(values(t.transform(g), 'q_lag1')).toEqual([null, 5, 5, 7]);
  });

  it('when grouped by two keys (one numeric, with a missing value), then each combination is its own series', () => {
    const g = new Frame([
      num('t', [1, 2, 3, 4, 5, 6]),
      cats('region', ['n', 'n', 's', 'n', null, null]),
      num('shop', [1, 2, 1, 1, 7, 7]),
      num('q', [10, 20, 30, 40, 50, 60]),
    ]);
    const t = new Lag({ columns: ['q'], by: ['region', 'shop'], order: 't' });
    t.fit(g);
    // Series: (n,1): rows 0, 3; (n,2): row 1; (s,1): row 2; (missing,7): rows 4, 5.
    expect(values(t.transform(g), 'q_lag1')).toEqual([null, null, null, 10, null, 50]);
    expect(t.transform(g).names).toEqual(['t', 'region', 'shop', 'q', 'q_lag1']);
  });

  it('when the order column is missing or not a time, then the error names it', () => {
    expect(somaError(() => new Lag({ columns: ['q'], order: 'when' }).fit(f)).message).toMatch(/column "when" not in the data/);
    expect(somaError(() => new Lag({ columns: ['q'], order: 'store' }).fit(f)).message).toMatch(/order column "store" is categorical/);
    expect(somaError(() => new Lag({ columns: ['q'] })).message).toMatch(/order undefined is not valid \(expected a column name\)/);
  });
});

describe('rolling', () => {
  it('when windows and stats are asked for, then they cover the previous rows only, never the row itself', () => {
    const t = new Rolling({ columns: ['q'], by: 'store', order: 'date', windows: [2], stats: ['mean', 'std', 'min', 'max', 'sum'] });
    t.fit(f);
    const out = t.transform(f);
    // Store a in time order: 10, 20, 30, 40 -> windows before each: [], [10], [10,20], [20,30].
    // File rows of store a: 0 (day 3), 2 (day 2), 3 (day 1), 4 (day 4).
    expect(values(out, 'q_roll2_mean')).toEqual([15, null, 10, null, 25, 1.5, 1]);
    expect(values(out, 'q_roll2_sum')).toEqual([30, null, 10, null, 50, 3, 1]);
    expect(values(out, 'q_roll2_min')).toEqual([10, null, 10, null, 20, 1, 1]);
    expect(values(out, 'q_roll2_max')).toEqual([20, null, 10, null, 30, 2, 1]);
    close(values(out, 'q_roll2_std'), [Math.SQRT2 * 5, NaN, NaN, NaN, Math.SQRT2 * 5, Math.SQRT1_2, NaN]);
    expectSameTransform(t, f);
  });

  it('when min_periods is not met, then the statistic is missing', () => {
    const t = new Rolling({ columns: ['q'], by: 'store', order: 'date', windows: [3], min_periods: 2 });
    t.fit(f);
    expect(values(t.transform(f), 'q_roll3_mean')).toEqual([15, null, null, null, 20, 1.5, null]);
  });

  it('when a stat is unknown, then the error lists the stats', () => {
    expect(somaError(() => new Rolling({ order: 'date', stats: ['median'] })).message).toMatch(/expected a non-empty list of mean, std, min, max, sum/);
  });
});

describe('diff', () => {
  it('when periods are asked for, then the change is measured on the past: x(t-1) - x(t-1-k)', () => {
    const t = new Diff({ columns: ['q'], by: 'store', order: 'date', periods: [1] });
    t.fit(f);
    // Store a by day: 10, 20, 30, 40 -> diffs at day 3: 20 - 10; day 4: 30 - 20. Store b: day 3: 2 - 1.
    expect(values(t.transform(f), 'q_diff1')).toEqual([10, null, null, null, 10, 1, null]);
    expectSameTransform(t, f);
  });
});

describe('time-series leakage', () => {
  // A longer series per group, then perturb one row's value (and every later value) and check
  // which features move: only features of strictly later rows may.
  const n = 60;
  const dates: string[] = [];
  const stores: string[] = [];
  const q: number[] = [];
  for (let i = 0; i < n; i++) {
    dates.push(new Date(Date.UTC(2024, 0, 1 + Math.floor(i / 2))).toISOString());
    stores.push(i % 2 === 0 ? 'a' : 'b');
    q.push(Math.round(100 * Math.sin(i) + i));
  }
  // Shuffle the file order deterministically so order comes from the date column only.
  const perm = Array.from({ length: n }, (_, i) => (i * 37) % n);
  const build = (vals: number[]) =>
    new Frame([dt('date', perm.map((i) => dates[i]!)), cats('store', perm.map((i) => stores[i]!)), num('q', perm.map((i) => vals[i]!))]);
  const steps: Transformer[] = [
    new Lag({ columns: ['q'], by: 'store', order: 'date', lags: [1, 3, 7] }),
    new Rolling({ columns: ['q'], by: 'store', order: 'date', windows: [3, 7], stats: ['mean', 'std', 'min', 'max'] }),
    new Diff({ columns: ['q'], by: 'store', order: 'date', periods: [1, 2] }),
  ];

  it('when a value at time t (and every later one) changes, then no feature at time <= t changes, in any step', () => {
    const base = build(q);
    const t = 20; // the original row index whose value (and the future) is perturbed
    const changed = q.map((v, i) => (i >= t && stores[i] === stores[t] ? v + 1000 + i : v));
    const other = build(changed);
    for (const step of steps) {
      step.fit(base);
      const a = step.transform(base);
      const b = step.transform(other);
      const derived = a.names.filter((name) => !['date', 'store', 'q'].includes(name));
      expect(derived.length).toBeGreaterThan(0);
      for (let row = 0; row < n; row++) {
        const orig = perm[row]!;
        // Rows of the same store at or before the perturbed time must not move; other stores never.
        const mayMove = stores[orig] === stores[t] && dates[orig]! > dates[t]!;
        if (mayMove) continue;
        for (const name of derived) expect({ name, row, v: values(b, name)[row] }).toEqual({ name, row, v: values(a, name)[row] });
      }
      // And the perturbation is visible later on: the test would notice a step that ignored it.
      const later = perm.findIndex((o) => stores[o] === stores[t] && dates[o]! > dates[t]!);
      expect(derived.some((name) => values(b, name)[later] !== values(a, name)[later])).toBe(true);
    }
  });

  it('when the pipeline fits on a training frame, then time-series features at prediction use only the rows given', () => {
    const p = Pipeline.fromConfig([{ name: 'lag', params: { columns: ['q'], by: 'store', order: 'date', lags: [1] } }], { nativeCategorical: true });
    const { X } = p.fit(build(q));
    expect(X.names).toEqual(['date', 'store', 'q', 'q_lag1']);
    const one = p.transform(build(q).slice(0, 1));
    expect(Number.isNaN(toDense(one.columns[3]!)[0]!)).toBe(true);
  });
});
