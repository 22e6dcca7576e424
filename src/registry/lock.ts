// Cross-process exclusive locks on a path, for the per-model registry lock and for output files in
// batch prediction.
//
// The lock is a file created with link(2): the owner record is written to a private temp file
// first and then hard-linked to the lock path, which fails with EEXIST if the lock exists. So a
// lock file is never visible half-written, and exactly one process wins. A lock whose owner pid is
// dead on this host is cleared; clearing happens under a short-lived `<lock>.reap` guard and
// re-checks the owner's token, so two waiters that both saw the same dead owner cannot each
// delete the lock (the second would delete the first's fresh lock).

import { randomBytes } from 'node:crypto';
import { link, mkdir, readFile, rm, stat, unlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname } from 'node:path';

import { SomaError } from '../errors.js';
import { stringifyJson, tempSibling } from './atomic.js';

export interface LockOwner {
  pid: number;
  hostname: string;
  created_at: string;
  command: string;
  /** Random per acquisition, so a cleared-and-retaken lock is never mistaken for the old one. */
  token: string;
}

export interface LockOptions {
  /** Give up after this long with SomaError REGISTRY_LOCKED. */
  timeoutMs: number;
  /**
   * Treat a lock older than this as abandoned even when its owner cannot be checked (another
   * host). Leave unset for locks that may be held legitimately for long.
   */
  staleMs?: number;
  /** Called when a stale lock is cleared, so the caller can tell the user. */
  onStale?: (info: { path: string; owner: LockOwner | undefined; reason: string }) => void;
  /** Recorded in the owner file (the command line of the CLI run holding the lock); default none. */
  command?: string;
}

/** Why a lock's owner is known to be gone, or undefined when it may still be alive. */
function staleReason(owner: LockOwner | undefined, ageMs: number, staleMs: number | undefined): string | undefined {
  if (staleMs !== undefined && ageMs > staleMs) return `older than ${staleMs} ms`;
  if (owner === undefined) {
    // Unreadable owner: link() makes this impossible for our own locks, so it is debris from
    // something else; give it a grace period rather than deleting at once.
    return ageMs > 10_000 ? 'owner file unreadable' : undefined;
  }
  if (owner.hostname !== hostname()) return undefined;
  if (!pidAlive(owner.pid)) return `owner pid ${owner.pid} is no longer running`;
  return undefined;
}

/** Whether a process with this pid exists on this host (EPERM: it exists but is not ours). */
export function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Reads a lock's owner record; undefined when the lock does not exist or is unreadable. */
export async function readLockOwner(path: string): Promise<{ owner: LockOwner | undefined; ageMs: number } | undefined> {
  let ageMs: number;
  try {
    ageMs = Date.now() - (await stat(path)).mtimeMs;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  try {
    const parsed: unknown = JSON.parse(await readFile(path, 'utf8'));
    const o = parsed as Partial<LockOwner>;
    if (typeof o.pid === 'number' && typeof o.hostname === 'string' && typeof o.token === 'string') {
      return { owner: parsed as LockOwner, ageMs };
    }
    return { owner: undefined, ageMs };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    return { owner: undefined, ageMs };
  }
}

/** Creates `path` with `content` iff it does not exist; false when it exists. */
async function createExclusive(path: string, content: string): Promise<boolean> {
  const tmp = tempSibling(path, 'new');
  await writeFile(tmp, content, { flag: 'wx' });
  try {
    await link(tmp, path);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  } finally {
    await rm(tmp, { force: true });
  }
}

/** Clears the lock at `path` if it is still held by the stale owner we saw; true when cleared. */
async function clearStale(path: string, seen: LockOwner | undefined, reason: string, options: LockOptions): Promise<boolean> {
  const reap = `${path}.reap`;
  const reapOwner = stringifyJson({ pid: process.pid, hostname: hostname(), created_at: new Date().toISOString() });
  if (!(await createExclusive(reap, reapOwner))) {
    // Someone else is clearing. The guard is held for microseconds, so an old one is debris from
    // a process that died while clearing.
    const r = await readLockOwner(reap);
    if (r && r.ageMs > 10_000) await rm(reap, { force: true });
    return false;
  }
  try {
    const now = await readLockOwner(path);
    if (now === undefined) return true;
    // Another waiter cleared it and took the lock meanwhile: not ours to remove.
    if (now.owner?.token !== seen?.token) return false;
    await unlink(path).catch((e: NodeJS.ErrnoException) => {
      if (e.code !== 'ENOENT') throw e;
    });
    options.onStale?.({ path, owner: seen, reason });
    return true;
  } finally {
    await rm(reap, { force: true });
  }
}

function describeOwner(owner: LockOwner | undefined): string {
  if (!owner) return 'an unknown process';
  return `pid ${owner.pid} on ${owner.hostname} since ${owner.created_at}${owner.command ? ` (${owner.command})` : ''}`;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Runs `fn` while holding an exclusive lock on `lockPath` (a file; its parent directory is
 * created). Waits with jittered exponential backoff up to `timeoutMs`, then throws SomaError
 * REGISTRY_LOCKED naming the lock and its owner. The lock is released when `fn` settles.
 */
export async function withLock<T>(lockPath: string, fn: () => Promise<T>, options: LockOptions): Promise<T> {
  await mkdir(dirname(lockPath), { recursive: true });
  const owner: LockOwner = {
    pid: process.pid,
    hostname: hostname(),
    created_at: new Date().toISOString(),
    command: options.command ?? '',
    token: randomBytes(8).toString('hex'),
  };
  const content = stringifyJson(owner);
  const deadline = Date.now() + options.timeoutMs;
  let delay = 5;
  let lastSeen: LockOwner | undefined;
  for (;;) {
    if (await createExclusive(lockPath, content)) break;
    const current = await readLockOwner(lockPath);
    if (current === undefined) continue; // released between our attempt and the read: retry now
    lastSeen = current.owner;
    const reason = staleReason(current.owner, current.ageMs, options.staleMs);
    if (reason !== undefined && (await clearStale(lockPath, current.owner, reason, options))) continue;
    if (Date.now() >= deadline) {
      throw new SomaError('REGISTRY_LOCKED', `could not lock ${lockPath} within ${options.timeoutMs} ms: held by ${describeOwner(lastSeen)}`, {
        hint: `wait for that process to finish; if it is no longer running, remove ${lockPath}`,
        details: { lock: lockPath, owner: lastSeen ?? null },
      });
    }
    // Jitter keeps many waiters from retrying in lockstep.
    await sleep(Math.min(delay * (0.5 + Math.random()), Math.max(0, deadline - Date.now())));
    delay = Math.min(delay * 1.6, 200);
  }

  try {
    return await fn();
  } finally {
    // Only remove the lock if it is still ours (it could have been cleared as stale by age).
    const now = await readLockOwner(lockPath).catch(() => undefined);
    if (now?.owner?.token === owner.token) await rm(lockPath, { force: true });
  }
}
