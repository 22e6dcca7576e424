// The registry lifecycle on real temp registries: aliases moved and rolled back through the audit
// log, tags outside the version directory, removal and gc that never leave an alias dangling or
// reuse a version, and integrity checks that name the file.

import { appendFile, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { SomaError } from '../../src/errors.js';
import {
  aliasStack,
  checkModel,
  gcModel,
  parseTagArgs,
  planGc,
  promoteAlias,
  readHistory,
  readTags,
  removeVersion,
  rollbackAlias,
  setTags,
} from '../../src/registry/lifecycle.js';
import { Registry } from '../../src/registry/store.js';
import { makeTempDir, penguinInputs } from './helpers/fixtures.js';
import { registerTiny } from './helpers/register.js';

let tmp: { dir: string; cleanup: () => Promise<void> };
let reg: Registry;

/** Registers `n` patch versions of "p": 1.0.0, 1.0.1, ... */
async function versions(n: number): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push((await registerTiny(reg, 'p', penguinInputs(), { payload: `w${i}` })).version);
  return out;
}

async function errorOf(p: Promise<unknown>): Promise<SomaError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof SomaError) return e;
    throw e;
  }
  throw new Error('expected a SomaError');
}

beforeEach(async () => {
  tmp = await makeTempDir('soma-lifecycle-');
  reg = new Registry(join(tmp.dir, 'registry'));
});
afterEach(async () => tmp.cleanup());

describe('promote and rollback', () => {
  it('when an alias is promoted three times and rolled back twice, then it walks back through its holders and every step is audited', async () => {
    await versions(3);
    expect(await promoteAlias(reg, 'p', '1.0.0', 'production', { reason: 'first' })).toMatchObject({ from: null, to: '1.0.0', changed: true });
    await promoteAlias(reg, 'p', '1.0.1', 'production');
    await promoteAlias(reg, 'p', '1.0.2', 'production', { reason: 'better f1' });
    expect(await reg.readAliases('p')).toEqual({ production: '1.0.2' });

    expect(await rollbackAlias(reg, 'p', 'production', { reason: 'bad latency' })).toMatchObject({ from: '1.0.2', to: '1.0.1' });
    expect(await rollbackAlias(reg, 'p', 'production')).toMatchObject({ from: '1.0.1', to: '1.0.0' });
    expect(await reg.readAliases('p')).toEqual({ production: '1.0.0' });
    const e = await errorOf(rollbackAlias(reg, 'p', 'production'));
    expect(e.code).toBe('REGISTRY_CONFLICT');
    expect(e.exitCode).toBe(6);

    const h = await readHistory(reg, 'p', 'production');
    expect(h.map((x) => [x.event, x.from, x.to, x.reason])).toEqual([
      ['promoted', null, '1.0.0', 'first'],
      ['promoted', '1.0.0', '1.0.1', null],
      ['promoted', '1.0.1', '1.0.2', 'better f1'],
      ['rolled_back', '1.0.2', '1.0.1', 'bad latency'],
      ['rolled_back', '1.0.1', '1.0.0', null],
    ]);
    for (const x of h) {
      expect(x.at).toMatch(/^\d{4}-\d\d-\d\dT/);
      expect(x.host).toBe(hostname());
    }
    // The full history also holds the registrations, oldest first.
    expect((await readHistory(reg, 'p')).slice(0, 3).map((x) => [x.event, x.to])).toEqual([
      ['registered', '1.0.0'],
      ['registered', '1.0.1'],
      ['registered', '1.0.2'],
    ]);
  });

  it('when promoting to the version the alias already holds, then nothing changes and no event is written', async () => {
    await versions(1);
    await promoteAlias(reg, 'p', '1.0.0', 'staging');
    const before = (await reg.readEvents('p')).length;
    expect(await promoteAlias(reg, 'p', '1.0.0', 'staging')).toMatchObject({ changed: false });
    expect((await reg.readEvents('p')).length).toBe(before);
  });

  it('when the target version does not exist or the alias is invalid, then nothing is written', async () => {
    await versions(1);
    expect((await errorOf(promoteAlias(reg, 'p', '9.9.9', 'production'))).code).toBe('REGISTRY_NOT_FOUND');
    expect((await errorOf(promoteAlias(reg, 'p', '1.0.0', 'Latest'))).code).toBe('USAGE');
    expect((await errorOf(rollbackAlias(reg, 'p', 'production'))).code).toBe('REGISTRY_NOT_FOUND');
    expect(await reg.readAliases('p')).toEqual({});
  });

  it('when an earlier holder was removed, then rollback skips it', async () => {
    await versions(3);
    for (const v of ['1.0.0', '1.0.1', '1.0.2']) await promoteAlias(reg, 'p', v, 'production');
    await removeVersion(reg, 'p', '1.0.1');
    expect(await rollbackAlias(reg, 'p', 'production')).toMatchObject({ from: '1.0.2', to: '1.0.0' });
  });

  it('when replaying events by hand, then the stack follows promotions, rollbacks and removals', () => {
    const ev = (event: string, to: string | null, extra: Record<string, string> = {}) => ({ event, alias: 'prod', to, ...extra });
    expect(aliasStack([ev('promoted', '1.0.0'), ev('promoted', '1.1.0'), ev('rolled_back', '1.0.0'), ev('promoted', '1.2.0')], 'prod')).toEqual(['1.0.0', '1.2.0']);
    expect(aliasStack([ev('promoted', '1.0.0'), ev('promoted', '1.1.0'), { event: 'removed', version: '1.0.0' }], 'prod')).toEqual(['1.1.0']);
    expect(aliasStack([ev('promoted', '1.0.0'), { event: 'promoted', alias: 'staging', to: '2.0.0' }], 'prod')).toEqual(['1.0.0']);
  });
});

