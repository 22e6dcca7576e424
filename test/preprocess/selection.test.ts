import { describe, expect, it } from 'vitest';
import { Frame } from '../../src/data/frame.js';
import { CorrelationFilter, pearson } from '../../src/preprocess/correlation.js';
import { ImportanceFilter } from '../../src/preprocess/importance.js';
import { Pca, jacobiEigen } from '../../src/preprocess/pca.js';
import { VarianceFilter } from '../../src/preprocess/variance.js';
import { cats, classes, close, expectSameTransform, num, regression, roundTrip, somaError, values } from './helpers.js';

describe('variance', () => {
  const f = new Frame([num('a', [1, 1, 1, NaN]), num('b', [1, 2, 3, 4]), num('c', [0, 0, 0, 1]), cats('k', ['x', 'x', 'x', 'x'])]);

  it('when the threshold is 0, then constant numeric columns go and others stay', () => {
    const t = new VarianceFilter({});
    t.fit(f);
    expect(t.transform(f).names).toEqual(['b', 'c', 'k']);
    expectSameTransform(t, f);
  });

  it('when the threshold is above a column’s variance, then it goes too (population variance)', () => {
    const t = new VarianceFilter({ threshold: 0.2 });
    t.fit(f);
    // c: mean 0.25, variance 0.1875.
    expect(roundTrip(t).transform(f).names).toEqual(['b', 'k']);
  });

  it('when the threshold is negative, then the error gives the range', () => {
    expect(somaError(() => new VarianceFilter({ threshold: -1 })).message).toMatch(/threshold -1 is not valid \(expected a number >= 0\)/);
  });
});

describe('correlation', () => {
  const f = new Frame([num('a', [1, 2, 3, 4]), num('b', [2, 4, 6, 8.1]), num('c', [4, 3, 2, 1]), num('d', [1, -1, 1, -1])]);

  it('when columns correlate above the threshold, then the later one of each pair goes, the earlier stays', () => {
    const t = new CorrelationFilter({ threshold: 0.9 });
    t.fit(f);
    expect(t.transform(f).names).toEqual(['a', 'd']);
    expectSameTransform(t, f);
  });

  it('when pearson is computed, then missing pairs are skipped and a constant side gives 0', () => {
    expect(pearson(Float64Array.from([1, 2, NaN, 3]), Float64Array.from([2, 4, 100, 6]))).toBeCloseTo(1);
    expect(pearson(Float64Array.from([1, 1, 1]), Float64Array.from([1, 2, 3]))).toBe(0);
    expect(pearson(Float64Array.from([1, 2, 3, 4]), Float64Array.from([1, -1, 1, -1]))).toBeCloseTo(-0.4472136);
  });

  it('when the threshold is outside (0, 1], then the error says so', () => {
    expect(somaError(() => new CorrelationFilter({ threshold: 1.5 })).message).toMatch(/threshold 1.5 is not valid/);
  });
});

describe('importance', () => {
  // y depends on x1 strongly, on the category a little, and not at all on the noise columns.
  const n = 400;
  const x1: number[] = [];
  const noise1: number[] = [];
  const noise2: number[] = [];
  const group: string[] = [];
  const y: number[] = [];
  for (let i = 0; i < n; i++) {
    const a = ((i * 7919) % 1000) / 1000;
    x1.push(a);
    noise1.push(((i * 104729) % 997) / 997);
    noise2.push(((i * 15485863) % 991) / 991);
    group.push(i % 3 === 0 ? 'hi' : 'lo');
    y.push(10 * a + (i % 3 === 0 ? 1 : 0));
  }
  const f = new Frame([num('noise1', noise1), num('x1', x1), cats('g', group), num('noise2', noise2)]);

  it('when k is 2, then the two columns the target depends on are kept, in frame order', () => {
    const t = new ImportanceFilter({ k: 2 });
    t.fit(f, { target: regression(y) });
    expect(t.transform(f).names).toEqual(['x1', 'g']);
    expectSameTransform(t, f);
  });

  it('when the target is a class, then the classifier gains pick the informative column', () => {
    const t = new ImportanceFilter({ k: 1, n_estimators: 5 });
    t.fit(f, { target: classes(x1.map((v) => (v > 0.5 ? 1 : 0)), 2) });
    expect(t.transform(f).names).toEqual(['x1']);
    const m = new ImportanceFilter({ k: 1, n_estimators: 5 });
    m.fit(f, { target: classes(x1.map((v) => Math.min(2, Math.floor(v * 3))), 3) });
    expect(m.transform(f).names).toEqual(['x1']);
  });

  it('when fitted without a target, then the error says it needs one', () => {
    expect(somaError(() => new ImportanceFilter({}).fit(f)).message).toMatch(/needs the training target/);
  });
});

