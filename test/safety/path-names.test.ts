// Item: every name that becomes a path is checked like a model name. A study name from --study
// (or search.study) names a directory under the runs directory; `../` or `/` in it would write
// outside it.

import { appendFileSync, existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { penguinsProject, soma } from './helpers.js';

let dir: string;

beforeAll(() => {
  dir = penguinsProject('soma-safety-names-');
  appendFileSync(path.join(dir, 'soma.yaml'), 'search:\n  method: random\n  trials: 2\n  cv: {folds: 2}\n  space:\n    alpha: {loguniform: [0.1, 1]}\n');
});

describe('study names that would escape the runs directory', () => {
  for (const study of ['../../../escaped', '/tmp/abs-study', 'a/b', '..', '.hidden', '']) {
    it(`when --study is ${JSON.stringify(study)}, then soma tune exits 2 naming it and writes nothing outside runs/`, async () => {
      const r = await soma(['tune', '-c', 'soma.yaml', '--runs-dir', 'runs/inner', '--study', study], { cwd: dir });
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(/--study|study name/);
      expect(existsSync(path.join(dir, 'escaped'))).toBe(false);
      expect(existsSync(path.join(path.dirname(dir), 'escaped'))).toBe(false);
      expect(existsSync(path.join(dir, 'runs'))).toBe(false);
    });
  }

  it('when --study is an ordinary name, then the study lives at runs/<model>/<study>/', async () => {
    const r = await soma(['tune', '-c', 'soma.yaml', '--runs-dir', 'runs', '--study', 'Night-1.a_b'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(readdirSync(path.join(dir, 'runs', 'penguins'))).toEqual(['Night-1.a_b']);
  });
});
