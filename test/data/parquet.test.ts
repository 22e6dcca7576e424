// The streaming Parquet encoder: files DuckDB reads back value for value (nulls of every type,
// dictionaries that differ per frame, multi-byte text, timestamps), several row groups, and the
// same bytes however the rows were split into frames.

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeDuckDB, withConnection } from '../../src/data/duckdb.js';
import { Frame, type Column } from '../../src/data/frame.js';
import { PARQUET_ROW_GROUP_ROWS } from '../../src/data/parquet.js';
import { readFrame } from '../../src/data/read.js';
import { openFrameWriter, writeFrame } from '../../src/data/write.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'soma-parquet-'));
});
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await closeDuckDB();
});

/** n rows with a null pattern in every column; categorical codes index a per-call dictionary. */
function columns(n: number, offset: number, dictionary: string[]): Column[] {
  const num = new Float64Array(n);
  const when = new Float64Array(n);
  const codes = new Int32Array(n);
  const text: (string | null)[] = [];
  for (let k = 0; k < n; k++) {
    const i = offset + k;
    num[k] = i % 7 === 0 ? NaN : i / 3 - 1000;
    when[k] = i % 11 === 0 ? NaN : Date.UTC(2020, 0, 1) + i * 1000.5;
    codes[k] = i % 5 === 0 ? -1 : i % dictionary.length;
    text.push(i % 13 === 0 ? null : `t${i}·${'x'.repeat(i % 20)}`);
  }
  return [
    { type: 'numeric', name: 'num', values: num },
    { type: 'datetime', name: 'when', values: when },
    { type: 'categorical', name: 'cat "q"', codes, dictionary },
    { type: 'text', name: 'txt', values: text },
  ];
}

