// Text output formatted as bytes into a reused buffer: numbers exactly as String(x) spells them
// (the shortest text that reads back as the same double), quoting and escaping as before, and the
// same bytes whether the rows arrive in one frame or many and whatever the buffer flushes.

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Frame, type Column } from '../../src/data/frame.js';
import { openFrameWriter, writeFrame } from '../../src/data/write.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'soma-write-text-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const tricky = [0.1 + 0.2, 1e21, 1e-7, -0, 5e-324, 1.7976931348623157e308, 123456789012345680000, 0.30000000000000004, -1.5, 2 ** 53 + 2, NaN, Infinity];

function sample(n: number, offset = 0): Column[] {
  const x = new Float64Array(n);
  const p = new Float64Array(n);
  const codes = new Int32Array(n);
  const text: (string | null)[] = [];
  for (let k = 0; k < n; k++) {
    const i = k + offset;
    x[k] = i < tricky.length ? tricky[i]! : Math.sin(i) * 10 ** ((i % 40) - 20);
    p[k] = 1 / (1 + Math.exp(-Math.cos(i)));
    codes[k] = i % 4 === 3 ? -1 : i % 3;
    text.push(i % 9 === 0 ? null : i % 9 === 1 ? `say "hi", ${i}` : `naïve ${i}`);
  }
  return [
    { type: 'numeric', name: 'x', values: x },
    { type: 'numeric', name: 'p', values: p },
    { type: 'categorical', name: 'class', codes, dictionary: ['yes', 'no, not', ''] },
    { type: 'text', name: 'note', values: text },
  ];
}

/** The CSV as the string-building writer produced it. */
function expectedCsv(cols: Column[], n: number): string {
  const q = (s: string): string => (s === '' ? '""' : /[,"\n\r]|^ | $/.test(s) ? `"${s.replaceAll('"', '""')}"` : s);
  const lines = ['x,p,class,note'];
  for (let i = 0; i < n; i++) {
    const cells = cols.map((c) => {
      if (c.type === 'numeric') return Number.isNaN(c.values![i]!) ? '' : String(c.values![i]!);
      if (c.type === 'categorical') return c.codes[i]! < 0 ? '' : q(c.dictionary[c.codes[i]!]!);
      if (c.type === 'text') return c.values[i] === null ? '' : q(c.values[i]!);
      return '';
    });
    lines.push(cells.join(','));
  }
  return lines.join('\n') + '\n';
}

describe('text writers', () => {
  // About 6 MB of CSV: several buffer flushes.
  const rows = 120_000;

  it('when numbers and awkward strings are written to CSV, then the bytes are what String(x) and RFC 4180 quoting give', async () => {
    const f = path.join(dir, 'all.csv');
    const cols = sample(rows);
    await writeFrame(f, new Frame(cols));
    const text = readFileSync(f, 'utf8');
    expect(text).toBe(expectedCsv(cols, rows));
    // Every number reads back as the same double (String(-0) is "0", as it always was).
    const first = text.split('\n').slice(1, tricky.length + 1).map((l) => l.split(',')[0]!);
    expect(first.map((s) => (s === '' ? NaN : Number(s)))).toEqual(tricky.map((v) => (Object.is(v, -0) ? 0 : v)));
  });

  it('when the same rows are appended in uneven frames, then CSV, TSV, NDJSON and JSON are byte-identical to one frame', async () => {
    for (const ext of ['csv', 'tsv', 'ndjson', 'json']) {
      const whole = path.join(dir, `whole.${ext}`);
      const pieces = path.join(dir, `pieces.${ext}`);
      await writeFrame(whole, new Frame(sample(rows)));
      const w = await openFrameWriter(pieces);
      for (let start = 0; start < rows; ) {
        const n = Math.min(rows - start, 1 + ((start * 104_729) % 30_000));
        await w.append(new Frame(sample(n, start)));
        start += n;
      }
      await w.close();
      expect(readFileSync(pieces).equals(readFileSync(whole)), ext).toBe(true);
    }
    const json = JSON.parse(readFileSync(path.join(dir, 'whole.json'), 'utf8')) as Record<string, unknown>[];
    expect(json).toHaveLength(rows);
    expect(json[0]).toEqual({ x: 0.30000000000000004, p: 1 / (1 + Math.exp(-1)), class: 'yes', note: null });
    expect(json[11]!.x).toBeNull(); // Infinity has no JSON spelling
    const nd = readFileSync(path.join(dir, 'whole.ndjson'), 'utf8').trim().split('\n');
    expect(JSON.parse(nd[1]!)).toEqual({ x: 1e21, p: 1 / (1 + Math.exp(-Math.cos(1))), class: 'no, not', note: 'say "hi", 1' });
  });
});
