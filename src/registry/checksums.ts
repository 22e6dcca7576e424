// SHA-256 checksums of registered artifacts: what metadata.json records and every load re-checks.

import { createReadStream } from 'node:fs';
import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';

import { SomaError } from '../errors.js';
import { sha256Stream } from '../util/hash.js';

// A type alias, not an interface, so it is assignable to JsonValue inside metadata.
export type ArtifactEntry = {
  /** Relative to the version directory, with POSIX separators on every platform. */
  path: string;
  bytes: number;
  sha256: string;
};

/** The file that holds the artifact list, so it cannot list itself. */
export const METADATA_FILE = 'metadata.json';

/** Hex SHA-256 of a file, streamed so a large model never sits in memory whole. */
export function sha256File(path: string): Promise<string> {
  return sha256Stream(createReadStream(path));
}

/** Relative POSIX paths of every regular file under `dir`, sorted; `metadata.json` at the top excluded. */
export async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  async function walk(abs: string, rel: string): Promise<void> {
    for (const entry of await readdir(abs, { withFileTypes: true })) {
      const childRel = rel === '' ? entry.name : `${rel}/${entry.name}`;
      const childAbs = join(abs, entry.name);
      if (entry.isDirectory()) await walk(childAbs, childRel);
      else if (entry.isFile()) {
        if (childRel !== METADATA_FILE) out.push(childRel);
      } else {
        // A symlink could point anywhere and change behind the checksum's back.
        const kind = (await lstat(childAbs)).isSymbolicLink() ? 'symbolic link' : 'special file';
        throw new SomaError('REGISTRY_INTEGRITY', `artifact ${childAbs} is a ${kind}; a model version may hold only regular files`, {
          details: { path: childAbs },
        });
      }
    }
  }
  await walk(dir, '');
  // Plain code-unit order, so the list is the same on every platform and locale.
  return out.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Every artifact under `dir` with its size and SHA-256, sorted by path. */
export async function listArtifacts(dir: string): Promise<ArtifactEntry[]> {
  const files = await listFiles(dir);
  const out: ArtifactEntry[] = [];
  for (const path of files) {
    const abs = join(dir, ...path.split('/'));
    const { size } = await lstat(abs);
    out.push({ path, bytes: size, sha256: await sha256File(abs) });
  }
  return out;
}
