// The registry's lifecycle operations on disk: moving aliases (promote, rollback), tags, removing
// versions (rm, gc), the audit history, and integrity checks over whole models.
//
// Every mutation runs under the per-model lock, replaces aliases.json / tags.json atomically and
// appends one event to events.jsonl ({event, from, to, reason} plus who/when/where from
// appendEvent). Tags live in <model>/tags.json, keyed by version, because a version directory is
// immutable and checksummed. A removed version is first renamed to a `.staging-<pid>-<hex>` name
// (one atomic step that hides it from readers), so a crash mid-removal leaves debris that the
// next registration's cleanStaging sweeps, never a half-deleted version.

import { randomBytes } from 'node:crypto';
import { readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';

import { SomaError } from '../errors.js';
import type { JsonObject, JsonValue } from '../util/json.js';
import { isJsonObject } from '../util/json.js';
import { writeJsonAtomic } from './atomic.js';
import { METADATA_FILE, sha256File } from './checksums.js';
import { modelId, normalizeAlias, normalizeModelName } from './ref.js';
import { compareVersions, isVersion, parseVersion } from './semver.js';
import type { Registry } from './store.js';
import type { IntegrityProblem } from './verify.js';

/** Options every mutation takes. */
export interface MutationOptions {
  /** Why, recorded in the event (`--reason`). */
  reason?: string;
  /** How long to wait for the per-model lock (default 60 s). */
  lockTimeoutMs?: number;
  onNotice?: (message: string) => void;
  /** The command line, recorded in the lock's owner file while the mutation holds it. */
  command?: string;
}

export interface AliasChange {
  name: string;
  alias: string;
  /** The version the alias pointed to before, or null when it was unset. */
  from: string | null;
  to: string;
  /** False when the alias already pointed there (no event is written then). */
  changed: boolean;
}

const TAGS_FILE = 'tags.json';
const TAG_KEY_RE = /^[A-Za-z_][A-Za-z0-9_.:/-]{0,63}$/;
const MAX_TAG_VALUE = 1024;

function lockOptions(options: MutationOptions): { timeoutMs?: number; onNotice?: (m: string) => void; command?: string } {
  return {
    ...(options.lockTimeoutMs !== undefined ? { timeoutMs: options.lockTimeoutMs } : {}),
    ...(options.onNotice ? { onNotice: options.onNotice } : {}),
    ...(options.command !== undefined ? { command: options.command } : {}),
  };
}

function reasonField(options: MutationOptions): { reason: string | null } {
  return { reason: options.reason !== undefined && options.reason.trim() !== '' ? options.reason : null };
}

async function requireVersion(registry: Registry, name: string, version: string): Promise<void> {
  const versions = await registry.listVersions(name);
  if (!versions.includes(version)) {
    throw new SomaError('REGISTRY_NOT_FOUND', `${name}@${version} not found in ${registry.root}`, {
      hint: versions.length > 0 ? `versions of ${name}: ${[...versions].reverse().slice(0, 10).join(', ')}` : `${name} has no versions`,
      details: { name, version, versions },
    });
  }
}

// ---------------------------------------------------------------------------------------------
// Aliases

/**
 * Points `alias` of `name` at `version` (which must exist) under the model lock; records a
 * `promoted` event {alias, from, to, reason} unless the alias already pointed there.
 */
export async function promoteAlias(registry: Registry, name: string, version: string, alias: string, options: MutationOptions = {}): Promise<AliasChange> {
  const n = normalizeModelName(name);
  const a = normalizeAlias(alias);
  parseVersion(version);
  return registry.withModelLock(
    n,
    async () => {
      // Checked again under the lock: the version could have been removed since it was resolved.
      await requireVersion(registry, n, version);
      const aliases = await registry.readAliases(n);
      const from = aliases[a] ?? null;
      if (from === version) return { name: n, alias: a, from, to: version, changed: false };
      await registry.writeAliases(n, { ...aliases, [a]: version });
      await registry.appendEvent(n, { event: 'promoted', alias: a, version, from, to: version, ...reasonField(options) });
      return { name: n, alias: a, from, to: version, changed: true };
    },
    lockOptions(options),
  );
}

/**
 * The holders of `alias`, oldest first, replayed from events.jsonl: a promotion pushes its
 * version, a rollback pops back to the version it restored, a removal drops the version
 * everywhere. The last entry is the current holder; rollback moves to the one before it.
 */
export function aliasStack(events: readonly JsonObject[], alias: string): string[] {
  let stack: string[] = [];
  for (const e of events) {
    if (e.event === 'removed' && typeof e.version === 'string') {
      const gone = e.version;
      stack = stack.filter((v) => v !== gone);
      continue;
    }
    if (e.alias !== alias) continue;
    const to = typeof e.to === 'string' ? e.to : null;
    if (e.event === 'promoted' && to !== null) {
      if (stack[stack.length - 1] !== to) stack.push(to);
    } else if (e.event === 'rolled_back' && to !== null) {
      stack.pop();
      // Normally `to` is now on top; if the log was edited by hand, trust the event.
      while (stack.length > 0 && stack[stack.length - 1] !== to) stack.pop();
      if (stack.length === 0) stack.push(to);
    } else if (e.event === 'unaliased') {
      stack = [];
    }
  }
  return stack;
}

/**
 * Moves `alias` back to its previous holder (see aliasStack), under the model lock, and records a
 * `rolled_back` event. REGISTRY_NOT_FOUND when the alias is unset; REGISTRY_CONFLICT when there
 * is no earlier holder that still exists.
 */
export async function rollbackAlias(registry: Registry, name: string, alias: string, options: MutationOptions = {}): Promise<AliasChange> {
  const n = normalizeModelName(name);
  const a = normalizeAlias(alias);
  return registry.withModelLock(
    n,
    async () => {
      const aliases = await registry.readAliases(n);
      const current = aliases[a];
      if (current === undefined) {
        const known = Object.entries(aliases).map(([k, v]) => `${k} → ${v}`);
        throw new SomaError('REGISTRY_NOT_FOUND', `${n} has no alias '${a}' to roll back`, {
          hint: known.length > 0 ? `aliases of ${n}: ${known.join(', ')}` : `${n} has no aliases; \`soma models promote ${n}@VERSION --to ${a}\` sets one`,
          details: { name: n, alias: a, aliases },
        });
      }
      const stack = aliasStack(await registry.readEvents(n), a);
      // aliases.json is the truth about the present; the log may lag it if it was edited by hand.
      if (stack[stack.length - 1] !== current) stack.push(current);
      const existing = new Set(await registry.listVersions(n));
      let target: string | undefined;
      for (let i = stack.length - 2; i >= 0; i--) {
        const v = stack[i]!;
        if (v !== current && existing.has(v)) {
          target = v;
          break;
        }
      }
      if (target === undefined) {
        throw new SomaError('REGISTRY_CONFLICT', `${n}@${a} has no previous version to roll back to (it holds ${current})`, {
          hint: `\`soma models history ${n} --alias ${a}\` shows its past; \`soma models promote ${n}@VERSION --to ${a}\` sets it explicitly`,
          details: { name: n, alias: a, current, history: stack },
        });
      }
      await registry.writeAliases(n, { ...aliases, [a]: target });
      await registry.appendEvent(n, { event: 'rolled_back', alias: a, version: target, from: current, to: target, ...reasonField(options) });
      return { name: n, alias: a, from: current, to: target, changed: true };
    },
    lockOptions(options),
  );
}

// ---------------------------------------------------------------------------------------------
// Tags

export type TagMap = Record<string, string>;

/** tags.json as {version: {key: value}}; {} when the model has no tags. */
export async function readTags(registry: Registry, name: string): Promise<Record<string, TagMap>> {
  const path = join(registry.modelDir(name), TAGS_FILE);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw e;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new SomaError('REGISTRY_INTEGRITY', `${path} is not valid JSON: ${(e as Error).message}`, { details: { path }, cause: e });
  }
  const ok =
    isJsonObject(parsed) &&
    Object.entries(parsed).every(([v, tags]) => isVersion(v) && isJsonObject(tags) && Object.values(tags).every((t) => typeof t === 'string'));
  if (!ok) throw new SomaError('REGISTRY_INTEGRITY', `${path} must map x.y.z versions to {key: "value"} objects`, { details: { path } });
  return parsed as Record<string, TagMap>;
}

