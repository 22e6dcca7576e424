// Batch prediction's streaming path, in-process: the output does not depend on how the input was
// cut into chunks (CSV and Parquet bytes alike), Parquet and CSV hold the same predictions, and a
// run leaves no temporary files behind.

import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeDuckDB } from '../../src/data/duckdb.js';
import type { Frame } from '../../src/data/frame.js';
import { readFrame } from '../../src/data/read.js';
import { predict } from '../../src/pipeline/predict.js';
import { example, repoRoot, runCli, tempDir } from '../helpers/cli.js';

const registry = tempDir('soma-predict-stream-');

beforeAll(async () => {
  const r = await runCli(['train', '-c', example('penguins', 'soma.yaml'), '--registry', registry, '--json']);
  expect(r.code, r.stderr).toBe(0);
});
afterAll(async () => {
  await closeDuckDB();
});

function cells(f: Frame): unknown[][] {
  return f.columns.map((c) => {
    if (c.type === 'categorical') return [...c.codes].map((k) => (k < 0 ? null : c.dictionary[k]));
    if (c.type === 'text') return [...c.values];
    return [...c.values!];
  });
}

describe('predict (streaming)', () => {
  it('when the chunk size changes, then CSV and Parquet outputs are byte-identical, and both hold the same predictions', async () => {
    const dir = tempDir();
    const input = example('penguins', 'penguins.csv');
    const outputs: Record<string, Buffer[]> = { csv: [], parquet: [] };
    for (const chunkRows of [1, 37, 100_000]) {
      for (const ext of ['csv', 'parquet'] as const) {
        const output = path.join(dir, `c${chunkRows}.${ext}`);
        const r = await predict({ ref: 'penguins', input, output, registryDir: registry, chunkRows, workers: 0 });
        expect(r.rows).toBe(344);
        outputs[ext]!.push(readFileSync(output));
      }
    }
    for (const ext of ['csv', 'parquet']) {
      const [first, ...rest] = outputs[ext]!;
      expect(rest.length, ext).toBeGreaterThan(0);
      for (const b of rest) expect(b.equals(first!), ext).toBe(true);
    }
    const csv = await readFrame(path.join(dir, 'c37.csv'), { types: { prediction: 'categorical' } });
    const pq = await readFrame(path.join(dir, 'c37.parquet'), { types: { prediction: 'categorical' } });
    expect(pq.names).toEqual(csv.names);
    expect(cells(pq)).toEqual(cells(csv));
    // Atomic writes: only the outputs (and their released locks, if any) are left.
    expect(readdirSync(dir).filter((n) => n.includes('.tmp-'))).toEqual([]);
  });

  it('when the model has a lag step, then by default the whole input is one chunk and predictions do not depend on --chunk-rows', async () => {
    const dir = tempDir();
    const weather = path.join(repoRoot, 'node_modules/vega-datasets/data/seattle-weather.csv');
    const config = path.join(dir, 'weather.yaml');
    writeFileSync(
      config,
      [
        'name: weather-lag',
        'data:',
        `  source: ${weather}`,
        '  target: temp_max',
        '  split: {train: 0.8, validation: 0.2, test: 0, shuffle: false}',
        'preprocess:',
        '  - lag: {columns: [temp_min], order: date, lags: [1, 7]}',
        'model: {type: gbdt, params: {n_estimators: 20}}',
      ].join('\n'),
    );
    const trained = await runCli(['train', '-c', config, '--registry', registry, '--json']);
    expect(trained.code, trained.stderr).toBe(0);
    const notices: string[] = [];
    const run = async (name: string, chunkRows?: number): Promise<string> => {
      const output = path.join(dir, name);
      const r = await predict({ ref: 'weather-lag', input: weather, output, registryDir: registry, workers: 0, onWarning: (m) => notices.push(m), ...(chunkRows ? { chunkRows } : {}) });
      expect(r.rows).toBe(1461);
      return readFileSync(output, 'utf8');
    };
    const whole = await run('default.csv');
    expect(notices.some((m) => m.includes('time-series steps') && m.includes('one chunk'))).toBe(true);
    expect(await run('one-chunk.csv', 100_000)).toBe(whole);
    // Chunks of 100 rows lose the lags at every chunk's start: different predictions.
    const chunked = (await run('chunked.csv', 100)).split('\n');
    const rows = whole.split('\n');
    expect(chunked[1]).toBe(rows[1]);
    expect(chunked.filter((line, i) => line !== rows[i]).length).toBeGreaterThan(10);
  });
});

