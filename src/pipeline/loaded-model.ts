// A registered version ready to predict: resolved from its REF, checksums verified, the fitted
// pipeline and estimator rebuilt from their JSON (loading never executes code from an artifact).

import { predictMatrix } from './predictions.js';
import type { Frame } from '../data/frame.js';
import { estimatorFromJSON } from '../models/catalog.js';
import { registerBuiltinEstimators } from '../models/index.js';
import type { Estimator, EstimatorJSON } from '../models/estimator.js';
import { Pipeline, type PipelineJSON } from '../preprocess/pipeline.js';
import { Registry, type ResolvedModel } from '../registry/store.js';
import { readModelArtifacts, readVersionJson } from '../registry/version-files.js';
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
    readVersionJson(resolved.dir, 'preprocess') as Promise<PipelineJSON>,
    readVersionJson(resolved.dir, 'model') as Promise<EstimatorJSON>,
  ]);
  // Estimators that save extra files (the mlp's TensorFlow.js layers model) list them in their JSON.
  const files = Array.isArray(modelJson.artifacts) ? await readModelArtifacts(resolved.dir, modelJson.artifacts) : undefined;
  const task = findTask(contract.task);
  const pipeline = Pipeline.fromJSON(pipelineJson);
  // Wrapped so a target_transform step's inverse applies to every prediction (evaluate, predict).
  return { resolved, contract, task, pipeline, estimator: pipeline.wrapEstimator(estimatorFromJSON(modelJson, files)) };
}


/** Applies the saved pipeline and model to a frame of input columns. */
export function predictFrame(model: LoadedModel, frame: Frame): Predictions {
  return predictMatrix(model.estimator, model.pipeline.transform(frame), model.contract.classes.length);
}
