// The integrity of a version against its metadata.json: every listed artifact present with the
// recorded size and sha256, and no file the list does not name. Loading refuses missing and
// changed files; `soma models verify` also reports unlisted ones.

import { firstLink, refuseLinks } from './no-links.js';
import { readJsonLines } from './jsonl.js';
import { METADATA_FILE } from './checksums.js';
import { stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { SomaError } from '../errors.js';
import { listFiles, sha256File } from './checksums.js';
import { isNotFound } from './layout.js';
import type { ResolvedModel } from './resolve.js';

export interface IntegrityProblem {
  /** Artifact path relative to the version directory. */
  path: string;
  /** missing / changed: a listed artifact; unexpected: a file metadata does not list; invalid: an unusable entry. */
  kind: 'missing' | 'changed' | 'unexpected' | 'invalid';
  message: string;
}

/** An artifact path from metadata that stays inside the version directory. */
function safeRelative(path: string): boolean {
  if (path === '' || path.startsWith('/') || path.includes('\\') || /^[A-Za-z]:/.test(path)) return false;
  return path.split('/').every((seg) => seg !== '' && seg !== '.' && seg !== '..');
}

/** Re-hashes every artifact metadata lists; reports missing, changed and unlisted files. */
export async function verifyVersion(resolved: Pick<ResolvedModel, 'dir' | 'metadata'>): Promise<IntegrityProblem[]> {
  const problems: IntegrityProblem[] = [];
  const listed = new Set<string>();
  for (const a of resolved.metadata.artifacts) {
    listed.add(a.path);
    if (!safeRelative(a.path)) {
      problems.push({ path: a.path, kind: 'invalid', message: `${a.path}: not a relative path inside the version directory` });
      continue;
    }
    const abs = join(resolved.dir, ...a.path.split('/'));
    const link = await firstLink(resolved.dir, abs);
    if (link !== undefined) {
      problems.push({ path: a.path, kind: 'invalid', message: `${a.path} is a symbolic link (${link}); the registry never follows links` });
      continue;
    }
    let bytes: number;
    try {
      const st = await stat(abs);
      if (!st.isFile()) throw Object.assign(new Error('not a file'), { code: 'ENOENT' });
      bytes = st.size;
    } catch (e) {
      if (!isNotFound(e)) throw e;
      problems.push({ path: a.path, kind: 'missing', message: `${a.path} is missing` });
      continue;
    }
    if (bytes !== a.bytes) {
      problems.push({ path: a.path, kind: 'changed', message: `${a.path} changed: ${bytes} bytes, expected ${a.bytes}` });
      continue;
    }
    const sha = await sha256File(abs);
    if (sha !== a.sha256) {
      problems.push({ path: a.path, kind: 'changed', message: `${a.path} changed: sha256 ${sha.slice(0, 12)}…, expected ${a.sha256.slice(0, 12)}…` });
    }
  }
  try {
    for (const f of await listFiles(resolved.dir)) {
      if (!listed.has(f)) problems.push({ path: f, kind: 'unexpected', message: `${f} is not listed in metadata.json` });
    }
  } catch (e) {
    if (!(e instanceof SomaError)) throw e;
    problems.push({ path: '.', kind: 'unexpected', message: e.message });
  }
  return problems;
}

/**
 * metadata.json against the sha256 its `registered` event recorded (a file cannot list its own
 * checksum). Without this, editing a version's recorded metrics would pass a `promote --require`
 * gate, and editing model.json and re-signing its checksum in metadata.json would load. The
 * version directory is `<model>/versions/<x.y.z>`, so the model's events.jsonl is two levels up.
 * Versions registered before the hash was recorded have nothing to compare with: undefined.
 */
export async function metadataProblem(resolved: Pick<ResolvedModel, 'dir' | 'metadata'>): Promise<IntegrityProblem | undefined> {
  const modelDir = dirname(dirname(resolved.dir));
  const registryRoot = dirname(modelDir);
  const eventsFile = join(modelDir, 'events.jsonl');
  await refuseLinks(registryRoot, eventsFile);
  let expected: string | undefined;
  for (const e of await readJsonLines(eventsFile)) {
    if (e['event'] === 'registered' && e['version'] === resolved.metadata.version && typeof e['metadata_sha256'] === 'string') expected = e['metadata_sha256'];
  }
  if (expected === undefined) return undefined;
  const actual = await sha256File(join(resolved.dir, METADATA_FILE));
  if (actual === expected) return undefined;
  return { path: METADATA_FILE, kind: 'changed', message: `${METADATA_FILE} changed after registration: sha256 ${actual.slice(0, 12)}…, the registered event recorded ${expected.slice(0, 12)}…` };
}

/** What loading would refuse: metadata.json against its registration, then every listed artifact. */
export async function integrityProblems(resolved: Pick<ResolvedModel, 'dir' | 'metadata'>): Promise<IntegrityProblem[]> {
  const blocking = (await verifyVersion(resolved)).filter((p) => p.kind !== 'unexpected');
  const md = await metadataProblem(resolved);
  return md ? [md, ...blocking] : blocking;
}

/**
 * Throws REGISTRY_INTEGRITY naming every listed artifact that is missing or changed. Files that
 * metadata does not list are reported by verify but do not block loading: nothing reads them.
 */
export async function assertIntact(resolved: Pick<ResolvedModel, 'dir' | 'metadata'> & Partial<Pick<ResolvedModel, 'id'>>): Promise<void> {
  const blocking = await integrityProblems(resolved);
  if (blocking.length === 0) return;
  const id = resolved.id ?? resolved.metadata.id;
  throw new SomaError('REGISTRY_INTEGRITY', `${id} failed its integrity check: ${blocking.map((p) => p.message).join('; ')}`, {
    hint: `files under ${resolved.dir} were modified after registration; restore them or register the model again`,
    details: { id, dir: resolved.dir, problems: blocking.map((p) => ({ path: p.path, kind: p.kind, message: p.message })) },
  });
}
