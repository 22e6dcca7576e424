// Item: a YAML alias bomb (each anchor a list of aliases to the one before, "billion laughs") is a
// config error, exit 2 naming the file, from every command that reads a config, never exit 1 or
// a run out of memory.

import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { penguinsProject, soma } from './helpers.js';

let dir: string;

function bomb(levels: number): string {
  const lines = ['a0: &a0 [x, x, x, x, x, x, x, x, x, x]'];
  for (let i = 1; i < levels; i++) lines.push(`a${i}: &a${i} [${Array.from({ length: 10 }, () => `*a${i - 1}`).join(', ')}]`);
  return lines.join('\n');
}

beforeAll(() => {
  dir = penguinsProject('soma-safety-yaml-');
  const base = readFileSync(path.join(dir, 'soma.yaml'), 'utf8');
  // The bomb under a key the schema would reject anyway: the error must come from the YAML, first.
  writeFileSync(path.join(dir, 'bomb.yaml'), `${base}\nx-bomb:\n${bomb(9).replace(/^/gm, '  ')}\n`);
  writeFileSync(path.join(dir, 'serve.yaml'), `models:\n  penguins: {}\nx:\n${bomb(9).replace(/^/gm, '  ')}\n`);
});

describe('YAML alias bombs', () => {
  for (const command of [['validate'], ['train', '--registry', 'registry'], ['tune', '--runs-dir', 'runs'], ['preprocess', '--output', 'out/x.csv']]) {
    it(`when soma ${command[0]} reads a config that expands a few aliases into 10^9 nodes, then it exits 2 naming the file and the aliases`, async () => {
      const r = await soma([command[0]!, '-c', 'bomb.yaml', ...command.slice(1)], { cwd: dir, timeoutMs: 60_000 });
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(/bomb\.yaml.*alias/s);
    });
  }

  it('when serve.yaml is an alias bomb, then soma serve exits 2 naming it', async () => {
    const r = await soma(['serve', 'penguins', '--config', 'serve.yaml', '--registry', 'registry', '--port', '0'], { cwd: dir, timeoutMs: 60_000 });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/serve\.yaml.*alias/s);
  });
});
