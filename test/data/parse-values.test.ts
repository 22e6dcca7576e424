// The records path parses strings without DuckDB; these tests hold it to DuckDB's own casts (the
// ones the file readers apply): every string below gets the same double or epoch ms from both, or
// is rejected by both.

import { afterAll, describe, expect, it } from 'vitest';
import { closeDuckDB, withConnection } from '../../src/data/duckdb.js';
import { sqlString } from '../../src/data/formats.js';
import { parseInstant, parseNumber } from '../../src/data/parse-values.js';

afterAll(async () => {
  await closeDuckDB();
});

/** DuckDB's answer for each string: the cast's value, or undefined when the cast fails. */
async function duck(values: readonly string[], expr: (literal: string) => string): Promise<(number | undefined)[]> {
  return withConnection(async (c) => {
    const out: (number | undefined)[] = [];
    for (const v of values) {
      try {
        const rows = (await c.runAndReadAll(`SELECT ${expr(sqlString(v))}`)).getRows();
        const x = rows[0]![0];
        out.push(x === null ? NaN : Number(x));
      } catch {
        out.push(undefined);
      }
    }
    return out;
  });
}

const NUMBERS = [
  '1', '-2.5', ' 1.5', '1.5 ', '\t2', '\n3\n', '\r5', '\v5', '\f5', '+2', '.5', '-.5', '5.', '1.e1', '+.5e1', '1e3', '1E3', '1e+3', '1e-3',
  '0.1e+3', '1e0001', '00012', '-0', '1_000', '1.5_0', '1e1_0', '1e400', '-1e400', '1e-400', '4.9e-324', '1.7976931348623157e308',
  '0.1000000000000000055511151231257827', '9007199254740993', '123456789012345678901234567890', '0.000000000000000000000000000001',
  '+-1', '+-.5', '+-inf', 'inf', 'INF', '+inf', '-inf', 'Infinity', '-Infinity', 'iNfInItY', 'nan', 'NaN', '-nan',
  // rejected by both
  '', ' ', '1,5', '0x10', '0b1', '1 000', '1e', '1e+', '.', '.e1', '--1', '++1', '-+1', '-+inf', '+ 1', '1e+-3', '1.5.2', '_1', '1_', '1__0', '1._5', '1_.5', 'infin', 'true',
  '1d', '1f', '\u00a03', '\u0661', 'e5', 'abc',
];

const INSTANTS = [
  '2024-01-31', '2024/01/31', '2024-1-5', ' 2024-01-31', '2024-01-31 12:00:00', '2024-01-31T12:00:00', '2024-01-31  12:00', '2024-01-31T12:0',
  '2024-01-31T1:02', '2024-01-31 1:2:3', '2024-01-31T12:00:0', '2024-01-31T12:00:00Z', '2024-01-31T12:00:00.', '2024-01-31T12:00:00.Z',
  '2024-01-31T12:00:00.5', '2024-01-31T12:00:00.123456Z', '2024-01-31T12:00:00.1234567Z', '2024-01-31 12:00:00.123456789',
  '2024-01-31 12:00:00+02', '2024-01-31 12:00:00+02:30', '2024-01-31 12:00:00-0130', '2024-01-31T12:00:00-00:00', '2024-01-31T12:00:00.5+02',
  '2024-01-31T12:00:00+14:00', '2024-01-31 12:00:00 UTC', '2024-01-31T12:00:00 utc', '2024-01-31 12:00:00 ', '2024-01-31 12:00:00Z ',
  '2024-01-31 24:00:00', '2024-02-29', '2000-02-29', '0000-01-01', '0001-01-01', '1970-01-01 00:00:00.0005', '1969-12-31 23:59:59.999',
  '1969-12-31T23:59:59.9995Z', '1900-03-01',
  // rejected by both
  '2024-01-31T12:00Z', '2024-01-31T12Z', '2024-01-31T12', '2024-01-31T', '20240131', '2024-01/31', '2024.01.31', '2024-001-31', '2024-01-031',
  '2023-02-29', '1900-02-29', '2024-00-10', '2024-13-01', '2024-01-00', '2024-02-30', '2024-01-31 24:00:01', '2024-01-31 23:60:00',
  '2024-01-31 12:00:60', '2024-01-31t12:00:00', '2024-01-31T12:00:00z', '2024-01-31T12:00:00UTC', '2024-01-31 12:00:00GMT',
  '2024-01-31T12:00:00+2', '2024-01-31T12:00:00+02:3', '2024-01-31 12:00:00 +02', '2024-01-31T12:00:00 Z', '2024-01-31T12:00:00.-1',
  '2024-01-31 BC', 'tomorrow', '', '1706659200000',
];

describe('parseNumber', () => {
  it('when a string is cast, then it gives the double DuckDB gives, or is rejected as DuckDB rejects it', async () => {
    const expected = await duck(NUMBERS, (s) => `CAST(${s} AS DOUBLE)`);
    const got = NUMBERS.map(parseNumber);
    for (let i = 0; i < NUMBERS.length; i++) expect([NUMBERS[i], got[i]], JSON.stringify(NUMBERS[i])).toEqual([NUMBERS[i], expected[i]]);
    expect(Object.is(parseNumber('-0'), -0)).toBe(true);
    expect(expected.filter((v) => v === undefined).length).toBeGreaterThan(20);
  });
});

describe('parseInstant', () => {
  it('when a string is cast to an instant, then it gives the epoch ms DuckDB gives (naive times in UTC), or is rejected as DuckDB rejects it', async () => {
    const expected = await duck(INSTANTS, (s) => `CAST(epoch_ms(CAST(${s} AS TIMESTAMPTZ)) AS DOUBLE)`);
    const got = INSTANTS.map(parseInstant);
    for (let i = 0; i < INSTANTS.length; i++) expect([INSTANTS[i], got[i]], JSON.stringify(INSTANTS[i])).toEqual([INSTANTS[i], expected[i]]);
    expect(expected.filter((v) => v === undefined).length).toBeGreaterThan(25);
  });

  it('when a form DuckDB also reads is outside the documented subset, then it is rejected here (named zones, specials, other years)', () => {
    for (const s of ['2024-01-31 12:00:00 Europe/Paris', 'epoch', 'infinity', '24-01-31', '12024-01-31', '-2024-01-31', '2024-01-31T12:00:00+02:30:15']) {
      expect(parseInstant(s), s).toBeUndefined();
    }
  });
});
