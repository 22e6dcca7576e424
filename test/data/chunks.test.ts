// Streaming reads for batch prediction: bounded frames with exactly the schema's columns.

import { mkdtempSync, mkdirSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFrameChunks, readFrame, type ChunkInfo, type SchemaColumn } from '../../src/data/read.js';
import { closeDuckDB } from '../../src/data/duckdb.js';
import { numericValues, type Frame } from '../../src/data/frame.js';
import { SomaError } from '../../src/errors.js';

const VEGA = path.resolve('node_modules/vega-datasets/data');
const weather = path.join(VEGA, 'seattle-weather.csv');
const flights = path.join(VEGA, 'flights-3m.parquet');
const weatherSchema: SchemaColumn[] = [
  { name: 'temp_max', type: 'numeric' },
  { name: 'weather', type: 'categorical', categories: ['sun', 'rain'] },
  { name: 'date', type: 'datetime' },
];

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'soma-chunks-'));
});
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await closeDuckDB();
});

async function collect(it: AsyncIterable<Frame>): Promise<Frame[]> {
  const out: Frame[] = [];
  for await (const f of it) out.push(f);
  return out;
}

async function failure(p: Promise<unknown>): Promise<SomaError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(SomaError);
    return e as SomaError;
  }
  throw new Error('expected a SomaError');
}

