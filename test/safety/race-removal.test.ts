// Item: races are named. `soma predict` loading a version while `soma models rm` removes it (real
// processes, started together, 12 rounds) ends with 0 (it loaded first) or exit 6 naming the
// removal or the missing version, never exit 1 with ENOENT. The rounds stagger the removal (100 to 265 ms
// after predict starts) but do not force the window; they assert that whichever way each race goes, the outcome is documented.

import { cpSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/cli.js';
import { penguinsProject, somaChild, trainPenguins } from './helpers.js';

let project: string;
let base: string;

beforeAll(async () => {
  project = penguinsProject('soma-safety-race-');
  base = path.join(project, 'registry');
  await trainPenguins(project, base);
  await trainPenguins(project, base, ['--set', 'model.params.alpha=0.5']);
}, 240_000);

describe('loading a version while it is removed', () => {
  it('when models rm runs while predict loads the same version, then predict exits 0 or 6, never 1', async () => {
    const seen: number[] = [];
    const kinds: string[] = [];
    for (let round = 0; round < 12; round++) {
      const reg = path.join(tempDir('soma-safety-race-reg-'), 'registry');
      cpSync(base, reg, { recursive: true });
      const predict = somaChild(['predict', 'penguins@1.0.0', '--input', 'penguins.csv', '--output', `out/p${round}.csv`, '--registry', reg, '--workers', '0'], { cwd: project });
      // Staggered: early rounds remove before predict resolves, later ones while it loads or after.
      await new Promise((done) => setTimeout(done, 100 + round * 15));
      const rm = somaChild(['models', 'rm', 'penguins@1.0.0', '--registry', reg, '--reason', 'race test'], { cwd: project });
      const [p, r] = await Promise.all([predict, rm]);
      expect(r.exitCode, String(r.stderr)).toBe(0);
      expect([0, 6], String(p.stderr)).toContain(p.exitCode);
      if (p.exitCode === 6) expect(String(p.stderr)).toMatch(/version removed|not found|failed its integrity check/);
      seen.push(p.exitCode ?? -1);
      if (p.exitCode === 6) kinds.push(/version removed/.test(String(p.stderr)) ? 'removed-while-loading' : 'not-found');
    }
    expect(seen).toHaveLength(12);
    console.log(`race outcomes (predict exit codes): ${seen.join(' ')}; exit 6 kinds: ${kinds.join(' ')}`);
  }, 600_000);
});
