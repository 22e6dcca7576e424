// The catalog of model families, by name and alias. Each estimator file registers itself here
// with its params schema; the config schema, `soma validate` and the README's parameter tables
// all derive from this one list (as LightGBM's annotated parameter list does).

import { SomaError } from '../errors.js';
import type { Task } from '../tasks/task.js';
import type { Estimator, EstimatorJSON, EstimatorSpec } from './estimator.js';
import { registerFamily } from './families.js';
import type { JsonObject, JsonValue } from '../util/json.js';
import { StateReader } from '../util/state-reader.js';

const specs: EstimatorSpec[] = [];
const byName = new Map<string, EstimatorSpec>();

export function registerEstimator(spec: EstimatorSpec): void {
  for (const n of [spec.name, ...(spec.aliases ?? [])]) {
    if (byName.has(n)) throw new Error(`estimator name ${n} registered twice`);
    byName.set(n, spec);
  }
  specs.push(spec);
  // The config schema and task inference know every family through the family list.
  registerFamily(spec);
}

export function estimatorSpecs(): readonly EstimatorSpec[] {
  return specs;
}

/** Every accepted `model.type` value: names and aliases. */
export function estimatorNames(): string[] {
  return [...byName.keys()];
}

export function findEstimator(name: string): EstimatorSpec {
  const spec = byName.get(name);
  if (!spec) {
    throw new SomaError('CONFIG_INVALID', `model.type: unknown model family "${name}" (expected one of ${estimatorNames().join(', ')})`);
  }
  return spec;
}

/**
 * The one "does not support task" check: the catalog runs it before creating an estimator, and
 * the pipeline before it reads and preprocesses the data. `name` is the family as the config
 * spells it (an alias, maybe).
 */
export function checkSupportsTask(spec: EstimatorSpec, task: Task, name: string = spec.name): void {
  if (!spec.tasks.includes(task)) {
    throw new SomaError('CONFIG_INVALID', `model.type: ${name} does not support task ${task} (it supports ${spec.tasks.join(', ')})`, {
      details: { model: name, task, supported: [...spec.tasks] },
    });
  }
}

export function createEstimator(name: string, params: JsonObject, task: Task): Estimator {
  const spec = findEstimator(name);
  checkSupportsTask(spec, task, name);
  return spec.create(params, task);
}

/** Rebuilds a saved estimator; its family checks the rest of the saved state. */
export function estimatorFromJSON(json: EstimatorJSON, files?: ReadonlyMap<string, Uint8Array>): Estimator {
  const root = new StateReader('document', json as unknown as JsonValue);
  root.object();
  const kind = root.field('kind').oneOf(estimatorNames());
  return findEstimator(kind).fromJSON(json, files);
}
