// events.jsonl of a model: the append-only audit log (registered, promoted, rolled back, tagged,
// removed), each line with who, when and where.

import { refuseLinks } from './no-links.js';
import { appendFile, mkdir } from 'node:fs/promises';
import { hostname, userInfo } from 'node:os';
import type { JsonObject } from '../util/json.js';
import { readJsonLines } from './jsonl.js';
import { eventsPath, modelDir } from './layout.js';
import { normalizeModelName } from './ref.js';
import { isVersion } from './semver.js';

/** Who runs this process, for audit records (events.jsonl, predictions.jsonl): the OS account. */
export function currentUser(): string | null {
  try {
    return userInfo().username;
  } catch {
    // userInfo throws when the uid has no passwd entry (common in containers): no name to record.
    return null;
  }
}

/**
 * Appends one audit line to events.jsonl, adding who/when/where. A single short append with
 * O_APPEND is not interleaved with other writers on a local filesystem.
 */
export async function appendEvent(root: string, name: string, event: JsonObject & { event: string }): Promise<void> {
  await refuseLinks(root, eventsPath(root, name));
  await mkdir(modelDir(root, name), { recursive: true });
  const line: JsonObject = {
    ...event,
    name: normalizeModelName(name),
    at: typeof event.at === 'string' ? event.at : new Date().toISOString(),
    user: currentUser(),
    host: hostname(),
    pid: process.pid,
  };
  await appendFile(eventsPath(root, name), JSON.stringify(line) + '\n', { flag: 'a' });
}

/** events.jsonl as objects, oldest first; a torn last line (a crash mid-append) is skipped. */
export async function readEvents(root: string, name: string): Promise<JsonObject[]> {
  await refuseLinks(root, eventsPath(root, name));
  return readJsonLines(eventsPath(root, name));
}

/** Versions that `soma models rm`/`gc` removed, from events.jsonl (they are never reused). */
export async function removedVersions(root: string, name: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readEvents(root, name)) {
    if (e.event === 'removed' && typeof e.version === 'string' && isVersion(e.version)) out.push(e.version);
  }
  return out;
}
