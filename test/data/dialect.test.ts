// CSV dialects and the files real users have: whitespace-separated scikit-learn files, a header
// that is data (iris, Boston), missing-value tokens, user options, and Arrow IPC.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tableFromArrays, tableToIPC } from 'apache-arrow';
import { inspectColumns, readFrame, readFrameChunks } from '../../src/data/read.js';
import { closeDuckDB } from '../../src/data/duckdb.js';
import { checkCsvOptions, headerWarning, sniffDialect, sniffWhitespace, sniffWide } from '../../src/data/dialect.js';
import { countMissingTokens, renderMissingTokens } from '../../src/data/missing-tokens.js';
import { countMissing, numericValues, type CategoricalColumn, type NumericColumn } from '../../src/data/frame.js';
import { writeFrame } from '../../src/data/write.js';
import { SomaError } from '../../src/errors.js';

const SKLEARN = path.resolve('test/fixtures/sklearn');
const VEGA = path.resolve('node_modules/vega-datasets/data');
const penguinsCsv = path.resolve('examples/penguins/penguins.csv');

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'soma-dialect-'));
});
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await closeDuckDB();
});

async function failure(p: Promise<unknown>): Promise<SomaError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof SomaError) return e;
    throw e;
  }
  throw new Error('expected a SomaError');
}

describe('sniffWhitespace', () => {
  it('when fields are separated by single spaces and no known delimiter explains the lines, then it is single', () => {
    expect(sniffWhitespace(['Chins Situps Jumps', '5 162 60', '2 110 60'], '"')).toBe('single');
  });

  it('when columns are aligned with runs of blanks, then it is runs', () => {
    expect(sniffWhitespace(['  a    b', '  1    2', ' 10   20'], '"')).toBe('runs');
  });

  it('when a comma or tab splits every line alike, then it is left to DuckDB', () => {
    expect(sniffWhitespace(['a,b c', '1,2 3'], '"')).toBeUndefined();
    expect(sniffWhitespace(['a b\tc', '1 2\t3'], '"')).toBeUndefined();
    expect(sniffWhitespace(['one column'], '"')).toBe('single');
    expect(sniffWhitespace(['a b', 'c'], '"')).toBeUndefined();
  });
});

describe('sniffWide', () => {
  const header = (n: number, d: string): string => Array.from({ length: n }, (_, i) => `f${i}`).join(d);
  it('when the first line has thousands of fields on one delimiter, then that delimiter is named, even when the line is cut', () => {
    expect(sniffWide([header(1500, ',')], '"')).toBe(',');
    expect(sniffWide([header(1200, '\t'), header(1200, '\t'), header(300, '\t')], '"')).toBe('\t');
  });

  it('when the line is narrow, full lines disagree or commas are inside quotes, then DuckDB sniffs', () => {
    expect(sniffWide([header(999, ',')], '"')).toBeUndefined();
    expect(sniffWide([header(1200, ','), header(1100, ','), 'x'], '"')).toBeUndefined();
    expect(sniffWide([`a,"${header(2000, ',')}"`], '"')).toBeUndefined();
  });
});

describe('wide files', () => {
  it('when a file has 3,000 columns, then soma names the comma itself and reads every column and type as DuckDB would', async () => {
    const width = 3000;
    const names = Array.from({ length: width }, (_, j) => (j === 0 ? 'label' : `x${j}`));
    const rows = Array.from({ length: 6 }, (_, i) => names.map((_, j) => (j === 0 ? ['a', 'b'][i % 2] : j === 7 && i === 2 ? '?' : String(i * j + 0.5))).join(','));
    const file = path.join(dir, 'wide.csv');
    writeFileSync(file, [names.join(','), ...rows].join('\n') + '\n');
    const d = await sniffDialect(file, 'csv');
    expect(d.delimiter).toBe(',');
    expect(d.delimiterFrom).toBe('sniffed');
    expect([d.quote, d.escape]).toEqual(['"', '"']);
    const f = await readFrame(file);
    expect(f.names).toEqual(names);
    expect(f.rows).toBe(6);
    expect(f.column('label')!.type).toBe('categorical');
    expect(f.columns.slice(1).every((c) => c.type === 'numeric')).toBe(true);
    expect(countMissing(f.column('x7')!)).toBe(1);
    expect(numericValues(f.column('x2999') as NumericColumn)[1]).toBe(2999.5);
  });
});

