import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/engine/random.js';
import { latinHypercube } from '../../src/search/latin-hypercube.js';

describe('latinHypercube', () => {
  it('when n points are laid out in d dimensions, then every axis has exactly one point in each of its n slices', () => {
    const n = 17;
    const rows = latinHypercube(n, 4, new Rng(3));
    expect(rows).toHaveLength(n);
    for (let k = 0; k < 4; k++) {
      const slices = rows.map((r) => Math.floor(r[k]! * n)).sort((a, b) => a - b);
      expect(slices).toEqual(Array.from({ length: n }, (_, i) => i));
      for (const r of rows) expect(r[k]!).toBeGreaterThanOrEqual(0);
    }
  });

  it('when the seed repeats, then the design repeats; another seed gives another design', () => {
    const a = latinHypercube(8, 3, new Rng(11));
    expect(latinHypercube(8, 3, new Rng(11))).toEqual(a);
    expect(latinHypercube(8, 3, new Rng(12))).not.toEqual(a);
  });
});
