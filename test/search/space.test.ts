import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/engine/random.js';
import { gridPoints } from '../../src/search/grid.js';
import { RandomSampler } from '../../src/search/random.js';
import { fromUnit, parseSpace, pointKey, toUnit } from '../../src/search/space.js';

const families = new Set(['gbdt', 'random_forest', 'logistic']);

describe('search space', () => {
  it('when the grammar is parsed, then each form becomes its dimension', () => {
    const s = parseSpace(
      { a: { uniform: [0, 1] }, b: { loguniform: [0.001, 1] }, c: { int: [2, 8] }, d: { choice: ['x', 'y'] }, e: [1, 2, 3], f: { int: [1, 1000], log: true } },
      [],
      families,
    );
    expect(s.dims.map((d) => [d.name, d.kind, 'log' in d ? d.log : null])).toEqual([
      ['a', 'float', false],
      ['b', 'float', true],
      ['c', 'int', false],
      ['d', 'categorical', null],
      ['e', 'categorical', null],
      ['f', 'int', true],
    ]);
  });

  it('when a spec is malformed, then the error names the key and what is accepted', () => {
    expect(() => parseSpace({ lr: { loguniform: [0, 1] } }, [], families)).toThrow(/search\.space\.lr: .*low > 0/);
    expect(() => parseSpace({ lr: { uniform: [1, 0] } }, [], families)).toThrow(/search\.space\.lr: .*not below/);
    expect(() => parseSpace({ lr: { normal: [0, 1] } }, [], families)).toThrow(/unknown distribution "normal"/);
    expect(() => parseSpace({ depth: { int: [1.5, 4] } }, [], families)).toThrow(/integer bounds/);
    expect(() => parseSpace({ random_forest: { max_depth: [3] } }, ['gbdt', 'logistic'], families)).toThrow(/not among model.type/);
  });

  it('when the grid has 2 x 3 points, then it enumerates exactly those 6 once each, first key slowest', () => {
    const s = parseSpace({ depth: [3, 6], lr: { choice: [0.01, 0.1, 0.3] } }, [], families);
    expect(gridPoints(s)).toEqual([
      { depth: 3, lr: 0.01 },
      { depth: 3, lr: 0.1 },
      { depth: 3, lr: 0.3 },
      { depth: 6, lr: 0.01 },
      { depth: 6, lr: 0.1 },
      { depth: 6, lr: 0.3 },
    ]);
  });

  it('when families compete, then the grid multiplies each family only by its own params and int ranges enumerate', () => {
    const s = parseSpace({ gbdt: { max_depth: { int: [2, 4] } }, logistic: { alpha: [0.1, 1] } }, ['gbdt', 'logistic'], families);
    const pts = gridPoints(s);
    expect(pts).toEqual([
      { 'model.type': 'gbdt', max_depth: 2 },
      { 'model.type': 'gbdt', max_depth: 3 },
      { 'model.type': 'gbdt', max_depth: 4 },
      { 'model.type': 'logistic', alpha: 0.1 },
      { 'model.type': 'logistic', alpha: 1 },
    ]);
  });

  it('when a grid has a continuous range, then it says to list values instead', () => {
    expect(() => gridPoints(parseSpace({ lr: { uniform: [0, 1] } }, [], families))).toThrow(/grid search needs a finite set/);
  });

  it('when random search draws 2000 points, then every value is within bounds and of its type, and log dims cover their decades evenly', () => {
    const s = parseSpace({ lr: { loguniform: [0.001, 1] }, depth: { int: [3, 10] }, sub: { uniform: [0.5, 1] }, kind: { choice: ['a', 'b', true] }, gbdt: { gamma: { uniform: [0, 5] } } }, ['gbdt', 'logistic'], families);
    const sampler = new RandomSampler(s);
    const decades = [0, 0, 0];
    const depths = new Set<number>();
    let gbdt = 0;
    for (let t = 0; t < 2000; t++) {
      const p = sampler.suggest([], new Rng(t), [], t);
      const lr = p['lr'] as number;
      expect(lr).toBeGreaterThanOrEqual(0.001);
      expect(lr).toBeLessThanOrEqual(1);
      decades[Math.min(2, Math.floor(Math.log10(lr) + 3))]!++;
      expect(Number.isInteger(p['depth'])).toBe(true);
      expect(p['depth']).toBeGreaterThanOrEqual(3);
      expect(p['depth']).toBeLessThanOrEqual(10);
      depths.add(p['depth'] as number);
      expect(p['sub']).toBeGreaterThanOrEqual(0.5);
      expect(p['sub']).toBeLessThanOrEqual(1);
      expect(['a', 'b', true]).toContain(p['kind']);
      expect(['gbdt', 'logistic']).toContain(p['model.type']);
      // A conditional param appears exactly when its family is drawn.
      expect('gamma' in p).toBe(p['model.type'] === 'gbdt');
      if (p['model.type'] === 'gbdt') gbdt++;
    }
    expect(depths.size).toBe(8);
    for (const d of decades) expect(d).toBeGreaterThan(560);
    expect(gbdt).toBeGreaterThan(900);
    expect(gbdt).toBeLessThan(1100);
  });

  it('when a value goes to the unit interval and back, then it comes back unchanged', () => {
    const s = parseSpace({ lr: { loguniform: [0.001, 1] }, n: { int: [1, 500], log: true }, c: ['x', 'y', 'z'] }, [], families);
    const [lr, n, c] = s.dims as [never, never, never];
    expect(fromUnit(lr, toUnit(lr, 0.05)) as number).toBeCloseTo(0.05, 12);
    for (const v of [1, 2, 17, 500]) expect(fromUnit(n, toUnit(n, v))).toBe(v);
    for (const v of ['x', 'y', 'z']) expect(fromUnit(c, toUnit(c, v))).toBe(v);
    expect(pointKey({ a: 1, b: 'x' })).toBe(pointKey({ b: 'x', a: 1 }));
    // The ends of the interval give the bounds exactly, never an ulp outside.
    const wide = parseSpace({ a: { loguniform: [0.001, 10] } }, [], families).dims[0]!;
    expect(fromUnit(wide, 0)).toBe(0.001);
    expect(fromUnit(wide, 1)).toBe(10);
  });
});
