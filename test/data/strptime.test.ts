// The records path parses dates in a strptime format without DuckDB; these tests hold it to
// DuckDB's own strptime (what the file readers apply): every string below gets the same epoch ms
// from both, or is rejected by both, for every format soma infers.

import { afterAll, describe, expect, it } from 'vitest';
import { closeDuckDB, withConnection } from '../../src/data/duckdb.js';
import { sqlString } from '../../src/data/formats.js';
import { DATETIME_FORMATS } from '../../src/data/datetime-formats.js';
import { parseWithFormat } from '../../src/data/strptime.js';
import { frameFromRecords } from '../../src/data/records.js';
import type { DatetimeColumn } from '../../src/data/frame.js';

afterAll(async () => {
  await closeDuckDB();
});

async function duck(values: readonly string[], format: string): Promise<(number | undefined)[]> {
  return withConnection(async (c) => {
    const out: (number | undefined)[] = [];
    for (const v of values) {
      const rows = (await c.runAndReadAll(`SELECT CAST(epoch_ms(try_strptime(${sqlString(v)}, ${sqlString(format)})) AS DOUBLE)`)).getRows();
      const x = rows[0]![0];
      out.push(x === null ? undefined : Number(x));
    }
    return out;
  });
}

/** Real spellings (vega's movies and stocks among them) and near misses. */
const SAMPLES = [
  'Jun 12 1998', 'Jan 1 2000', 'Aug 07 1998', 'jan 1 2000', 'JUNE 12 1998', 'June 12 1998', 'Sept 1 2000', 'Feb 29 2000', 'Feb 29 1999', 'Feb 30 2000',
  ' Jan 1 2000', 'Jan  1 2000', 'Jan 001 2000', 'Jan 1, 2000', 'January 1, 2000', '12 Jun 1998', '12 June 1998', '12-Jun-1998', '12-Jun-98', '01-Jan-69',
  '01-Jan-68', '12/31/1999', '31/12/1999', '1/2/2000', '1/2/2000 3:04', '1/2/2000 13:04:05', '12.03.2000', 'Mon Jun 12 10:01:02 1998', 'Tue Jun 12 10:01:02 1998',
  'Jun 12 0099', 'Jun 12 99', '', 'soon', '2000-01-01', 'Jun 12 1998 extra',
];

describe('parseWithFormat against DuckDB strptime', () => {
  for (const format of DATETIME_FORMATS) {
    it(`when strings are read with ${format}, then each gives DuckDB's instant or is rejected as DuckDB rejects it`, async () => {
      const expected = await duck(SAMPLES, format);
      const got = SAMPLES.map((s) => parseWithFormat(s, format));
      expect(got.map((g, i) => [SAMPLES[i], g])).toEqual(expected.map((e, i) => [SAMPLES[i], e]));
    });
  }

  it('when a format has a code this parser does not know, then nothing parses (rather than a wrong date)', () => {
    expect(parseWithFormat('2000 001', '%Y %j')).toBeUndefined();
  });
});

describe('records with a formatted datetime column', () => {
  it('when a model contract names a format, then records parse with it as the file readers do, and a bad value names the format', () => {
    const schema = [{ name: 'Release Date', type: 'datetime' as const, format: '%b %d %Y' }];
    const f = frameFromRecords([{ 'Release Date': 'Jun 12 1998' }, { 'Release Date': null }], { schema });
    expect(Array.from((f.column('Release Date') as DatetimeColumn).values)).toEqual([Date.UTC(1998, 5, 12), NaN]);
    expect(() => frameFromRecords([{ 'Release Date': '1998-06-12' }], { schema })).toThrow(/row 1: "1998-06-12" is not a valid date\/time in the format %b %d %Y/);
  });
});
