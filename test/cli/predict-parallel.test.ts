// `soma predict` for cron: worker threads give byte-identical output to one worker and to the main
// thread, globs and NDJSON are read, a run record lands in predictions.jsonl, and overlapping runs
// on one output path take turns through `<output>.lock`. Worker threads start from dist/
// (`npm test` builds it first).

import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname, userInfo } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { beforeAll, describe, expect, it } from 'vitest';
import { readFrame } from '../../src/data/read.js';
import { writeFrame } from '../../src/data/write.js';
import { withOutputLock } from '../../src/registry/runs.js';
import { example, repoRoot, runCli, tempDir } from '../helpers/cli.js';

const registry = tempDir('soma-predict-par-');
const reg = ['--registry', registry];
const bin = path.join(repoRoot, 'bin', 'soma.js');

beforeAll(async () => {
  for (const name of ['cars', 'penguins']) {
    const r = await runCli(['train', '-c', example(name, 'soma.yaml'), ...reg, '--json']);
    expect(r.code, r.stderr).toBe(0);
  }
});

async function predictTo(out: string, ...args: string[]): Promise<Buffer> {
  const r = await runCli(['predict', ...args, '--output', out, ...reg, '--json']);
  expect(r.code, r.stderr).toBe(0);
  return readFileSync(out);
}

