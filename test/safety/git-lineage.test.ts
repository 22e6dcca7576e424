// Item: nothing in a checkout runs code. Lineage reads the commit and the dirty flag from the
// repository's files; a `core.fsmonitor` command, a filter driver or a hook in the repository's
// configuration must not run during `soma train`, while the recorded facts stay right.

import { execFileSync } from 'node:child_process';
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { gitLineage } from '../../src/registry/lineage.js';
import { penguinsProject, soma } from './helpers.js';

const git = (cwd: string, ...args: string[]): string =>
  execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', '-c', 'commit.gpgsign=false', '-c', 'core.fsmonitor=false', ...args], { cwd, encoding: 'utf8' }).trim();

let dir: string;
let head: string;

beforeAll(() => {
  dir = penguinsProject('soma-safety-git-');
  writeFileSync(path.join(dir, '.gitignore'), 'registry/\nout/\n');
  git(dir, 'init', '-q');
  git(dir, 'add', '.');
  git(dir, 'commit', '-q', '-m', 'first');
  head = git(dir, 'rev-parse', 'HEAD');
});

/** Arms the repository: each hook or command writes a marker file when it runs. */
function arm(marker: string): void {
  const cmd = `sh -c 'echo ran >> ${marker}'`;
  appendFileSync(path.join(dir, '.git', 'config'), `[core]\n\tfsmonitor = ${cmd}\n\tpager = ${cmd}\n[diff]\n\texternal = ${cmd}\n[filter "evil"]\n\tclean = ${cmd}\n\tsmudge = ${cmd}\n`);
}

describe('git lineage runs nothing from the repository', () => {
  it('when .git/config names an fsmonitor, a pager, an external diff and a filter driver, then soma train runs none of them and still records HEAD', async () => {
    const marker = path.join(dir, 'ran.txt');
    arm(marker);
    const r = await soma(['train', '-c', 'soma.yaml', '--registry', 'registry', '--json'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(marker), existsSync(marker) ? readFileSync(marker, 'utf8') : '').toBe(false);
    const md = JSON.parse(readFileSync(path.join(dir, 'registry', 'penguins', 'versions', '1.0.0', 'metadata.json'), 'utf8')) as { lineage: { git_commit: string; git_dirty: boolean | null } };
    expect(md.lineage.git_commit).toBe(head);
    expect(md.lineage.git_dirty).toBe(false);
  });
});

describe('what lineage reads without git', () => {
  it('when a tracked file changes, is deleted, or HEAD is packed, then commit and dirty match git', async () => {
    expect(await gitLineage(dir)).toEqual({ git_commit: head, git_dirty: false });
    appendFileSync(path.join(dir, 'soma.yaml'), '# edited\n');
    expect(await gitLineage(dir)).toEqual({ git_commit: head, git_dirty: true });
    git(dir, 'checkout', '-q', '--', 'soma.yaml');
    expect(await gitLineage(dir)).toEqual({ git_commit: head, git_dirty: false });
    // refs and objects packed: packed-refs and a pack file instead of loose files.
    git(dir, 'gc', '-q', '--prune=now');
    expect(existsSync(path.join(dir, '.git', 'refs', 'heads', 'master')) || existsSync(path.join(dir, '.git', 'refs', 'heads', 'main'))).toBe(false);
    expect(await gitLineage(dir)).toEqual({ git_commit: head, git_dirty: false });
    git(dir, 'rm', '-q', '--cached', 'penguins.csv');
    expect((await gitLineage(dir)).git_dirty).not.toBe(false); // staged: true or unknown, never clean
    git(dir, 'reset', '-q');
    expect(await gitLineage(dir)).toEqual({ git_commit: head, git_dirty: false });
  });

  it('when attributes may filter content and a tracked file changed, then dirty is unknown (null) and no filter runs', async () => {
    const marker = path.join(dir, 'filtered.txt');
    appendFileSync(path.join(dir, '.git', 'config'), `[filter "evil"]\n\tclean = sh -c 'echo ran >> ${marker}'\n`);
    writeFileSync(path.join(dir, '.gitattributes'), '* filter=evil\n');
    appendFileSync(path.join(dir, 'soma.yaml'), '# edited\n');
    expect(await gitLineage(dir)).toEqual({ git_commit: head, git_dirty: null });
    expect(existsSync(marker)).toBe(false);
  });
});