/** Parses `key=value` arguments; USAGE naming the argument when one is malformed. */
export function parseTagArgs(args: readonly string[]): TagMap {
  const out: TagMap = {};
  for (const arg of args) {
    const eq = arg.indexOf('=');
    const key = eq < 0 ? arg : arg.slice(0, eq);
    if (eq <= 0 || !TAG_KEY_RE.test(key)) {
      throw new SomaError('USAGE', `tag ${JSON.stringify(arg)}: expected key=value with a key of letters, digits and _ . : / - (starting with a letter or _)`, {
        details: { value: arg },
      });
    }
    const value = arg.slice(eq + 1);
    if (value.length > MAX_TAG_VALUE) throw new SomaError('USAGE', `tag ${key}: the value has ${value.length} characters; at most ${MAX_TAG_VALUE} are allowed`);
    out[key] = value;
  }
  return out;
}

/**
 * Sets and removes tags of one version under the model lock; records a `tagged` event with what
 * changed. Returns the version's tags afterwards.
 */
export async function setTags(
  registry: Registry,
  name: string,
  version: string,
  set: TagMap,
  remove: readonly string[],
  options: MutationOptions = {},
): Promise<TagMap> {
  const n = normalizeModelName(name);
  return registry.withModelLock(
    n,
    async () => {
      await requireVersion(registry, n, version);
      const all = await readTags(registry, n);
      const before = all[version] ?? {};
      const after: TagMap = { ...before };
      for (const k of remove) delete after[k];
      Object.assign(after, set);
      const sorted = Object.fromEntries(Object.entries(after).sort(([x], [y]) => (x < y ? -1 : 1)));
      const next = { ...all };
      if (Object.keys(sorted).length === 0) delete next[version];
      else next[version] = sorted;
      await writeJsonAtomic(join(registry.modelDir(n), TAGS_FILE), next);
      const removed = remove.filter((k) => k in before && !(k in set));
      await registry.appendEvent(n, { event: 'tagged', version, from: before, to: sorted, set, removed, ...reasonField(options) });
      return sorted;
    },
    lockOptions(options),
  );
}

