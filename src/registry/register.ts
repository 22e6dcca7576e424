// Registering a new version, safe against concurrent runs and crashes.
//
// Registration writes artifacts into a staging directory without the lock (that is the slow part),
// hashes them, then under the per-model lock decides the version against the current latest,
// writes metadata.json into the staging directory and renames it to versions/<x.y.z>. A crash at
// any point leaves either no new version or a complete one; leftover staging directories of dead
// processes are removed by the next registration of that model.

import { refuseLinks } from './no-links.js';
import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { SomaError } from '../errors.js';
import { stringifyJson, writeFileAtomic } from './atomic.js';
import type { VersionChoice } from './bump.js';
import { sha256 } from '../util/hash.js';
import { listArtifacts, METADATA_FILE, type ArtifactEntry } from './checksums.js';
import { appendEvent, removedVersions } from './events.js';
import { isNotFound, listVersions, lockPath, modelDir, STAGING_RE, versionDir, versionsDir } from './layout.js';
import { pidAlive, withLock, type LockOptions } from './lock.js';
import { METADATA_FORMAT_VERSION, type MetadataBody, type ModelMetadata } from './metadata.js';
import { modelId, normalizeModelName } from './ref.js';
import { readMetadata, type ResolvedModel } from './resolve.js';
import { parseVersion, sortVersions } from './semver.js';

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

/** Runs `fn` under the per-model lock (registration, alias changes, removal). */
export async function withModelLock<T>(root: string, name: string, fn: () => Promise<T>, options: Partial<LockOptions> & { onNotice?: (m: string) => void } = {}): Promise<T> {
  const notice = options.onNotice;
  return withLock(lockPath(root, name), fn, {
    timeoutMs: options.timeoutMs ?? 60_000,
    staleMs: options.staleMs,
    command: options.command,
    onStale: options.onStale ?? (notice && ((info) => notice(`cleared a stale registry lock ${info.path} (${info.reason})`))),
  });
}

/** Removes staging directories left by processes that are no longer running; returns their names. */
export async function cleanStaging(root: string, name: string): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(modelDir(root, name), { withFileTypes: true });
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
    await rm(join(modelDir(root, name), e.name), { recursive: true, force: true });
    removed.push(e.name);
  }
  return removed;
}

/** Registers a new version of `name` (see the file header for the protocol and its guarantees). */
export async function registerVersion(root: string, name: string, plan: RegisterPlan, options: RegisterOptions = {}): Promise<RegisteredModel> {
  const n = normalizeModelName(name);
  const dirOfModel = modelDir(root, n);
  await refuseLinks(root, join(dirOfModel, 'versions'));
  await mkdir(join(dirOfModel, 'versions'), { recursive: true });
  for (const s of await cleanStaging(root, n)) options.onNotice?.(`removed ${join(dirOfModel, s)} left by a process that is no longer running`);

  const staging = join(dirOfModel, `.staging-${process.pid}-${randomBytes(6).toString('hex')}`);
  await mkdir(staging);
  try {
    await plan.write(staging);
    // Hashing reads every byte, so it happens before taking the lock.
    const artifacts = await listArtifacts(staging);

    return await withModelLock(
      root,
      n,
      async () => {
        const present = await listVersions(root, n);
        const highest = present[present.length - 1];
        // Versions removed by `soma models rm`/`gc` count as taken, so a version never repeats.
        const existing = sortVersions([...new Set([...present, ...(await removedVersions(root, n))])]);
        let latest: ModelMetadata | undefined;
        if (highest !== undefined) {
          try {
            latest = await readMetadata(root, n, highest);
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
        const dir = versionDir(root, n, version);
        if (options.pauseBeforeRenameMs) await new Promise<void>((r) => setTimeout(r, options.pauseBeforeRenameMs));
        try {
          await rename(staging, dir);
        } catch (e) {
          // Only possible if something outside soma created the directory behind the lock.
          const code = (e as NodeJS.ErrnoException).code;
          if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw e;
          throw new SomaError('REGISTRY_CONFLICT', `${dir} already exists`, { details: { name: n, version }, cause: e });
        }
        await syncDir(versionsDir(root, n));
        // metadata.json cannot list its own checksum; the audit log keeps it so verify can re-hash it.
        await appendEvent(root, n, { event: 'registered', name: n, version, from: null, to: version, bump: choice.bump, metadata_sha256: sha256(metadataText) });
        return { ref: `${n}@${version}`, name: n, version, id, dir, metadata, bump: choice.bump };
      },
      { timeoutMs: options.lockTimeoutMs, onNotice: options.onNotice, command: options.command },
    );
  } finally {
    // After a successful rename the staging path no longer exists; otherwise discard it.
    await rm(staging, { recursive: true, force: true });
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
