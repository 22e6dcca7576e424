import { readFile, rm, writeFile } from 'node:fs/promises';
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
