// Reading real files (vega-datasets) into Frames: types, missing values, overrides and errors.

import { mkdtempSync, writeFileSync, rmSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFrame, inspectColumns } from '../../src/data/read.js';
import { closeDuckDB } from '../../src/data/duckdb.js';
import { detectFormat, sqlIdent, sqlString } from '../../src/data/formats.js';
import { countMissing, type CategoricalColumn, type NumericColumn } from '../../src/data/frame.js';
import { SomaError } from '../../src/errors.js';

const VEGA = path.resolve('node_modules/vega-datasets/data');
const penguins = path.join(VEGA, 'penguins.json');
const cars = path.join(VEGA, 'cars.json');
const weather = path.join(VEGA, 'seattle-weather.csv');
const flights = path.join(VEGA, 'flights-3m.parquet');

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'soma-read-'));
});
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await closeDuckDB();
});

async function failure(p: Promise<unknown>): Promise<SomaError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(SomaError);
    return e as SomaError;
  }
  throw new Error('expected a SomaError');
}

describe('formats', () => {
  it('when the extension is known, then the format follows it', () => {
    expect(detectFormat('a/b.CSV')).toBe('csv');
    expect(detectFormat('x.csv.gz')).toBe('csv');
    expect(detectFormat('x.tsv')).toBe('tsv');
    expect(detectFormat('x.pq')).toBe('parquet');
    expect(detectFormat('x.jsonl')).toBe('ndjson');
    expect(detectFormat('x.ndjson')).toBe('ndjson');
    expect(detectFormat('x.json')).toBe('json');
    expect(detectFormat('x.txt', 'csv')).toBe('csv');
  });

  it('when the extension is unknown, then DATA_FORMAT names the file and the accepted extensions', () => {
    try {
      detectFormat('data/table.xlsx');
      throw new Error('no error');
    } catch (e) {
      expect((e as SomaError).code).toBe('DATA_FORMAT');
      expect((e as SomaError).message).toContain('data/table.xlsx');
      expect((e as SomaError).message).toContain('.parquet');
      expect((e as SomaError).exitCode).toBe(3);
    }
  });

  it('when names hold quotes, then SQL quoting doubles them', () => {
    expect(sqlIdent('Beak "Length" (mm)')).toBe('"Beak ""Length"" (mm)"');
    expect(sqlString("it's.csv")).toBe("'it''s.csv'");
  });
});

