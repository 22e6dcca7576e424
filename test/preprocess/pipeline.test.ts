import { describe, expect, it } from 'vitest';
import { Frame, type Column } from '../../src/data/frame.js';
import { Pipeline } from '../../src/preprocess/pipeline.js';

const num = (name: string, values: number[]): Column => ({ type: 'numeric', name, values: Float64Array.from(values) });
const cat = (name: string, dictionary: string[], codes: number[]): Column => ({ type: 'categorical', name, dictionary, codes: Int32Array.from(codes) });

const train = new Frame([
  num('x', [1, 2, NaN, 4]),
  cat('island', ['a', 'b'], [0, 1, 1, -1]),
  { type: 'text', name: 'notes', values: ['long text here', null, 'x y z', 'w'] },
  { type: 'datetime', name: 'when', values: Float64Array.from([0, 365.2425 * 864e5, NaN, 0]) },
]);

describe('Pipeline', () => {
  it('when the model splits categories natively, then categorical columns become codes and missing becomes NaN', () => {
    const p = Pipeline.fromConfig([{ name: 'impute', params: { columns: 'numeric', strategy: 'median' } }], { nativeCategorical: true });
    const X = p.fit(train);
    expect(X.names).toEqual(['x', 'island', 'when']);
    expect(X.kinds).toEqual(['numeric', 'categorical', 'numeric']);
    expect(X.cardinality).toEqual([0, 2, 0]);
    expect(Array.from(X.columns[0]!)).toEqual([1, 2, 2, 4]);
    expect(Array.from(X.columns[1]!).map((v) => (Number.isNaN(v) ? 'nan' : v))).toEqual([0, 1, 1, 'nan']);
    expect(X.columns[2]![1]).toBeCloseTo(1);
    expect(p.dropped).toEqual([{ column: 'notes', reason: expect.stringMatching(/text step/) }]);
  });

  it('when the model needs numbers only, then leftover categoricals are one-hot encoded automatically', () => {
    const p = Pipeline.fromConfig([], { nativeCategorical: false });
    const X = p.fit(train);
    expect(X.names).toEqual(['x', 'island=a', 'island=b', 'when']);
    expect(X.kinds.every((k) => k === 'numeric')).toBe(true);
  });

  it('when saved and loaded, then it transforms new data exactly as before', () => {
    const p = Pipeline.fromConfig(
      [
        { name: 'impute', params: { strategy: 'median' } },
        { name: 'scale', params: {} },
      ],
      { nativeCategorical: false },
    );
    const X = p.fit(train);
    const restored = Pipeline.fromJSON(JSON.parse(JSON.stringify(p.toJSON())));
    const again = restored.transform(train);
    expect(again.names).toEqual(X.names);
    again.columns.forEach((c, j) => expect(Array.from(c)).toEqual(Array.from(X.columns[j]!)));
  });
});
