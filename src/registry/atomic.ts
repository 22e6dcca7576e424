// Atomic file writes: write a sibling temp file, flush it, rename it over the target. Readers see
// the old content or the new, never a half-written file, even if the writer is killed mid-write.

import { randomBytes } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** A temp name next to `path` (same directory, so the rename stays on one filesystem). */
export function tempSibling(path: string, tag = 'tmp'): string {
  return join(dirname(path), `.${basename(path)}.${tag}-${process.pid}-${randomBytes(4).toString('hex')}`);
}

/** Writes `data` to `path` atomically. The parent directory must exist. */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const tmp = tempSibling(path);
  try {
    const fh = await open(tmp, 'wx');
    try {
      await fh.writeFile(data);
      // Without the fsync a power cut after the rename can leave an empty file under the new name.
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
}

/** Pretty JSON with a trailing newline, as every soma JSON artifact is written. */
export function stringifyJson(value: unknown): string {
  return JSON.stringify(value, null, 2) + '\n';
}

/** Writes `value` as pretty JSON to `path` atomically. */
export async function writeJsonAtomic(path: string, value: unknown): Promise<void> {
  await writeFileAtomic(path, stringifyJson(value));
}
