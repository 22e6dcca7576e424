// The local model registry on disk, as one object: `Registry` binds a registry directory to the
// functions that read and write it, so callers hold one handle. Each concern has its own file:
// layout.ts (where things are, what is listed), resolve.ts (REF -> version and its metadata),
// verify.ts (checksums and integrity problems), register.ts (staging, lock, rename), aliases.ts
// and events.ts (aliases.json and the audit log).

import { resolve as resolvePath } from 'node:path';
import type { JsonObject } from '../util/json.js';
import { readAliases, writeAliases } from './aliases.js';
import { appendEvent, readEvents, removedVersions } from './events.js';
import { listModels, listVersions, lockPath, modelDir, versionDir, versionsDir } from './layout.js';
import type { LockOptions } from './lock.js';
import type { ModelMetadata } from './metadata.js';
import type { Ref } from './ref.js';
import { cleanStaging, registerVersion, withModelLock, type RegisteredModel, type RegisterOptions, type RegisterPlan } from './register.js';
import { readMetadata, resolveRef, type ResolvedModel } from './resolve.js';
import { assertIntact, integrityProblems, verifyVersion, type IntegrityProblem } from './verify.js';


export class Registry {
  readonly root: string;

  constructor(rootDir: string) {
    this.root = resolvePath(rootDir);
  }

  modelDir(name: string): string {
    return modelDir(this.root, name);
  }

  versionsDir(name: string): string {
    return versionsDir(this.root, name);
  }

  versionDir(name: string, version: string): string {
    return versionDir(this.root, name, version);
  }

  lockPath(name: string): string {
    return lockPath(this.root, name);
  }

  /** Models with at least one complete version, sorted by name. */
  listModels(): Promise<string[]> {
    return listModels(this.root);
  }

  /** Complete versions of a model, ascending by semver; staging directories are never listed. */
  listVersions(name: string): Promise<string[]> {
    return listVersions(this.root, name);
  }

  async latest(name: string): Promise<string | undefined> {
    const versions = await this.listVersions(name);
    return versions[versions.length - 1];
  }

  /** Reads and checks metadata.json of one version; REGISTRY_NOT_FOUND / REGISTRY_INTEGRITY on failure. */
  readMetadata(name: string, version: string): Promise<ModelMetadata> {
    return readMetadata(this.root, name, version);
  }

  /** aliases.json as {alias: version}; {} when the model has none. */
  readAliases(name: string): Promise<Record<string, string>> {
    return readAliases(this.root, name);
  }

  /** Replaces aliases.json atomically. Call inside withModelLock so read-modify-write is not lost. */
  writeAliases(name: string, aliases: Record<string, string>): Promise<void> {
    return writeAliases(this.root, name, aliases);
  }

  /** Resolves a REF to one existing version and its metadata (no checksum check: see load). */
  resolve(ref: string | Ref): Promise<ResolvedModel> {
    return resolveRef(this.root, ref);
  }

  /** Re-hashes every artifact metadata lists; reports missing, changed and unlisted files. */
  verify(resolved: Pick<ResolvedModel, 'dir' | 'metadata'>): Promise<IntegrityProblem[]> {
    return verifyVersion(resolved);
  }

  /** What loading would refuse (metadata.json against its registration, missing or changed artifacts), without throwing. */
  integrity(resolved: Pick<ResolvedModel, 'dir' | 'metadata'>): Promise<IntegrityProblem[]> {
    return integrityProblems(resolved);
  }

  /** Throws REGISTRY_INTEGRITY naming every listed artifact that is missing or changed. */
  assertIntact(resolved: Pick<ResolvedModel, 'dir' | 'metadata'> & Partial<Pick<ResolvedModel, 'id'>>): Promise<void> {
    return assertIntact(resolved);
  }

  /** resolve + assertIntact: what every command that uses a model calls. */
  async load(ref: string | Ref): Promise<ResolvedModel> {
    const resolved = await this.resolve(ref);
    await this.assertIntact(resolved);
    return resolved;
  }

  /** Runs `fn` under the per-model lock (registration, alias changes, removal). */
  withModelLock<T>(name: string, fn: () => Promise<T>, options: Partial<LockOptions> & { onNotice?: (m: string) => void } = {}): Promise<T> {
    return withModelLock(this.root, name, fn, options);
  }

  /** Appends one audit line to events.jsonl, adding who/when/where. */
  appendEvent(name: string, event: JsonObject & { event: string }): Promise<void> {
    return appendEvent(this.root, name, event);
  }

  /** events.jsonl as objects, oldest first; a torn last line (a crash mid-append) is skipped. */
  readEvents(name: string): Promise<JsonObject[]> {
    return readEvents(this.root, name);
  }

  /** Versions that `soma models rm`/`gc` removed, from events.jsonl (they are never reused). */
  removedVersions(name: string): Promise<string[]> {
    return removedVersions(this.root, name);
  }

  /** Removes staging directories left by processes that are no longer running; returns their names. */
  cleanStaging(name: string): Promise<string[]> {
    return cleanStaging(this.root, name);
  }

  /** Registers a new version of `name` (see register.ts for the protocol and its guarantees). */
  register(name: string, plan: RegisterPlan, options: RegisterOptions = {}): Promise<RegisteredModel> {
    return registerVersion(this.root, name, plan, options);
  }
}
