// Item: the registry never follows symbolic links. A linked model directory, version directory,
// artifact, aliases.json, events.jsonl or predictions.jsonl is refused with exit 6 naming the
// link; writes never land in the link's target and no error prints what the target holds.

import { cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/cli.js';
import { penguinsProject, soma, trainPenguins } from './helpers.js';

let project: string;
let base: string;

beforeAll(async () => {
  project = penguinsProject('soma-safety-links-');
  base = path.join(project, 'registry');
  await trainPenguins(project, base);
}, 180_000);

/** A private copy of the registry and a directory outside it that links may point to. */
function fresh(): { reg: string; outside: string; model: string; version: string } {
  const root = tempDir('soma-safety-links-copy-');
  const reg = path.join(root, 'registry');
  cpSync(base, reg, { recursive: true });
  const outside = path.join(root, 'outside');
  mkdirSync(outside);
  const model = path.join(reg, 'penguins');
  return { reg, outside, model, version: path.join(model, 'versions', '1.0.0') };
}

const SECRET = 'root:x:0:0:SECRET-FIRST-LINE';

describe('symbolic links inside the registry', () => {
  it('when aliases.json is a link to another file, then promote and name@alias exit 6 naming the link and never print the target', async () => {
    const { reg, outside, model } = fresh();
    writeFileSync(path.join(outside, 'passwd'), `${SECRET}\nmore\n`);
    symlinkSync(path.join(outside, 'passwd'), path.join(model, 'aliases.json'));
    for (const args of [['models', 'promote', 'penguins@1.0.0', '--to', 'production'], ['models', 'show', 'penguins@production'], ['predict', 'penguins@production', '--input', 'penguins.csv', '--output', 'out/p.csv']]) {
      const r = await soma([...args, '--registry', reg], { cwd: project });
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(6);
      expect(r.stderr).toContain(`${path.join(model, 'aliases.json')} is a symbolic link`);
      expect(r.stderr + r.stdout).not.toContain('SECRET');
    }
    expect(readFileSync(path.join(outside, 'passwd'), 'utf8')).toBe(`${SECRET}\nmore\n`);
  });

  it('when events.jsonl or predictions.jsonl is a link, then the command that would append to it exits 6 and the target is unchanged', async () => {
    const { reg, outside, model } = fresh();
    writeFileSync(path.join(outside, 'target.txt'), 'keep\n');
    rmSync(path.join(model, 'events.jsonl'));
    symlinkSync(path.join(outside, 'target.txt'), path.join(model, 'events.jsonl'));
    const promote = await soma(['models', 'promote', 'penguins@1.0.0', '--to', 'staging', '--registry', reg], { cwd: project });
    expect(promote.code, promote.stderr).toBe(6);
    expect(promote.stderr).toContain('events.jsonl is a symbolic link');
    rmSync(path.join(model, 'events.jsonl'));
    symlinkSync(path.join(outside, 'target.txt'), path.join(model, 'predictions.jsonl'));
    const predict = await soma(['predict', 'penguins', '--input', 'penguins.csv', '--output', 'out/q.csv', '--registry', reg, '--workers', '0'], { cwd: project });
    expect(predict.code, predict.stderr).toBe(6);
    expect(predict.stderr).toContain('predictions.jsonl is a symbolic link');
    expect(readFileSync(path.join(outside, 'target.txt'), 'utf8')).toBe('keep\n');
  });

  it('when the model directory or the version directory is a link, then train, show and predict exit 6 and nothing is written through it', async () => {
    const { reg, outside, model, version } = fresh();
    renameSync(version, path.join(outside, '1.0.0'));
    symlinkSync(path.join(outside, '1.0.0'), version);
    const shown = await soma(['models', 'show', 'penguins@1.0.0', '--registry', reg], { cwd: project });
    expect(shown.code, shown.stderr).toBe(6);
    expect(shown.stderr).toContain(`${version} is a symbolic link`);
    const linked = fresh();
    renameSync(linked.model, path.join(linked.outside, 'penguins'));
    symlinkSync(path.join(linked.outside, 'penguins'), linked.model);
    const train = await soma(['train', '-c', 'soma.yaml', '--registry', linked.reg, '--set', 'model.params.alpha=0.5'], { cwd: project });
    expect(train.code, train.stderr).toBe(6);
    expect(train.stderr).toContain(`${linked.model} is a symbolic link`);
    expect(existsSync(path.join(linked.outside, 'penguins', 'versions', '1.1.0'))).toBe(false);
  });

  it('when an artifact is a link (even to an identical copy), then loading it exits 6 naming the artifact', async () => {
    const { reg, outside, version } = fresh();
    const file = path.join(version, 'model', 'model.json');
    cpSync(file, path.join(outside, 'model.json'));
    rmSync(file);
    symlinkSync(path.join(outside, 'model.json'), file);
    const r = await soma(['predict', 'penguins', '--input', 'penguins.csv', '--output', 'out/r.csv', '--registry', reg, '--workers', '0'], { cwd: project });
    expect(r.code, r.stderr).toBe(6);
    expect(r.stderr).toContain('model/model.json is a symbolic link');
  });
});
