// Real processes racing to register the same model: the registry's lock and rename protocol is
// only proven across processes, so this spawns them (no mocks, compiled modules).

import { execFile, spawn } from 'node:child_process';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { Registry } from '../../src/registry/store.js';
import { makeTempDir } from './helpers/fixtures.js';

const run = promisify(execFile);
const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, '..', '..');

let tmp: { dir: string; cleanup: () => Promise<void> };
let compiled: string;

beforeAll(async () => {
  tmp = await makeTempDir('soma-race-');
  const out = join(tmp.dir, 'build');
  // Compile just the registry (and what it imports) to a private dir, so the test neither needs
  // nor disturbs the shared dist/.
  await run(
    process.execPath,
    [
      join(repo, 'node_modules', 'typescript', 'bin', 'tsc'),
      '--outDir', out, '--rootDir', join(repo, 'src'),
      '--module', 'NodeNext', '--moduleResolution', 'NodeNext', '--target', 'ES2022',
      '--strict', '--skipLibCheck', '--types', 'node', '--declaration', 'false',
      join(repo, 'src', 'registry', 'store.ts'), join(repo, 'src', 'registry', 'bump.ts'),
    ],
    { cwd: repo },
  );
  await writeFile(join(out, 'package.json'), '{"type":"module"}\n');
  compiled = join(out, 'registry');
}, 60_000);

afterAll(async () => tmp?.cleanup());

describe('concurrent registration', () => {
  it('when 8 processes register the same model at once, then they get 8 distinct, intact versions 1.0.0..1.0.7', async () => {
    const root = join(tmp.dir, 'registry');
    const startAt = Date.now() + 1500;
    const children = Array.from({ length: 8 }, (_, i) =>
      run(process.execPath, [join(here, 'helpers', 'register-child.mjs'), compiled, root, String(startAt), String(i)], { timeout: 30_000 }),
    );
    const results = (await Promise.all(children)).map((r) => JSON.parse(r.stdout) as { index: number; version: string; dir: string });

    const versions = results.map((r) => r.version).sort();
    expect(versions).toEqual(['1.0.0', '1.0.1', '1.0.2', '1.0.3', '1.0.4', '1.0.5', '1.0.6', '1.0.7']);

    const reg = new Registry(root);
    expect(await reg.listVersions('race')).toEqual(versions);
    for (const r of results) {
      const resolved = await reg.load(`race@${r.version}`);
      // Each version holds the artifacts of the child that was told it got that version.
      expect(JSON.parse(await readFile(join(resolved.dir, 'preprocess.json'), 'utf8'))).toEqual({ child: r.index });
      expect(resolved.metadata.summary).toEqual({ child: r.index });
      expect(await reg.verify(resolved)).toEqual([]);
    }
    // Parents chain: every version but the first names the one before it.
    for (const v of versions.slice(1)) {
      const m = (await reg.resolve(`race@${v}`)).metadata;
      const prevPatch = Number(v.split('.')[2]) - 1;
      expect(m.lineage.parent).toBe(`race_v1.0.${prevPatch}`);
    }
    const events = await reg.readEvents('race');
    expect(events.map((e) => e.version).sort()).toEqual(versions);
    expect((await readdir(join(root, 'race'))).sort()).toEqual(['events.jsonl', 'versions']);
  }, 60_000);

  it('when a process is SIGKILLed while holding the lock, then no partial version is visible and the next registration clears the debris', async () => {
    const root = join(tmp.dir, 'crash');
    const child = spawn(process.execPath, [join(here, 'helpers', 'register-child.mjs'), compiled, root, '0', '0', 'hang'], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => d.toString().includes('HOLDING') && resolve());
      child.on('exit', (code) => reject(new Error(`child exited early with ${code}`)));
    });
    const before = await readdir(join(root, 'race'));
    expect(before).toContain('.lock');
    expect(before.some((n) => n.startsWith('.staging-'))).toBe(true);
    child.kill('SIGKILL');
    await new Promise((resolve) => child.on('exit', resolve));

    const reg = new Registry(root);
    expect(await reg.listVersions('race')).toEqual([]);
    expect(await reg.listModels()).toEqual([]);

    const out = await run(process.execPath, [join(here, 'helpers', 'register-child.mjs'), compiled, root, '0', '1'], { timeout: 30_000 });
    expect(JSON.parse(out.stdout)).toMatchObject({ index: 1, version: '1.0.0' });
    expect((await readdir(join(root, 'race'))).sort()).toEqual(['events.jsonl', 'versions']);
    await expect(reg.load('race')).resolves.toMatchObject({ version: '1.0.0', metadata: { summary: { child: 1 } } });
  }, 60_000);
});
