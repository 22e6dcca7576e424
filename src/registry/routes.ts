// A model's live traffic split, `<registry>/<model>/routes.json`: which versions share its
// traffic and by what weight, written by `soma models rollout` and read (and watched) by every
// `soma serve` of the model, as aliases.json is. Replaced atomically under the per-model lock;
// every change is an event in events.jsonl. When the file exists it is what servers route by.
//
//   {"formatVersion": 1, "arms": [{"arm": "production", "version": "1.2.0", "weight": 75},
//                                 {"arm": "staging", "version": "1.3.0", "weight": 25}],
//    "shadow": [], "rollout": {...} | null}
//
// Arms are laid out in bucket order (see server/routing.ts): a rollout lists the new version last,
// so a request key that moved to it stays there while its weight grows.

import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { SomaError } from '../errors.js';
import type { JsonObject } from '../util/json.js';
import { isJsonObject } from '../util/json.js';
import { writeJsonAtomic } from './atomic.js';
import { isVersion } from './semver.js';
import type { Registry } from './store.js';

export const ROUTES_FILE = 'routes.json';
const ROUTES_FORMAT_VERSION = 1;

export interface StoredArm {
  /** What the arm is called in logs and metrics: the alias it came from (`staging`), or the version. */
  arm: string;
  /** The exact version this arm serves. */
  version: string;
  weight: number;
}

export interface StoredRoutes {
  formatVersion: number;
  arms: StoredArm[];
  /** Versions that get a copy of every request. */
  shadow: StoredArm[];
  /** What the rollout that wrote this knows about itself (steps, bounds, started_at), or null. */
  rollout: JsonObject | null;
}

export function routesPath(registry: Registry, name: string): string {
  return join(registry.modelDir(name), ROUTES_FILE);
}

/** routes.json of a model, or null when it has none; REGISTRY_INTEGRITY when it is malformed. */
export async function readRoutes(registry: Registry, name: string): Promise<StoredRoutes | null> {
  const file = routesPath(registry, name);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    throw e;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new SomaError('REGISTRY_INTEGRITY', `${file} is not valid JSON: ${(e as Error).message}`, { details: { path: file } });
  }
  const bad = (why: string): SomaError => new SomaError('REGISTRY_INTEGRITY', `${file}: ${why}`, { hint: '`soma models rollout` writes this file; remove it to route by the served REF alone', details: { path: file } });
  if (!isJsonObject(parsed) || !Array.isArray(parsed['arms'])) throw bad('expected {"arms": [{"arm", "version", "weight"}, ...]}');
  const arms = (parsed['arms'] as unknown[]).map((a, i) => checkArm(a, `arms[${i}]`, bad));
  if (arms.length === 0 || arms.every((a) => a.weight === 0)) throw bad('needs at least one arm with a weight above 0');
  const shadow = Array.isArray(parsed['shadow']) ? (parsed['shadow'] as unknown[]).map((a, i) => checkArm(a, `shadow[${i}]`, bad)) : [];
  const rollout = isJsonObject(parsed['rollout']) ? parsed['rollout'] : null;
  return { formatVersion: typeof parsed['formatVersion'] === 'number' ? parsed['formatVersion'] : ROUTES_FORMAT_VERSION, arms, shadow, rollout };
}

function checkArm(a: unknown, where: string, bad: (why: string) => SomaError): StoredArm {
  if (!isJsonObject(a) || typeof a['arm'] !== 'string' || typeof a['version'] !== 'string' || !isVersion(a['version']) || typeof a['weight'] !== 'number' || !(a['weight'] >= 0)) {
    throw bad(`${where} must be {"arm": NAME, "version": "x.y.z", "weight": number >= 0}`);
  }
  return { arm: a['arm'], version: a['version'], weight: a['weight'] };
}

/**
 * Replaces routes.json (or removes it, for `routes` null) under the model lock and appends
 * `event` to events.jsonl. `check` runs under the lock first (e.g. that the versions still exist).
 */
export async function writeRoutes(
  registry: Registry,
  name: string,
  routes: Omit<StoredRoutes, 'formatVersion'> | null,
  event: JsonObject & { event: string },
  options: { lockTimeoutMs?: number; command?: string; check?: () => Promise<void> } = {},
): Promise<void> {
  await registry.withModelLock(
    name,
    async () => {
      await options.check?.();
      if (routes === null) await rm(routesPath(registry, name), { force: true });
      else {
        const doc: JsonObject = {
          formatVersion: ROUTES_FORMAT_VERSION,
          arms: routes.arms.map((a) => ({ arm: a.arm, version: a.version, weight: a.weight })),
          shadow: routes.shadow.map((a) => ({ arm: a.arm, version: a.version, weight: a.weight })),
          rollout: routes.rollout,
        };
        await writeJsonAtomic(routesPath(registry, name), doc);
      }
      await registry.appendEvent(name, event);
    },
    { ...(options.lockTimeoutMs !== undefined ? { timeoutMs: options.lockTimeoutMs } : {}), ...(options.command !== undefined ? { command: options.command } : {}) },
  );
}
