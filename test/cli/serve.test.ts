// `soma serve` as a real process (bin/soma.js): --json prints the bound URL and routes once the
// models are loaded; SIGTERM lets a request in flight finish and exits 0; SIGHUP reloads (with
// watching off, nothing else would); serve.yaml problems exit 2 with file:line:col; --workers 2
// shares one port and sums the workers' metrics; a REF that does not exist exits 6.

import { writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import path from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JsonObject } from '../../src/util/json.js';
import { get, penguinsGbdt, post, train, typedRecords } from '../server/helpers.js';
import { example, repoRoot, runCli, tempDir } from '../helpers/cli.js';

const registry = tempDir('soma-serve-cli-');
const work = tempDir('soma-serve-cli-work-');
const bin = path.join(repoRoot, 'bin', 'soma.js');
const numeric = new Set(['Beak Length (mm)', 'Beak Depth (mm)', 'Flipper Length (mm)', 'Body Mass (g)']);
const rows = typedRecords(example('penguins', 'penguins.csv'), numeric, ['Species']);
const running: ResultPromise[] = [];

beforeAll(async () => {
  await train(registry, [penguinsGbdt(3, 20), penguinsGbdt(3, 30)]);
  const r = await runCli(['models', 'promote', 'penguins-gbdt@1.0.0', '--to', 'production', '--registry', registry]);
  expect(r.code, r.stderr).toBe(0);
}, 120_000);

afterAll(() => {
  for (const p of running) if (p.exitCode === undefined || p.exitCode === null) p.kill('SIGKILL');
});

/** Starts `soma serve ... --json` and resolves with its ready document once stdout holds it. */
async function startServe(args: string[]): Promise<{ proc: ResultPromise; ready: JsonObject }> {
  const proc = execa('node', [bin, 'serve', ...args, '--registry', registry, '--port', '0', '--json'], { reject: false, cwd: work });
  running.push(proc);
  let out = '';
  const ready = await new Promise<JsonObject>((resolve, reject) => {
    proc.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      try {
        resolve(JSON.parse(out) as JsonObject);
      } catch {
        // not complete yet
      }
    });
    void proc.then((r) => reject(new Error(`soma serve exited ${r.exitCode} before it was ready: ${r.stderr}`)));
  });
  return { proc, ready };
}

describe('soma serve (the real process)', () => {
  it('when started with --json, then it prints the URL, what it serves and the routes, and on SIGTERM finishes the request in flight and exits 0', async () => {
    const { proc, ready } = await startServe(['penguins-gbdt@production']);
    expect(ready['url']).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(ready['workers']).toBe(1);
    expect(ready['models']).toEqual([{ name: 'penguins-gbdt', routing: 'production → 1.0.0', arms: [{ arm: 'production', version: '1.0.0', weight: 1 }], shadow: [] }]);
    expect((ready['routes'] as JsonObject[]).map((r) => r['path'])).toContain('/invocations');
    // A request whose body is still arriving when SIGTERM comes.
    const body = JSON.stringify({ records: rows.slice(0, 2) });
    const socket = connect(Number(ready['port']), '127.0.0.1');
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    let answer = '';
    socket.on('data', (d: Buffer) => (answer += d.toString()));
    const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    socket.write(`POST /models/penguins-gbdt/predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body.slice(0, 10)}`);
    await new Promise((r) => setTimeout(r, 200));
    proc.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 300));
    socket.write(body.slice(10));
    await closed;
    expect(answer).toMatch(/^HTTP\/1\.1 200/);
    expect(answer.toLowerCase()).toContain('connection: close');
    expect(answer).toContain('"version":"1.0.0"');
    const result = await proc;
    expect(result.exitCode, String(result.stderr)).toBe(0);
  });

  it('when watching is off, then a promotion is served only after SIGHUP', async () => {
    const config = path.join(work, 'nowatch.yaml');
    writeFileSync(config, 'watch: false\nserving: {batch_size: 8}\n');
    const { proc, ready } = await startServe(['penguins-gbdt@production', '--config', config]);
    const url = `${String(ready['url'])}/models/penguins-gbdt/predict`;
    const version = async (): Promise<string | null> => (await post(url, { records: rows.slice(0, 1) })).headers.get('x-soma-model-version');
    expect(await version()).toBe('1.0.0');
    const promoted = await runCli(['models', 'promote', 'penguins-gbdt@1.1.0', '--to', 'production', '--registry', registry]);
    expect(promoted.code).toBe(0);
    await new Promise((r) => setTimeout(r, 500));
    expect(await version()).toBe('1.0.0');
    proc.kill('SIGHUP');
    const t0 = Date.now();
    while ((await version()) !== '1.1.0' && Date.now() - t0 < 10_000) await new Promise((r) => setTimeout(r, 50));
    expect(await version()).toBe('1.1.0');
    proc.kill('SIGTERM');
    const result = await proc;
    expect(result.exitCode).toBe(0);
    expect(String(result.stderr)).toContain('penguins-gbdt: now serving production → 1.1.0 (was production → 1.0.0)');
    await runCli(['models', 'rollback', 'penguins-gbdt', '--alias', 'production', '--registry', registry]);
  });

  it('when serve.yaml has a problem or the REF does not exist, then it exits 2 with file:line:col, or 6', async () => {
    const config = path.join(work, 'bad.yaml');
    writeFileSync(config, 'port: 8080\nserving:\n  batch_sise: 8\nmodels:\n  penguins-gbdt: {routes: {production: -1}}\n');
    const bad = await execa('node', [bin, 'serve', 'penguins-gbdt', '--config', config, '--registry', registry], { reject: false });
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toContain(`${config}:3:3 serving.batch_sise: unknown key`);
    expect(bad.stderr).toContain('did you mean "batch_size"?');
    expect(bad.stderr).toMatch(/bad\.yaml:5:\d+ models\.penguins-gbdt\.routes\.production/);
    const missing = await execa('node', [bin, 'serve', 'nope@production', '--registry', registry, '--port', '0'], { reject: false });
    expect(missing.exitCode).toBe(6);
    expect(missing.stderr).toContain("no model named 'nope'");
    const split = await execa('node', [bin, 'serve', 'penguins-gbdt', '--split', 'production=x', '--registry', registry], { reject: false });
    expect(split.exitCode).toBe(2);
    expect(split.stderr).toContain('--split production=x: expected [MODEL:]ARM=WEIGHT');
  });

  it('when started with --workers 2, then both share the port, /metrics sums their requests, and SIGTERM stops all with exit 0', async () => {
    const { proc, ready } = await startServe(['penguins-gbdt@production', '--workers', '2']);
    expect(ready['workers']).toBe(2);
    expect(ready['models']).toEqual([{ name: 'penguins-gbdt', routing: 'production → 1.0.0', arms: [{ arm: 'production', version: '1.0.0', weight: 1 }], shadow: [] }]);
    const url = String(ready['url']);
    const answers = await Promise.all(Array.from({ length: 40 }, (_, i) => post(`${url}/models/penguins-gbdt/predict`, { records: rows.slice(i, i + 1) }, { connection: 'close' })));
    expect(answers.every((a) => a.status === 200)).toBe(true);
    const scrape = (await get(`${url}/metrics`)).text;
    expect(scrape).toContain('soma_http_requests_total{model="penguins-gbdt",version="1.0.0",route="soma",status="200"} 40');
    const reload = await post(`${url}/admin/reload`, '');
    expect(reload.status).toBe(200);
    proc.kill('SIGTERM');
    const result = await proc;
    expect(result.exitCode, String(result.stderr)).toBe(0);
  });
});
