// The local model registry on disk: listing, REF resolution, integrity checks, and registration
// that is safe against concurrent runs and crashes.
//
//   <registry>/<name>/
//     aliases.json             {"production": "1.2.0"}
//     events.jsonl             append-only audit
//     .lock                    per-model lock (see lock.ts), held only for the short critical section
//     .staging-<pid>-<rand>/   a version being written; invisible to readers
//     versions/<x.y.z>/        complete versions only: each appears by one rename, metadata.json included
//
// Registration writes artifacts into a staging directory without the lock (that is the slow part),
// hashes them, then under the lock decides the version against the current latest, writes
// metadata.json into the staging directory and renames it to versions/<x.y.z>. A crash at any
// point leaves either no new version or a complete one; leftover staging directories of dead
// processes are removed by the next registration of that model.

import { randomBytes } from 'node:crypto';
import { appendFile, mkdir, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { hostname, userInfo } from 'node:os';
import { join, resolve as resolvePath } from 'node:path';
export { DEFAULT_REGISTRY_DIR, defaultRegistryDir, resolveRegistryDir } from './location.js';

import { SomaError } from '../errors.js';
import type { JsonObject } from '../util/json.js';
import { isJsonObject } from '../util/json.js';
import { stringifyJson, writeFileAtomic, writeJsonAtomic } from './atomic.js';
import type { VersionChoice } from './bump.js';
import { listArtifacts, listFiles, METADATA_FILE, sha256File, sha256Of, type ArtifactEntry } from './checksums.js';
import { pidAlive, withLock, type LockOptions } from './lock.js';
import { METADATA_FORMAT_VERSION, parseMetadata, type MetadataBody, type ModelMetadata } from './metadata.js';
import { readJsonLines } from './jsonl.js';
import { formatRef, modelId, normalizeAlias, normalizeModelName, parseRef, type Ref } from './ref.js';
import { isVersion, maxSatisfying, parseVersion, sortVersions } from './semver.js';

export interface ResolvedModel {
  /** The REF as asked for, in canonical form (e.g. "penguins@^1.2"). */
  ref: string;
  name: string;
  version: string;
  /** `name_vX.Y.Z` */
  id: string;
  /** Absolute path of versions/<x.y.z>. */
  dir: string;
  metadata: ModelMetadata;
}

export interface IntegrityProblem {
  /** Artifact path relative to the version directory. */
  path: string;
  /** missing / changed: a listed artifact; unexpected: a file metadata does not list; invalid: an unusable entry. */
  kind: 'missing' | 'changed' | 'unexpected' | 'invalid';
  message: string;
}

export interface RegisterContext {
  /** Metadata of the current highest version, read under the lock; undefined for a new model. */
  latest: ModelMetadata | undefined;
  /** Every version taken so far, ascending: the existing ones and those removed since (never reused). */
  existing: string[];
}

export interface FinalizeContext {
  stagingDir: string;
  name: string;
  version: string;
  id: string;
  bump: VersionChoice['bump'];
  /** id of the version that was latest at registration, recorded as lineage.parent. */
  parent: string | null;
  artifacts: ArtifactEntry[];
}

/**
 * How to register one version. `write` runs without the lock and may take long; `decide` and
 * `finalize` run under the per-model lock and should be quick. `finalize` returns the metadata
 * body and must not write files (they would be missing from the checksummed artifact list).
 */
export interface RegisterPlan {
  write(stagingDir: string): Promise<void>;
  decide(ctx: RegisterContext): VersionChoice | Promise<VersionChoice>;
  finalize(ctx: FinalizeContext): MetadataBody | Promise<MetadataBody>;
}

export interface RegisterOptions {
  /** How long to wait for the per-model lock (default 60 s). */
  lockTimeoutMs?: number;
  /** Told about cleared stale locks and removed staging directories of dead processes. */
  onNotice?: (message: string) => void;
  /** Recorded in the lock's owner file. */
  command?: string;
  /**
   * Test-only: waits this long between writing metadata.json and the rename, so the crash tests
   * can SIGKILL a real `soma train` inside that window (the CLI reads SOMA_TEST_PAUSE_BEFORE_RENAME_MS).
   */
  pauseBeforeRenameMs?: number;
}

export interface RegisteredModel extends ResolvedModel {
  bump: VersionChoice['bump'];
}

const STAGING_RE = /^\.staging-(\d+)-[0-9a-f]+$/;

/** Who runs this process, for audit records (events.jsonl, predictions.jsonl): the OS account. */
export function currentUser(): string | null {
  try {
    return userInfo().username;
  } catch {
    // userInfo throws when the uid has no passwd entry (common in containers): no name to record.
    return null;
  }
}

function isNotFound(e: unknown): boolean {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

function preview(items: readonly string[], max = 10): string {
  return items.length <= max ? items.join(', ') : `${items.slice(0, max).join(', ')}, ... (${items.length} in all)`;
}

/** An artifact path from metadata that stays inside the version directory. */
function safeRelative(path: string): boolean {
  if (path === '' || path.startsWith('/') || path.includes('\\') || /^[A-Za-z]:/.test(path)) return false;
  return path.split('/').every((seg) => seg !== '' && seg !== '.' && seg !== '..');
}

export class Registry {
  readonly root: string;

  constructor(rootDir: string) {
    this.root = resolvePath(rootDir);
  }

  modelDir(name: string): string {
    return join(this.root, normalizeModelName(name));
  }

  versionsDir(name: string): string {
    return join(this.modelDir(name), 'versions');
  }

  versionDir(name: string, version: string): string {
    parseVersion(version);
    return join(this.versionsDir(name), version);
  }

  lockPath(name: string): string {
    return join(this.modelDir(name), '.lock');
  }

  /** Models with at least one complete version, sorted by name. */
  async listModels(): Promise<string[]> {
    let entries;
    try {
      entries = await readdir(this.root, { withFileTypes: true });
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
      if ((await this.listVersions(e.name)).length > 0) out.push(e.name);
    }
    return out.sort();
  }

  /** Complete versions of a model, ascending by semver; staging directories are never listed. */
  async listVersions(name: string): Promise<string[]> {
    let entries;
    try {
      entries = await readdir(this.versionsDir(name), { withFileTypes: true });
    } catch (e) {
      if (isNotFound(e)) return [];
      throw e;
    }
    return sortVersions(entries.filter((e) => e.isDirectory() && isVersion(e.name)).map((e) => e.name));
  }

  async latest(name: string): Promise<string | undefined> {
    const versions = await this.listVersions(name);
    return versions[versions.length - 1];
  }

  /** Reads and checks metadata.json of one version; REGISTRY_NOT_FOUND / REGISTRY_INTEGRITY on failure. */
  async readMetadata(name: string, version: string): Promise<ModelMetadata> {
    const n = normalizeModelName(name);
    const path = join(this.versionDir(n, version), METADATA_FILE);
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (e) {
      if (!isNotFound(e)) throw e;
      const exists = await stat(this.versionDir(n, version)).then(
        () => true,
        () => false,
      );
      if (!exists) throw new SomaError('REGISTRY_NOT_FOUND', `${n}@${version} not found in ${this.root}`, { details: { name: n, version } });
      throw new SomaError('REGISTRY_INTEGRITY', `${path} is missing`, {
        hint: 'the version directory was modified after registration; remove it with `soma models rm` or restore it',
        details: { path },
      });
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (e) {
      throw new SomaError('REGISTRY_INTEGRITY', `${path} is not valid JSON: ${(e as Error).message}`, { details: { path }, cause: e });
    }
    const m = parseMetadata(parsed, path);
    if (m.name !== n || m.version !== version) {
      throw new SomaError('REGISTRY_INTEGRITY', `${path} describes ${m.name}@${m.version}, not ${n}@${version}`, { details: { path } });
    }
    return m;
  }

  /** aliases.json as {alias: version}; {} when the model has none. */
  async readAliases(name: string): Promise<Record<string, string>> {
    const path = join(this.modelDir(name), 'aliases.json');
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (e) {
      if (isNotFound(e)) return {};
      throw e;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (e) {
      throw new SomaError('REGISTRY_INTEGRITY', `${path} is not valid JSON: ${(e as Error).message}`, { details: { path }, cause: e });
    }
    if (!isJsonObject(parsed) || !Object.values(parsed).every((v) => typeof v === 'string' && isVersion(v))) {
      throw new SomaError('REGISTRY_INTEGRITY', `${path} must map alias names to x.y.z versions`, { details: { path } });
    }
    return parsed as Record<string, string>;
  }

  /** Replaces aliases.json atomically. Call inside withModelLock so read-modify-write is not lost. */
  async writeAliases(name: string, aliases: Record<string, string>): Promise<void> {
    const clean: Record<string, string> = {};
    for (const [alias, version] of Object.entries(aliases).sort(([a], [b]) => (a < b ? -1 : 1))) {
      parseVersion(version);
      clean[normalizeAlias(alias)] = version;
    }
    await mkdir(this.modelDir(name), { recursive: true });
    await writeJsonAtomic(join(this.modelDir(name), 'aliases.json'), clean);
  }

  /** Resolves a REF to one existing version and its metadata (no checksum check: see load). */
  async resolve(refOrString: string | Ref): Promise<ResolvedModel> {
    const ref = typeof refOrString === 'string' ? parseRef(refOrString) : refOrString;
    const refText = formatRef(ref);
    const versions = await this.listVersions(ref.name);
    if (versions.length === 0) {
      const models = await this.listModels();
      throw new SomaError('REGISTRY_NOT_FOUND', `no model named '${ref.name}' in ${this.root}`, {
        hint: models.length > 0 ? `registered models: ${preview(models)}` : 'the registry is empty; `soma train -c CONFIG` registers a model',
        details: { ref: refText, registry: this.root, models },
      });
    }
    const notFound = (what: string, hint?: string) =>
      new SomaError('REGISTRY_NOT_FOUND', `${what}`, {
        hint: hint ?? `versions of ${ref.name}: ${preview([...versions].reverse())}`,
        details: { ref: refText, registry: this.root, versions },
      });

    let version: string | undefined;
    switch (ref.kind) {
      case 'latest':
        version = versions[versions.length - 1];
        break;
      case 'version':
        if (!versions.includes(ref.version)) throw notFound(`${ref.name}@${ref.version} not found`);
        version = ref.version;
        break;
      case 'range':
        version = maxSatisfying(versions, ref.range);
        if (version === undefined) throw notFound(`no version of ${ref.name} matches ${ref.range}`);
        break;
      case 'alias': {
        const aliases = await this.readAliases(ref.name);
        const target = aliases[ref.alias];
        if (target === undefined) {
          const known = Object.entries(aliases).map(([a, v]) => `${a} → ${v}`);
          throw notFound(
            `${ref.name} has no alias '${ref.alias}'`,
            known.length > 0 ? `aliases of ${ref.name}: ${known.join(', ')}` : `${ref.name} has no aliases; \`soma models promote ${ref.name}@VERSION --to ${ref.alias}\` sets one`,
          );
        }
        if (!versions.includes(target)) {
          throw notFound(`alias '${ref.alias}' of ${ref.name} points to ${target}, which does not exist`);
        }
        version = target;
        break;
      }
    }
    const v = version!;
    return { ref: refText, name: ref.name, version: v, id: modelId(ref.name, v), dir: this.versionDir(ref.name, v), metadata: await this.readMetadata(ref.name, v) };
  }

  /** Re-hashes every artifact metadata lists; reports missing, changed and unlisted files. */
  async verify(resolved: Pick<ResolvedModel, 'dir' | 'metadata'>): Promise<IntegrityProblem[]> {
    const problems: IntegrityProblem[] = [];
    const listed = new Set<string>();
    for (const a of resolved.metadata.artifacts) {
      listed.add(a.path);
      if (!safeRelative(a.path)) {
        problems.push({ path: a.path, kind: 'invalid', message: `${a.path}: not a relative path inside the version directory` });
        continue;
      }
      const abs = join(resolved.dir, ...a.path.split('/'));
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
   * Throws REGISTRY_INTEGRITY naming every listed artifact that is missing or changed. Files that
   * metadata does not list are reported by verify but do not block loading: nothing reads them.
   */
  async assertIntact(resolved: Pick<ResolvedModel, 'dir' | 'metadata'> & Partial<Pick<ResolvedModel, 'id'>>): Promise<void> {
    const blocking = (await this.verify(resolved)).filter((p) => p.kind !== 'unexpected');
    if (blocking.length === 0) return;
    const id = resolved.id ?? resolved.metadata.id;
    throw new SomaError('REGISTRY_INTEGRITY', `${id} failed its integrity check: ${blocking.map((p) => p.message).join('; ')}`, {
      hint: `files under ${resolved.dir} were modified after registration; restore them or register the model again`,
      details: { id, dir: resolved.dir, problems: blocking.map((p) => ({ path: p.path, kind: p.kind, message: p.message })) },
    });
  }

  /** resolve + assertIntact: what every command that uses a model calls. */
  async load(ref: string | Ref): Promise<ResolvedModel> {
    const resolved = await this.resolve(ref);
    await this.assertIntact(resolved);
    return resolved;
  }

  /** Runs `fn` under the per-model lock (registration, alias changes, removal). */
  async withModelLock<T>(name: string, fn: () => Promise<T>, options: Partial<LockOptions> & { onNotice?: (m: string) => void } = {}): Promise<T> {
    const notice = options.onNotice;
    return withLock(this.lockPath(name), fn, {
      timeoutMs: options.timeoutMs ?? 60_000,
      staleMs: options.staleMs,
      command: options.command,
      onStale:
        options.onStale ??
        (notice && ((info) => notice(`cleared a stale registry lock ${info.path} (${info.reason})`))),
    });
  }

  /**
   * Appends one audit line to events.jsonl, adding who/when/where. A single short append with
   * O_APPEND is not interleaved with other writers on a local filesystem.
   */
  async appendEvent(name: string, event: JsonObject & { event: string }): Promise<void> {
    const dir = this.modelDir(name);
    await mkdir(dir, { recursive: true });
    const line: JsonObject = {
      ...event,
      name: normalizeModelName(name),
      at: typeof event.at === 'string' ? event.at : new Date().toISOString(),
      user: currentUser(),
      host: hostname(),
      pid: process.pid,
    };
    await appendFile(join(dir, 'events.jsonl'), JSON.stringify(line) + '\n', { flag: 'a' });
  }

  /** events.jsonl as objects, oldest first; a torn last line (a crash mid-append) is skipped. */
  async readEvents(name: string): Promise<JsonObject[]> {
    return readJsonLines(join(this.modelDir(name), 'events.jsonl'));
  }


  /** Versions that `soma models rm`/`gc` removed, from events.jsonl (they are never reused). */
  async removedVersions(name: string): Promise<string[]> {
    const out: string[] = [];
    for (const e of await this.readEvents(name)) {
      if (e.event === 'removed' && typeof e.version === 'string' && isVersion(e.version)) out.push(e.version);
    }
    return out;
  }

  /** Removes staging directories left by processes that are no longer running; returns their names. */
  async cleanStaging(name: string): Promise<string[]> {
    let entries;
    try {
      entries = await readdir(this.modelDir(name), { withFileTypes: true });
    } catch (e) {
      if (isNotFound(e)) return [];
      throw e;
    }
    const removed: string[] = [];
    for (const e of entries) {
      const m = STAGING_RE.exec(e.name);
      if (!m || !e.isDirectory()) continue;
      // Staging names carry only a pid, so this assumes one host writes to this model at a time
      // (a shared network registry written from several hosts would need the host in the name).
      if (pidAlive(Number(m[1]))) continue;
      await rm(join(this.modelDir(name), e.name), { recursive: true, force: true });
      removed.push(e.name);
    }
    return removed;
  }

  /** Registers a new version of `name` (see the file header for the protocol and its guarantees). */
  async register(name: string, plan: RegisterPlan, options: RegisterOptions = {}): Promise<RegisteredModel> {
    const n = normalizeModelName(name);
    const modelDir = this.modelDir(n);
    await mkdir(join(modelDir, 'versions'), { recursive: true });
    for (const s of await this.cleanStaging(n)) options.onNotice?.(`removed ${join(modelDir, s)} left by a process that is no longer running`);

    const staging = join(modelDir, `.staging-${process.pid}-${randomBytes(6).toString('hex')}`);
    await mkdir(staging);
    try {
      await plan.write(staging);
      // Hashing reads every byte, so it happens before taking the lock.
      const artifacts = await listArtifacts(staging);

      return await this.withModelLock(
        n,
        async () => {
          const present = await this.listVersions(n);
          const highest = present[present.length - 1];
          // Versions removed by `soma models rm`/`gc` count as taken, so a version never repeats.
          const existing = sortVersions([...new Set([...present, ...(await this.removedVersions(n))])]);
          let latest: ModelMetadata | undefined;
          if (highest !== undefined) {
            try {
              latest = await this.readMetadata(n, highest);
            } catch (e) {
              // A damaged latest version must not block new ones; with nothing to compare with,
              // the bump rule moves the major version (see chooseVersion).
              if (!(e instanceof SomaError) || e.code !== 'REGISTRY_INTEGRITY') throw e;
              options.onNotice?.(`cannot compare with ${n}@${highest}: ${e.message}`);
            }
          }
          const choice = await plan.decide({ latest, existing });
          const version = choice.version;
          parseVersion(version, 'registered version');
          if (existing.includes(version)) {
            throw new SomaError('REGISTRY_CONFLICT', `${n}@${version} ${present.includes(version) ? 'already exists' : 'was registered before and removed'}`, {
              hint: 'a version never repeats; choose another --version or let soma bump it',
              details: { name: n, version, existing },
            });
          }
          const id = modelId(n, version);
          const parent = highest === undefined ? null : modelId(n, highest);
          const body = await plan.finalize({ stagingDir: staging, name: n, version, id, bump: choice.bump, parent, artifacts });
          // Registry-owned fields are placed first and then re-applied after the body, so the
          // identity and checksums are always the registry's even if the body carries stale ones.
          const owned = { formatVersion: METADATA_FORMAT_VERSION, name: n, version, id };
          const metadata: ModelMetadata = {
            ...owned,
            ...body,
            ...owned,
            lineage: { ...body.lineage, parent },
            artifacts,
            bump: choice.bump,
          };
          const metadataText = stringifyJson(metadata);
          await writeFileAtomic(join(staging, METADATA_FILE), metadataText);
          const dir = this.versionDir(n, version);
          if (options.pauseBeforeRenameMs) await new Promise<void>((r) => setTimeout(r, options.pauseBeforeRenameMs));
          try {
            await rename(staging, dir);
          } catch (e) {
            // Only possible if something outside soma created the directory behind the lock.
            const code = (e as NodeJS.ErrnoException).code;
            if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw e;
            throw new SomaError('REGISTRY_CONFLICT', `${dir} already exists`, { details: { name: n, version }, cause: e });
          }
          await syncDir(this.versionsDir(n));
          // metadata.json cannot list its own checksum; the audit log keeps it so verify can re-hash it.
          await this.appendEvent(n, { event: 'registered', name: n, version, from: null, to: version, bump: choice.bump, metadata_sha256: sha256Of(metadataText) });
          return { ref: `${n}@${version}`, name: n, version, id, dir, metadata, bump: choice.bump };
        },
        { timeoutMs: options.lockTimeoutMs, onNotice: options.onNotice, command: options.command },
      );
    } finally {
      // After a successful rename the staging path no longer exists; otherwise discard it.
      await rm(staging, { recursive: true, force: true });
    }
  }
}

/** Flushes a directory entry change (the rename) so a power cut cannot undo a reported success. */
async function syncDir(dir: string): Promise<void> {
  try {
    const fh = await open(dir, 'r');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
  } catch {
    // Not supported on every platform/filesystem; the rename itself is still atomic.
  }
}
