// The automatic semver bump: compare what is about to be registered with the latest version and
// say which part of the version moves and why, in words a reviewer can check.
//
//   major  task, target, model family, or the input contract (a feature removed, renamed, retyped)
//   minor  features added, preprocessing changed, hyperparameters changed
//   patch  only the training data changed, or nothing did (a rerun)
//
// `--bump LEVEL` and `--version X.Y.Z` override the rule; a version never repeats.

import { SomaError } from '../errors.js';
import type { JsonObject, JsonValue } from '../util/json.js';
import type { ModelMetadata } from './metadata.js';
import { bump, compareVersions, isBumpLevel, parseVersion, sortVersions, type BumpLevel } from './semver.js';

export type BumpDecisionLevel = BumpLevel | 'initial';

// A type alias so it is assignable to JsonValue (it is saved as metadata's `bump`).
export type BumpDecision = {
  level: BumpDecisionLevel;
  reason: string;
};

/** What the bump rule looks at, for the version about to be registered. */
export interface BumpInputs {
  task: string;
  target: string;
  /** Canonical family name (aliases such as xgboost -> gbdt resolved by the caller). */
  algorithm: string;
  /** Raw input columns: name and column type. Order does not matter (inputs are read by name). */
  features: ReadonlyArray<{ name: string; type: string }>;
  /** SHA-256 of the canonical preprocessing spec, or null when unknown. */
  preprocess_sha256: string | null;
  /** Params that shape the model (see `BumpOptions.ignoreParams` for the ones that cannot change it). */
  hyperparameters: JsonObject;
  /** SHA-256 of the training data, or null when unknown. */
  data_sha256: string | null;
  rows?: number;
}

/** Reads the bump inputs back out of a registered version's metadata. */
function bumpInputsOf(m: ModelMetadata): BumpInputs {
  return {
    task: m.task,
    target: m.target,
    algorithm: m.algorithm,
    features: Array.isArray(m.features) ? m.features : [],
    preprocess_sha256: m.lineage?.preprocess_sha256 ?? null,
    hyperparameters: m.hyperparameters ?? {},
    data_sha256: m.trained_on?.sha256 ?? null,
    rows: m.trained_on?.rows,
  };
}

/** Key-order-independent JSON, so {a:1,b:2} and {b:2,a:1} compare equal. */
export function canonicalJson(v: JsonValue | undefined): string {
  if (v === undefined) return 'undefined';
  if (v === null || typeof v !== 'object') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  const keys = Object.keys(v).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(v[k])}`).join(',')}}`;
}

function show(v: JsonValue | undefined): string {
  if (v === undefined) return '(unset)';
  const s = canonicalJson(v);
  return s.length > 40 ? `${s.slice(0, 37)}...` : s;
}

function listChanges(items: string[], max = 5): string {
  return items.length <= max ? items.join(', ') : `${items.slice(0, max).join(', ')} and ${items.length - max} more`;
}

/** Describes changed hyperparameters as "max_depth 6 → 8, ..."; empty when none changed. */
function diffHyperparameters(before: JsonObject, after: JsonObject): string[] {
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  const out: string[] = [];
  for (const k of keys) {
    if (canonicalJson(before[k]) !== canonicalJson(after[k])) out.push(`${k} ${show(before[k])} → ${show(after[k])}`);
  }
  return out;
}

export interface BumpOptions {
  /**
   * Params that cannot change the fitted model (threads, verbosity): left out on both sides, so a
   * previous version that recorded `n_jobs: 0` and a rerun that leaves it unset (or sets it to 4)
   * compare equal.
   */
  ignoreParams?: readonly string[];
}

function withoutParams(p: JsonObject, ignore: readonly string[]): JsonObject {
  if (ignore.length === 0) return p;
  return Object.fromEntries(Object.entries(p).filter(([k]) => !ignore.includes(k)));
}

