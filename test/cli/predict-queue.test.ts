// Distributed batch prediction end to end: real `soma worker` processes (bin/soma.js; build
// first) on a real Redis (scripts/test-services.sh), one SIGKILLed mid-job; the parts, the
// manifest and a rerun; a failing job's bounded retries; an unreachable Redis.

import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { example, repoRoot, runCli, tempDir } from '../helpers/cli.js';
import { redisUrlForTests } from '../helpers/services.js';

const redis = redisUrlForTests(import.meta.filename);
const FILES = 6;

interface Manifest {
  ref: string;
  id: string;
  batch: string;
  rows: number;
  parts: { input: string; part: string; rows: number }[];
}

/** A `soma worker` process; `lines` holds what it printed on stderr so far. */
function worker(args: string[]): { child: ChildProcess; lines: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, [path.join(repoRoot, 'bin', 'soma.js'), 'worker', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  return { child, lines: () => err, exited: new Promise((resolve) => child.on('exit', (code) => resolve(code))) };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function rowsOf(sql: string): Promise<unknown[][]> {
  const db = await DuckDBInstance.create();
  const c = await db.connect();
  try {
    return (await c.runAndReadAll(sql)).getRows();
  } finally {
    c.closeSync();
  }
}

describe.skipIf(!redis)('soma predict --queue and soma worker', () => {
  const dir = tempDir();
  const reg = path.join(dir, 'registry');
  const inputs = path.join(dir, 'in');
  // Each test its own queue, so workers of one never take another's jobs.
  const queueName = (t: string): string => `soma-test-${process.pid}-${t}`;
  const workers: ChildProcess[] = [];

  beforeAll(async () => {
    writeFileSync(
      path.join(dir, 'soma.yaml'),
      `name: pq\nseed: 1\ndata:\n  source: ${example('penguins', 'penguins.csv')}\n  target: Species\npreprocess:\n  - impute: {columns: numeric, strategy: median}\nmodel:\n  type: logistic\n`,
    );
    const t = await runCli(['train', '-c', path.join(dir, 'soma.yaml'), '--registry', reg, '--runs-dir', path.join(dir, 'runs'), '--json']);
    expect(t.code, t.stderr).toBe(0);
    // FILES inputs of 3,000 rows each, cut from penguins (repeated) so a job takes a moment.
    const [head, ...rows] = readFileSync(example('penguins', 'penguins.csv'), 'utf8').trim().split('\n');
    mkdirSync(inputs);
    for (let f = 0; f < FILES; f++) {
      const lines = Array.from({ length: 3000 }, (_, i) => rows[(f * 37 + i) % rows.length]!);
      writeFileSync(path.join(inputs, `p${f}.csv`), `${head}\n${lines.join('\n')}\n`);
    }
  });
  afterAll(() => {
    for (const w of workers) w.kill('SIGKILL');
  });

  it('when a worker is SIGKILLed mid-job, then its job is picked up by a worker started after (stalled-job detection), every part is committed once in the manifest, the predictions are a local run\'s, and a rerun changes nothing', async () => {
    const q = queueName('kill');
    const out = path.join(dir, 'out-kill');
    const wargs = ['--queue', redis!, '--queue-name', q, '--registry', reg, '--stall-timeout', '2'];
    const victim = worker(wargs);
    workers.push(victim.child);
    const enqueue = runCli(['predict', 'pq', '--input', path.join(inputs, '*.csv'), '--output', out, '--queue', redis!, '--queue-name', q, '--registry', reg, '--json']);
    // Kill the victim as soon as it starts a job (before it can finish it), then start the survivor.
    const t0 = Date.now();
    while (!/^started /m.test(victim.lines())) {
      if (Date.now() - t0 > 60_000) throw new Error(`the worker never started a job: ${victim.lines()}`);
      await sleep(5);
    }
    victim.child.kill('SIGKILL');
    await victim.exited;
    const started = /^started \S+ (\S+) /m.exec(victim.lines())![1]!;
    expect(victim.lines()).not.toMatch(/^completed /m);
    const survivor = worker(wargs);
    workers.push(survivor.child);

    const r = await enqueue;
    expect(r.code, r.stderr).toBe(0);
    const res = r.json() as { rows: number; parts: number; manifest: string; batch: string };
    expect(res).toMatchObject({ rows: FILES * 3000, parts: FILES });
    const m = JSON.parse(readFileSync(res.manifest, 'utf8')) as Manifest;
    expect(m.parts.map((p) => path.basename(p.input))).toEqual(Array.from({ length: FILES }, (_, i) => `p${i}.csv`));
    expect(m.parts.every((p) => p.rows === 3000)).toBe(true);
    expect(readdirSync(path.join(out, 'parts')).sort()).toEqual(m.parts.map((p) => path.basename(p.part)).sort());
    // The job the victim died in was done by the survivor.
    expect(survivor.lines()).toContain(`completed pq@1.0.0 ${started} `);

    const local = path.join(dir, 'local.parquet');
    expect((await runCli(['predict', 'pq', '--input', path.join(inputs, '*.csv'), '--output', local, '--registry', reg, '--workers', '0'])).code).toBe(0);
    const parts = m.parts.map((p) => `'${p.part}'`).join(', ');
    const diff = await rowsOf(`SELECT count(*) FROM (SELECT * FROM read_parquet([${parts}]) EXCEPT ALL SELECT * FROM read_parquet('${local}'))`);
    expect(Number(diff[0]![0])).toBe(0);
    const counts = await rowsOf(`SELECT (SELECT count(*) FROM read_parquet([${parts}])), (SELECT count(*) FROM read_parquet('${local}'))`);
    expect(counts[0]!.map(Number)).toEqual([FILES * 3000, FILES * 3000]);

    // The same command again: the same batch, every job already done, nothing redone.
    const before = survivor.lines().split('\n').filter((l) => l.startsWith('started')).length;
    const again = await runCli(['predict', 'pq', '--input', path.join(inputs, '*.csv'), '--output', out, '--queue', redis!, '--queue-name', q, '--registry', reg, '--json']);
    expect(again.code).toBe(0);
    expect((again.json() as { batch: string }).batch).toBe(res.batch);
    await sleep(300);
    expect(survivor.lines().split('\n').filter((l) => l.startsWith('started')).length).toBe(before);
    survivor.child.kill('SIGTERM');
    expect(await survivor.exited).toBe(0);
  });

  it('when a job fails every time, then it is tried 3 times, and the enqueuer exits with the error\'s own code (3: a missing column) naming the file and the error; no manifest is written', async () => {
    const q = queueName('fail');
    const bad = path.join(dir, 'bad');
    mkdirSync(bad);
    writeFileSync(path.join(bad, 'nope.csv'), 'a,b\n1,2\n');
    const w = worker(['--queue', redis!, '--queue-name', q, '--registry', reg]);
    workers.push(w.child);
    const out = path.join(dir, 'out-fail');
    const r = await runCli(['predict', 'pq', '--input', path.join(bad, '*.csv'), '--output', out, '--queue', redis!, '--queue-name', q, '--registry', reg, '--json']);
    expect(r.code).toBe(3);
    const e = (r.json() as { error: { code: string; message: string; details: { attempts: number } } }).error;
    expect(e.code).toBe('DATA_MISSING_COLUMN');
    expect(e.code).toBe('DATA_MISSING_COLUMN');
    expect(e.message).toMatch(/nope\.csv: its prediction job failed 3 time\(s\): .*column/i);
    expect(e.details.attempts).toBe(3);
    expect(readdirSync(out)).not.toContain('manifest.json');
    w.child.kill('SIGTERM');
    await w.exited;
  });

  it('when Redis is unreachable, then exit 7 naming the URL without its password', async () => {
    const r = await runCli(['predict', 'pq', '--input', path.join(inputs, '*.csv'), '--output', path.join(dir, 'out-x'), '--queue', 'redis://:sekret-pw@127.0.0.1:1', '--registry', reg, '--json']);
    expect(r.code).toBe(7);
    const e = (r.json() as { error: { code: string; message: string } }).error;
    expect(e.code).toBe('STORAGE_UNREACHABLE');
    expect(e.message).toContain('redis://:***@127.0.0.1:1');
    expect(r.stdout + r.stderr).not.toContain('sekret-pw');
  });
});
