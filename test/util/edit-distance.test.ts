import { describe, expect, it } from 'vitest';
import { editDistance } from '../../src/util/edit-distance.js';

describe('editDistance', () => {
  it('when strings differ by inserts, deletes and substitutions, then each costs one', () => {
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('abc', '')).toBe(3);
    expect(editDistance('same', 'same')).toBe(0);
  });

  it('when two adjacent characters are swapped, then that is one edit, not two', () => {
    expect(editDistance('acuracy', 'accuracy')).toBe(1);
    expect(editDistance('f1_marco', 'f1_macro')).toBe(1);
    expect(editDistance('ab', 'ba')).toBe(1);
  });
});