describe('pca', () => {
  // The classic 10-row example; scikit-learn 1.2's PCA gives the figures below.
  const rows = [[2.5, 2.4, 1], [0.5, 0.7, 0], [2.2, 2.9, 1], [1.9, 2.2, 0], [3.1, 3.0, 1], [2.3, 2.7, 1], [2, 1.6, 0], [1, 1.1, 0], [1.5, 1.6, 1], [1.1, 0.9, 0]];
  const f = new Frame([num('a', rows.map((r) => r[0]!)), num('b', rows.map((r) => r[1]!)), num('c', rows.map((r) => r[2]!)), cats('k', rows.map(() => 'z'))]);

  it('when components is a count, then the columns are replaced by the projections on the top components', () => {
    const t = new Pca({ components: 3 });
    t.fit(f);
    const out = t.transform(f);
    expect(out.names).toEqual(['k', 'pca_1', 'pca_2', 'pca_3']);
    // scikit-learn's signs differ per component; ours make the largest loading positive.
    close(values(out, 'pca_1').slice(0, 3), [0.95008223, -1.83896577, 1.10679136], 6);
    close(values(out, 'pca_2').slice(0, 3), [0.11854861, 0.19484673, 0.21985034], 6);
    close(values(out, 'pca_3').slice(0, 3), [-0.22246344, 0.10217458, 0.32996773], 6);
    const state = t.toJSON().state as { variance: number[]; explained_ratio: number[] };
    close(state.variance, [1.45012143, 0.11758928, 0.04317818], 6);
    expectSameTransform(t, f);
  });

  it('when components is a fraction, then the fewest components explaining it are kept', () => {
    const t = new Pca({ components: 0.95 });
    t.fit(f);
    expect(t.transform(f).names).toEqual(['k', 'pca_1', 'pca_2']);
    const w = new Pca({ components: 1, whiten: true });
    w.fit(f);
    const v = values(roundTrip(w).transform(f), 'pca_1') as number[];
    const mean = v.reduce((s, x) => s + x, 0) / v.length;
    expect(v.reduce((s, x) => s + (x - mean) ** 2, 0) / (v.length - 1)).toBeCloseTo(1);
  });

  it('when Jacobi diagonalises a symmetric matrix, then A v = lambda v for every pair', () => {
    const a = Float64Array.from([4, 1, 2, 1, 3, 0, 2, 0, 5]);
    const { values: l, vectors: v } = jacobiEigen(a, 3);
    for (let j = 0; j < 3; j++) {
      for (let i = 0; i < 3; i++) {
        let av = 0;
        for (let k = 0; k < 3; k++) av += a[i * 3 + k]! * v[k * 3 + j]!;
        expect(av).toBeCloseTo(l[j]! * v[i * 3 + j]!, 10);
      }
    }
  });

  it('when training data has a gap, too many components are asked for, or components is invalid, then the error says which', () => {
    const g = new Frame([num('a', [1, NaN, 3]), num('b', [1, 2, 3])]);
    const e = somaError(() => new Pca({ components: 1 }).fit(g));
    expect(e.message).toMatch(/column "a" has a missing value at training row 2/);
    expect(e.hint).toMatch(/impute/);
    expect(somaError(() => new Pca({ components: 5 }).fit(f)).message).toMatch(/components 5 is more than the 3 input columns/);
    expect(somaError(() => new Pca({ components: 1.5 })).message).toMatch(/components 1.5 is not valid/);
  });
});