describe('headerWarning', () => {
  it('when header names are numbers or generated beside real ones, then it warns naming skip_rows', () => {
    expect(headerWarning('iris.csv', ['150', '4', 'setosa', 'versicolor', 'virginica'])).toMatch(/iris\.csv: the header row looks like data \(column names "150", "4" are numbers\).*skip_rows/);
    expect(headerWarning('b.csv', ['CRIM', 'column01'])).toMatch(/columns "column01" have no name/);
  });

  it('when the names are real or all generated (no header), then there is nothing to say', () => {
    expect(headerWarning('a.csv', ['Chins', 'Situps'])).toBeUndefined();
    expect(headerWarning('a.csv', ['column0', 'column1'])).toBeUndefined();
  });
});

describe('checkCsvOptions', () => {
  it('when an option is out of range, then CONFIG_INVALID names the data.csv key, the value and what is accepted', () => {
    expect(() => checkCsvOptions({ delimiter: ';;' })).toThrow(/data\.csv\.delimiter: ";;" \(expected one character/);
    expect(() => checkCsvOptions({ skipRows: -1 })).toThrow(/data\.csv\.skip_rows: -1 \(expected an integer >= 0\)/);
    expect(() => checkCsvOptions({ delimiter: 'whitespace', comment: '#' })).not.toThrow();
  });
});

describe('whitespace-separated files', () => {
  it('when scikit-learn linnerud (single spaces) is read, then it has three numeric columns named by its header', async () => {
    const f = await readFrame(path.join(SKLEARN, 'linnerud_exercise.csv'));
    expect(f.names).toEqual(['Chins', 'Situps', 'Jumps']);
    expect(f.rows).toBe(20);
    expect(f.columns.map((c) => c.type)).toEqual(['numeric', 'numeric', 'numeric']);
    expect(Array.from(numericValues(f.column('Situps') as NumericColumn)).slice(0, 3)).toEqual([162, 110, 101]);
  });

  it('when the gzipped diabetes file (spaces, no header) is read, then it has ten numeric columns of 442 rows', async () => {
    const f = await readFrame(path.join(SKLEARN, 'diabetes_data_raw.csv.gz'));
    expect(f.rows).toBe(442);
    expect(f.names).toEqual(Array.from({ length: 10 }, (_, i) => `column${i}`));
    expect(f.columns.every((c) => c.type === 'numeric')).toBe(true);
    expect(numericValues(f.column('column0') as NumericColumn)[0]).toBe(59);
  });

  it('when columns are aligned with runs of blanks, then each field is its own column, numbers numeric and ? missing', async () => {
    const p = path.join(dir, 'aligned.csv');
    writeFileSync(p, '  name    x     y\n  a     1.5   10\n  bb   -2     ?\n  c     3.25  30\n');
    const f = await readFrame(p);
    expect(f.names).toEqual(['name', 'x', 'y']);
    expect(f.columns.map((c) => c.type)).toEqual(['categorical', 'numeric', 'numeric']);
    expect(Array.from(numericValues(f.column('x') as NumericColumn))).toEqual([1.5, -2, 3.25]);
    expect(countMissing(f.column('y')!)).toBe(1);
    // The chunked reader (predict) reads it alike.
    const chunks = [];
    for await (const c of readFrameChunks(p, { schema: [{ name: 'x', type: 'numeric' }, { name: 'y', type: 'numeric' }] })) chunks.push(c);
    expect(Array.from(numericValues(chunks[0]!.column('x') as NumericColumn))).toEqual([1.5, -2, 3.25]);
  });

  it('when whitespace is asked for explicitly, then a file DuckDB would split on commas is split on blanks', async () => {
    const p = path.join(dir, 'blank-commas.csv');
    writeFileSync(p, 'a,b c\n1,2 3\n4,5 6\n');
    const f = await readFrame(p, { csv: { delimiter: 'whitespace' } });
    expect(f.names).toEqual(['a,b', 'c']);
  });
});

describe('headers that are data', () => {
  it('when iris.csv (a line of counts as its header) is read, then the reader warns naming skip_rows', async () => {
    const warnings: string[] = [];
    await readFrame(path.join(SKLEARN, 'iris.csv'), { onWarning: (w) => warnings.push(w) });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/the header row looks like data \(column names "150", "4" are numbers\).*data\.csv\.skip_rows: 1/);
  });

  it('when the Boston file is read with skip_rows 1, then its real header names 14 numeric columns of 506 rows, without a warning', async () => {
    const file = path.join(SKLEARN, 'boston_house_prices.csv');
    const warned: string[] = [];
    const raw = await readFrame(file, { onWarning: (w) => warned.push(w) });
    expect(warned).toHaveLength(1);
    expect(raw.column('13')!.type).toBe('categorical'); // the real header became a data row
    const quiet: string[] = [];
    const f = await readFrame(file, { csv: { skipRows: 1 }, onWarning: (w) => quiet.push(w) });
    expect(quiet).toEqual([]);
    expect(f.rows).toBe(506);
    expect(f.names.slice(0, 3)).toEqual(['CRIM', 'ZN', 'INDUS']);
    expect(f.columns.every((c) => c.type === 'numeric')).toBe(true);
    expect((await inspectColumns(file, undefined, { skipRows: 1 }))[13]).toMatchObject({ name: 'MEDV' });
  });

  it('when header: false is given, then the first line is data and the columns are column0, column1, ...', async () => {
    const f = await readFrame(path.join(SKLEARN, 'linnerud_physiological.csv'), { csv: { header: false } });
    expect(f.rows).toBe(21);
    expect(f.names).toEqual(['column0', 'column1', 'column2']);
  });
});

