// Type inference users can trust, on real files: dates as people write them (vega's stocks and
// movies), a format named in data.types, a sampled guess contradicted later in the file, and
// columns that identify rows.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFrame, readFrameChunks } from '../../src/data/read.js';
import { closeDuckDB } from '../../src/data/duckdb.js';
import { Frame, numericValues, type DatetimeColumn } from '../../src/data/frame.js';
import { identifierColumns } from '../../src/data/identifiers.js';
import { SomaError } from '../../src/errors.js';

const VEGA = path.resolve('test/fixtures/vega');

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'soma-infer-'));
});
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await closeDuckDB();
});

describe('dates as people write them', () => {
  it('when vega stocks.csv dates read "Jan 1 2000", then the column is datetime, parsed with its format', async () => {
    const f = await readFrame(path.join(VEGA, 'stocks.csv'));
    const date = f.column('date') as DatetimeColumn;
    expect(date.type).toBe('datetime');
    expect(date.format).toBe('%b %d %Y');
    expect(date.values[0]).toBe(Date.UTC(2000, 0, 1));
    expect(date.values[1]).toBe(Date.UTC(2000, 1, 1));
  });

  it('when vega movies release dates read "Jun 12 1998" (JSON), then they are datetimes, not hundreds of categories', async () => {
    const f = await readFrame(path.join(VEGA, 'movies-400.json'));
    const released = f.column('Release Date') as DatetimeColumn;
    expect(released.type).toBe('datetime');
    expect(released.values[0]).toBe(Date.UTC(1998, 5, 12));
    expect(Number.isNaN(released.values[1]!)).toBe(false);
  });

  it('when the chunked reader is given the format (a model contract), then it parses the strings alike', async () => {
    const chunks: Frame[] = [];
    for await (const c of readFrameChunks(path.join(VEGA, 'stocks.csv'), { schema: [{ name: 'date', type: 'datetime', format: '%b %d %Y' }], chunkRows: 100 })) chunks.push(c);
    expect(chunks.reduce((n, c) => n + c.rows, 0)).toBe(560);
    expect((chunks[0]!.column('date') as DatetimeColumn).values[0]).toBe(Date.UTC(2000, 0, 1));
  });

  it('when data.types names a format, then the column is read with it, and a value that does not fit is named by row', async () => {
    const p = path.join(dir, 'day-first.csv');
    writeFileSync(p, 'when,v\n31/12/1999,1\n01/02/2000,2\n');
    const f = await readFrame(p, { types: { when: 'datetime' }, formats: { when: '%d/%m/%Y' } });
    expect(Array.from((f.column('when') as DatetimeColumn).values)).toEqual([Date.UTC(1999, 11, 31), Date.UTC(2000, 1, 1)]);
    writeFileSync(p, 'when,v\n31/12/1999,1\nsoon,2\n');
    let error: unknown;
    try {
      await readFrame(p, { types: { when: 'datetime' }, formats: { when: '%d/%m/%Y' } });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SomaError);
    expect((error as SomaError).code).toBe('DATA_BAD_VALUE');
    expect((error as SomaError).message).toMatch(/column "when" row 2: "soon" is not a valid date\/time in the format %d\/%m\/%Y/);
  });

  it('when a sampled date column has a value far down that is no date, then the column is read as strings instead of failing', async () => {
    const lines = ['when,v'];
    for (let i = 0; i < 5000; i++) lines.push(`Jan ${(i % 28) + 1} 2000,${i}`);
    lines.push('not a date,5000');
    const p = path.join(dir, 'late.csv');
    writeFileSync(p, `${lines.join('\n')}\n`);
    const f = await readFrame(p);
    expect(f.rows).toBe(5001);
    expect(f.column('when')!.type).toBe('categorical');
  });

  it('when strings are month names or codes, then they stay categorical', async () => {
    const p = path.join(dir, 'months.csv');
    writeFileSync(p, 'm,code\nJan,A1\nFeb,B2\nMar,C3\n');
    const f = await readFrame(p);
    expect(f.columns.map((c) => c.type)).toEqual(['categorical', 'categorical']);
  });
});

describe('identifierColumns', () => {
  const n = 30;
  const ints = (f: (i: number) => number) => Float64Array.from({ length: n }, (_, i) => f(i));

  it('when a column holds unique integers in row order or a different category per row, then it is an identifier', () => {
    const frame = new Frame([
      { type: 'numeric', name: 'row', values: ints((i) => i + 1) },
      { type: 'numeric', name: 'key', values: ints((i) => 1000 + 7 * i) },
      { type: 'categorical', name: 'code', codes: Int32Array.from({ length: n }, (_, i) => i), dictionary: Array.from({ length: n }, (_, i) => `P${i}`) },
      { type: 'numeric', name: 'x', values: ints((i) => (i * 37) % 11) },
      { type: 'numeric', name: 'shuffled', values: ints((i) => (i * 7) % n) },
      { type: 'numeric', name: 'measure', values: ints((i) => i + 0.5) },
    ]);
    expect(identifierColumns(frame, ['key'])).toEqual([
      { name: 'row', why: 'unique integers in row order' },
      { name: 'code', why: 'a different value in every row' },
    ]);
  });

  it('when the table is tiny or a value repeats or is missing, then nothing is an identifier', () => {
    expect(identifierColumns(new Frame([{ type: 'numeric', name: 'row', values: Float64Array.from([1, 2, 3]) }]))).toEqual([]);
    const withGap = ints((i) => i);
    withGap[4] = NaN;
    expect(identifierColumns(new Frame([{ type: 'numeric', name: 'row', values: withGap }]))).toEqual([]);
  });

  it('when the rows of a real file are numbered, then that column is found', async () => {
    const f = await readFrame(path.resolve('examples/penguins/penguins.csv'));
    const numbered = new Frame([{ type: 'numeric', name: 'row', values: Float64Array.from({ length: f.rows }, (_, i) => i) }, ...f.columns]);
    expect(identifierColumns(numbered, ['Species']).map((c) => c.name)).toEqual(['row']);
    expect(identifierColumns(f, ['Species'])).toEqual([]);
    expect(numericValues(numbered.column('row') as never).length).toBe(344);
  });
});
