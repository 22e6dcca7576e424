// Git lineage for metadata: the commit a model was trained from and whether the tree was dirty.
// Never fails: outside a repository, or without git, both facts are null.

export interface GitLineage {
  git_commit: string | null;
  git_dirty: boolean | null;
}

export async function gitLineage(cwd: string): Promise<GitLineage> {
  let execa: typeof import('execa').execa;
  try {
    // Loaded lazily: only registration needs it, and `soma --help` must start fast.
    ({ execa } = await import('execa'));
  } catch {
    return { git_commit: null, git_dirty: null };
  }
  const run = async (args: string[]): Promise<string | undefined> => {
    try {
      const r = await execa('git', args, {
        cwd,
        reject: false,
        timeout: 10_000,
        // Concurrent `soma train` runs would otherwise fight over .git/index.lock, which
        // `git status` takes to refresh the index.
        env: { GIT_OPTIONAL_LOCKS: '0', LC_ALL: 'C' },
        stdin: 'ignore',
      });
      return r.exitCode === 0 ? String(r.stdout).trim() : undefined;
    } catch {
      return undefined; // git not installed (ENOENT) or killed by the timeout
    }
  };
  const inside = await run(['rev-parse', '--is-inside-work-tree']);
  if (inside !== 'true') return { git_commit: null, git_dirty: null };
  // HEAD does not resolve in a repository without commits; the dirty flag still means something.
  const commit = await run(['rev-parse', '--verify', '--quiet', 'HEAD']);
  // Untracked files are left out: the registry itself (./artifacts) is usually untracked, and
  // counting it would mark every run dirty.
  const status = await run(['status', '--porcelain', '--untracked-files=no']);
  return {
    git_commit: commit && /^[0-9a-f]{40,64}$/.test(commit) ? commit : null,
    git_dirty: status === undefined ? null : status.length > 0,
  };
}
