// Item (part of "interrupts are clean"): leftovers of killed runs beside an output, the writer's
// `.<name>.tmp-<pid>-<hex>` and the output lock's `.<name>.lock.new-<pid>-<hex>`, are swept by
// the next `soma predict` once their process is gone; a live process's are left alone.

import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { beforeAll, describe, expect, it } from 'vitest';
import { penguinsProject, soma, trainPenguins } from './helpers.js';

let project: string;

beforeAll(async () => {
  project = penguinsProject('soma-safety-temps-');
  await trainPenguins(project, path.join(project, 'registry'));
}, 180_000);

describe('stale temporary files beside an output', () => {
  it('when a killed run left a temp output and a lock temp, then the next predict removes them, says so, and keeps a live run\'s', async () => {
    // A real process that is gone by now: its pid names the leftovers.
    const child = execa('node', ['-e', 'setInterval(() => {}, 1000)'], { reject: false });
    const dead = child.pid!;
    child.kill('SIGKILL');
    await child;
    const out = path.join(project, 'out');
    const stale = [path.join(out, `.p.csv.tmp-${dead}-0a1b2c3d`), path.join(out, `.p.csv.lock.new-${dead}-deadbeef`)];
    const live = path.join(out, `.p.csv.tmp-${process.pid}-0f0f0f0f`);
    for (const f of [...stale, live]) writeFileSync(f, 'partial rows');
    const r = await soma(['predict', 'penguins', '--input', 'penguins.csv', '--output', 'out/p.csv', '--registry', 'registry', '--workers', '0'], { cwd: project });
    expect(r.code, r.stderr).toBe(0);
    for (const f of stale) {
      expect(existsSync(f), f).toBe(false);
      expect(r.stderr).toContain(`removed ${f}, left by a run that was killed`);
    }
    expect(existsSync(live)).toBe(true);
  });
});
