import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { SomaError } from '../../src/errors.js';
import { parseMetadata } from '../../src/registry/metadata.js';
import { Registry } from '../../src/registry/store.js';
import { makeTempDir, penguinInputs } from './helpers/fixtures.js';
import { registerTiny } from './helpers/register.js';

let tmp: { dir: string; cleanup: () => Promise<void> };
let reg: Registry;
beforeEach(async () => {
  tmp = await makeTempDir();
  reg = new Registry(join(tmp.dir, 'registry'));
});
afterEach(async () => tmp.cleanup());

async function codeOf(p: Promise<unknown>): Promise<SomaError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof SomaError) return e;
    throw e;
  }
  throw new Error('expected a SomaError');
}

describe('Registry.register', () => {
  it('when a model is registered for the first time, then 1.0.0 is laid out as DESIGN says with checksums and an event', async () => {
    const r = await registerTiny(reg, 'Penguins', penguinInputs());
    expect(r).toMatchObject({ name: 'penguins', version: '1.0.0', id: 'penguins_v1.0.0', bump: { level: 'initial', reason: 'first version' } });
    expect(r.dir).toBe(join(reg.root, 'penguins', 'versions', '1.0.0'));
    expect((await readdir(r.dir)).sort()).toEqual(['metadata.json', 'model', 'preprocess.json']);
    const onDisk = parseMetadata(JSON.parse(await readFile(join(r.dir, 'metadata.json'), 'utf8')), 'metadata.json');
    expect(onDisk).toEqual(r.metadata);
    expect(onDisk).toMatchObject({ formatVersion: 1, name: 'penguins', version: '1.0.0', id: 'penguins_v1.0.0', lineage: { parent: null } });
    expect(onDisk.artifacts.map((a) => a.path)).toEqual(['model/model.json', 'preprocess.json']);
    const inputs = penguinInputs();
    expect(onDisk).toMatchObject({
      description: 'Penguin species from body measurements',
      task: 'classification',
      algorithm: 'logistic',
      framework: 'soma test',
      created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      training_duration_s: 0.5,
      trained_on: { source: 'penguins.csv', sha256: inputs.data_sha256, rows: 344 },
      target: 'species',
      features: inputs.features,
      hyperparameters: inputs.hyperparameters,
      metrics: { test: { accuracy: 0.97 } },
      timings: { load_s: 0.1, preprocess_s: 0.1, fit_s: 0.2, evaluate_s: 0.1, total_s: 0.5 },
    });
    const events = await reg.readEvents('penguins');
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ event: 'registered', name: 'penguins', version: '1.0.0', bump: { level: 'initial' }, pid: process.pid });
    expect(typeof events[0]!.at).toBe('string');
    // No staging directory or lock is left behind.
    expect((await readdir(join(reg.root, 'penguins'))).sort()).toEqual(['events.jsonl', 'versions']);
  });

  it('when a second version is registered, then the bump is decided against the latest and the parent recorded', async () => {
    await registerTiny(reg, 'penguins', penguinInputs());
    const r2 = await registerTiny(reg, 'penguins', penguinInputs({ hyperparameters: { max_iter: 200, l2: 0.1 } }));
    expect(r2.version).toBe('1.1.0');
    expect(r2.bump).toEqual({ level: 'minor', reason: 'hyperparameters changed: max_iter 100 → 200' });
    expect(r2.metadata.lineage.parent).toBe('penguins_v1.0.0');
    const r3 = await registerTiny(reg, 'penguins', penguinInputs({ algorithm: 'gbdt' }));
    expect(r3.version).toBe('2.0.0');
    expect(await reg.listVersions('penguins')).toEqual(['1.0.0', '1.1.0', '2.0.0']);
  });

  it('when --version names an existing version, then REGISTRY_CONFLICT and nothing is left behind', async () => {
    await registerTiny(reg, 'penguins', penguinInputs());
    const err = await codeOf(registerTiny(reg, 'penguins', penguinInputs(), { override: { version: '1.0.0' } }));
    expect(err.code).toBe('REGISTRY_CONFLICT');
    expect((await readdir(join(reg.root, 'penguins'))).sort()).toEqual(['events.jsonl', 'versions']);
  });

  it('when write() fails, then no version appears and the staging directory is removed', async () => {
    const err = reg.register('penguins', {
      write: async (dir) => {
        await writeFile(join(dir, 'half.json'), '{');
        throw new Error('disk full');
      },
      decide: () => ({ version: '1.0.0', bump: { level: 'initial', reason: 'first version' } }),
      finalize: () => {
        throw new Error('unreachable');
      },
    });
    await expect(err).rejects.toThrow('disk full');
    expect(await reg.listVersions('penguins')).toEqual([]);
    expect(await readdir(join(reg.root, 'penguins'))).toEqual(['versions']);
  });

  it('when a dead process left a staging directory, then listVersions ignores it and the next register removes it', async () => {
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString();
    const stale = join(reg.root, 'penguins', `.staging-${dead}-abcdef`);
    await mkdir(join(stale, 'model'), { recursive: true });
    await writeFile(join(stale, 'model', 'model.json'), 'partial');
    expect(await reg.listVersions('penguins')).toEqual([]);
    expect(await reg.listModels()).toEqual([]);
    const notices: string[] = [];
    await registerTiny(reg, 'penguins', penguinInputs(), { onNotice: (m) => notices.push(m) });
    expect((await readdir(join(reg.root, 'penguins'))).filter((n) => n.startsWith('.staging'))).toEqual([]);
    expect(notices.join('\n')).toContain(`.staging-${dead}-abcdef`);
  });
});

describe('Registry.register with a damaged latest version', () => {
  it('when the latest metadata is unreadable, then registration still succeeds with a major bump and says why', async () => {
    const r0 = await registerTiny(reg, 'penguins', penguinInputs());
    await writeFile(join(r0.dir, 'metadata.json'), 'not json');
    const notices: string[] = [];
    const r1 = await registerTiny(reg, 'penguins', penguinInputs(), { onNotice: (m) => notices.push(m) });
    expect(r1.version).toBe('2.0.0');
    expect(r1.bump).toEqual({ level: 'major', reason: 'no previous metadata to compare with' });
    expect(notices.join('\n')).toContain('cannot compare with penguins@1.0.0');
  });
});
