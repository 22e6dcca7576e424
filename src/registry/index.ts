// The registry's public surface, for the pipeline and the `soma models` commands.

export { stringifyJson, writeFileAtomic, writeJsonAtomic } from './atomic.js';
export { bumpInputsOf, canonicalJson, chooseVersion, decideBump, diffHyperparameters } from './bump.js';
export type { BumpDecision, BumpDecisionLevel, BumpInputs, VersionChoice, VersionOverride } from './bump.js';
export { listArtifacts, listFiles, METADATA_FILE, sha256File, sha256Of } from './checksums.js';
export type { ArtifactEntry } from './checksums.js';
export { gitLineage } from './lineage.js';
export type { GitLineage } from './lineage.js';
export { pidAlive, readLockOwner, withLock } from './lock.js';
export type { LockOptions, LockOwner } from './lock.js';
export { METADATA_FORMAT_VERSION, parseMetadata } from './metadata.js';
export type { BumpRecord, Lineage, MetadataBody, ModelFeature, ModelMetadata, Timings, TrainedOn } from './metadata.js';
export { formatRef, isModelName, modelId, normalizeAlias, normalizeModelName, parseRef, REF_FORMS } from './ref.js';
export type { Ref } from './ref.js';
export {
  bump,
  compareVersions,
  formatVersion,
  isBumpLevel,
  isRange,
  isVersion,
  maxSatisfying,
  parseRange,
  parseVersion,
  RANGE_FORMS,
  satisfies,
  sortVersions,
  tryParseRange,
  tryParseVersion,
} from './semver.js';
export type { BumpLevel, SemVer, VersionRange } from './semver.js';
export { DEFAULT_REGISTRY_DIR, defaultRegistryDir, Registry, resolveRegistryDir } from './store.js';
export type { FinalizeContext, IntegrityProblem, RegisterContext, RegisteredModel, RegisterOptions, RegisterPlan, ResolvedModel } from './store.js';
export {
  aliasStack,
  checkModel,
  gcModel,
  modelExists,
  parseTagArgs,
  planGc,
  promoteAlias,
  readHistory,
  readTags,
  removeVersion,
  rollbackAlias,
  setTags,
} from './lifecycle.js';
export type { AliasChange, GcPlan, HistoryEntry, ModelCheck, MutationOptions, RemovedVersion, TagMap, VersionCheck } from './lifecycle.js';
export { appendPredictionRun, outputLockPath, readPredictionRuns, withOutputLock } from './runs.js';
export type { PredictionRun } from './runs.js';
