// Item: no data loss by a typo. `soma predict` must never write its output over one of its input
// files (the same path, a symbolic link to it, a hard link, a glob that matches it), and a missing
// output directory is an error unless --create-dirs.

import { linkSync, readFileSync, symlinkSync, existsSync, copyFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { penguinsProject, soma, trainPenguins } from './helpers.js';

let dir: string;
let registry: string;
let original: string;

beforeAll(async () => {
  dir = penguinsProject();
  registry = path.join(dir, 'registry');
  await trainPenguins(dir, registry);
  original = readFileSync(path.join(dir, 'penguins.csv'), 'utf8');
}, 180_000);

const predict = (input: string, output: string, ...extra: string[]) => soma(['predict', 'penguins', '--registry', registry, '--input', input, '--output', output, '--workers', '0', ...extra], { cwd: dir });

describe('soma predict --output over an input', () => {
  it('when --output is the --input path itself, then it exits 2 naming both and the input is untouched', async () => {
    const r = await predict('penguins.csv', 'penguins.csv');
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/--output \S*\/penguins\.csv is the same file as --input \S*\/penguins\.csv: writing it would replace the input/);
    expect(readFileSync(path.join(dir, 'penguins.csv'), 'utf8')).toBe(original);
  });

  it('when --output reaches the input through another spelling, a symbolic link or a hard link, then it exits 2 each time', async () => {
    symlinkSync(path.join(dir, 'penguins.csv'), path.join(dir, 'out', 'link.csv'));
    linkSync(path.join(dir, 'penguins.csv'), path.join(dir, 'out', 'hard.csv'));
    for (const out of ['./out/../penguins.csv', 'out/link.csv', 'out/hard.csv']) {
      const r = await predict('penguins.csv', out);
      expect(r.code, `${out}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toContain(`${dir}/${out} is the same file as --input ${path.join(dir, 'penguins.csv')}`);
    }
    expect(readFileSync(path.join(dir, 'penguins.csv'), 'utf8')).toBe(original);
  });

  it('when the input is a glob that matches the output, then it exits 2 naming the matched file', async () => {
    copyFileSync(path.join(dir, 'penguins.csv'), path.join(dir, 'out', 'a.csv'));
    const r = await predict('out/*.csv', 'out/a.csv');
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/same file as --input \S*out\/a\.csv \(matched by \S*out\/\*\.csv\)/);
  });
});

describe('soma predict into a missing directory', () => {
  it('when the output directory does not exist, then it exits 3 naming it, and --create-dirs makes it', async () => {
    const r = await predict('penguins.csv', 'nowhere/deep/preds.csv');
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toMatch(/nowhere\/deep does not exist/);
    expect(r.stderr).toContain('--create-dirs');
    expect(existsSync(path.join(dir, 'nowhere'))).toBe(false);
    const ok = await predict('penguins.csv', 'nowhere/deep/preds.csv', '--create-dirs');
    expect(ok.code, ok.stderr).toBe(0);
    expect(readFileSync(path.join(dir, 'nowhere', 'deep', 'preds.csv'), 'utf8').split('\n')[0]).toBe('prediction,proba_Adelie,proba_Chinstrap,proba_Gentoo');
  });
});
