import { describe, expect, it } from 'vitest';
import { Frame, type Column } from '../../src/data/frame.js';
import { toDense } from '../../src/engine/sparse.js';
import { Pipeline } from '../../src/preprocess/pipeline.js';
import type { Estimator } from '../../src/models/estimator.js';
import type { FeatureMatrix } from '../../src/engine/matrix.js';
import { regression, somaError } from './helpers.js';

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
    const { X } = p.fit(train);
    expect(X.names).toEqual(['x', 'island', 'when']);
    expect(X.kinds).toEqual(['numeric', 'categorical', 'numeric']);
    expect(X.cardinality).toEqual([0, 2, 0]);
    expect(Array.from(toDense(X.columns[0]!))).toEqual([1, 2, 2, 4]);
    expect(Array.from(toDense(X.columns[1]!)).map((v) => (Number.isNaN(v) ? 'nan' : v))).toEqual([0, 1, 1, 'nan']);
    expect(toDense(X.columns[2]!)[1]).toBeCloseTo(1);
    expect(p.dropped).toEqual([{ column: 'notes', reason: expect.stringMatching(/text step/) }]);
  });

  it('when the model needs numbers only, then leftover categoricals are one-hot encoded automatically', () => {
    const p = Pipeline.fromConfig([], { nativeCategorical: false });
    const { X } = p.fit(train);
    expect(X.names).toEqual(['x', 'island=a', 'island=b', 'when']);
    expect(X.kinds.every((k: string) => k === 'numeric')).toBe(true);
  });

  it('when saved and loaded, then it transforms new data exactly as before', () => {
    const p = Pipeline.fromConfig(
      [
        { name: 'impute', params: { strategy: 'median' } },
        { name: 'scale', params: {} },
      ],
      { nativeCategorical: false },
    );
    const { X } = p.fit(train);
    const restored = Pipeline.fromJSON(JSON.parse(JSON.stringify(p.toJSON())));
    const again = restored.transform(train);
    expect(again.names).toEqual(X.names);
    again.columns.forEach((c, j) => expect(Array.from(toDense(c))).toEqual(Array.from(toDense(X.columns[j]!))));
  });

  it('when training-only steps drop rows, then fit reports the kept input rows and the target follows them', () => {
    const f = new Frame([num('x', [1, 1, 2, 3, 1000, 2]), num('z', [0, 0, 1, 1, 1, 1])]);
    const p = Pipeline.fromConfig(
      [
        { name: 'dedupe', params: {} },
        { name: 'outliers', params: { columns: ['x'], method: 'iqr', action: 'drop' } },
      ],
      { nativeCategorical: true },
    );
    const fit = p.fit(f, { target: regression([10, 10, 20, 30, 40, 21]) });
    // Row 1 repeats row 0 (target too); row 5 repeats row 2's features but not its target.
    // Among the rest [1, 2, 3, 1000, 2]: q1 = 2, q3 = 3, bounds [0.5, 4.5]: 1000 goes.
    expect(Array.from(fit.kept!)).toEqual([0, 2, 3, 5]);
    expect(Array.from(fit.y!.values)).toEqual([10, 20, 30, 21]);
    expect(fit.X.rows).toBe(4);
    // Prediction keeps every row: the filters are training only.
    expect(p.transform(f).rows).toBe(6);
  });

  it('when no step drops rows, then kept is absent and y is the target as given', () => {
    const p = Pipeline.fromConfig([{ name: 'scale', params: {} }], { nativeCategorical: true });
    const fit = p.fit(new Frame([num('x', [1, 2])]), { target: regression([5, 6]) });
    expect(fit.kept).toBeUndefined();
    expect(Array.from(fit.y!.values)).toEqual([5, 6]);
  });

  it('when a target_transform step is present, then the model target is transformed and predictions are inverted', async () => {
    const p = Pipeline.fromConfig([{ name: 'target_transform', params: { method: 'log1p' } }], { nativeCategorical: true });
    const y = regression([0, Math.E - 1, 99]);
    const fit = p.fit(new Frame([num('x', [1, 2, 3])]), { target: y });
    const ty = p.transformTarget(fit.y!);
    expect(ty.values[0]).toBeCloseTo(0);
    expect(ty.values[1]).toBeCloseTo(1);
    expect(ty.values[2]).toBeCloseTo(Math.log(100));
    // An estimator predicting log-scale values: the wrapped one answers on the target's scale.
    const inner: Estimator = {
      kind: 'fake',
      params: {},
      fit: async function (this: Estimator) { return this; } as Estimator['fit'],
      predict: (X: FeatureMatrix) => Float64Array.from({ length: X.rows }, () => Math.log(100)),
      toJSON: () => ({ kind: 'fake', formatVersion: 1, params: {}, state: null }),
    };
    const restored = Pipeline.fromJSON(JSON.parse(JSON.stringify(p.toJSON())));
    const out = restored.wrapEstimator(inner).predict(restored.transform(new Frame([num('x', [7])])));
    expect(out[0]).toBeCloseTo(99);
    expect(restored.wrapEstimator(inner).toJSON()).toEqual(inner.toJSON());
  });

  it('when a target_transform step meets a classification target, then the config error says it is for regression', () => {
    const p = Pipeline.fromConfig([{ name: 'target_transform', params: {} }], { nativeCategorical: true });
    const e = somaError(() => p.fit(new Frame([num('x', [1, 2])]), { target: { task: 'classification', values: Float64Array.from([0, 1]), nClasses: 2 } }));
    expect(e.exitCode).toBe(2);
    expect(e.message).toMatch(/regression targets only/);
  });

  it('when a step is unknown, then the error lists the known steps', () => {
    const e = somaError(() => Pipeline.fromConfig([{ name: 'nope', params: {} }], { nativeCategorical: true }));
    expect(e.message).toMatch(/unknown step "nope" \(expected one of dedupe, impute, outliers/);
  });
});
