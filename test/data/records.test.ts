// Records and columns in memory: the Frame is the one the NDJSON reader gives for the same records
// (real DuckDB, bit for bit), and every error reads as the file reader's does, with "records" in
// place of the file's path.

import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CSV_NULL_STRINGS } from '../../src/data/checks.js';
import { closeDuckDB } from '../../src/data/duckdb.js';
import { Frame, type Column } from '../../src/data/frame.js';
import { readFrameChunks, type SchemaColumn } from '../../src/data/read.js';
import { frameFromColumns, frameFromRecords } from '../../src/data/records.js';
import { SomaError } from '../../src/errors.js';
import type { JsonObject, JsonValue } from '../../src/util/json.js';
import { tempDir } from '../helpers/cli.js';

afterAll(async () => {
  await closeDuckDB();
});

const dir = tempDir('soma-records-');

/** What the chunked file reader makes of the same records written as NDJSON. */
async function viaFile(records: readonly JsonObject[], schema: readonly SchemaColumn[], passThrough: string[] = [], name = 'rows.ndjson'): Promise<{ frame?: Frame; error?: SomaError; file: string }> {
  const file = path.join(dir, name);
  writeFileSync(file, records.map((r) => JSON.stringify(r)).join('\n') + '\n');
  try {
    const frames: Frame[] = [];
    for await (const f of readFrameChunks(file, { schema, passThrough, chunkRows: Infinity })) frames.push(f);
    return { frame: frames[0]!, file };
  } catch (e) {
    return { error: e as SomaError, file };
  }
}

function failure(fn: () => unknown): SomaError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(SomaError);
    return e as SomaError;
  }
  throw new Error('expected a SomaError');
}

/** Column contents for bit-for-bit comparison: every double by its bits (NaN as NaN), codes with their dictionary. */
function contents(c: Column): unknown {
  switch (c.type) {
    case 'numeric':
    case 'datetime':
      return { type: c.type, name: c.name, bits: Array.from(new BigUint64Array(Float64Array.from(c.values!.map((v) => (Number.isNaN(v) ? NaN : v))).buffer), String) };
    case 'categorical':
      return { type: c.type, name: c.name, codes: Array.from(c.codes), dictionary: [...c.dictionary] };
    case 'text':
      return { type: c.type, name: c.name, values: [...c.values] };
  }
}

const SCHEMA: SchemaColumn[] = [
  { name: 'x', type: 'numeric' },
  { name: 'xs', type: 'numeric' },
  { name: 'flag', type: 'numeric' },
  { name: 'when', type: 'datetime' },
  { name: 'ms', type: 'datetime' },
  { name: 'kind', type: 'categorical', categories: ['b', 'a'] },
  { name: 'level', type: 'categorical', categories: ['1', '3'] },
  { name: 'yes', type: 'categorical' },
  { name: 'note', type: 'text' },
];

// Each column holds one JSON type (plus nulls and absent keys), as a JSON file's column does.
const RECORDS: JsonObject[] = [
  { id: 10, x: 1.5, xs: '2.25', flag: true, when: '2024-01-31', ms: 1706659200000, kind: 'a', level: 1, yes: true, note: 'first row', extra: 'ignored' },
  { id: 11, x: -0.1, xs: ' 1e3 ', flag: false, when: '2024-01-31T12:30:00Z', ms: 0, kind: 'c', level: 2, yes: false, note: 'second' },
  { id: 12, x: null, xs: null, flag: null, when: null, ms: null, kind: null, level: null, yes: null, note: null },
  { id: 13, xs: '-7', when: '2024-02-29 23:59:59.999+01:00', kind: 'b', level: 3, note: 'ünïcode ✓' },
  { id: 14, x: 1e300, xs: '.5', flag: true, when: '1969-12-31 23:59:59.9995', ms: -1.5, kind: 'c', level: 2, yes: true, note: '' },
];

