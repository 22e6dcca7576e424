import { createHash } from 'node:crypto';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { listArtifacts, sha256File } from '../../src/registry/checksums.js';
import { makeTempDir } from './helpers/fixtures.js';

let tmp: { dir: string; cleanup: () => Promise<void> };
beforeEach(async () => {
  tmp = await makeTempDir();
});
afterEach(async () => tmp.cleanup());

describe('checksums', () => {
  it('when a file is hashed, then it matches the known SHA-256', async () => {
    const p = join(tmp.dir, 'abc.txt');
    await writeFile(p, 'abc');
    expect(await sha256File(p)).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('when a file is larger than one stream chunk, then streaming gives the same hash as hashing it whole', async () => {
    const data = Buffer.alloc(3 * 1024 * 1024 + 17);
    for (let i = 0; i < data.length; i++) data[i] = (i * 31) & 0xff;
    const p = join(tmp.dir, 'big.bin');
    await writeFile(p, data);
    expect(await sha256File(p)).toBe(createHash('sha256').update(data).digest('hex'));
  });

  it('when a version dir is listed, then every file is there recursively, sorted, with POSIX paths, minus the top metadata.json', async () => {
    await mkdir(join(tmp.dir, 'model', 'layers'), { recursive: true });
    await writeFile(join(tmp.dir, 'preprocess.json'), '{}');
    await writeFile(join(tmp.dir, 'model', 'model.json'), '{"a":1}');
    await writeFile(join(tmp.dir, 'model', 'layers', 'weights.bin'), Buffer.from([1, 2, 3]));
    await writeFile(join(tmp.dir, 'model', 'metadata.json'), 'nested one is an artifact');
    await writeFile(join(tmp.dir, 'metadata.json'), 'the list itself');
    const list = await listArtifacts(tmp.dir);
    expect(list.map((a) => a.path)).toEqual(['model/layers/weights.bin', 'model/metadata.json', 'model/model.json', 'preprocess.json']);
    expect(list[0]).toEqual({ path: 'model/layers/weights.bin', bytes: 3, sha256: createHash('sha256').update(Buffer.from([1, 2, 3])).digest('hex') });
  });

  it('when a version dir holds a symlink, then listing refuses it', async () => {
    await writeFile(join(tmp.dir, 'real.json'), '{}');
    await symlink(join(tmp.dir, 'real.json'), join(tmp.dir, 'link.json'));
    await expect(listArtifacts(tmp.dir)).rejects.toMatchObject({ code: 'REGISTRY_INTEGRITY' });
  });
});