describe('missing-value tokens', () => {
  /** The real penguins file with its missing cells written as `?` (as the copy had them). */
  function penguinsWithQuestionMarks(): string {
    const text = readFileSync(penguinsCsv, 'utf8')
      .split('\n')
      .map((line, i) => (i === 0 || line === '' ? line : line.split(',').map((v) => (v === '' ? '?' : v)).join(',')))
      .join('\n');
    const p = path.join(dir, 'penguins-q.csv');
    writeFileSync(p, text);
    return p;
  }

  it('when missing values are written as ?, then numeric columns stay numeric and the ? cells are missing, as in the original', async () => {
    const original = await readFrame(penguinsCsv);
    const q = await readFrame(penguinsWithQuestionMarks());
    for (const c of original.columns) {
      expect(q.column(c.name)!.type, c.name).toBe(c.type);
      expect(countMissing(q.column(c.name)!), c.name).toBe(countMissing(c));
    }
    expect((q.column('Sex') as CategoricalColumn).dictionary).not.toContain('?');
  });

  it('when profiled, then the cells each token replaced are counted per column', async () => {
    const counts = await countMissingTokens(penguinsWithQuestionMarks());
    expect(counts).toEqual({
      'Beak Length (mm)': { '?': 2 },
      'Beak Depth (mm)': { '?': 2 },
      'Flipper Length (mm)': { '?': 2 },
      'Body Mass (g)': { '?': 2 },
      Sex: { '?': 10 },
    });
    expect(renderMissingTokens(counts!)).toEqual(['"?": 18 cells (Sex 10, Beak Length (mm) 2, Beak Depth (mm) 2, Flipper Length (mm) 2, Body Mass (g) 2)']);
    expect(await countMissingTokens(path.join(VEGA, 'penguins.json'))).toBeUndefined();
  });

  it('when every common token appears, then each reads as missing and is counted under its own spelling', async () => {
    const p = path.join(dir, 'tokens.csv');
    writeFileSync(p, 'x,y\n1,a\n?,b\n-,c\nNA,d\nN/A,e\nnull,f\n,g\n8,h\n');
    const f = await readFrame(p);
    expect(f.column('x')!.type).toBe('numeric');
    expect(countMissing(f.column('x')!)).toBe(6);
    expect(await countMissingTokens(p)).toEqual({ x: { '': 1, NA: 1, 'N/A': 1, null: 1, '?': 1, '-': 1 } });
  });

  it('when na_values is given, then it replaces the default list', async () => {
    const p = path.join(dir, 'custom-na.csv');
    writeFileSync(p, 'x,y\n1,?\n-999,b\n3,c\n');
    const f = await readFrame(p, { csv: { naValues: ['-999'] } });
    expect(countMissing(f.column('x')!)).toBe(1);
    expect((f.column('y') as CategoricalColumn).dictionary).toContain('?');
  });

  it('when a delimiter, quote and comment are given, then the file is read with them', async () => {
    const p = path.join(dir, 'semi.csv');
    writeFileSync(p, "# exported by hand\na;b\n'x;y';2\n'z';3\n");
    const f = await readFrame(p, { csv: { delimiter: ';', quote: "'", comment: '#' } });
    expect(f.names).toEqual(['a', 'b']);
    expect((f.column('a') as CategoricalColumn).dictionary).toEqual(['x;y', 'z']);
  });
});

