// Reference profiles on hand-built columns: edges from the tree binning, counts that add up, the
// category cap and its other bucket, text lengths, outputs counted on the training split's edges,
// and the checked reader refusing every malformed field by name.

import { describe, expect, it } from 'vitest';
import { Frame, type Column } from '../../src/data/frame.js';
import { fitBinMapper } from '../../src/engine/tree/binning.js';
import { SomaError } from '../../src/errors.js';
import { countCodes, countOnEdges } from '../../src/monitor/histogram.js';
import { checkReference } from '../../src/monitor/reference-check.js';
import {
  buildReference,
  categorySlots,
  columnReference,
  REFERENCE_FORMAT_VERSION,
  REFERENCE_MAX_CATEGORIES,
  type CategoricalReference,
  type NumericReference,
  type TextReference,
} from '../../src/monitor/reference.js';

const num = (name: string, values: number[]): Column => ({ type: 'numeric', name, values: Float64Array.from(values) });

describe('columnReference', () => {
  it('when a numeric column has few distinct values, then its edges are the tree binning\'s midpoints and every row is counted', () => {
    const r = columnReference(num('x', [3, 1, 2, 1, 3, NaN, 1]), { seed: 1 }) as NumericReference;
    expect(r).toEqual({ name: 'x', type: 'numeric', rows: 7, missing: 1, edges: [1.5, 2.5], counts: [3, 1, 2], offsets: [1.5, 0.5, 1], min: 1, max: 3, mean: 11 / 6, std: expect.any(Number) });
  });

  it('when a column holds infinities, then edges are learned on the finite values, infinities land in the end bins and the summary is null where not finite', () => {
    const values = [-Infinity, 1, 2, 3, Infinity, Infinity];
    const r = columnReference(num('x', values), { seed: 1 }) as NumericReference;
    expect(r.edges).toEqual([1.5, 2.5]);
    expect(r.counts).toEqual([2, 1, 3]);
    expect([r.min, r.max, r.mean]).toEqual([null, null, null]);
    expect(JSON.parse(JSON.stringify(r))).toEqual(r);
  });

  it('when a numeric column has many distinct values, then it gets at most 255 value bins on fitBinMapper\'s edges, counted with countOnEdges', () => {
    const values = Float64Array.from({ length: 30_000 }, (_, i) => Math.sin(i) * 1000 + (i % 13 === 0 ? NaN : 0));
    const r = columnReference({ type: 'datetime', name: 't', values }, { seed: 5 }) as NumericReference;
    const edges = fitBinMapper([values], [0], [0], 256, 5).thresholds[0]!;
    expect(r.type).toBe('datetime');
    expect(r.edges).toEqual(Array.from(edges));
    expect(r.counts).toHaveLength(255);
    const out = new Float64Array(edges.length + 2);
    countOnEdges(edges, values, out);
    expect(r.counts).toEqual(Array.from(out.subarray(0, 255)));
    expect(r.missing).toBe(out[255]);
  });

  it('when a categorical column has more categories than the cap, then the most frequent are kept (ties by value) and the rest are summed in other', () => {
    const n = REFERENCE_MAX_CATEGORIES + 200;
    const dictionary = Array.from({ length: n }, (_, k) => `c${String(k).padStart(4, '0')}`);
    const codes: number[] = [];
    // Category k appears 1 + (k < 10 ? 10 - k : 0) times; a few rows missing.
    for (let k = 0; k < n; k++) for (let j = 0; j < 1 + (k < 10 ? 10 - k : 0); j++) codes.push(k);
    codes.push(-1, -1);
    const r = columnReference({ type: 'categorical', name: 'c', codes: Int32Array.from(codes), dictionary }, { seed: 0 }) as CategoricalReference;
    expect(r.categories).toHaveLength(REFERENCE_MAX_CATEGORIES);
    expect(r.categories.slice(0, 3)).toEqual(['c0000', 'c0001', 'c0002']);
    expect(r.counts.slice(0, 3)).toEqual([11, 10, 9]);
    expect(r.categories[REFERENCE_MAX_CATEGORIES - 1]).toBe('c0999');
    expect(r.other).toBe(200);
    expect(r.otherCategories).toBe(200);
    expect(r.missing).toBe(2);
    expect(r.counts.reduce((a, b) => a + b, 0) + r.other + r.missing).toBe(r.rows);
  });

  it('when a dictionary holds a value twice, then its rows are counted together; a new batch counted through categorySlots matches', () => {
    const c: Column = { type: 'categorical', name: 'g', codes: Int32Array.of(0, 1, 2, 2, -1, 0), dictionary: ['a', 'b', 'a'] };
    const r = columnReference(c, { seed: 0 }) as CategoricalReference;
    expect([r.categories, r.counts, r.missing]).toEqual([['a', 'b'], [4, 1], 1]);
    const batch = { codes: Int32Array.of(1, 0, 3, -1, 2), dictionary: ['b', 'a', 'a', 'zebra'] };
    const out = new Float64Array(r.categories.length + 2);
    countCodes(batch.codes, categorySlots(batch.dictionary, r.categories), r.categories.length + 1, out);
    expect(Array.from(out)).toEqual([2, 1, 1, 1]); // a, b, other (zebra), missing
  });

  it('when a column is text, then its reference is the missing count and a histogram of value lengths', () => {
    const r = columnReference({ type: 'text', name: 'note', values: ['ab', null, 'abcd', 'ab', ''] }, { seed: 0 }) as TextReference;
    expect(r).toMatchObject({ name: 'note', type: 'text', rows: 5, missing: 1, length: { edges: [1, 3], counts: [1, 2, 1], min: 0, max: 4, mean: 2 } });
  });
});

