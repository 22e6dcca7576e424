// Where things are in a registry directory, and what is there: the paths of a model, its
// versions, its lock, aliases and audit log, and the listing of complete models and versions.
//
//   <registry>/<name>/
//     aliases.json             {"production": "1.2.0"}
//     events.jsonl             append-only audit
//     .lock                    per-model lock (see lock.ts), held only for the short critical section
//     .staging-<pid>-<rand>/   a version being written; invisible to readers
//     versions/<x.y.z>/        complete versions only: each appears by one rename, metadata.json included

import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { refuseLinks } from './no-links.js';
import { normalizeModelName } from './ref.js';
import { isVersion, parseVersion, sortVersions } from './semver.js';

/** Names of staging directories: the writing process's pid, then random hex. */
export const STAGING_RE = /^\.staging-(\d+)-[0-9a-f]+$/;

export function modelDir(root: string, name: string): string {
  return join(root, normalizeModelName(name));
}

export function versionsDir(root: string, name: string): string {
  return join(modelDir(root, name), 'versions');
}

export function versionDir(root: string, name: string, version: string): string {
  parseVersion(version);
  return join(versionsDir(root, name), version);
}

export function lockPath(root: string, name: string): string {
  return join(modelDir(root, name), '.lock');
}

export function aliasesPath(root: string, name: string): string {
  return join(modelDir(root, name), 'aliases.json');
}

export function eventsPath(root: string, name: string): string {
  return join(modelDir(root, name), 'events.jsonl');
}

/** A missing file or directory (the registry treats both as "not there"). */
export function isNotFound(e: unknown): boolean {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/** Models with at least one complete version, sorted by name. */
export async function listModels(root: string): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(root, { withFileTypes: true });
  } catch (e) {
    if (isNotFound(e)) return [];
    throw e;
  }
  const out: string[] = [];
  for (const e of entries) {
    // Dot entries and anything that is not a model name are not ours to list.
    if (!e.isDirectory() || e.name.startsWith('.') || e.name !== e.name.toLowerCase()) continue;
    try {
      normalizeModelName(e.name);
    } catch {
      continue;
    }
    if ((await listVersions(root, e.name)).length > 0) out.push(e.name);
  }
  return out.sort();
}

/** Complete versions of a model, ascending by semver; staging directories are never listed. */
export async function listVersions(root: string, name: string): Promise<string[]> {
  let entries;
  await refuseLinks(root, versionsDir(root, name));
  try {
    entries = await readdir(versionsDir(root, name), { withFileTypes: true });
  } catch (e) {
    if (isNotFound(e)) return [];
    throw e;
  }
  const linked = entries.find((e) => e.isSymbolicLink() && isVersion(e.name));
  if (linked) await refuseLinks(root, join(versionsDir(root, name), linked.name));
  return sortVersions(entries.filter((e) => e.isDirectory() && isVersion(e.name)).map((e) => e.name));
}