describe('Arrow IPC', () => {
  it('when vega flights-200k.arrow is read, then it reads like the Parquet file: 200000 rows of numeric delay, distance and time', async () => {
    const f = await readFrame(path.join(VEGA, 'flights-200k.arrow'));
    expect(f.rows).toBe(200_000);
    expect(f.columns.map((c) => [c.name, c.type])).toEqual([
      ['delay', 'numeric'],
      ['distance', 'numeric'],
      ['time', 'numeric'],
    ]);
    const delay = numericValues(f.column('delay') as NumericColumn);
    expect(delay.reduce((s, v) => s + v, 0) / f.rows).toBeCloseTo(7.500795, 5);
    const limited = await readFrame(path.join(VEGA, 'flights-200k.arrow'), { columns: ['time'], limit: 10 });
    expect(limited.names).toEqual(['time']);
    expect(limited.rows).toBe(10);
  });

  it('when an Arrow file holds strings, dictionary strings, booleans, timestamps and nulls, then each gets its soma type', async () => {
    const p = path.join(dir, 'mixed.arrow');
    const table = tableFromArrays({
      name: ['a', 'b', null, 'a'],
      n: Float64Array.from([1.5, NaN, 3, 4]),
      flag: [true, false, true, null],
      at: [new Date(Date.UTC(2020, 0, 1)), new Date(Date.UTC(2020, 5, 1, 12)), null, new Date(Date.UTC(2021, 0, 1))],
    });
    writeFileSync(p, tableToIPC(table, 'file'));
    const f = await readFrame(p);
    expect(f.columns.map((c) => c.type)).toEqual(['categorical', 'numeric', 'categorical', 'datetime']);
    expect(countMissing(f.column('name')!)).toBe(1);
    expect(countMissing(f.column('n')!)).toBe(1);
    expect(Array.from(numericValues(f.column('at') as NumericColumn)).slice(0, 2)).toEqual([Date.UTC(2020, 0, 1), Date.UTC(2020, 5, 1, 12)]);
    // Types can be overridden as for any file, and a bad value is named by row.
    const asText = await readFrame(p, { types: { n: 'categorical' } });
    expect(asText.column('n')!.type).toBe('categorical');
    const bad = await failure(readFrame(p, { types: { name: 'numeric' } }));
    expect(bad.code).toBe('DATA_BAD_VALUE');
    expect(bad.message).toMatch(/column "name" row 1: "a" is not a valid number/);
  });

  it('when a predictions file is asked for in Arrow, then the writer refuses it naming Parquet', async () => {
    const f = await readFrame(path.join(SKLEARN, 'linnerud_exercise.csv'));
    const e = await failure(writeFrame(path.join(dir, 'out.arrow'), f));
    expect(e.code).toBe('DATA_FORMAT');
    expect(e.hint).toMatch(/Parquet/);
  });
});
