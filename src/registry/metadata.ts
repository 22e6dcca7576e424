// metadata.json of a registered version: the seeds' two metadata formats merged, as DESIGN lists
// them, typed with JsonValue so nothing that is not JSON can be saved by accident.

import { SomaError } from '../errors.js';
import type { JsonObject, JsonValue } from '../util/json.js';
import { isJsonObject } from '../util/json.js';
import type { ArtifactEntry } from './checksums.js';
import type { BumpLevel } from './semver.js';
import { isVersion } from './semver.js';

/** Bumped when the layout of metadata.json changes incompatibly; readers refuse newer formats. */
export const METADATA_FORMAT_VERSION = 1;

/** One input column of the model's contract. What else it carries (categories, ranges) is the pipeline's business. */
export interface ModelFeature {
  [key: string]: JsonValue;
  name: string;
  /** numeric | categorical | text | datetime (the Frame's column kinds). */
  type: string;
}

export interface TrainedOn {
  [key: string]: JsonValue;
  /** File path(s) or description of the training data as the config named it. */
  source: string;
  /** SHA-256 of the data as read (content, not path), so a changed file is noticed. */
  sha256: string | null;
  rows: number;
}

export interface Lineage {
  [key: string]: JsonValue;
  /** id (`name_vX.Y.Z`) of the version that was latest when this one was registered, or null. */
  parent: string | null;
  /** SHA-256 of the resolved config. */
  config_sha256: string | null;
  /** SHA-256 of the canonical preprocessing spec (steps and options, not fitted state); drives the minor bump. */
  preprocess_sha256: string | null;
  git_commit: string | null;
  git_dirty: boolean | null;
  /** The command line that produced this version. */
  command: string;
}

export interface BumpRecord {
  [key: string]: JsonValue;
  level: BumpLevel | 'initial';
  reason: string;
}

export interface Timings {
  [key: string]: JsonValue;
  load_s: number;
  preprocess_s: number;
  fit_s: number;
  evaluate_s: number;
  total_s: number;
}

/**
 * Everything in metadata.json that the caller of `Registry.register` supplies. Declared on its own
 * (not as an Omit of ModelMetadata) because Omit over an index-signature type drops every named field.
 */
export interface MetadataBody {
  [key: string]: JsonValue;
  description: string;
  /** classification | regression (forecasting, recommendation later). */
  task: string;
  /** Canonical model family name (gbdt, random_forest, linear, ...), aliases resolved. */
  algorithm: string;
  /** What ran it, e.g. "soma 0.1.0" or "soma 0.1.0 + tfjs-backend-wasm". */
  framework: string;
  created_at: string;
  training_duration_s: number;
  trained_on: TrainedOn;
  target: string;
  /** The input contract: ordered raw input columns (before preprocessing). */
  features: ModelFeature[];
  /** Model params as fitted (inner shape: the estimator's business). */
  hyperparameters: JsonObject;
  /** {train, validation, test, cv?} each {metric: value} (inner shape: the evaluator's business). */
  metrics: JsonObject;
  /** `parent` is overwritten by the registry with the version that was latest at registration. */
  lineage: Lineage;
  timings: Timings;
  /** Free-form facts about the fitted model (iterations, backend, best iteration, ...). */
  summary: JsonObject;
}

/** metadata.json: the body plus the fields the registry itself fills in at registration. */
export interface ModelMetadata extends MetadataBody {
  formatVersion: number;
  name: string;
  version: string;
  /** The seed's id form, `name_v1.2.0`. */
  id: string;
  /** Every file in the version directory except metadata.json itself. */
  artifacts: ArtifactEntry[];
  bump: BumpRecord;
}

function need(cond: boolean, path: string, field: string, expected: string): void {
  if (!cond) {
    throw new SomaError('REGISTRY_INTEGRITY', `${path}: field '${field}' is missing or not ${expected}`, {
      hint: 'the metadata file was edited or written by an incompatible tool; run `soma models verify`',
      details: { path, field },
    });
  }
}

/**
 * Checks the fields the registry itself relies on (identity, artifacts, bump) and the format
 * version, and returns the value typed. Pipeline-owned fields are left to their readers.
 */
export function parseMetadata(value: unknown, path: string): ModelMetadata {
  need(isJsonObject(value), path, '(root)', 'an object');
  const m = value as Record<string, unknown>;
  need(typeof m.formatVersion === 'number', path, 'formatVersion', 'a number');
  if ((m.formatVersion as number) > METADATA_FORMAT_VERSION) {
    throw new SomaError('REGISTRY_INTEGRITY', `${path}: metadata formatVersion ${String(m.formatVersion)} is newer than this soma understands (${METADATA_FORMAT_VERSION})`, {
      hint: 'upgrade soma',
      details: { path, formatVersion: m.formatVersion as number },
    });
  }
  need(typeof m.name === 'string', path, 'name', 'a string');
  need(typeof m.version === 'string' && isVersion(m.version), path, 'version', 'an x.y.z version');
  need(typeof m.id === 'string', path, 'id', 'a string');
  need(Array.isArray(m.artifacts), path, 'artifacts', 'an array');
  for (const [i, a] of (m.artifacts as unknown[]).entries()) {
    const ok =
      isJsonObject(a) && typeof a.path === 'string' && typeof a.bytes === 'number' && typeof a.sha256 === 'string' && /^[0-9a-f]{64}$/.test(a.sha256);
    need(ok, path, `artifacts[${i}]`, 'an object {path, bytes, sha256}');
  }
  need(isJsonObject(m.bump), path, 'bump', 'an object');
  return value as ModelMetadata;
}