describe('parallel prediction', () => {
  it('when 2 workers predict in small chunks, then CSV and Parquet outputs are byte-identical to 1 worker and to the main thread', async () => {
    const dir = tempDir();
    const input = ['cars-mpg', '--input', example('cars', 'cars.csv'), '--chunk-rows', '37'];
    for (const ext of ['csv', 'parquet']) {
      const one = await predictTo(path.join(dir, `w1.${ext}`), ...input, '--workers', '1');
      const two = await predictTo(path.join(dir, `w2.${ext}`), ...input, '--workers', '2');
      const main = await predictTo(path.join(dir, `w0.${ext}`), ...input, '--workers', '0');
      expect(two.equals(one), ext).toBe(true);
      expect(main.equals(one), ext).toBe(true);
    }
    // Rows stay in input order: the id column comes back as it went in (11 chunks of 37 rows).
    const names = readFileSync(example('cars', 'cars.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(',')[0]);
    const out = readFileSync(path.join(dir, 'w2.csv'), 'utf8').trim().split('\n');
    expect(out[0]).toBe('Name,prediction');
    expect(out.slice(1).map((l) => l.split(',')[0])).toEqual(names);
  });

  it('when the --json summary is asked for, then it has the documented shape and a run record is appended to predictions.jsonl', async () => {
    const out = path.join(tempDir(), 'species.ndjson');
    const r = await runCli(['predict', 'penguins', '--input', example('penguins', 'penguins.csv'), '--output', out, '--chunk-rows', '100', '--workers', '2', ...reg, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const s = r.json() as Record<string, unknown>;
    expect(s).toMatchObject({ ref: 'penguins', id: 'penguins_v1.0.0', version: '1.0.0', rows: 344, output: out, workers: 2 });
    expect(s['seconds']).toBeGreaterThan(0);
    expect(s['rows_per_s']).toBeGreaterThan(0);
    const lines = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(344);
    expect(Object.keys(lines[0]!)).toEqual(['prediction', 'proba_Adelie', 'proba_Chinstrap', 'proba_Gentoo']);

    const runs = readFileSync(path.join(registry, 'penguins', 'predictions.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(runs.at(-1)).toMatchObject({ version: '1.0.0', input: example('penguins', 'penguins.csv'), output: out, rows: 344 });
    expect(runs.at(-1)).toMatchObject({ at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/), user: userInfo().username, host: hostname(), pid: process.pid });
    expect(runs.at(-1)!['seconds']).toBeGreaterThan(0);
    // The version directory is untouched: the record lives next to it.
    expect((await runCli(['models', 'verify', 'penguins', ...reg])).code).toBe(0);
  });

  it('when the input is a glob of CSV files or an NDJSON file, then every row is predicted as from the single CSV', async () => {
    const dir = tempDir();
    const lines = readFileSync(example('penguins', 'penguins.csv'), 'utf8').trim().split('\n');
    const [header, ...body] = lines;
    // Names that sort in input order, since a glob is read in file-name order.
    [body.slice(0, 100), body.slice(100, 250), body.slice(250)].forEach((part, i) => writeFileSync(path.join(dir, `part-${i}.csv`), [header, ...part].join('\n') + '\n'));
    await writeFrame(path.join(dir, 'all.ndjson'), await readFrame(example('penguins', 'penguins.csv')));

    const single = (await predictTo(path.join(dir, 'single.csv'), 'penguins', '--input', example('penguins', 'penguins.csv'))).toString();
    const globbed = (await predictTo(path.join(dir, 'glob.csv'), 'penguins', '--input', path.join(dir, 'part-*.csv'), '--chunk-rows', '64', '--workers', '2')).toString();
    const ndjson = (await predictTo(path.join(dir, 'nd.csv'), 'penguins', '--input', path.join(dir, 'all.ndjson'), '--chunk-rows', '64', '--workers', '2')).toString();
    expect(globbed.split('\n')).toHaveLength(346);
    expect(globbed).toBe(single);
    // NDJSON numbers come back as DOUBLE where the CSV had them as text; predictions must agree.
    const classes = (s: string) => s.trim().split('\n').map((l) => l.split(',')[0]);
    expect(classes(ndjson)).toEqual(classes(single));
  });

  it('when --workers is not a whole number, then it exits 2', async () => {
    const r = await runCli(['predict', 'penguins', '--input', example('penguins', 'penguins.csv'), '--output', path.join(tempDir(), 'x.csv'), '--workers', 'many', ...reg]);
    expect(r.code).toBe(2);
  });
});

describe('overlapping runs on one output path', () => {
  it('when another run holds the output lock past --lock-timeout, then it exits 6 naming the holder and writes nothing', async () => {
    const dir = tempDir();
    const out = path.join(dir, 'out.csv');
    let result: Awaited<ReturnType<typeof runCli>> | undefined;
    await withOutputLock(
      out,
      async () => {
        result = await runCli(['predict', 'cars-mpg', '--input', example('cars', 'cars.csv'), '--output', out, '--lock-timeout', '0.3', ...reg]);
      },
      { timeoutMs: 1000, command: 'nightly-job predict cars' },
    );
    expect(result!.code).toBe(6);
    expect(result!.stderr).toMatch(new RegExp(`REGISTRY_LOCKED.*out\\.csv\\.lock.*pid ${process.pid}.*nightly-job predict cars`));
    expect(readdirSync(dir)).toEqual([]);
  });

  it('when two soma predict processes write one output at once, then both succeed one after the other and the file is whole', async () => {
    const dir = tempDir();
    const out = path.join(dir, 'mpg.csv');
    const args = ['predict', 'cars-mpg', '--input', example('cars', 'cars.csv'), '--output', out, '--chunk-rows', '16', '--workers', '1', ...reg, '--json'];
    const runs = await Promise.all([execa('node', [bin, ...args], { reject: false }), execa('node', [bin, ...args], { reject: false })]);
    for (const r of runs) expect(r.exitCode, r.stderr).toBe(0);
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(407);
    expect(new Set(lines).size).toBeGreaterThan(300); // not two files' rows interleaved or repeated
    expect(readdirSync(dir)).toEqual(['mpg.csv']); // no lock or temporary file left
    const records = readFileSync(path.join(registry, 'cars-mpg', 'predictions.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { output: string; pid: number });
    const mine = records.filter((r) => r.output === out);
    expect(mine).toHaveLength(2);
    expect(new Set(mine.map((r) => r.pid)).size).toBe(2);
  }, 60_000);

  it('when the lock was left by a process that died, then the next run clears it and succeeds', async () => {
    const dir = tempDir();
    const out = path.join(dir, 'out.csv');
    const dead = spawn(process.execPath, ['-e', '0']);
    const pid = dead.pid!;
    await new Promise((r) => dead.on('exit', r));
    const { hostname } = await import('node:os');
    writeFileSync(`${out}.lock`, JSON.stringify({ pid, hostname: hostname(), created_at: new Date().toISOString(), command: 'soma predict (killed)', token: 'dead' }));
    const r = await runCli(['predict', 'cars-mpg', '--input', example('cars', 'cars.csv'), '--output', out, '--lock-timeout', '5', ...reg]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/cleared a stale output lock/);
    expect(readdirSync(dir)).toEqual(['out.csv']);
  });
});