describe('Parquet writer', () => {
  const rows = PARQUET_ROW_GROUP_ROWS * 2 + 1234;

  it('when rows span several row groups with nulls in every column, then DuckDB reads back every value', async () => {
    const f = path.join(dir, 'all.parquet');
    const dict = ['a', 'bé', 'c'];
    await writeFrame(f, new Frame(columns(rows, 0, dict)));
    const back = await withConnection(async (c) =>
      (await c.runAndReadAll(`SELECT count(*), count(num), sum(num), count("when"), count("cat ""q"""), count(txt), sum(length(txt)) FROM '${f}'`)).getRows()[0]!.map(Number),
    );
    const [num, when, cat, txt] = columns(rows, 0, dict) as [Column, Column, Column, Column];
    const present = (c: Column): number => {
      let k = 0;
      for (let i = 0; i < rows; i++) {
        if (c.type === 'categorical' ? c.codes[i]! >= 0 : c.type === 'text' ? c.values[i] !== null : !Number.isNaN(c.values![i]!)) k++;
      }
      return k;
    };
    const sum = num.type === 'numeric' ? num.values!.reduce((s, v) => (Number.isNaN(v) ? s : s + v), 0) : 0;
    const chars = txt.type === 'text' ? txt.values.reduce((s, v) => s + (v?.length ?? 0), 0) : 0;
    expect(back.slice(0, 2)).toEqual([rows, present(num)]);
    expect(back[2]).toBeCloseTo(sum, 3);
    expect(back.slice(3)).toEqual([present(when), present(cat), present(txt), chars]);

    // Row by row through soma's own reader, across the row-group boundaries.
    const frame = await readFrame(f);
    expect(frame.rows).toBe(rows);
    expect(frame.names).toEqual(['num', 'when', 'cat "q"', 'txt']);
    const at = PARQUET_ROW_GROUP_ROWS - 1;
    const pick = (name: string, i: number): unknown => {
      const c = frame.column(name)!;
      if (c.type === 'categorical') return c.codes[i]! < 0 ? null : c.dictionary[c.codes[i]!];
      if (c.type === 'text') return c.values[i];
      const v = c.values![i]!;
      return Number.isNaN(v) ? null : v;
    };
    for (const i of [0, 1, at, at + 1, at + 2, rows - 1]) {
      expect(pick('num', i)).toBe(i % 7 === 0 ? null : i / 3 - 1000);
      // Written in microseconds; read back as whole milliseconds (epoch_ms).
      expect(pick('when', i)).toBe(i % 11 === 0 ? null : Date.UTC(2020, 0, 1) + Math.floor(i * 1000.5));
      expect(pick('cat "q"', i)).toBe(i % 5 === 0 ? null : dict[i % 3]);
      expect(pick('txt', i)).toBe(i % 13 === 0 ? null : `t${i}·${'x'.repeat(i % 20)}`);
    }
  });

  it('when the same rows come in frames of other sizes and other dictionaries, then the file is byte-identical', async () => {
    const whole = path.join(dir, 'whole.parquet');
    const pieces = path.join(dir, 'pieces.parquet');
    await writeFrame(whole, new Frame(columns(rows, 0, ['a', 'bé', 'c'])));
    const w = await openFrameWriter(pieces);
    // Same strings under other codes in each frame: the row group's dictionary is built by value.
    const shuffled = ['c', 'a', 'bé', 'unused'];
    for (let start = 0; start < rows; ) {
      const n = Math.min(rows - start, 1 + ((start * 7919) % 40_000));
      const cols = columns(n, start, ['a', 'bé', 'c']);
      const cat = cols[2]!;
      if (cat.type !== 'categorical') throw new Error();
      const codes = cat.codes.map((k) => (k < 0 ? -1 : shuffled.indexOf(['a', 'bé', 'c'][k]!)));
      cols[2] = { ...cat, codes, dictionary: shuffled };
      await w.append(new Frame(cols));
      start += n;
    }
    await w.close();
    expect(readFileSync(pieces).equals(readFileSync(whole))).toBe(true);
  });

  it('when a numeric column has few distinct values, then it is dictionary-encoded (small) and reads back exactly, -0 included', async () => {
    const n = 200_000;
    const onehot = new Float64Array(n);
    const signed = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      onehot[i] = i % 10 === 0 ? NaN : i % 3 === 0 ? 1 : 0;
      signed[i] = i % 2 === 0 ? -0 : 0.5;
    }
    const f = path.join(dir, 'onehot.parquet');
    await writeFrame(f, new Frame([{ type: 'numeric', name: 'onehot', values: onehot }]));
    // 1 bit a row plus the definition levels, instead of 8 bytes a row.
    expect(readFileSync(f).length).toBeLessThan(n / 2);
    const back = await readFrame(f);
    const c = back.column('onehot')!;
    expect(c.type === 'numeric' && [...c.values!].map((v) => (Number.isNaN(v) ? -1 : v))).toEqual([...onehot].map((v) => (Number.isNaN(v) ? -1 : v)));
    const g = path.join(dir, 'signed.parquet');
    await writeFrame(g, new Frame([{ type: 'numeric', name: 'signed', values: signed }]));
    const s = (await readFrame(g)).column('signed')!;
    expect(s.type === 'numeric' && Object.is(s.values![0], -0) && s.values![1]).toBe(0.5);
  });

  it('when a frame has no rows, then the file still has its columns and types', async () => {
    const f = path.join(dir, 'empty.parquet');
    await writeFrame(f, new Frame(columns(0, 0, ['a'])));
    const described = await withConnection(async (c) => (await c.runAndReadAll(`DESCRIBE SELECT * FROM '${f}'`)).getRows().map((r) => `${String(r[0])}:${String(r[1])}`));
    expect(described).toEqual(['num:DOUBLE', 'when:TIMESTAMP', 'cat "q":VARCHAR', 'txt:VARCHAR']);
    const count = await withConnection(async (c) => Number((await c.runAndReadAll(`SELECT count(*) FROM '${f}'`)).getRows()[0]![0]));
    expect(count).toBe(0);
  });
});