describe('frameFromRecords', () => {
  it('when records hold numbers, numeric strings, booleans, instants, categories and text, then the Frame is the NDJSON reader\'s, bit for bit', async () => {
    const { frame: fromFile } = await viaFile(RECORDS, SCHEMA, ['id']);
    const frame = frameFromRecords(RECORDS, { schema: SCHEMA, passThrough: ['id'] });
    expect(frame.names).toEqual([...SCHEMA.map((s) => s.name), 'id']);
    expect(frame.columns.map(contents)).toEqual(fromFile!.columns.map(contents));
    // The schema's categories keep codes 0.. in their order; new values follow in order of appearance.
    const kind = frame.column('kind');
    expect(kind).toMatchObject({ type: 'categorical', dictionary: ['b', 'a', 'c'] });
    expect(Array.from((kind as { codes: Int32Array }).codes)).toEqual([1, 2, -1, 0, 2]);
    expect(Array.from((frame.column('flag') as { values: Float64Array }).values)).toEqual([1, 0, NaN, NaN, 1]);
    expect((frame.column('id') as { type: string }).type).toBe('numeric');
  });

  it('when the same rows come as columns, then the Frame is the same', () => {
    const names = [...SCHEMA.map((s) => s.name), 'id'];
    const columns: JsonObject = Object.fromEntries(names.map((n) => [n, RECORDS.map((r) => (Object.hasOwn(r, n) ? r[n]! : null))]));
    const a = frameFromRecords(RECORDS, { schema: SCHEMA, passThrough: ['id'] });
    const b = frameFromColumns(columns, { schema: SCHEMA, passThrough: ['id'] });
    expect(b.columns.map(contents)).toEqual(a.columns.map(contents));
  });

  it('when a numeric cell is text, then the error is the file reader\'s, naming the column, the 1-based row and the value', async () => {
    const records: JsonObject[] = [{ x: 1 }, { x: 2 }, { x: 'abc' }];
    const schema: SchemaColumn[] = [{ name: 'x', type: 'numeric' }];
    const { error: fileError, file } = await viaFile(records, schema);
    const e = failure(() => frameFromRecords(records, { schema }));
    expect(e.code).toBe('DATA_BAD_VALUE');
    expect(e.exitCode).toBe(3);
    expect(e.message).toBe('records: column "x" row 3: "abc" is not a valid number');
    expect(e.message).toBe(fileError!.message.replace(file, 'records'));
    expect(e.details).toEqual({ ...fileError!.details, file: 'records' });
    expect(e.hint).toBe(fileError!.hint);
  });

  it('when a datetime cell does not parse, or a numeric cell is an object, then the errors are the file reader\'s', async () => {
    const cases: [JsonObject[], SchemaColumn[]][] = [
      [[{ d: '2024-01-01' }, { d: 'not a date' }], [{ name: 'd', type: 'datetime' }]],
      [[{ x: 1 }, { x: { a: 1 } }], [{ name: 'x', type: 'numeric' }]],
    ];
    for (const [i, [records, schema]] of cases.entries()) {
      const { error: fileError, file } = await viaFile(records, schema, [], `bad${i}.ndjson`);
      const e = failure(() => frameFromRecords(records, { schema, source: 'request body' }));
      expect(e.code).toBe('DATA_BAD_VALUE');
      expect(e.message).toBe(fileError!.message.replace(file, 'request body'));
      expect(e.message).toContain('row 2');
    }
  });

  it('when objects and arrays sit in categorical or text columns, then they are read (as their JSON text), as the file reader reads them (in its own spelling)', () => {
    const records: JsonObject[] = [{ c: { a: 1 }, t: [1, 'x'] }, { c: 'plain', t: 'words' }];
    const frame = frameFromRecords(records, { schema: [{ name: 'c', type: 'categorical' }, { name: 't', type: 'text' }] });
    expect(frame.column('c')).toEqual({ type: 'categorical', name: 'c', codes: Int32Array.from([0, 1]), dictionary: ['{"a":1}', 'plain'] });
    expect(frame.column('t')).toEqual({ type: 'text', name: 't', values: ['[1,"x"]', 'words'] });
  });

  it('when columns are missing from every record, then DATA_MISSING_COLUMN names them all, as the file reader does', async () => {
    const records: JsonObject[] = [{ a: 1, b: 2 }, { a: 3, c: 'x' }];
    const schema: SchemaColumn[] = [{ name: 'a', type: 'numeric' }, { name: 'y', type: 'numeric' }, { name: 'z', type: 'categorical' }];
    const { error: fileError, file } = await viaFile(records, schema, [], 'missing.ndjson');
    const e = failure(() => frameFromRecords(records, { schema }));
    expect(e.code).toBe('DATA_MISSING_COLUMN');
    expect(e.message).toBe('records has no columns "y", "z" (it has: a, b, c)');
    expect(e.message).toBe(fileError!.message.replace(file, 'records'));
    // A key absent from some records only is missing there, not an error.
    const f = frameFromRecords(records, { schema: [{ name: 'b', type: 'numeric' }, { name: 'c', type: 'categorical' }] });
    expect(Array.from((f.column('b') as { values: Float64Array }).values)).toEqual([2, NaN]);
    expect(Array.from((f.column('c') as { codes: Int32Array }).codes)).toEqual([-1, 0]);
  });

  it('when a pass-through id is missing, then it is named too; when its values are strings, it is text', () => {
    const schema: SchemaColumn[] = [{ name: 'a', type: 'numeric' }];
    expect(failure(() => frameFromRecords([{ a: 1 }], { schema, passThrough: ['id'] })).message).toBe('records has no column "id" (it has: a)');
    const f = frameFromRecords([{ a: 1, id: 'p-1' }, { a: 2, id: 7 }, { a: 3 }], { schema, passThrough: ['id'] });
    expect(f.column('id')).toEqual({ type: 'text', name: 'id', values: ['p-1', '7', null] });
  });

  it('when a number arrives for a categorical column, then it takes the training category that spells it', () => {
    const schema: SchemaColumn[] = [{ name: 'g', type: 'categorical', categories: ['1.0', '2.5', '3'] }];
    const f = frameFromRecords([{ g: 1 }, { g: 2.5 }, { g: 3 }, { g: 4 }, { g: '1' }], { schema });
    expect(f.column('g')).toEqual({ type: 'categorical', name: 'g', codes: Int32Array.from([0, 1, 2, 3, 4]), dictionary: ['1.0', '2.5', '3', '4', '1'] });
  });

  it('when null strings are given (a CSV body), then they are missing in every column; by default they are values', () => {
    const schema: SchemaColumn[] = [{ name: 'x', type: 'numeric' }, { name: 'c', type: 'categorical' }, { name: 'd', type: 'datetime' }];
    const rows: JsonObject[] = [{ x: 'NA', c: '', d: 'NULL' }, { x: '2', c: 'k', d: '2024-01-01' }];
    const f = frameFromRecords(rows, { schema, nullStrings: CSV_NULL_STRINGS });
    expect(Array.from((f.column('x') as { values: Float64Array }).values)).toEqual([NaN, 2]);
    expect(Array.from((f.column('c') as { codes: Int32Array }).codes)).toEqual([-1, 0]);
    expect(Array.from((f.column('d') as { values: Float64Array }).values)).toEqual([NaN, Date.UTC(2024, 0, 1)]);
    expect(failure(() => frameFromRecords(rows, { schema })).message).toBe('records: column "x" row 1: "NA" is not a valid number');
  });

  it('when records carry keys the model does not use, then they are ignored and onInfo lists them', () => {
    let extra: string[] = [];
    const f = frameFromRecords([{ a: 1, b: 2 }, { a: 2, c: 3 }], { schema: [{ name: 'a', type: 'numeric' }], onInfo: (i) => (extra = i.extraColumns) });
    expect(f.names).toEqual(['a']);
    expect(extra).toEqual(['b', 'c']);
  });

  it('when there are no records, then the Frame has the schema\'s columns and no rows', () => {
    const f = frameFromRecords([], { schema: SCHEMA, passThrough: ['id'] });
    expect(f.rows).toBe(0);
    expect(f.names).toEqual([...SCHEMA.map((s) => s.name), 'id']);
  });

  it('when the input is not an array of objects, then DATA_FORMAT says what it is', () => {
    const schema: SchemaColumn[] = [{ name: 'a', type: 'numeric' }];
    const notArray = failure(() => frameFromRecords({ a: 1 } as unknown as JsonValue[], { schema }));
    expect(notArray.code).toBe('DATA_FORMAT');
    expect(notArray.message).toBe('records: expected an array of records (objects), got an object');
    const notObject = failure(() => frameFromRecords([{ a: 1 }, [1, 2], { a: 3 }], { schema }));
    expect(notObject.code).toBe('DATA_FORMAT');
    expect(notObject.message).toBe('records: record 2 is an array, expected an object of column values');
    expect(failure(() => frameFromRecords([{ a: 1 }, 5], { schema })).message).toBe('records: record 2 is a number (5), expected an object of column values');
  });
});