describe('readFrame', () => {
  it('when reading penguins.json, then measurements are numeric with NaN for missing and labels categorical', async () => {
    const f = await readFrame(penguins);
    expect(f.rows).toBe(344);
    expect(f.names).toEqual(['Species', 'Island', 'Beak Length (mm)', 'Beak Depth (mm)', 'Flipper Length (mm)', 'Body Mass (g)', 'Sex']);
    const species = f.column('Species') as CategoricalColumn;
    expect(species.type).toBe('categorical');
    expect([...species.dictionary].sort()).toEqual(['Adelie', 'Chinstrap', 'Gentoo']);
    expect(species.codes).toBeInstanceOf(Int32Array);
    const beak = f.column('Beak Length (mm)') as NumericColumn;
    expect(beak.type).toBe('numeric');
    expect(beak.values).toBeInstanceOf(Float64Array);
    expect(beak.values[0]).toBeCloseTo(39.1, 10);
    expect(Number.isNaN(beak.values[3]!)).toBe(true); // the 4th penguin has no measurements
    expect(countMissing(beak)).toBe(2);
    const sex = f.column('Sex') as CategoricalColumn;
    expect(countMissing(sex)).toBe(10);
  });

  it('when a string column has many distinct multi-word values, then it is text; short repeated labels stay categorical', async () => {
    const f = await readFrame(cars);
    expect(f.column('Name')!.type).toBe('text');
    expect(f.column('Origin')!.type).toBe('categorical');
    expect(f.column('Horsepower')!.type).toBe('numeric');
    expect(countMissing(f.column('Horsepower')!)).toBe(6);
  });

  it('when reading a CSV with dates, then they become epoch milliseconds (UTC)', async () => {
    const f = await readFrame(weather);
    expect(f.rows).toBe(1461);
    const date = f.column('date')!;
    expect(date.type).toBe('datetime');
    if (date.type !== 'datetime') throw new Error();
    expect(date.values[0]).toBe(Date.UTC(2012, 0, 1));
    expect(date.values[1460]).toBe(Date.UTC(2015, 11, 31));
    expect(f.column('weather')!.type).toBe('categorical');
  });

  it('when reading a Parquet prefix with limit, then types map and only those rows are read', async () => {
    const f = await readFrame(flights, { limit: 1000 });
    expect(f.rows).toBe(1000);
    expect(f.columns.map((c) => c.type)).toEqual(['datetime', 'numeric', 'numeric', 'categorical', 'categorical']);
  });

  it('when types override a column, then it is read with that type', async () => {
    const f = await readFrame(cars, { types: { Cylinders: 'categorical', Name: 'categorical', Year: 'text' } });
    const cyl = f.column('Cylinders') as CategoricalColumn;
    expect(cyl.type).toBe('categorical');
    expect([...cyl.dictionary].sort()).toEqual(['3', '4', '5', '6', '8']);
    expect(f.column('Name')!.type).toBe('categorical');
    expect(f.column('Year')!.type).toBe('text');
  });

  it('when columns are selected, then only they are returned, in that order', async () => {
    const f = await readFrame(penguins, { columns: ['Sex', 'Body Mass (g)'] });
    expect(f.names).toEqual(['Sex', 'Body Mass (g)']);
  });

  it('when selected or overridden columns are missing, then DATA_MISSING_COLUMN lists every one', async () => {
    const e = await failure(readFrame(penguins, { columns: ['Species', 'wingspan', 'colour'] }));
    expect(e.code).toBe('DATA_MISSING_COLUMN');
    expect(e.message).toContain('"wingspan"');
    expect(e.message).toContain('"colour"');
    expect(e.message).toContain('penguins.json');
    const e2 = await failure(readFrame(penguins, { types: { nope: 'numeric' } }));
    expect(e2.code).toBe('DATA_MISSING_COLUMN');
    expect(e2.message).toContain('"nope"');
  });

  it('when a numeric override meets text, then DATA_BAD_VALUE names file, column, data row and value', async () => {
    const f = path.join(dir, 'bad.csv');
    const lines = ['id,score,label'];
    for (let i = 1; i <= 30; i++) lines.push(`${i},${i % 3 === 0 ? '' : String(i * 1.5)},x${i}`);
    lines.push('31,twelve,x31');
    writeFileSync(f, lines.join('\n') + '\n');
    // Without an override the column is read as DuckDB sees it (strings): no error.
    expect((await readFrame(f)).column('score')!.type).toBe('categorical');
    const e = await failure(readFrame(f, { types: { score: 'numeric' } }));
    expect(e.code).toBe('DATA_BAD_VALUE');
    expect(e.message).toContain('bad.csv');
    expect(e.message).toContain('"score"');
    expect(e.message).toContain('row 31');
    expect(e.message).toContain('twelve');
    expect(e.details).toMatchObject({ column: 'score', row: 31, value: 'twelve' });
  });

  it('when a JSON string column is read as numeric, then DATA_BAD_VALUE points at the first row', async () => {
    const e = await failure(readFrame(penguins, { types: { Island: 'numeric' } }));
    expect(e.code).toBe('DATA_BAD_VALUE');
    expect(e.details).toMatchObject({ column: 'Island', row: 1, value: 'Torgersen' });
  });

  it('when a text value appears after the rows DuckDB sniffs, then without an override the column becomes categorical', async () => {
    const f = path.join(dir, 'late.csv');
    const lines = ['a,b'];
    for (let i = 0; i < 30_000; i++) lines.push(`${i},${i % 7}`);
    lines.push('oops,1');
    writeFileSync(f, lines.join('\n') + '\n');
    const frame = await readFrame(f);
    expect(frame.rows).toBe(30_001);
    expect(frame.column('b')!.type).toBe('numeric');
    expect(frame.column('a')!.type).not.toBe('numeric');
    const e = await failure(readFrame(f, { types: { a: 'numeric' } }));
    expect(e.code).toBe('DATA_BAD_VALUE');
    expect(e.details).toMatchObject({ row: 30_001, value: 'oops' });
  });

  it('when the file is missing, then DATA_NOT_FOUND names the path', async () => {
    const e = await failure(readFrame(path.join(dir, 'nowhere.csv')));
    expect(e.code).toBe('DATA_NOT_FOUND');
    expect(e.message).toContain('nowhere.csv');
  });

  it('when a .parquet file holds random bytes or is truncated, then DATA_UNREADABLE gives the file and one-line reason', async () => {
    const rnd = path.join(dir, 'random.parquet');
    const bytes = Buffer.alloc(4096);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7919 + 13) % 251;
    writeFileSync(rnd, bytes);
    const e = await failure(readFrame(rnd));
    expect(e.code).toBe('DATA_UNREADABLE');
    expect(e.message).toContain('random.parquet');
    expect(e.message).not.toContain('\n');
    const e2 = await failure(inspectColumns(rnd));
    expect(e2.code).toBe('DATA_UNREADABLE');
  });

  it('when the file is empty, then DATA_EMPTY', async () => {
    const f = path.join(dir, 'empty.csv');
    writeFileSync(f, '');
    expect((await failure(readFrame(f))).code).toBe('DATA_EMPTY');
    const h = path.join(dir, 'header-only.csv');
    writeFileSync(h, 'a,b\n');
    expect((await failure(readFrame(h))).code).toBe('DATA_EMPTY');
  });

  it('when given a glob, then every matching file is read; a glob matching nothing is DATA_NOT_FOUND', async () => {
    const g = path.join(dir, 'glob');
    rmSync(g, { recursive: true, force: true });
    const { mkdirSync } = await import('node:fs');
    mkdirSync(g);
    copyFileSync(weather, path.join(g, 'a.csv'));
    copyFileSync(weather, path.join(g, 'b.csv'));
    const f = await readFrame(path.join(g, '*.csv'));
    expect(f.rows).toBe(2 * 1461);
    const e = await failure(readFrame(path.join(g, '*.parquet')));
    expect(e.code).toBe('DATA_NOT_FOUND');
  });
});

describe('inspectColumns', () => {
  it('when inspecting files, then names and DuckDB types come back without reading rows', async () => {
    const cols = await inspectColumns(flights);
    expect(cols).toEqual([
      { name: 'date', duckdbType: 'TIMESTAMP' },
      { name: 'delay', duckdbType: 'BIGINT' },
      { name: 'distance', duckdbType: 'BIGINT' },
      { name: 'origin', duckdbType: 'VARCHAR' },
      { name: 'destination', duckdbType: 'VARCHAR' },
    ]);
    const p = await inspectColumns(penguins);
    expect(p.map((c) => c.name)).toContain('Beak Length (mm)');
  });
});