describe('readFrameChunks', () => {
  it('when reading in chunks, then frames have chunkRows rows, the schema columns typed, and the total is right', async () => {
    let info: ChunkInfo | undefined;
    const frames = await collect(readFrameChunks(weather, { schema: weatherSchema, chunkRows: 100, onInfo: (i) => (info = i) }));
    expect(frames.map((f) => f.rows)).toEqual([...Array(14).fill(100), 61]);
    for (const f of frames) {
      expect(f.names).toEqual(['temp_max', 'weather', 'date']);
      expect(f.columns.map((c) => c.type)).toEqual(['numeric', 'categorical', 'datetime']);
      const w = f.column('weather')!;
      if (w.type !== 'categorical') throw new Error();
      // schema categories come first, so their codes are stable across chunks
      expect(w.dictionary.slice(0, 2)).toEqual(['sun', 'rain']);
    }
    expect(info!.extraColumns).toEqual(['precipitation', 'temp_min', 'wind']);
    // same values as a whole-file read, in order
    const whole = await readFrame(weather);
    const tmax = whole.column('temp_max')!;
    if (tmax.type !== 'numeric') throw new Error();
    const streamed = frames.flatMap((f) => {
      const c = f.column('temp_max')!;
      return c.type === 'numeric' ? [...numericValues(c)] : [];
    });
    expect(streamed).toEqual([...numericValues(tmax)]);
    const d = frames[0]!.column('date')!;
    expect(d.type === 'datetime' && d.values[0]).toBe(Date.UTC(2012, 0, 1));
  });

  it('when reading a big Parquet file, then frames stay bounded and typed (first 200k of 3M rows)', async () => {
    let rows = 0;
    let frames = 0;
    for await (const f of readFrameChunks(flights, {
      schema: [
        { name: 'distance', type: 'numeric' },
        { name: 'origin', type: 'categorical' },
      ],
      passThrough: ['date'],
      chunkRows: 50_000,
    })) {
      expect(f.rows).toBe(50_000);
      expect(f.names).toEqual(['distance', 'origin', 'date']);
      expect(f.column('date')!.type).toBe('datetime');
      rows += f.rows;
      if (++frames === 4) break; // breaking out closes the stream
    }
    expect(rows).toBe(200_000);
  });

  it('when schema columns are missing, then DATA_MISSING_COLUMN names every one and the file, before any frame', async () => {
    let yielded = 0;
    const e = await failure(
      (async () => {
        for await (const _ of readFrameChunks(weather, {
          schema: [
            { name: 'temp_max', type: 'numeric' },
            { name: 'humidity', type: 'numeric' },
            { name: 'pressure', type: 'numeric' },
          ],
          passThrough: ['station_id'],
        })) {
          yielded++;
        }
      })(),
    );
    expect(yielded).toBe(0);
    expect(e.code).toBe('DATA_MISSING_COLUMN');
    expect(e.exitCode).toBe(3);
    for (const m of ['humidity', 'pressure', 'station_id', 'seattle-weather.csv']) expect(e.message).toContain(m);
    expect(e.details).toMatchObject({ missing: ['humidity', 'pressure', 'station_id'] });
  });

  it('when a numeric schema column holds text deep in the file, then DATA_BAD_VALUE gives column, row and value', async () => {
    const f = path.join(dir, 'late-bad.csv');
    const lines = ['id,x,y'];
    for (let i = 1; i <= 50_000; i++) lines.push(`id${i},${i * 0.5},${i % 3}`);
    lines.push('id50001,n/a-ish,1');
    writeFileSync(f, lines.join('\n') + '\n');
    const e = await failure(collect(readFrameChunks(f, { schema: [{ name: 'x', type: 'numeric' }, { name: 'y', type: 'numeric' }], chunkRows: 10_000 })));
    expect(e.code).toBe('DATA_BAD_VALUE');
    expect(e.details).toMatchObject({ column: 'x', row: 50_001, value: 'n/a-ish' });
    expect(e.message).toContain('late-bad.csv');
  });

  it('when a text file breaks part-way (a malformed line), then DATA_UNREADABLE instead of a silently short read', async () => {
    const f = path.join(dir, 'broken.csv');
    const lines = ['x,y'];
    for (let i = 0; i < 60_000; i++) lines.push(`${i},${i % 5}`);
    lines.push('1,2,3,4,5');
    for (let i = 0; i < 10; i++) lines.push(`${i},${i}`);
    writeFileSync(f, lines.join('\n') + '\n');
    let rows = 0;
    const e = await failure(
      (async () => {
        for await (const frame of readFrameChunks(f, { schema: [{ name: 'x', type: 'numeric' }], chunkRows: 8192 })) rows += frame.rows;
      })(),
    );
    expect(e.code).toBe('DATA_UNREADABLE');
    expect(e.message).toContain('broken.csv');
    expect(rows).toBeLessThan(60_011);
  });

  it('when a pass-through column contradicts its sniffed type late in the file, then every row still arrives', async () => {
    const f = path.join(dir, 'late-id.csv');
    const lines = ['id,x'];
    for (let i = 0; i < 30_000; i++) lines.push(`${i},${i}`);
    lines.push('X-1,5');
    writeFileSync(f, lines.join('\n') + '\n');
    const frames = await collect(readFrameChunks(f, { schema: [{ name: 'x', type: 'numeric' }], passThrough: ['id'], chunkRows: 4096 }));
    expect(frames.reduce((s, fr) => s + fr.rows, 0)).toBe(30_001);
    const xs = frames.flatMap((fr) => {
      const c = fr.column('x')!;
      return c.type === 'numeric' ? [...numericValues(c)] : [];
    });
    expect(xs.slice(0, 3)).toEqual([0, 1, 2]);
    expect(xs[29_999]).toBe(29_999);
    expect(xs[30_000]).toBe(5);
  });

  it('when a pass-through id column is asked for, then it arrives with its natural type', async () => {
    const f = path.join(dir, 'ids.ndjson');
    writeFileSync(f, ['{"id":"a-1","x":1.5}', '{"id":"a-2","x":null}', '{"id":"a-3","x":3}'].join('\n') + '\n');
    const [frame] = await collect(readFrameChunks(f, { schema: [{ name: 'x', type: 'numeric' }], passThrough: ['id'] }));
    expect(frame!.names).toEqual(['x', 'id']);
    const id = frame!.column('id')!;
    expect(id.type).toBe('text');
    expect(id.type === 'text' && id.values).toEqual(['a-1', 'a-2', 'a-3']);
    const x = frame!.column('x')!;
    expect(x.type === 'numeric' && [...numericValues(x)].map((v) => (Number.isNaN(v) ? null : v))).toEqual([1.5, null, 3]);
  });

  it('when given a glob, then the files are streamed one after another; a glob matching nothing is DATA_NOT_FOUND', async () => {
    const g = path.join(dir, 'parts');
    mkdirSync(g);
    copyFileSync(weather, path.join(g, 'part1.csv'));
    copyFileSync(weather, path.join(g, 'part2.csv'));
    const frames = await collect(readFrameChunks(path.join(g, '*.csv'), { schema: weatherSchema, chunkRows: 1000 }));
    expect(frames.reduce((s, f) => s + f.rows, 0)).toBe(2 * 1461);
    const e = await failure(collect(readFrameChunks(path.join(g, '*.parquet'), { schema: weatherSchema })));
    expect(e.code).toBe('DATA_NOT_FOUND');
  });
});
