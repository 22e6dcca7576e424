// `soma models promote|rollback|tag|history|verify|rm|gc` in-process on a real registry: three
// trained penguins versions, copied per test where a test tampers with or removes files.

import { appendFileSync, cpSync, existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { example, runCli, tempDir } from '../helpers/cli.js';

const base = tempDir('soma-lifecycle-cli-');

/** A private copy of the trained registry, so tests that change it do not affect the others. */
function registryCopy(): string[] {
  const dir = path.join(tempDir('soma-lifecycle-copy-'), 'registry');
  cpSync(base, dir, { recursive: true });
  return ['--registry', dir];
}

const events = (reg: string[]): string[] => readFileSync(path.join(reg[1]!, 'penguins', 'events.jsonl'), 'utf8').trim().split('\n');

beforeAll(async () => {
  // 1.0.0, 1.1.0, 1.2.0: hyperparameter changes bump the minor version.
  for (const alpha of ['1.0', '0.5', '0.25']) {
    const r = await runCli(['train', '-c', example('penguins', 'soma.yaml'), '--registry', base, '--json', '--set', `model.params.alpha=${alpha}`]);
    expect(r.code, r.stderr).toBe(0);
  }
});

describe('soma models promote', () => {
  it('when the version meets every --require gate, then the alias moves, name@alias resolves to it, and the event records who, from, to and why', async () => {
    const reg = registryCopy();
    const r = await runCli(['models', 'promote', 'penguins@1.1.0', '--to', 'production', '--reason', 'passed review', '--require', 'f1_macro >= 0.9', '--require', 'accuracy>0.5', ...reg, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json()).toMatchObject({ name: 'penguins', alias: 'production', version: '1.1.0', id: 'penguins_v1.1.0', from: null, to: '1.1.0', changed: true });
    expect((r.json() as { gates: { metric: string; passed: boolean }[] }).gates.map((g) => [g.metric, g.passed])).toEqual([
      ['f1_macro', true],
      ['accuracy', true],
    ]);
    const shown = await runCli(['models', 'show', 'penguins@production', ...reg, '--json']);
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.json()).toMatchObject({ id: 'penguins_v1.1.0', aliases: ['production'] });
    const last = JSON.parse(events(reg).at(-1)!) as Record<string, unknown>;
    expect(last).toMatchObject({ event: 'promoted', alias: 'production', from: null, to: '1.1.0', reason: 'passed review' });
    expect(typeof last['user']).toBe('string');
    expect(typeof last['host']).toBe('string');
    expect(Date.parse(last['at'] as string)).not.toBeNaN();
  });

  it('when a --require gate fails, then it exits 4 naming the metric and nothing changes', async () => {
    const reg = registryCopy();
    expect((await runCli(['models', 'promote', 'penguins@1.0.0', '--to', 'production', ...reg])).code).toBe(0);
    const before = events(reg);
    const r = await runCli(['models', 'promote', 'penguins@1.2.0', '--to', 'production', '--require', 'f1_macro >= 0.999', ...reg]);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/f1_macro >= 0\.999 on test: 0\.\d+ FAILED/);
    expect(JSON.parse(readFileSync(path.join(reg[1]!, 'penguins', 'aliases.json'), 'utf8'))).toEqual({ production: '1.0.0' });
    expect(events(reg)).toEqual(before);
  });

  it('when a --require expression or alias is malformed, then it exits 2', async () => {
    const reg = registryCopy();
    const bad = await runCli(['models', 'promote', 'penguins', '--to', 'production', '--require', 'f1_macro about 0.9', ...reg]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--require "f1_macro about 0\.9"/);
    expect((await runCli(['models', 'promote', 'penguins', '--to', '1bad', ...reg])).code).toBe(2);
    expect(existsSync(path.join(reg[1]!, 'penguins', 'aliases.json'))).toBe(false);
  });
});

