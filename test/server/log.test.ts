// The prediction log writer on a real directory: NDJSON records of format version 1, files that
// rotate past the size limit and when the UTC day changes (`predictions-<day>-<seq>.ndjson`, seq
// from 0000), and two writers (two workers) appending to one directory without tearing a line.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PREDICTION_LOG_VERSION, type PredictionLogRecord } from '../../src/monitor/prediction-log.js';
import { Frame } from '../../src/data/frame.js';
import { logLine } from '../../src/server/log-record.js';
import { PredictionLogWriter } from '../../src/server/log.js';
import { tempDir } from '../helpers/cli.js';

function record(at: string, i: number): PredictionLogRecord {
  return {
    v: PREDICTION_LOG_VERSION,
    at,
    model: 'm',
    version: '1.0.0',
    route: 'soma',
    arm: null,
    key: `k${i}`,
    status: 200,
    error: null,
    latency_ms: 0.5,
    rows: 1,
    cached: false,
    ids: null,
    inputs: { x: [i] },
    outputs: { prediction: [i * 2] },
  };
}

function lines(dir: string): PredictionLogRecord[] {
  return readdirSync(dir)
    .sort()
    .flatMap((f) => readFileSync(path.join(dir, f), 'utf8').split('\n').filter(Boolean))
    .map((l) => JSON.parse(l) as PredictionLogRecord);
}

describe('PredictionLogWriter', () => {
  it('when records pass the size limit and the day changes, then files rotate by size within a day and start again at 0000 the next day', async () => {
    const dir = path.join(tempDir('soma-log-'), 'm');
    const w = new PredictionLogWriter(dir, { maxBytes: 2048 });
    for (let i = 0; i < 60; i++) {
      w.append(record('2026-11-22T23:59:59.000Z', i));
      if (i % 10 === 9) await w.flush();
    }
    for (let i = 60; i < 70; i++) w.append(record('2026-11-23T00:00:01.000Z', i));
    await w.flush();
    const files = readdirSync(dir).sort();
    const day1 = files.filter((f) => f.startsWith('predictions-20261122-'));
    expect(day1.length).toBeGreaterThan(2);
    expect(day1[0]).toBe('predictions-20261122-0000.ndjson');
    expect(files.filter((f) => f.startsWith('predictions-20261123-'))).toEqual(['predictions-20261123-0000.ndjson']);
    // A file passes the limit only by its last flush, never by rotating late.
    for (const f of day1) expect(statSync(path.join(dir, f)).size).toBeLessThanOrEqual(2048 + 10 * 300);
    expect(lines(dir).map((r) => r.key)).toEqual(Array.from({ length: 70 }, (_, i) => `k${i}`));
    expect(w.written).toBe(70);
  });

  it('when two writers append to one directory, then every line is whole and none is lost', async () => {
    const dir = path.join(tempDir('soma-log-'), 'm');
    const a = new PredictionLogWriter(dir, { maxBytes: 1 << 20 });
    const b = new PredictionLogWriter(dir, { maxBytes: 1 << 20 });
    for (let i = 0; i < 500; i++) (i % 2 ? a : b).append(record('2026-11-22T10:00:00.000Z', i));
    await Promise.all([a.flush(), b.flush()]);
    const keys = lines(dir).map((r) => r.key);
    expect(keys.length).toBe(500);
    expect(new Set(keys).size).toBe(500);
  });

  it('when the directory cannot be written, then the records are dropped and reported, and the writer does not throw', async () => {
    const file = path.join(tempDir('soma-log-'), 'not-a-dir');
    (await import('node:fs')).writeFileSync(file, 'x');
    const errors: string[] = [];
    const w = new PredictionLogWriter(path.join(file, 'm'), { maxBytes: 4096, onError: (m) => errors.push(m) });
    w.append(record('2026-11-22T10:00:00.000Z', 1));
    await w.flush();
    expect(w.dropped).toBe(1);
    expect(errors.length).toBe(1);
    expect(errors[0]).toContain('1 record(s) dropped');
  });
});

describe('logLine', () => {
  it('when a record is written from the checked input frame, then its text is JSON.stringify of the same record, keys in format order', () => {
    const frame = new Frame([
      { type: 'numeric', name: 'x', values: Float64Array.from([1.5, NaN, -0, 1e21, 0.1 + 0.2, Infinity]) },
      { type: 'categorical', name: 'island "q"', codes: Int32Array.from([0, -1, 1, 1, 0, 0]), dictionary: ['Dream', 'Bis\ncoe'] },
      { type: 'text', name: 't', values: ['a', null, 'ü', '"', '', 'z'] },
      { type: 'datetime', name: 'd', values: Float64Array.from([0, NaN, 1.7e12, -5, 1, 2]) },
    ]);
    const head = { ...record('2026-11-22T10:00:00.000Z', 1), rows: 6 };
    const { inputs: _i, outputs: _o, ...rest } = head;
    const outputs = { prediction: ['a', 'b', null, 'c', 'd', 'e'] };
    const text = logLine(rest, frame, outputs);
    const expected: PredictionLogRecord = {
      ...rest,
      inputs: {
        x: [1.5, null, 0, 1e21, 0.1 + 0.2, null],
        'island "q"': ['Dream', null, 'Bis\ncoe', 'Bis\ncoe', 'Dream', 'Dream'],
        t: ['a', null, 'ü', '"', '', 'z'],
        d: [0, null, 1.7e12, -5, 1, 2],
      },
      outputs,
    };
    expect(text).toBe(JSON.stringify(expected));
    expect(Object.keys(JSON.parse(text) as object)).toEqual(['v', 'at', 'model', 'version', 'route', 'arm', 'key', 'status', 'error', 'latency_ms', 'rows', 'cached', 'ids', 'inputs', 'outputs']);
    expect(logLine(rest, null, null)).toBe(JSON.stringify({ ...rest, inputs: null, outputs: null }));
  });
});
