import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { SomaError } from '../../src/errors.js';
import { parseMetadata } from '../../src/registry/metadata.js';
import { defaultRegistryDir, Registry, resolveRegistryDir } from '../../src/registry/store.js';
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

describe('registry location', () => {
  it('when nothing is set, then it is ./artifacts/registry; SOMA_REGISTRY and --registry override in that order', () => {
    expect(defaultRegistryDir({}, '/w')).toBe('/w/artifacts/registry');
    expect(defaultRegistryDir({ SOMA_REGISTRY: 'reg' }, '/w')).toBe('/w/reg');
    expect(defaultRegistryDir({ SOMA_REGISTRY: '/abs/reg' }, '/w')).toBe('/abs/reg');
    expect(resolveRegistryDir('cli', { SOMA_REGISTRY: '/abs/reg' }, '/w')).toBe('/w/cli');
    expect(resolveRegistryDir(undefined, { SOMA_REGISTRY: '' }, '/w')).toBe('/w/artifacts/registry');
  });
});

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

describe('Registry.resolve', () => {
  beforeEach(async () => {
    await registerTiny(reg, 'penguins', penguinInputs()); // 1.0.0
    await registerTiny(reg, 'penguins', penguinInputs({ data_sha256: 'e'.repeat(64) })); // 1.0.1
    await registerTiny(reg, 'penguins', penguinInputs({ preprocess_sha256: 'b'.repeat(64) })); // 1.1.0
    await registerTiny(reg, 'penguins', penguinInputs({ target: 'sex' })); // 2.0.0
    await registerTiny(reg, 'cars', penguinInputs({ task: 'regression' }));
    await reg.withModelLock('penguins', () => reg.writeAliases('penguins', { production: '1.0.1', staging: '1.1.0' }));
  });

  it('when models and versions are listed, then both are sorted', async () => {
    expect(await reg.listModels()).toEqual(['cars', 'penguins']);
    expect(await reg.listVersions('penguins')).toEqual(['1.0.0', '1.0.1', '1.1.0', '2.0.0']);
    expect(await reg.latest('penguins')).toBe('2.0.0');
    expect(await reg.latest('nope')).toBeUndefined();
  });

  it.each([
    ['penguins', '2.0.0'],
    ['penguins@latest', '2.0.0'],
    ['penguins@1.0.1', '1.0.1'],
    ['penguins@^1.0', '1.1.0'],
    ['penguins@~1.0', '1.0.1'],
    ['penguins@1.x', '1.1.0'],
    ['penguins@production', '1.0.1'],
    ['PENGUINS@Staging', '1.1.0'],
    ['penguins_v1.0.0', '1.0.0'],
  ])("when '%s' is resolved, then it is version %s with its metadata", async (ref, version) => {
    const r = await reg.resolve(ref);
    expect(r.version).toBe(version);
    expect(r.metadata.version).toBe(version);
    expect(r.id).toBe(`penguins_v${version}`);
  });

  it('when the model does not exist, then REGISTRY_NOT_FOUND lists the models that do', async () => {
    const e = await codeOf(reg.resolve('pengiuns'));
    expect(e.code).toBe('REGISTRY_NOT_FOUND');
    expect(e.exitCode).toBe(6);
    expect(e.message).toContain("'pengiuns'");
    expect(e.hint).toContain('cars, penguins');
  });

  it('when the version or range matches nothing, then REGISTRY_NOT_FOUND lists the versions, newest first', async () => {
    const e = await codeOf(reg.resolve('penguins@1.5.0'));
    expect(e.message).toBe('penguins@1.5.0 not found');
    expect(e.hint).toBe('versions of penguins: 2.0.0, 1.1.0, 1.0.1, 1.0.0');
    const e2 = await codeOf(reg.resolve('penguins@^3'));
    expect(e2.message).toBe('no version of penguins matches ^3');
  });

  it('when the alias does not exist, then REGISTRY_NOT_FOUND lists the aliases', async () => {
    const e = await codeOf(reg.resolve('penguins@archived'));
    expect(e.code).toBe('REGISTRY_NOT_FOUND');
    expect(e.hint).toBe('aliases of penguins: production → 1.0.1, staging → 1.1.0');
  });

  it('when an alias points to a removed version, then REGISTRY_NOT_FOUND says where it points', async () => {
    await reg.writeAliases('penguins', { production: '1.0.7' });
    const e = await codeOf(reg.resolve('penguins@production'));
    expect(e.message).toContain("alias 'production' of penguins points to 1.0.7, which does not exist");
  });
});

describe('Registry integrity', () => {
  it('when nothing changed, then verify finds no problems and load succeeds', async () => {
    await registerTiny(reg, 'penguins', penguinInputs());
    const r = await reg.resolve('penguins');
    expect(await reg.verify(r)).toEqual([]);
    await expect(reg.load('penguins')).resolves.toMatchObject({ version: '1.0.0' });
  });

  it('when an artifact is changed and another deleted, then assertIntact throws REGISTRY_INTEGRITY naming both', async () => {
    const r0 = await registerTiny(reg, 'penguins', penguinInputs());
    // Same length, different bytes: only the hash can notice.
    const modelPath = join(r0.dir, 'model', 'model.json');
    const text = await readFile(modelPath, 'utf8');
    await writeFile(modelPath, text.replace('"w"', '"x"'));
    await rm(join(r0.dir, 'preprocess.json'));
    const e = await codeOf(reg.load('penguins@1.0.0'));
    expect(e.code).toBe('REGISTRY_INTEGRITY');
    expect(e.exitCode).toBe(6);
    expect(e.message).toContain('penguins_v1.0.0 failed its integrity check');
    expect(e.message).toContain('model/model.json changed: sha256');
    expect(e.message).toContain('preprocess.json is missing');
  });

  it('when an unlisted file appears, then verify reports it but loading still works', async () => {
    const r0 = await registerTiny(reg, 'penguins', penguinInputs());
    await writeFile(join(r0.dir, 'notes.txt'), 'hi');
    expect(await reg.verify(r0)).toEqual([{ path: 'notes.txt', kind: 'unexpected', message: 'notes.txt is not listed in metadata.json' }]);
    await expect(reg.assertIntact(r0)).resolves.toBeUndefined();
  });

  it('when metadata.json is corrupt, then resolve throws REGISTRY_INTEGRITY naming the file', async () => {
    const r0 = await registerTiny(reg, 'penguins', penguinInputs());
    await writeFile(join(r0.dir, 'metadata.json'), '{"name": ');
    const e = await codeOf(reg.resolve('penguins'));
    expect(e.code).toBe('REGISTRY_INTEGRITY');
    expect(e.message).toContain(join(r0.dir, 'metadata.json'));
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