describe('soma models rollback and history', () => {
  it('when production is rolled back, then it returns to the previous holder and history shows every step', async () => {
    const reg = registryCopy();
    for (const v of ['1.0.0', '1.1.0', '1.2.0']) expect((await runCli(['models', 'promote', `penguins@${v}`, '--to', 'production', ...reg])).code).toBe(0);
    expect((await runCli(['models', 'promote', 'penguins@1.2.0', '--to', 'staging', ...reg])).code).toBe(0);

    const r = await runCli(['models', 'rollback', 'penguins', '--alias', 'production', '--reason', 'latency regression', ...reg, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json()).toMatchObject({ alias: 'production', from: '1.2.0', to: '1.1.0' });
    const shown = await runCli(['models', 'show', 'penguins@production', ...reg, '--json']);
    expect(shown.json()).toMatchObject({ version: '1.1.0' });

    const h = await runCli(['models', 'history', 'penguins', '--alias', 'production', ...reg, '--json']);
    expect(h.code, h.stderr).toBe(0);
    const evs = (h.json() as { events: { event: string; from: string | null; to: string; reason: string | null; user: string; at: string }[] }).events;
    expect(evs.map((e) => [e.event, e.from, e.to])).toEqual([
      ['promoted', null, '1.0.0'],
      ['promoted', '1.0.0', '1.1.0'],
      ['promoted', '1.1.0', '1.2.0'],
      ['rolled_back', '1.2.0', '1.1.0'],
    ]);
    expect(evs.at(-1)!.reason).toBe('latency regression');

    const human = await runCli(['models', 'history', 'penguins', ...reg]);
    expect(human.code).toBe(0);
    expect(human.stderr).toMatch(/registered .*- → 1\.0\.0/);
    expect(human.stderr).toMatch(/rolled_back .*production .*1\.2\.0 → 1\.1\.0 .*latency regression/);
  });

  it('when there is nothing to roll back to, then it exits 6 and says so', async () => {
    const reg = registryCopy();
    expect((await runCli(['models', 'promote', 'penguins@1.0.0', '--to', 'production', ...reg])).code).toBe(0);
    const r = await runCli(['models', 'rollback', 'penguins', '--alias', 'production', ...reg]);
    expect(r.code).toBe(6);
    expect(r.stderr).toMatch(/no previous version/);
    expect((await runCli(['models', 'rollback', 'penguins', '--alias', 'staging', ...reg])).code).toBe(6);
    expect((await runCli(['models', 'history', 'nosuchmodel', ...reg])).code).toBe(6);
  });
});

describe('soma models tag', () => {
  it('when tags are set and removed, then list and show carry them and the version still verifies', async () => {
    const reg = registryCopy();
    const r = await runCli(['models', 'tag', 'penguins@1.0.0', 'owner=ana', 'ticket=ML-42', ...reg, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json()).toMatchObject({ id: 'penguins_v1.0.0', tags: { owner: 'ana', ticket: 'ML-42' } });
    expect((await runCli(['models', 'tag', 'penguins_v1.0.0', 'reviewed=yes', '--remove', 'ticket', ...reg])).code).toBe(0);
    const list = await runCli(['models', 'list', 'penguins', ...reg, '--json']);
    const rows = (list.json() as { versions: { version: string; tags: Record<string, string> }[] }).versions;
    expect(rows.find((v) => v.version === '1.0.0')!.tags).toEqual({ owner: 'ana', reviewed: 'yes' });
    expect(rows.find((v) => v.version === '1.1.0')!.tags).toEqual({});
    expect((await runCli(['models', 'show', 'penguins@1.0.0', ...reg, '--json'])).json()).toMatchObject({ tags: { owner: 'ana', reviewed: 'yes' } });
    expect((await runCli(['models', 'verify', ...reg])).code).toBe(0);
    expect((await runCli(['models', 'tag', 'penguins', 'oops', ...reg])).code).toBe(2);
  });
});

describe('soma models verify', () => {
  it('when nothing changed, then every version of every model verifies and it exits 0', async () => {
    const reg = registryCopy();
    const r = await runCli(['models', 'verify', ...reg, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const out = r.json() as { ok: boolean; models: { name: string; versions: { version: string; ok: boolean }[] }[] };
    expect(out.ok).toBe(true);
    expect(out.models.map((m) => [m.name, m.versions.map((v) => v.version)])).toEqual([['penguins', ['1.0.0', '1.1.0', '1.2.0']]]);
  });

  it('when files were changed or removed, then it exits 6 naming each, and a REF narrows the check', async () => {
    const reg = registryCopy();
    const v = (version: string, ...f: string[]): string => path.join(reg[1]!, 'penguins', 'versions', version, ...f);
    appendFileSync(v('1.1.0', 'model', 'model.json'), ' ');
    rmSync(v('1.2.0', 'features.json'));
    const r = await runCli(['models', 'verify', ...reg]);
    expect(r.code).toBe(6);
    expect(r.stderr).toMatch(/penguins_v1\.1\.0: model\/model\.json changed/);
    expect(r.stderr).toMatch(/penguins_v1\.2\.0: features\.json is missing/);
    expect(r.stderr).not.toMatch(/penguins_v1\.0\.0/);

    const j = await runCli(['models', 'verify', 'penguins@1.1.0', ...reg, '--json']);
    expect(j.code).toBe(6);
    const err = (j.json() as { error: { code: string; details: { models: { versions: { id: string; problems: { path: string; kind: string }[] }[] }[] } } }).error;
    expect(err.code).toBe('REGISTRY_INTEGRITY');
    expect(err.details.models[0]!.versions).toEqual([{ name: 'penguins', version: '1.1.0', id: 'penguins_v1.1.0', ok: false, problems: [expect.objectContaining({ path: 'model/model.json', kind: 'changed' })] }]);
    expect((await runCli(['models', 'verify', 'penguins@1.0.0', ...reg])).code).toBe(0);
    // Loading for use fails the same way.
    expect((await runCli(['models', 'promote', 'penguins@1.1.0', '--to', 'production', ...reg])).code).toBe(6);
  });
});

describe('soma models rm and gc', () => {
  it('when removing an aliased version, then it is refused unless --force, and a removed version is gone from list and history records it', async () => {
    const reg = registryCopy();
    expect((await runCli(['models', 'promote', 'penguins@1.1.0', '--to', 'production', ...reg])).code).toBe(0);
    const refused = await runCli(['models', 'rm', 'penguins@1.1.0', ...reg]);
    expect(refused.code).toBe(6);
    expect(refused.stderr).toMatch(/aliased as production/);
    expect((await runCli(['models', 'rm', 'penguins', ...reg])).code).toBe(2);

    const forced = await runCli(['models', 'rm', 'penguins@1.1.0', '--force', '--reason', 'bad data', ...reg, '--json']);
    expect(forced.code, forced.stderr).toBe(0);
    expect(forced.json()).toMatchObject({ id: 'penguins_v1.1.0', aliases: ['production'] });
    const list = (await runCli(['models', 'list', 'penguins', ...reg, '--json'])).json() as { versions: { version: string }[] };
    expect(list.versions.map((v) => v.version)).toEqual(['1.0.0', '1.2.0']);
    expect((await runCli(['models', 'show', 'penguins@production', ...reg])).code).toBe(6);
    expect(readdirSync(path.join(reg[1]!, 'penguins')).filter((n) => n.startsWith('.'))).toEqual([]);
    expect(events(reg).map((l) => JSON.parse(l) as { event: string }).slice(-2).map((e) => e.event)).toEqual(['unaliased', 'removed']);
  });

  it('when gc keeps 1, then a dry run only reports, and the real run keeps the newest and the aliased version', async () => {
    const reg = registryCopy();
    expect((await runCli(['models', 'promote', 'penguins@1.0.0', '--to', 'production', ...reg])).code).toBe(0);
    const dry = await runCli(['models', 'gc', '--keep', '1', '--dry-run', ...reg, '--json']);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.json()).toEqual({ dry_run: true, keep: 1, models: [{ name: 'penguins', keep: ['1.0.0', '1.2.0'], remove: ['1.1.0'] }] });
    expect(readdirSync(path.join(reg[1]!, 'penguins', 'versions')).sort()).toEqual(['1.0.0', '1.1.0', '1.2.0']);

    expect((await runCli(['models', 'gc', 'penguins', '--keep', '1', ...reg])).code).toBe(0);
    expect(readdirSync(path.join(reg[1]!, 'penguins', 'versions')).sort()).toEqual(['1.0.0', '1.2.0']);
    expect((await runCli(['models', 'gc', '--keep', 'two', ...reg])).code).toBe(2);
    expect((await runCli(['models', 'verify', ...reg])).code).toBe(0);
  });
});
