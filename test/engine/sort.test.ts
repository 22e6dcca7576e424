import { describe, expect, it } from 'vitest';
import { sortFloats } from '../../src/engine/sort.js';
import { Rng } from '../../src/engine/random.js';

describe('sortFloats', () => {
  it('when doubles of every sign and size are sorted, then the order equals TypedArray sort, -0 before +0', () => {
    const rng = new Rng(3);
    const special = [0, -0, 1e-310, -1e-310, Number.MAX_VALUE, -Number.MAX_VALUE, Infinity, -Infinity, 1, -1];
    const v = Float64Array.from({ length: 5000 }, (_, i) => (i < special.length ? special[i]! : rng.next() < 0.2 ? Math.floor(rng.normal() * 3) : rng.normal() * 10 ** rng.int(20)));
    const want = Float64Array.from(v).sort();
    const got = sortFloats(Float64Array.from(v), new Float64Array(v.length));
    expect(Array.from(got, (x) => (Object.is(x, -0) ? '-0' : String(x)))).toEqual(Array.from(want, (x) => (Object.is(x, -0) ? '-0' : String(x))));
  });
});