// ---------------------------------------------------------------------------------------------
// Removal

export interface RemovedVersion {
  name: string;
  version: string;
  id: string;
  /** Aliases that pointed to it and were removed with it (only with force). */
  aliases: string[];
}

/** Removes one version; caller holds the model lock. Aliases must already be dealt with. */
async function removeLocked(registry: Registry, n: string, version: string, aliasesRemoved: string[], event: JsonObject): Promise<void> {
  const dir = registry.versionDir(n, version);
  // A staging name: invisible to listVersions, and swept by cleanStaging if we die before rm.
  const hidden = join(registry.modelDir(n), `.staging-${process.pid}-${randomBytes(6).toString('hex')}`);
  await rename(dir, hidden);
  await registry.appendEvent(n, { ...event, event: 'removed', version, from: version, to: null, aliases: aliasesRemoved });
  await rm(hidden, { recursive: true, force: true });
  // Tags of a removed version can never apply to another (versions never repeat); drop them.
  const tags = await readTags(registry, n).catch(() => undefined);
  if (tags && tags[version]) {
    const next = { ...tags };
    delete next[version];
    await writeJsonAtomic(join(registry.modelDir(n), TAGS_FILE), next);
  }
}

/**
 * Removes `version` of `name`. An aliased version is refused (REGISTRY_CONFLICT naming the
 * aliases) unless `force`, which removes those aliases first so none ever points at nothing.
 */
