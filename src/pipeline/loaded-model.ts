// A registered version ready to predict: resolved from its REF, checksums verified, the fitted
// pipeline and estimator rebuilt from their JSON (loading never executes code from an artifact).

import { existsSync } from 'node:fs';
import { SomaError } from '../errors.js';
import { predictMatrix } from './predictions.js';
import type { Frame } from '../data/frame.js';
import { estimatorFromJSON } from '../models/catalog.js';
import { registerBuiltinEstimators } from '../models/index.js';
import type { Estimator, EstimatorJSON } from '../models/estimator.js';
import { Pipeline, type PipelineJSON } from '../preprocess/pipeline.js';
import type { ResolvedModel } from '../registry/resolve.js';
import { Registry } from '../registry/store.js';
import { readModelArtifacts, readVersionJson, VERSION_FILES } from '../registry/version-files.js';
import { isJsonObject } from '../util/json.js';
import { withStateFile } from '../util/state-reader.js';
import { inputSchema, readContract, type InputContract } from './contract.js';
import { frameFromColumns } from '../data/records.js';
import { registerBuiltinTasks } from '../tasks/index.js';
import { findTask } from '../tasks/registry.js';
import type { Predictions, TaskSpec } from '../tasks/spec.js';

export interface LoadedModel {
  resolved: ResolvedModel;
  contract: InputContract;
  /** The spec of the task the model was trained for. */
  task: TaskSpec;
  pipeline: Pipeline;
  estimator: Estimator;
}

export async function loadModel(registryDir: string, ref: string): Promise<LoadedModel> {
  try {
    return await loadModelFiles(registryDir, ref);
  } catch (e) {
    throw await removedWhileLoading(registryDir, ref, e);
  }
}

/**
 * `soma models rm` or `gc` may hide a version (one rename) while it is being read: the files then
 * vanish mid-load. That is exit 6 "version removed", not an ENOENT (exit 1) or a checksum failure.
 */
async function removedWhileLoading(registryDir: string, ref: string, e: unknown): Promise<unknown> {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  const integrity = e instanceof SomaError && e.code === 'REGISTRY_INTEGRITY';
  if (code !== 'ENOENT' && code !== 'ENOTDIR' && !integrity) return e;
  const errPath = (e as NodeJS.ErrnoException | undefined)?.path;
  const versionOf = typeof errPath === 'string' ? /^(.*\/versions\/[^/]+)/.exec(errPath)?.[1] : undefined;
  const dir = e instanceof SomaError && typeof e.details?.['dir'] === 'string' ? e.details['dir'] : versionOf;
  // Every listed file was there when the checksums were verified: a file that vanished since is
  // a removal, whose rename leaves no version directory behind.
  const gone = dir !== undefined ? !existsSync(dir) : code === 'ENOENT' || code === 'ENOTDIR';
  if (!gone) return e;
  return new SomaError('REGISTRY_NOT_FOUND', `${ref}: version removed while it was being loaded (soma models rm or gc ran at the same time)`, {
    hint: 'run the command again: the reference now resolves to what remains',
    details: { ref, registry: registryDir },
    cause: e,
  });
}

async function loadModelFiles(registryDir: string, ref: string): Promise<LoadedModel> {
  registerBuiltinEstimators();
  registerBuiltinTasks();
  const registry = new Registry(registryDir);
  const resolved = await registry.load(ref); // resolves and verifies every checksum
  const [contract, pipelineJson, modelJson] = await Promise.all([
    readVersionJson(resolved.dir, 'features') as Promise<InputContract>,
    readVersionJson(resolved.dir, 'preprocess'),
    readVersionJson(resolved.dir, 'model'),
  ]);
  // Estimators that save extra files (the mlp's TensorFlow.js layers model) list them in their JSON.
  const listed = isJsonObject(modelJson) ? modelJson['artifacts'] : undefined;
  const files = Array.isArray(listed) ? await withStateFile(VERSION_FILES.model, () => readModelArtifacts(resolved.dir, listed as string[])) : undefined;
  // Saved state that does not read is an integrity failure of the file it came from (exit 6).
  const task = withStateFile(VERSION_FILES.features, () => findTask(readContract(contract).task));
  // Models trained by another flow have no row-wise pipeline to apply (a recommender's inputs are
  // user and item ids); their own command serves them.
  if ((task.workflow ?? 'rows') !== 'rows') {
    throw new SomaError('USAGE', `${resolved.metadata.id} is a ${task.name} model: it does not predict rows${task.command ? ` (use soma ${task.command})` : ''}`);
  }
  const pipeline = withStateFile(VERSION_FILES.preprocess, () => Pipeline.fromJSON(pipelineJson as PipelineJSON));
  // Steps read their own `state` when they run: a re-signed state of the wrong shape would fail
  // on the first chunk with a TypeError (exit 1). Running the pipeline on no rows at load finds it.
  checkPipelineState(pipeline, contract);
  const estimator = withStateFile(VERSION_FILES.model, () => estimatorFromJSON(modelJson as EstimatorJSON, files));
  // Wrapped so a target_transform step's inverse applies to every prediction (evaluate, predict).
  return { resolved, contract, task, pipeline, estimator: pipeline.wrapEstimator(estimator) };
}


/** Applies the saved pipeline and model to a frame of input columns. */
export function predictFrame(model: LoadedModel, frame: Frame): Predictions {
  return predictMatrix(model.estimator, model.pipeline.transform(frame), model.contract.classes.length);
}

function checkPipelineState(pipeline: Pipeline, contract: InputContract): void {
  let empty: Frame;
  try {
    empty = frameFromColumns(Object.fromEntries(contract.columns.map((c) => [c.name, []])), { schema: inputSchema(contract), source: VERSION_FILES.features });
  } catch {
    return; // nothing to try the steps on; the first chunk will tell
  }
  try {
    pipeline.transform(empty);
  } catch (e) {
    // A soma error on no rows says nothing about the state (real rows may be fine); anything
    // else is a step reading a field that is not what it wrote.
    if (e instanceof SomaError) return;
    throw new SomaError('REGISTRY_INTEGRITY', `${VERSION_FILES.preprocess}: the saved steps do not read or do not fit the input contract in ${VERSION_FILES.features} (${(e as Error).message})`, {
      hint: 'the saved model was changed after it was written or comes from another program; register it again',
      details: { file: VERSION_FILES.preprocess, contract: VERSION_FILES.features },
      cause: e,
    });
  }
}