describe('buildReference', () => {
  it('when outputs come for several splits, then numeric ones are counted on the training split\'s edges, and the target and inputs are recorded', () => {
    const features = new Frame([num('x', [1, 2, 3, 4]), { type: 'categorical', name: 'k', codes: Int32Array.of(0, 0, 1, -1), dictionary: ['p', 'q'] }]);
    const ref = buildReference({
      features,
      target: num('y', [0.5, 1.5, 2.5, NaN]),
      outputs: { train: [num('prediction', [1, 2, 3, 4])], test: [num('prediction', [0, 2.2, 9])] },
      seed: 3,
    });
    expect(ref.formatVersion).toBe(REFERENCE_FORMAT_VERSION);
    expect(ref.rows).toBe(4);
    expect(ref.columns.map((c) => c.name)).toEqual(['x', 'k']);
    expect(ref.target).toMatchObject({ name: 'y', missing: 1, edges: [1, 2] });
    const train = ref.outputs.train.columns[0] as NumericReference;
    const test = ref.outputs.test!.columns[0] as NumericReference;
    expect(train.edges).toEqual([1.5, 2.5, 3.5]);
    expect(test.edges).toEqual(train.edges);
    expect(test.counts).toEqual([1, 1, 0, 1]);
    expect(ref.outputs.test!.rows).toBe(3);
    expect(ref.outputs.validation).toBeUndefined();
    expect(checkReference(JSON.parse(JSON.stringify(ref)), 'profile.json')).toEqual(ref);
  });
});

describe('checkReference', () => {
  const good = (): Record<string, unknown> =>
    JSON.parse(
      JSON.stringify(
        buildReference({
          features: new Frame([num('x', [1, 2, 3]), { type: 'categorical', name: 'k', codes: Int32Array.of(0, 1, 1), dictionary: ['p', 'q'] }, { type: 'text', name: 't', values: ['a', null, 'bb'] }]),
          outputs: { train: [num('prediction', [1, 2, 3])], test: [num('prediction', [2])] },
          seed: 0,
        }),
      ),
    ) as Record<string, unknown>;

  const failure = (ref: unknown): SomaError => {
    try {
      checkReference(ref, '/reg/m/versions/1.0.0/profile.json');
    } catch (e) {
      expect(e).toBeInstanceOf(SomaError);
      expect((e as SomaError).code).toBe('REGISTRY_INTEGRITY');
      expect((e as SomaError).exitCode).toBe(6);
      return e as SomaError;
    }
    throw new Error('expected REGISTRY_INTEGRITY');
  };

  it('when a field is malformed, then the error names the file and the field, and what was expected', () => {
    type Edit = (r: any) => void;
    const cases: [Edit, string][] = [
      [(r) => (r.formatVersion = 2), 'reference.formatVersion: expected a format this soma reads (1), got 2'],
      [(r) => delete r.columns, 'reference.columns: expected an array, got nothing'],
      [(r) => (r.columns[0].edges = [2, 1]), 'reference.columns[0].edges[1]: expected a number above edges[0] = 2, got 1'],
      [(r) => (r.columns[0].edges[0] = null), 'reference.columns[0].edges[0]: expected a finite number, got null'],
      [(r) => r.columns[0].counts.pop(), 'reference.columns[0].counts: expected 3 counts, got 2 of them'],
      [(r) => (r.columns[0].counts[1] = 1.5), 'reference.columns[0].counts[1]: expected a whole number >= 0, got 1.5'],
      [(r) => (r.columns[0].rows = 4), 'reference.columns[0].counts: expected counts adding up to rows - missing = 4, got 3'],
      [(r) => (r.columns[1].type = 'tensor'), 'reference.columns[1].type: expected numeric, datetime, categorical or text, got tensor'],
      [(r) => (r.columns[1].categories = ['p', 'p']), 'reference.columns[1].categories[1]: expected a string not listed before, got p'],
      [(r) => (r.columns[1].other = -1), 'reference.columns[1].other: expected a whole number >= 0, got -1'],
      [(r) => delete r.columns[2].length, 'reference.columns[2].length: expected an object, got nothing'],
      [(r) => (r.columns[0].mean = 'high'), 'reference.columns[0].mean: expected a finite number or null, got high'],
      [(r) => delete r.outputs.train, 'reference.outputs.train: expected an object, got nothing'],
      [(r) => (r.outputs.test.rows = 5), 'reference.outputs.test.columns[0].rows: expected 5 (the split\'s rows), got 1'],
    ];
    for (const [edit, message] of cases) {
      const r = good();
      edit(r);
      const e = failure(r);
      expect(e.message).toBe(`/reg/m/versions/1.0.0/profile.json: ${message}`);
      expect(e.details).toMatchObject({ file: '/reg/m/versions/1.0.0/profile.json' });
    }
    expect(failure('not an object').message).toContain('reference: expected an object');
  });
});
