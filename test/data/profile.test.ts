// Column profiles: a hand-built frame with known answers, and the penguins data.

import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Frame } from '../../src/data/frame.js';
import { profileFrame, renderProfile } from '../../src/data/profile.js';
import { readFrame } from '../../src/data/read.js';
import { closeDuckDB } from '../../src/data/duckdb.js';

afterAll(async () => {
  await closeDuckDB();
});

describe('profileFrame', () => {
  const frame = new Frame([
    { type: 'numeric', name: 'x', values: Float64Array.from([1, 2, NaN, 3, 3]) },
    { type: 'categorical', name: 'c', codes: Int32Array.from([0, 1, 1, -1, 1]), dictionary: ['a', 'b'] },
    { type: 'text', name: 't', values: ['hello world', null, 'hello world', 'bye', null] },
    { type: 'datetime', name: 'd', values: Float64Array.from([Date.UTC(2020, 0, 1), NaN, NaN, NaN, Date.UTC(2021, 0, 1)]) },
  ]);

  it('when profiling numeric columns, then missing, unique, min, max, mean and std are exact', () => {
    const [x] = profileFrame(frame);
    expect(x).toMatchObject({ name: 'x', type: 'numeric', rows: 5, missing: 1, missing_share: 0.2, unique: 3, min: 1, max: 3, mean: 2.25 });
    expect(x!.std).toBeCloseTo(Math.sqrt((1.5625 + 0.0625 + 0.5625 + 0.5625) / 4), 12);
  });

  it('when a long numeric column repeats values, then unique counts each once (-0 and +0 as one, missing not at all)', () => {
    const v = Float64Array.from({ length: 5000 }, (_, i) => (i % 11 === 0 ? NaN : i % 13 === 0 ? -0 : (i % 700) - 350.5));
    const want = new Set(Array.from(v).filter((x) => x === x).map((x) => (x === 0 ? 0 : x))).size;
    const [p] = profileFrame(new Frame([{ type: 'numeric', name: 'v', values: v }]));
    expect(p).toMatchObject({ rows: 5000, missing: Array.from(v).filter((x) => x !== x).length, unique: want });
    expect(want).toBe(701);
  });

  it('when profiling categorical and text columns, then top values are counted, most frequent first', () => {
    const p = profileFrame(frame);
    expect(p[1]).toMatchObject({ missing: 1, unique: 2, top: [{ value: 'b', count: 3 }, { value: 'a', count: 1 }] });
    expect(p[2]).toMatchObject({ type: 'text', missing: 2, unique: 2, top: [{ value: 'hello world', count: 2 }, { value: 'bye', count: 1 }] });
    expect(p[3]).toMatchObject({ type: 'datetime', missing: 3, min: Date.UTC(2020, 0, 1), max: Date.UTC(2021, 0, 1) });
  });

  it('when rendered, then the table has one aligned row per column', () => {
    const text = renderProfile(profileFrame(frame));
    const lines = text.trimEnd().split('\n');
    expect(lines[0]).toBe('5 rows, 4 columns');
    expect(lines).toHaveLength(3 + 4);
    // the "type" column starts at the same offset on every row
    const at = lines[1]!.indexOf('type');
    for (const l of lines.slice(3)) expect(l.slice(at).split(/\s+/)[0]).toMatch(/^(numeric|categorical|text|datetime)$/);
    expect(text).toContain('2020-01-01');
    expect(text).toContain('b (3)');
  });

  it('when profiling penguins, then the numbers match the data set', async () => {
    const f = await readFrame(path.resolve('node_modules/vega-datasets/data/penguins.json'));
    const p = profileFrame(f);
    const mass = p.find((c) => c.name === 'Body Mass (g)')!;
    expect(mass).toMatchObject({ rows: 344, missing: 2, min: 2700, max: 6300 });
    expect(mass.mean).toBeCloseTo(4201.754, 2);
    const species = p.find((c) => c.name === 'Species')!;
    expect(species.top).toEqual([{ value: 'Adelie', count: 152 }, { value: 'Gentoo', count: 124 }, { value: 'Chinstrap', count: 68 }]);
    expect(JSON.parse(JSON.stringify(p))).toEqual(p);
  });
});
