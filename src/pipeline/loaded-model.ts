// A registered version ready to predict: resolved from its REF, checksums verified, the fitted
// pipeline and estimator rebuilt from their JSON (loading never executes code from an artifact).

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
import type { InputContract } from './contract.js';
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
  const task = withStateFile(VERSION_FILES.features, () => findTask(contract.task));
  // Models trained by another flow have no row-wise pipeline to apply (a recommender's inputs are
  // user and item ids); their own command serves them.
  if ((task.workflow ?? 'rows') !== 'rows') {
    throw new SomaError('USAGE', `${resolved.metadata.id} is a ${task.name} model: it does not predict rows${task.command ? ` (use soma ${task.command})` : ''}`);
  }
  const pipeline = withStateFile(VERSION_FILES.preprocess, () => Pipeline.fromJSON(pipelineJson as PipelineJSON));
  const estimator = withStateFile(VERSION_FILES.model, () => estimatorFromJSON(modelJson as EstimatorJSON, files));
  // Wrapped so a target_transform step's inverse applies to every prediction (evaluate, predict).
  return { resolved, contract, task, pipeline, estimator: pipeline.wrapEstimator(estimator) };
}


/** Applies the saved pipeline and model to a frame of input columns. */
export function predictFrame(model: LoadedModel, frame: Frame): Predictions {
  return predictMatrix(model.estimator, model.pipeline.transform(frame), model.contract.classes.length);
}
