import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { SomaError } from '../../src/errors.js';
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