describe('tags', () => {
  it('when tags are set and removed, then tags.json in the model directory holds them and the version directory is untouched', async () => {
    const [v] = await versions(1);
    const dir = reg.versionDir('p', v!);
    const filesBefore = await readdir(dir, { recursive: true });
    expect(await setTags(reg, 'p', v!, { owner: 'ana', ticket: 'ML-7' }, [])).toEqual({ owner: 'ana', ticket: 'ML-7' });
    expect(await setTags(reg, 'p', v!, { reviewed: 'yes' }, ['ticket'])).toEqual({ owner: 'ana', reviewed: 'yes' });
    expect(await readTags(reg, 'p')).toEqual({ '1.0.0': { owner: 'ana', reviewed: 'yes' } });
    expect(JSON.parse(await readFile(join(reg.modelDir('p'), 'tags.json'), 'utf8'))).toEqual({ '1.0.0': { owner: 'ana', reviewed: 'yes' } });
    expect(await readdir(dir, { recursive: true })).toEqual(filesBefore);
    expect((await checkModel(reg, 'p')).ok).toBe(true);
    const last = (await readHistory(reg, 'p')).at(-1)!;
    expect(last).toMatchObject({ event: 'tagged', version: '1.0.0', from: { owner: 'ana', ticket: 'ML-7' }, to: { owner: 'ana', reviewed: 'yes' } });
  });

  it('when a tag argument is malformed, then it is a usage error naming it', () => {
    expect(parseTagArgs(['a=1', 'b=x=y', 'c='])).toEqual({ a: '1', b: 'x=y', c: '' });
    expect(() => parseTagArgs(['novalue'])).toThrow(/novalue.*key=value/);
    expect(() => parseTagArgs(['=x'])).toThrow(SomaError);
  });
});

