import { describe, expect, it } from 'vitest';
import { Frame } from '../../src/data/frame.js';
import { foldKind } from '../../src/data/folds.js';
import { foldOptions, type CvSettings } from '../../src/search/cv.js';

const dev = new Frame([
  { type: 'categorical', name: 'y', codes: Int32Array.from([0, 1, 0, 1, 1, 0]), dictionary: ['a', 'b'] },
  { type: 'text', name: 'user', values: ['u1', 'u2', 'u1', null, 'u3', null] },
  { type: 'numeric', name: 'when', values: Float64Array.from([5, 4, 3, 2, 1, 0]) },
]);
const cv = (over: Partial<CvSettings>): CvSettings => ({ folds: 3, seed: 7, shuffle: true, stratify: true, groups: undefined, time: undefined, ...over });

describe('foldOptions', () => {
  it('when a time column is given, then folds follow it, whatever else is set', () => {
    const o = foldOptions(dev, cv({ time: 'when', groups: 'user' }), true, 'y');
    expect(foldKind(o)).toBe('time');
    expect(Array.from(o.times!)).toEqual([5, 4, 3, 2, 1, 0]);
    expect(o).toMatchObject({ folds: 3, seed: 7, shuffle: true });
  });

  it('when groups are given, then equal values share a code and missing values share one too', () => {
    const o = foldOptions(dev, cv({ groups: 'user' }), true, 'y');
    expect(Array.from(o.groups!)).toEqual([0, 1, 0, 2, 3, 2]);
  });

  it('when the task stratifies, then folds are stratified by the target; otherwise they are not', () => {
    expect(Array.from(foldOptions(dev, cv({}), true, 'y').stratify!)).toEqual([0, 1, 0, 1, 1, 0]);
    expect(foldKind(foldOptions(dev, cv({}), false, 'when'))).toBe('kfold');
  });

  it('when the cv column is missing or of the wrong type, then the error names search.cv and the column', () => {
    expect(() => foldOptions(dev, cv({ time: 'user' }), true, 'y')).toThrow(/search\.cv\.time: column "user" is text \(expected datetime or numeric\)/);
    expect(() => foldOptions(dev, cv({ groups: 'nope' }), true, 'y')).toThrow(/search\.cv\.groups: column "nope" not found \(columns: y, user, when\)/);
  });
});
