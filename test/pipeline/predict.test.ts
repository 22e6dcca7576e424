// Batch prediction's streaming path, in-process: the output does not depend on how the input was
// cut into chunks (CSV and Parquet bytes alike), Parquet and CSV hold the same predictions, and a
// run leaves no temporary files behind.

import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeDuckDB } from '../../src/data/duckdb.js';
import type { Frame } from '../../src/data/frame.js';
import { readFrame } from '../../src/data/read.js';
import { predict } from '../../src/pipeline/predict.js';
import { example, runCli, tempDir } from '../helpers/cli.js';

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
      for (const b of rest) expect(b.equals(first!), ext).toBe(true);
    }
    const csv = await readFrame(path.join(dir, 'c37.csv'), { types: { prediction: 'categorical' } });
    const pq = await readFrame(path.join(dir, 'c37.parquet'), { types: { prediction: 'categorical' } });
    expect(pq.names).toEqual(csv.names);
    expect(cells(pq)).toEqual(cells(csv));
    // Atomic writes: only the outputs (and their released locks, if any) are left.
    expect(readdirSync(dir).filter((n) => n.includes('.tmp-'))).toEqual([]);
  });
});
