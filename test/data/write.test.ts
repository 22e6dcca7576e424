// Writing Frames and reading them back: every format round-trips values and types; writes are
// atomic (abort or failure never leaves a file at the target).

import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Frame, numericValues, type Column } from '../../src/data/frame.js';
import { readFrame } from '../../src/data/read.js';
import { openFrameWriter, writeFrame } from '../../src/data/write.js';
import { closeDuckDB } from '../../src/data/duckdb.js';

const VEGA = path.resolve('node_modules/vega-datasets/data');
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'soma-write-'));
});
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await closeDuckDB();
});

/** Cell values as plain JS for comparison: numbers (NaN as null), strings, null. */
function cells(c: Column): (number | string | null)[] {
  switch (c.type) {
    case 'numeric':
    case 'datetime':
      return [...numericValues(c)].map((v) => (Number.isNaN(v) ? null : v));
    case 'categorical':
      return [...c.codes].map((k) => (k < 0 ? null : c.dictionary[k]!));
    case 'text':
      return [...c.values];
  }
}

function expectSameFrame(a: Frame, b: Frame): void {
  expect(b.names).toEqual(a.names);
  expect(b.rows).toBe(a.rows);
  for (const c of a.columns) {
    const d = b.column(c.name)!;
    expect(d.type, c.name).toBe(c.type);
    expect(cells(d), c.name).toEqual(cells(c));
  }
}

const tricky = new Frame([
  { type: 'numeric', name: 'Beak Length (mm)', values: Float64Array.from([39.1, NaN, -0.000123, 1e21, 3]) },
  { type: 'categorical', name: 'name, "quoted"', codes: Int32Array.from([0, 1, -1, 2, 0]), dictionary: ['plain', 'with,comma', 'with "quote"\nand newline'] },
  { type: 'datetime', name: 'when', values: Float64Array.from([Date.UTC(2020, 1, 29, 12, 30, 15, 250), NaN, 0, Date.UTC(1969, 6, 20), Date.UTC(2038, 0, 19)]) },
]);

describe('writeFrame', () => {
  for (const ext of ['csv', 'tsv', 'ndjson', 'json', 'parquet']) {
    it(`when a frame with missing values and awkward strings is written to .${ext}, then reading it back gives the same values`, async () => {
      const f = path.join(dir, `tricky.${ext}`);
      await writeFrame(f, tricky);
      const back = await readFrame(f, { types: { 'name, "quoted"': 'categorical' } });
      expectSameFrame(tricky, back);
    });
  }

  it('when penguins and weather round-trip through every format, then values are equal', async () => {
    const penguins = await readFrame(path.join(VEGA, 'penguins.json'));
    const weather = await readFrame(path.join(VEGA, 'seattle-weather.csv'));
    for (const ext of ['csv', 'tsv', 'ndjson', 'parquet']) {
      for (const [name, frame] of [['penguins', penguins], ['weather', weather]] as const) {
        const f = path.join(dir, `${name}.${ext}`);
        await writeFrame(f, frame);
        expectSameFrame(frame, await readFrame(f));
      }
    }
  });

  it('when writing CSV, then categoricals are strings, datetimes ISO and NaN empty', async () => {
    const f = path.join(dir, 'look.csv');
    await writeFrame(f, tricky.select(['Beak Length (mm)', 'when']));
    const lines = readFileSync(f, 'utf8').split('\n');
    expect(lines[0]).toBe('Beak Length (mm),when');
    expect(lines[1]).toBe('39.1,2020-02-29T12:30:15.250Z');
    expect(lines[2]).toBe(',');
  });

  it('when the extension is unknown, then DATA_FORMAT and nothing is written', async () => {
    await expect(writeFrame(path.join(dir, 'x.xlsx'), tricky)).rejects.toMatchObject({ code: 'DATA_FORMAT' });
    expect(existsSync(path.join(dir, 'x.xlsx'))).toBe(false);
  });
});

describe('openFrameWriter', () => {
  const chunk = (from: number, n: number): Frame =>
    new Frame([
      { type: 'numeric', name: 'id', values: Float64Array.from({ length: n }, (_, i) => from + i) },
      { type: 'categorical', name: 'label', codes: Int32Array.from({ length: n }, (_, i) => (from + i) % 2), dictionary: from % 4 === 0 ? ['even', 'odd'] : ['even', 'odd'] },
      { type: 'numeric', name: 'p', values: Float64Array.from({ length: n }, (_, i) => ((from + i) % 10) / 10) },
    ]);

  for (const ext of ['csv', 'ndjson', 'parquet']) {
    it(`when frames are appended to .${ext} and closed, then the file holds every row in order`, async () => {
      const f = path.join(dir, `stream.${ext}`);
      const w = await openFrameWriter(f);
      expect(existsSync(f)).toBe(false);
      for (let k = 0; k < 5; k++) await w.append(chunk(k * 1000, 1000));
      expect(existsSync(f)).toBe(false); // nothing visible before close
      await w.close();
      expect(w.rows).toBe(5000);
      const back = await readFrame(f);
      expect(back.rows).toBe(5000);
      const id = back.column('id')!;
      if (id.type !== 'numeric') throw new Error('id not numeric');
      expect(numericValues(id)[0]).toBe(0);
      expect(numericValues(id)[4999]).toBe(4999);
      expect(cells(back.column('label')!).slice(0, 3)).toEqual(['even', 'odd', 'even']);
      expect(readdirSync(dir).filter((n) => n.includes('.tmp-'))).toEqual([]);
    });
  }

  it('when a writer is aborted, then the target keeps its old content and no temp file remains', async () => {
    for (const ext of ['csv', 'parquet']) {
      const f = path.join(dir, `keep.${ext}`);
      writeFileSync(f, 'old');
      const w = await openFrameWriter(f);
      await w.append(chunk(0, 100));
      await w.abort();
      expect(readFileSync(f, 'utf8')).toBe('old');
      expect(readdirSync(dir).filter((n) => n.includes('.tmp-'))).toEqual([]);
    }
  });

  it('when an appended frame has other columns, then append fails and nothing is left behind', async () => {
    const f = path.join(dir, 'mismatch.csv');
    const w = await openFrameWriter(f);
    await w.append(chunk(0, 10));
    await expect(w.append(chunk(0, 10).select(['id']))).rejects.toThrow(/differ/);
    await w.abort();
    expect(existsSync(f)).toBe(false);
    expect(readdirSync(dir).filter((n) => n.includes('.tmp-'))).toEqual([]);
  });
});