describe('frameFromColumns', () => {
  const schema: SchemaColumn[] = [{ name: 'a', type: 'numeric' }, { name: 'b', type: 'categorical' }];

  it('when a column is not an array, or the columns differ in length, then DATA_FORMAT names the column', () => {
    const notArray = failure(() => frameFromColumns({ a: [1], b: 'x' }, { schema }));
    expect(notArray.code).toBe('DATA_FORMAT');
    expect(notArray.message).toBe('records: column "b" is a string ("x"), expected an array of values');
    const ragged = failure(() => frameFromColumns({ a: [1, 2, 3], b: ['x'] }, { schema }));
    expect(ragged.code).toBe('DATA_FORMAT');
    expect(ragged.message).toBe('records: column "b" has 1 values, column "a" has 3 (every column needs one value per row)');
    expect(failure(() => frameFromColumns([] as unknown as JsonObject, { schema })).message).toBe('records: expected an object of columns (arrays of values), got an array');
  });

  it('when a column is missing, or a value is bad, then the errors are the records\' (row = index + 1)', () => {
    expect(failure(() => frameFromColumns({ a: [1] }, { schema })).message).toBe('records has no column "b" (it has: a)');
    expect(failure(() => frameFromColumns({ a: [1, '2', 'x'], b: ['p', 'q', 'r'] }, { schema })).message).toBe('records: column "a" row 3: "x" is not a valid number');
  });

  it('when extra columns come along, then they are ignored even when their length differs', () => {
    const f = frameFromColumns({ a: [1, 2], b: ['p', 'q'], other: [1] }, { schema });
    expect(f.rows).toBe(2);
    expect(f.names).toEqual(['a', 'b']);
  });
});