export async function removeVersion(registry: Registry, name: string, version: string, options: MutationOptions & { force?: boolean } = {}): Promise<RemovedVersion> {
  const n = normalizeModelName(name);
  parseVersion(version);
  return registry.withModelLock(
    n,
    async () => {
      await requireVersion(registry, n, version);
      const aliases = await registry.readAliases(n);
      const holding = Object.entries(aliases).filter(([, v]) => v === version).map(([a]) => a);
      if (holding.length > 0) {
        if (!options.force) {
          throw new SomaError('REGISTRY_CONFLICT', `${n}@${version} is aliased as ${holding.join(', ')}; refusing to remove it`, {
            hint: `promote another version to ${holding.join(', ')} first, or pass --force to remove the alias${holding.length > 1 ? 'es' : ''} too`,
            details: { name: n, version, aliases: holding },
          });
        }
        const rest = Object.fromEntries(Object.entries(aliases).filter(([a]) => !holding.includes(a)));
        await registry.writeAliases(n, rest);
        for (const a of holding) await registry.appendEvent(n, { event: 'unaliased', alias: a, version, from: version, to: null, ...reasonField(options) });
      }
      await removeLocked(registry, n, version, holding, { ...reasonField(options) });
      return { name: n, version, id: modelId(n, version), aliases: holding };
    },
    lockOptions(options),
  );
}

export interface GcPlan {
  name: string;
  keep: string[];
  remove: string[];
}

/** Which versions `gc --keep N` keeps: the N highest plus every aliased one. */
export function planGc(versions: readonly string[], aliases: Record<string, string>, keepNewest: number): { keep: string[]; remove: string[] } {
  const sorted = [...versions].sort(compareVersions);
  const aliased = new Set(Object.values(aliases));
  const newest = new Set(keepNewest > 0 ? sorted.slice(-keepNewest) : []);
  return {
    keep: sorted.filter((v) => newest.has(v) || aliased.has(v)),
    remove: sorted.filter((v) => !newest.has(v) && !aliased.has(v)),
  };
}

/**
 * Removes all but the `keep` newest versions of `name`, never an aliased one; decided and done
 * under one lock acquisition, so a concurrent promote cannot alias a version being removed.
 */
export async function gcModel(registry: Registry, name: string, keep: number, options: MutationOptions & { dryRun?: boolean } = {}): Promise<GcPlan> {
  if (!Number.isInteger(keep) || keep < 0) throw new SomaError('USAGE', `--keep ${keep}: expected a whole number >= 0`, { details: { value: keep } });
  const n = normalizeModelName(name);
  const decide = async (): Promise<GcPlan> => ({ name: n, ...planGc(await registry.listVersions(n), await registry.readAliases(n), keep) });
  if (options.dryRun) return decide();
  return registry.withModelLock(
    n,
    async () => {
      const plan = await decide();
      const reason = options.reason ?? `gc --keep ${keep}`;
      for (const v of plan.remove) await removeLocked(registry, n, v, [], { reason });
      return plan;
    },
    lockOptions(options),
  );
}

// ---------------------------------------------------------------------------------------------
// History

export interface HistoryEntry {
  at: string;
  event: string;
  alias: string | null;
  version: string | null;
  from: JsonValue;
  to: JsonValue;
  reason: string | null;
  user: string | null;
  host: string | null;
}

function str(v: JsonValue | undefined): string | null {
  return typeof v === 'string' ? v : null;
}

