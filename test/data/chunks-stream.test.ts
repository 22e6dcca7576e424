// The streaming reader's byte-level string dictionary (inline and out-of-line DuckDB strings,
// multi-byte text, seeded categories) and its end-of-stream marker (a file ends exactly on a
// DuckDB chunk boundary, or has no rows at all).

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeDuckDB } from '../../src/data/duckdb.js';
import type { Frame } from '../../src/data/frame.js';
import { readFrame, readFrameChunks } from '../../src/data/read.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'soma-chunks-stream-'));
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

function strings(frames: Frame[], name: string): (string | null)[] {
  return frames.flatMap((f) => {
    const c = f.column(name)!;
    if (c.type === 'categorical') return [...c.codes].map((k) => (k < 0 ? null : c.dictionary[k]!));
    if (c.type === 'text') return [...c.values];
    throw new Error(`${name} is ${c.type}`);
  });
}

describe('readFrameChunks strings', () => {
  it('when values are short, long (over 12 bytes), multi-byte or missing, then they arrive as a whole-file read gives them', async () => {
    const f = path.join(dir, 'strings.csv');
    const values = ['a', 'São Paulo', 'a much longer city name than twelve bytes', 'Zürich–Ost', '東京', 'exactly12byt', 'exactly13byte'];
    const lines = ['city,x'];
    for (let i = 0; i < 9000; i++) lines.push(`${i % 17 === 0 ? '' : values[(i * 7) % values.length]},${i}`);
    writeFileSync(f, lines.join('\n') + '\n');
    const frames = await collect(
      readFrameChunks(f, { schema: [{ name: 'city', type: 'categorical', categories: ['東京', 'never seen'] }, { name: 'x', type: 'numeric' }], chunkRows: 1000 }),
    );
    for (const fr of frames) {
      const c = fr.column('city')!;
      // The schema's categories come first, in order, so their codes are stable.
      expect(c.type === 'categorical' && c.dictionary.slice(0, 2)).toEqual(['東京', 'never seen']);
    }
    const whole = await readFrame(f, { types: { city: 'categorical' } });
    expect(strings(frames, 'city')).toEqual(strings([whole], 'city'));
    expect(strings(frames, 'city')[1]).toBe(values[7 % values.length]);
  });

  it('when a pass-through text column is read, then each row has its own string', async () => {
    const f = path.join(dir, 'ids.csv');
    const lines = ['id,x'];
    for (let i = 0; i < 5000; i++) lines.push(`customer-${String(i).padStart(8, '0')}-ü,${i}`);
    writeFileSync(f, lines.join('\n') + '\n');
    const frames = await collect(readFrameChunks(f, { schema: [{ name: 'x', type: 'numeric' }], passThrough: ['id'], chunkRows: 3000 }));
    const ids = strings(frames, 'id');
    expect(ids).toHaveLength(5000);
    expect(ids[4999]).toBe('customer-00004999-ü');
  });
});

describe('readFrameChunks end of stream', () => {
  it('when the file ends exactly on a DuckDB chunk boundary, then every row arrives and nothing more', async () => {
    for (const n of [2048, 4096, 2049]) {
      const f = path.join(dir, `rows-${n}.csv`);
      writeFileSync(f, ['x', ...Array.from({ length: n }, (_, i) => String(i))].join('\n') + '\n');
      const frames = await collect(readFrameChunks(f, { schema: [{ name: 'x', type: 'numeric' }], chunkRows: 1000 }));
      expect(frames.reduce((s, fr) => s + fr.rows, 0), String(n)).toBe(n);
      const last = frames[frames.length - 1]!.column('x')!;
      expect(last.type === 'numeric' && last.values![last.values!.length - 1]).toBe(n - 1);
    }
  });

  it('when the file has a header and no rows, then no frames and no error', async () => {
    const f = path.join(dir, 'header-only.csv');
    writeFileSync(f, 'x,y\n');
    const frames = await collect(readFrameChunks(f, { schema: [{ name: 'x', type: 'numeric' }] }));
    expect(frames).toEqual([]);
  });
});
