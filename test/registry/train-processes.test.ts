// The registry's concurrency and crash guarantees with the real CLI: 8 `soma train` processes
// (bin/soma.js, the penguins example) on one registry at once, and a `soma train` killed with
// SIGKILL between writing its metadata and the rename that publishes the version. Needs dist/
// (`npm test` builds it first).

import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { repoRoot, tempDir } from '../helpers/cli.js';

const bin = path.join(repoRoot, 'bin', 'soma.js');
const config = path.join(repoRoot, 'examples', 'penguins', 'soma.yaml');
const soma = (args: string[], env: Record<string, string> = {}) => execa('node', [bin, ...args], { cwd: repoRoot, env, reject: false, timeout: 120_000 });

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('soma train processes racing on one registry', () => {
  it('when 8 soma train processes run at once, then they register 8 distinct versions that all verify', async () => {
    const registry = tempDir('soma-train-race-');
    const runs = await Promise.all(Array.from({ length: 8 }, () => soma(['train', '-c', config, '--registry', registry, '--json'])));
    for (const r of runs) expect(r.exitCode, r.stderr).toBe(0);
    const versions = runs.map((r) => (JSON.parse(r.stdout) as { version: string }).version);
    expect(new Set(versions).size).toBe(8);
    // Identical reruns bump the patch level: 1.0.0 then 1.0.1 ... 1.0.7, whoever wins each turn.
    expect([...versions].sort()).toEqual(['1.0.0', '1.0.1', '1.0.2', '1.0.3', '1.0.4', '1.0.5', '1.0.6', '1.0.7']);

    const verify = await soma(['models', 'verify', 'penguins', '--registry', registry, '--json']);
    expect(verify.exitCode, verify.stderr).toBe(0);
    const checked = (JSON.parse(verify.stdout) as { models: { versions: { version: string; ok: boolean }[] }[] }).models[0]!.versions;
    expect(checked.map((v) => v.ok)).toEqual(Array(8).fill(true));
    expect(readdirSync(path.join(registry, 'penguins')).sort()).toEqual(['events.jsonl', 'versions']);
  }, 120_000);

  it('when soma train is SIGKILLed during registration, then no partial version is visible and the next train and load work', async () => {
    const registry = tempDir('soma-train-kill-');
    const first = await soma(['train', '-c', config, '--registry', registry, '--json']);
    expect(first.exitCode, first.stderr).toBe(0);

    // SOMA_TEST_PAUSE_BEFORE_RENAME_MS (test-only) holds the child inside the locked section,
    // after metadata.json is written and before the rename that publishes the version.
    const child = spawn('node', [bin, 'train', '-c', config, '--registry', registry], {
      cwd: repoRoot,
      env: { ...process.env, SOMA_TEST_PAUSE_BEFORE_RENAME_MS: '60000' },
      stdio: 'ignore',
    });
    const modelDir = path.join(registry, 'penguins');
    const inWindow = (): boolean => {
      const staging = readdirSync(modelDir).filter((n) => n.startsWith('.staging-'));
      return existsSync(path.join(modelDir, '.lock')) && staging.some((s) => existsSync(path.join(modelDir, s, 'metadata.json')));
    };
    const deadline = Date.now() + 60_000;
    while (!inWindow()) {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`the child never reached the rename (exit ${child.exitCode})`);
      await sleep(25);
    }
    const exited = new Promise((r) => child.on('exit', r));
    child.kill('SIGKILL');
    await exited;

    // The debris (a lock of a dead pid, a staging directory) is there, but no version appeared.
    expect(readdirSync(modelDir).some((n) => n.startsWith('.staging-'))).toBe(true);
    expect(readdirSync(path.join(modelDir, 'versions'))).toEqual(['1.0.0']);
    const shown = await soma(['models', 'show', 'penguins', '--registry', registry, '--json']);
    expect(shown.exitCode, shown.stderr).toBe(0);
    expect(JSON.parse(shown.stdout)).toMatchObject({ version: '1.0.0' });

    // The next registration clears the dead process's lock and staging directory.
    const next = await soma(['train', '-c', config, '--registry', registry, '--json']);
    expect(next.exitCode, next.stderr).toBe(0);
    expect(JSON.parse(next.stdout)).toMatchObject({ version: '1.0.1' });
    expect(readdirSync(modelDir).sort()).toEqual(['events.jsonl', 'versions']);
    const verify = await soma(['models', 'verify', '--registry', registry]);
    expect(verify.exitCode, verify.stderr).toBe(0);
  }, 120_000);
});
