// Fairness numbers on hand-built fixtures small enough to check with pencil and paper.

import { describe, expect, it } from 'vitest';
import { fairness } from '../../src/evaluate/fairness.js';

const f64 = (a: number[]): Float64Array => Float64Array.from(a);

describe('fairness', () => {
  // Group A: y 1 1 0 0, predicted 1 1 1 0 -> selection 3/4, TPR 2/2, accuracy 3/4.
  // Group B: y 1 1 0 0, predicted 1 0 0 0 -> selection 1/4, TPR 1/2, accuracy 3/4.
  // Group C: y 0 0,     predicted 0 1     -> selection 1/2, TPR undefined (no positives).
  const binary = {
    column: 'region',
    groups: Int32Array.from([0, 0, 0, 0, 1, 1, 1, 1, 2, 2]),
    groupNames: ['A', 'B', 'C'],
    task: 'classification' as const,
    yTrue: f64([1, 1, 0, 0, 1, 1, 0, 0, 0, 0]),
    yPred: f64([1, 1, 1, 0, 1, 0, 0, 0, 0, 1]),
    classes: ['no', 'yes'],
  };

  it('when groups differ in selection and true-positive rates, then the parity gaps are max - min over groups', () => {
    const r = fairness({ ...binary, threshold: 0.1 });
    expect(r.groups.map((g) => [g.group, g.rows, g.selection_rate!['yes'], g.true_positive_rate!['yes'], g.metrics['accuracy']])).toEqual([
      ['A', 4, 0.75, 1, 0.75],
      ['B', 4, 0.25, 0.5, 0.75],
      ['C', 2, 0.5, null, 0.5],
    ]);
    expect(r.demographic_parity_difference).toEqual({ value: 0.5, class: 'yes', highest: 'A', lowest: 'B' });
    // C has no positive rows, so it has no true-positive rate and takes no part in this gap.
    expect(r.equal_opportunity_difference).toEqual({ value: 0.5, class: 'yes', highest: 'A', lowest: 'B' });
  });

  it('when a group falls more than the threshold below the best group, then it is flagged with the reason', () => {
    const low = fairness({ ...binary, threshold: 0.1 });
    expect(low.flagged.map((f) => f.group)).toEqual(['B', 'C']);
    expect(low.flagged[0]!.reasons).toEqual([
      'selection rate 0.250 is 0.500 below A (0.750), more than 0.1',
      'true-positive rate 0.500 is 0.500 below A (1.000), more than 0.1',
    ]);
    const high = fairness({ ...binary, threshold: 0.3 });
    expect(high.flagged).toEqual([{ group: 'B', reasons: [expect.stringContaining('selection rate 0.250'), expect.stringContaining('true-positive rate 0.500')] }]);
    expect(fairness({ ...binary, threshold: 0.5 }).flagged).toEqual([]); // a gap equal to the threshold is tolerated
  });

  it('when there are three classes, then each class is scored one-vs-rest and the largest gap names its class', () => {
    // X predicts perfectly; Y predicts class a for everything.
    const r = fairness({
      column: 'site',
      groups: Int32Array.from([0, 0, 0, 1, 1, 1]),
      groupNames: ['X', 'Y'],
      task: 'classification',
      yTrue: f64([0, 1, 2, 0, 1, 2]),
      yPred: f64([0, 1, 2, 0, 0, 0]),
      classes: ['a', 'b', 'c'],
      threshold: 0.1,
    });
    expect(r.demographic_parity_difference!.class).toBe('a');
    expect(r.demographic_parity_difference!.value).toBeCloseTo(2 / 3, 12);
    expect(r.demographic_parity_difference).toMatchObject({ highest: 'Y', lowest: 'X' });
    expect(r.equal_opportunity_difference).toEqual({ value: 1, class: 'b', highest: 'X', lowest: 'Y' });
    expect(r.groups[1]!.metrics['f1_macro']).toBeCloseTo(1 / 6, 12); // class a: p 1/3, r 1 -> f1 1/2; b and c: 0
  });

  it('when the task is regression, then groups get error metrics and no parity gaps', () => {
    const r = fairness({ column: 'g', groups: Int32Array.from([0, 0, 1, 1]), groupNames: ['p', 'q'], task: 'regression', yTrue: f64([1, 2, 3, 4]), yPred: f64([1, 2, 5, 2]), threshold: 0.1 });
    expect(r.groups.map((g) => [g.group, g.metrics['mae'], g.metrics['rmse']])).toEqual([['p', 0, 0], ['q', 2, 2]]);
    expect(r.demographic_parity_difference).toBeNull();
    expect(r.flagged).toEqual([]);
  });

  it('when inputs disagree in length or a code is out of range, then it throws naming the problem', () => {
    expect(() => fairness({ ...binary, yPred: f64([1]), threshold: 0.1 })).toThrow(/expected equal lengths/);
    expect(() => fairness({ ...binary, groups: Int32Array.from([0, 0, 0, 0, 1, 1, 1, 1, 2, 7]), threshold: 0.1 })).toThrow(/group code 7 at row 9/);
  });
});
