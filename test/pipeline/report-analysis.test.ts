// Sensitive columns turned into groups: by category, by value, or in quartile bins.

import { describe, expect, it } from 'vitest';
import { groupsOf, permutationPlan } from '../../src/pipeline/report-analysis.js';

describe('groupsOf', () => {
  it('when the column is categorical with missing values, then groups are the labels in order plus "(missing)"', () => {
    const g = groupsOf({ type: 'categorical', name: 'sex', codes: Int32Array.from([1, 0, -1, 1]), dictionary: ['M', 'F'] });
    expect(g.names).toEqual(['(missing)', 'F', 'M']);
    expect(Array.from(g.codes)).toEqual([1, 2, 0, 1]); // F, M, missing, F
  });

  it('when a numeric column has few values, then each value is a group, in numeric order', () => {
    const g = groupsOf({ type: 'numeric', name: 'cyl', values: Float64Array.from([8, 4, 6, 4, 10, NaN]) });
    expect(g.names).toEqual(['4', '6', '8', '10', '(missing)']);
    expect(g.codes.map((c) => c)).toEqual(Int32Array.from([2, 0, 1, 0, 3, 4]));
  });

  it('when a numeric column has many values, then rows fall into quartile bins', () => {
    const values = Float64Array.from({ length: 100 }, (_, i) => i);
    const g = groupsOf({ type: 'numeric', name: 'age', values });
    expect(g.names).toEqual(['< 25', '25 to < 50', '50 to < 75', '>= 75']);
    const counts = [0, 0, 0, 0];
    for (const c of g.codes) counts[c]!++;
    expect(counts).toEqual([25, 25, 25, 25]);
  });
});

describe('permutationPlan', () => {
  it('when the split is small, then every row gets 5 shuffles', () => {
    expect(permutationPlan(51, 10)).toEqual({ rows: 51, repeats: 5, features: 10 });
  });

  it('when rows x features x 5 exceeds the budget, then shuffles drop to 2 before rows are cut below 5,000', () => {
    expect(permutationPlan(30_000, 28)).toEqual({ rows: 5000, repeats: 2, features: 28 });
    expect(permutationPlan(30_000, 12)).toEqual({ rows: 5000, repeats: 5, features: 12 });
    expect(permutationPlan(30_000, 500)).toEqual({ rows: 300, repeats: 2, features: 500 });
  });

  it('when the data is wide, then only as many features are scored as the cell budget allows', () => {
    // 200 rows x 2 shuffles x 5,000 scored x 5,000 columns would read 1e10 cells.
    expect(permutationPlan(30_000, 5000)).toEqual({ rows: 200, repeats: 2, features: 250 });
    // 40 rows x 100,000 columns (the wide-data case): a handful of features, never none.
    expect(permutationPlan(40, 100_000)).toEqual({ rows: 40, repeats: 2, features: 62 });
    expect(permutationPlan(40, 100_000_000).features).toBe(1);
  });
});
