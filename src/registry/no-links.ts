// The registry never follows symbolic links below its root: a linked model directory, version
// directory, artifact, aliases.json, events.jsonl or predictions.jsonl would make writes land in,
// and reads come from, wherever the link points (`aliases.json -> /etc/passwd`). Every file the
// registry opens is checked component by component from the root down (lstat); the root itself
// may be a link, since the user chose it. Errors name the link, never what it points to or holds.

import { lstat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { SomaError } from '../errors.js';

/** The first symbolic link on the way from `root` (exclusive) to `target` (inclusive), if any. */
export async function firstLink(root: string, target: string): Promise<string | undefined> {
  const rel = relative(root, target);
  if (rel === '' || rel.startsWith('..')) return undefined;
  let p = root;
  for (const part of rel.split(sep)) {
    p = join(p, part);
    try {
      if ((await lstat(p)).isSymbolicLink()) return p;
    } catch {
      return undefined; // not there yet: nothing further down can be a link
    }
  }
  return undefined;
}

/** Throws REGISTRY_INTEGRITY (exit 6) naming the first symbolic link between `root` and `target`. */
export async function refuseLinks(root: string, target: string): Promise<void> {
  const link = await firstLink(root, target);
  if (link === undefined) return;
  throw new SomaError('REGISTRY_INTEGRITY', `${link} is a symbolic link; the registry never follows links (reads and writes would leave ${root})`, {
    hint: 'replace the link with the real file or directory, or remove it',
    details: { path: link, registry: root },
  });
}