describe('rm and gc', () => {
  it('when removing an aliased version, then it is refused without force; with force the alias goes first and the version is gone for good', async () => {
    await versions(2);
    await promoteAlias(reg, 'p', '1.0.1', 'production');
    await setTags(reg, 'p', '1.0.1', { owner: 'ana' }, []);
    const refused = await errorOf(removeVersion(reg, 'p', '1.0.1'));
    expect(refused.code).toBe('REGISTRY_CONFLICT');
    expect(refused.message).toMatch(/aliased as production/);
    expect(await reg.listVersions('p')).toEqual(['1.0.0', '1.0.1']);

    expect(await removeVersion(reg, 'p', '1.0.1', { force: true, reason: 'leaked test data' })).toMatchObject({ aliases: ['production'] });
    expect(await reg.listVersions('p')).toEqual(['1.0.0']);
    expect(await reg.readAliases('p')).toEqual({});
    expect(await readTags(reg, 'p')).toEqual({});
    // Nothing but the model's own files remains: no hidden staging leftovers.
    expect((await readdir(reg.modelDir('p'))).sort()).toEqual(['aliases.json', 'events.jsonl', 'tags.json', 'versions']);
    expect((await readHistory(reg, 'p')).slice(-2).map((x) => [x.event, x.from, x.to, x.reason])).toEqual([
      ['unaliased', '1.0.1', null, 'leaked test data'],
      ['removed', '1.0.1', null, 'leaked test data'],
    ]);
    // A version never repeats: the next registration skips the removed 1.0.1.
    expect((await registerTiny(reg, 'p', penguinInputs(), { payload: 'again' })).version).toBe('1.0.2');
  });

  it('when gc keeps 2, then the two newest and every aliased version survive, and a dry run removes nothing', async () => {
    await versions(6);
    await promoteAlias(reg, 'p', '1.0.1', 'production');
    expect(planGc(['1.0.0', '1.0.10', '1.0.2'], {}, 1)).toEqual({ keep: ['1.0.10'], remove: ['1.0.0', '1.0.2'] });

    const dry = await gcModel(reg, 'p', 2, { dryRun: true });
    expect(dry).toEqual({ name: 'p', keep: ['1.0.1', '1.0.4', '1.0.5'], remove: ['1.0.0', '1.0.2', '1.0.3'] });
    expect(await reg.listVersions('p')).toHaveLength(6);

    await gcModel(reg, 'p', 2);
    expect(await reg.listVersions('p')).toEqual(['1.0.1', '1.0.4', '1.0.5']);
    const removed = (await readHistory(reg, 'p')).filter((x) => x.event === 'removed');
    expect(removed.map((x) => [x.version, x.reason])).toEqual([
      ['1.0.0', 'gc --keep 2'],
      ['1.0.2', 'gc --keep 2'],
      ['1.0.3', 'gc --keep 2'],
    ]);
    expect((await checkModel(reg, 'p')).ok).toBe(true);
  });
});

describe('checkModel', () => {
  it('when an artifact changes, one goes missing, a file is added or metadata.json is edited, then each is named', async () => {
    await versions(3);
    const d0 = reg.versionDir('p', '1.0.0');
    const d1 = reg.versionDir('p', '1.0.1');
    const d2 = reg.versionDir('p', '1.0.2');
    await appendFile(join(d0, 'preprocess.json'), ' ');
    await rm(join(d1, 'model', 'model.json'));
    await writeFile(join(d1, 'notes.txt'), 'hi');
    // Valid JSON with a changed description: only the recorded metadata checksum can notice.
    const meta = JSON.parse(await readFile(join(d2, 'metadata.json'), 'utf8')) as Record<string, unknown>;
    await writeFile(join(d2, 'metadata.json'), JSON.stringify({ ...meta, description: 'edited' }, null, 2) + '\n');

    const check = await checkModel(reg, 'p');
    expect(check.ok).toBe(false);
    const byVersion = Object.fromEntries(check.versions.map((v) => [v.version, v.problems.map((p) => `${p.kind} ${p.path}`)]));
    expect(byVersion).toEqual({
      '1.0.0': ['changed preprocess.json'],
      '1.0.1': ['missing model/model.json', 'unexpected notes.txt'],
      '1.0.2': ['changed metadata.json'],
    });
    expect((await checkModel(reg, 'p', ['1.0.2'])).versions).toHaveLength(1);
  });

  it('when aliases.json points at a version that does not exist, then the model check reports it', async () => {
    await versions(1);
    await reg.writeAliases('p', { production: '3.0.0' });
    const check = await checkModel(reg, 'p');
    expect(check.ok).toBe(false);
    expect(check.problems[0]!.message).toMatch(/'production' points to 3\.0\.0/);
  });
});
