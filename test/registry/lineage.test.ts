import { execFileSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { gitLineage } from '../../src/registry/lineage.js';
import { makeTempDir } from './helpers/fixtures.js';

let tmp: { dir: string; cleanup: () => Promise<void> };
beforeEach(async () => {
  tmp = await makeTempDir('soma-lineage-');
});
afterEach(async () => tmp.cleanup());

const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', '-c', 'commit.gpgsign=false', ...args], { cwd, encoding: 'utf8' }).trim();

describe('gitLineage', () => {
  it('when the directory is not in a repository, then both facts are null', async () => {
    expect(await gitLineage(tmp.dir)).toEqual({ git_commit: null, git_dirty: null });
  });

  it('when the directory does not exist, then both facts are null rather than an error', async () => {
    expect(await gitLineage(join(tmp.dir, 'missing'))).toEqual({ git_commit: null, git_dirty: null });
  });

  it('when in a repository, then the commit is HEAD and dirty follows tracked changes only', async () => {
    git(tmp.dir, 'init', '-q');
    await writeFile(join(tmp.dir, 'a.txt'), 'one');
    git(tmp.dir, 'add', 'a.txt');
    git(tmp.dir, 'commit', '-q', '-m', 'first');
    const head = git(tmp.dir, 'rev-parse', 'HEAD');
    expect(await gitLineage(tmp.dir)).toEqual({ git_commit: head, git_dirty: false });
    await writeFile(join(tmp.dir, 'untracked.txt'), 'x');
    expect((await gitLineage(tmp.dir)).git_dirty).toBe(false);
    await writeFile(join(tmp.dir, 'a.txt'), 'two');
    expect(await gitLineage(tmp.dir)).toEqual({ git_commit: head, git_dirty: true });
  });
});