/** events.jsonl of `name` as uniform entries, oldest first; only those about `alias` when given. */
export async function readHistory(registry: Registry, name: string, alias?: string): Promise<HistoryEntry[]> {
  const n = normalizeModelName(name);
  const a = alias === undefined ? undefined : normalizeAlias(alias);
  const out: HistoryEntry[] = [];
  for (const e of await registry.readEvents(n)) {
    if (a !== undefined && e.alias !== a) continue;
    const event = str(e.event) ?? 'unknown';
    const version = str(e.version);
    // Events written before from/to were recorded (registration) still read sensibly.
    const from = e.from !== undefined ? e.from : null;
    const to = e.to !== undefined ? e.to : event === 'registered' ? version : null;
    const bump = isJsonObject(e.bump) ? str(e.bump.reason) : null;
    out.push({ at: str(e.at) ?? '', event, alias: str(e.alias), version, from, to, reason: str(e.reason) ?? bump, user: str(e.user), host: str(e.host) });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Integrity over whole models

export interface VersionCheck {
  name: string;
  version: string;
  id: string;
  ok: boolean;
  problems: IntegrityProblem[];
}

export interface ModelCheck {
  name: string;
  ok: boolean;
  versions: VersionCheck[];
  /** Problems of the model as a whole (an alias pointing at a missing version, unreadable files). */
  problems: IntegrityProblem[];
}

/**
 * Re-hashes every artifact of the given versions (all when omitted), metadata.json against the
 * checksum its registration event recorded, and checks aliases.json and tags.json. Strict: files
 * that metadata does not list count as problems here, though they do not block loading.
 */
export async function checkModel(registry: Registry, name: string, only?: readonly string[]): Promise<ModelCheck> {
  const n = normalizeModelName(name);
  const problems: IntegrityProblem[] = [];
  const versions = await registry.listVersions(n);
  const events = await registry.readEvents(n).catch(() => []);
  const metadataSha = new Map<string, string>();
  for (const e of events) {
    if (e.event === 'registered' && typeof e.version === 'string' && typeof e.metadata_sha256 === 'string') metadataSha.set(e.version, e.metadata_sha256);
  }

  const checks: VersionCheck[] = [];
  for (const version of only ?? versions) {
    const id = modelId(n, version);
    const vp: IntegrityProblem[] = [];
    try {
      const metadata = await registry.readMetadata(n, version);
      const expected = metadataSha.get(version);
      if (expected !== undefined) {
        const actual = await sha256File(join(registry.versionDir(n, version), METADATA_FILE));
        if (actual !== expected) vp.push({ path: METADATA_FILE, kind: 'changed', message: `${METADATA_FILE} changed: sha256 ${actual.slice(0, 12)}…, expected ${expected.slice(0, 12)}…` });
      }
      vp.push(...(await registry.verify({ dir: registry.versionDir(n, version), metadata })));
    } catch (e) {
      if (!(e instanceof SomaError) || (e.code !== 'REGISTRY_INTEGRITY' && e.code !== 'REGISTRY_NOT_FOUND')) throw e;
      const missing = e.code === 'REGISTRY_NOT_FOUND' || /is missing$/.test(e.message);
      vp.push({ path: METADATA_FILE, kind: missing ? 'missing' : 'invalid', message: missing ? `${METADATA_FILE} is missing` : e.message });
    }
    checks.push({ name: n, version, id, ok: vp.length === 0, problems: vp });
  }

  try {
    const aliases = await registry.readAliases(n);
    for (const [a, v] of Object.entries(aliases)) {
      if (!versions.includes(v)) problems.push({ path: 'aliases.json', kind: 'invalid', message: `aliases.json: '${a}' points to ${v}, which does not exist` });
    }
  } catch (e) {
    if (!(e instanceof SomaError)) throw e;
    problems.push({ path: 'aliases.json', kind: 'invalid', message: e.message });
  }
  try {
    await readTags(registry, n);
  } catch (e) {
    if (!(e instanceof SomaError)) throw e;
    problems.push({ path: TAGS_FILE, kind: 'invalid', message: e.message });
  }
  return { name: n, ok: problems.length === 0 && checks.every((c) => c.ok), versions: checks, problems };
}

/** Whether `name` has a model directory at all (versions may all have been removed). */
export async function modelExists(registry: Registry, name: string): Promise<boolean> {
  return stat(registry.modelDir(name)).then(
    (s) => s.isDirectory(),
    () => false,
  );
}
