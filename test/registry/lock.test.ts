import { spawnSync } from 'node:child_process';
import { readdir, writeFile, utimes } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { SomaError } from '../../src/errors.js';
import { readLockOwner, withLock } from '../../src/registry/lock.js';
import { makeTempDir } from './helpers/fixtures.js';

let tmp: { dir: string; cleanup: () => Promise<void> };
beforeEach(async () => {
  tmp = await makeTempDir();
});
afterEach(async () => tmp.cleanup());

/** The pid of a process that has already exited. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  return Number(r.stdout.toString());
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('withLock', () => {
  it('when the lock is held, then its owner file names this process and the lock is gone afterwards', async () => {
    const lock = join(tmp.dir, 'sub', '.lock');
    const seen = await withLock(lock, async () => (await readLockOwner(lock))?.owner, { timeoutMs: 1000, command: 'soma test' });
    expect(seen).toMatchObject({ pid: process.pid, hostname: hostname(), command: 'soma test' });
    expect(await readLockOwner(lock)).toBeUndefined();
    expect((await readdir(join(tmp.dir, 'sub'))).length).toBe(0);
  });

  it('when fn throws, then the lock is still released', async () => {
    const lock = join(tmp.dir, '.lock');
    await expect(withLock(lock, async () => Promise.reject(new Error('boom')), { timeoutMs: 1000 })).rejects.toThrow('boom');
    expect(await readLockOwner(lock)).toBeUndefined();
  });

  it('when many tasks contend, then they never overlap', async () => {
    const lock = join(tmp.dir, '.lock');
    let inside = 0;
    let maxInside = 0;
    const order: number[] = [];
    await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        withLock(
          lock,
          async () => {
            inside++;
            maxInside = Math.max(maxInside, inside);
            await sleep(3);
            order.push(i);
            inside--;
          },
          { timeoutMs: 10_000 },
        ),
      ),
    );
    expect(maxInside).toBe(1);
    expect(order.sort((a, b) => a - b)).toEqual([...Array(12).keys()]);
  });

  it('when the owner pid is dead on this host, then the stale lock is cleared and onStale says so', async () => {
    const lock = join(tmp.dir, '.lock');
    const pid = deadPid();
    await writeFile(lock, JSON.stringify({ pid, hostname: hostname(), created_at: '2020-01-01T00:00:00Z', command: 'soma train', token: 'old' }));
    const notices: string[] = [];
    const result = await withLock(lock, async () => 'ran', {
      timeoutMs: 2000,
      onStale: (info) => notices.push(`${info.owner?.pid}: ${info.reason}`),
    });
    expect(result).toBe('ran');
    expect(notices).toEqual([`${pid}: owner pid ${pid} is no longer running`]);
  });

  it('when the owner is alive, then waiting times out with REGISTRY_LOCKED naming the lock and its owner', async () => {
    const lock = join(tmp.dir, '.lock');
    let release!: () => void;
    const held = withLock(lock, () => new Promise<void>((r) => (release = r)), { timeoutMs: 1000, command: 'holder' });
    await sleep(20);
    const t0 = Date.now();
    let err: unknown;
    try {
      await withLock(lock, async () => 'never', { timeoutMs: 300 });
    } catch (e) {
      err = e;
    }
    const waited = Date.now() - t0;
    release();
    await held;
    expect(err).toBeInstanceOf(SomaError);
    expect((err as SomaError).code).toBe('REGISTRY_LOCKED');
    expect((err as SomaError).exitCode).toBe(6);
    expect((err as SomaError).message).toContain(lock);
    expect((err as SomaError).message).toContain(`pid ${process.pid}`);
    expect((err as SomaError).message).toContain('holder');
    expect(waited).toBeGreaterThanOrEqual(280);
    expect(waited).toBeLessThan(2000);
  });

  it('when the owner is on another host, then only staleMs can clear it', async () => {
    const lock = join(tmp.dir, '.lock');
    await writeFile(lock, JSON.stringify({ pid: 1, hostname: 'elsewhere', created_at: '2020-01-01T00:00:00Z', command: 'x', token: 't' }));
    await expect(withLock(lock, async () => 1, { timeoutMs: 100 })).rejects.toMatchObject({ code: 'REGISTRY_LOCKED' });
    const old = new Date(Date.now() - 60_000);
    await utimes(lock, old, old);
    const reasons: string[] = [];
    expect(await withLock(lock, async () => 2, { timeoutMs: 1000, staleMs: 30_000, onStale: (i) => reasons.push(i.reason) })).toBe(2);
    expect(reasons).toEqual(['older than 30000 ms']);
  });
});