/** Applies DESIGN's bump rule; the reason lists every change found, most significant first. */
export function decideBump(previous: ModelMetadata | BumpInputs | undefined, next: BumpInputs, options: BumpOptions = {}): BumpDecision {
  if (previous === undefined) return { level: 'initial', reason: 'first version' };
  const prev = 'formatVersion' in previous ? bumpInputsOf(previous as ModelMetadata) : (previous as BumpInputs);
  const ignore = options.ignoreParams ?? [];
  const major: string[] = [];
  const minor: string[] = [];
  const patch: string[] = [];

  if (prev.task !== next.task) major.push(`task changed: ${prev.task} → ${next.task}`);
  if (prev.target !== next.target) major.push(`target changed: '${prev.target}' → '${next.target}'`);
  if (prev.algorithm !== next.algorithm) major.push(`model family changed: ${prev.algorithm} → ${next.algorithm}`);

  const before = new Map(prev.features.map((f) => [f.name, f.type]));
  const after = new Map(next.features.map((f) => [f.name, f.type]));
  for (const [name, type] of before) {
    const now = after.get(name);
    // A rename shows up as one feature removed and one added; both are named in the reason.
    if (now === undefined) major.push(`feature '${name}' removed`);
    else if (now !== type) major.push(`feature '${name}' retyped: ${type} → ${now}`);
  }
  const added = next.features.filter((f) => !before.has(f.name)).map((f) => `'${f.name}'`);
  if (added.length === 1) minor.push(`feature ${added[0]} added`);
  else if (added.length > 1) minor.push(`features ${listChanges(added)} added`);

  if (prev.preprocess_sha256 !== next.preprocess_sha256) minor.push('preprocessing changed');
  const hp = diffHyperparameters(withoutParams(prev.hyperparameters, ignore), withoutParams(next.hyperparameters, ignore));
  if (hp.length > 0) minor.push(`hyperparameters changed: ${listChanges(hp)}`);

  if (prev.data_sha256 === null || next.data_sha256 === null) {
    patch.push('training data checksum unknown');
  } else if (prev.data_sha256 !== next.data_sha256) {
    const rows = prev.rows !== undefined && next.rows !== undefined && prev.rows !== next.rows ? ` (rows ${prev.rows} → ${next.rows})` : '';
    patch.push(`training data changed${rows}`);
  }

  const level: BumpLevel = major.length > 0 ? 'major' : minor.length > 0 ? 'minor' : 'patch';
  const all = [...major, ...minor, ...patch];
  const reason = all.length > 0 ? all.join('; ') : 'nothing changed (rerun)';
  return { level, reason };
}

/** User overrides from `--bump` / `--version`. */
export interface VersionOverride {
  bump?: BumpLevel | string;
  version?: string;
}

/** The version to register and the bump to record, chosen under the model lock. */
export interface VersionChoice {
  version: string;
  bump: BumpDecision;
}

/**
 * Picks the next version from the versions that exist (any order) and the automatic decision,
 * honouring overrides. Automatic and `--bump` choices move up from the highest existing version,
 * so a version never repeats even after an explicit `--version 5.0.0`. An explicit version that
 * exists is a REGISTRY_CONFLICT.
 */
export function chooseVersion(existing: readonly string[], decision: BumpDecision, override: VersionOverride = {}): VersionChoice {
  const sorted = sortVersions(existing);
  const highest = sorted[sorted.length - 1];

  if (override.version !== undefined) {
    const v = parseVersion(override.version, '--version');
    const version = `${v.major}.${v.minor}.${v.patch}`;
    if (sorted.includes(version)) {
      throw new SomaError('REGISTRY_CONFLICT', `version ${version} already exists`, {
        hint: `a version never repeats; the highest is ${highest}, so try ${bump(highest!, 'patch')} or leave --version out`,
        details: { version, existing: sorted },
      });
    }
    let level: BumpDecisionLevel = 'initial';
    if (highest !== undefined) {
      const h = parseVersion(highest);
      level = v.major !== h.major ? 'major' : v.minor !== h.minor ? 'minor' : 'patch';
    }
    const below = highest !== undefined && compareVersions(version, highest) < 0 ? ` (below the highest, ${highest})` : '';
    return { version, bump: { level, reason: `--version ${version}${below}; automatic rule said ${decision.level}: ${decision.reason}` } };
  }

  if (override.bump !== undefined) {
    if (!isBumpLevel(override.bump)) {
      throw new SomaError('USAGE', `invalid --bump '${override.bump}': expected major, minor or patch`, { details: { value: override.bump } });
    }
    if (highest === undefined) return { version: '1.0.0', bump: { level: 'initial', reason: 'first version' } };
    return {
      version: bump(highest, override.bump),
      bump: { level: override.bump, reason: `--bump ${override.bump}; automatic rule said ${decision.level}: ${decision.reason}` },
    };
  }

  if (highest === undefined) return { version: '1.0.0', bump: { level: 'initial', reason: 'first version' } };
  // A decision of 'initial' against existing versions means the caller had no metadata to compare
  // with (e.g. the latest one is unreadable); moving the major is the safe reading.
  const level: BumpLevel = decision.level === 'initial' ? 'major' : decision.level;
  return { version: bump(highest, level), bump: decision.level === 'initial' ? { level, reason: 'no previous metadata to compare with' } : decision };
}

