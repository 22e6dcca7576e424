// The preprocessing steps the config accepts, by name, with their params schemas.

import { SomaError } from '../errors.js';
import { imputeSpec } from './impute.js';
import { onehotSpec } from './onehot.js';
import { scaleSpec } from './scale.js';
import type { StepJSON, StepSpec, Transformer } from './transformer.js';
import type { JsonObject } from '../util/json.js';

const steps: readonly StepSpec[] = [imputeSpec, scaleSpec, onehotSpec];

export function stepSpecs(): readonly StepSpec[] {
  return steps;
}

function findStep(name: string): StepSpec {
  const spec = steps.find((s) => s.name === name);
  if (!spec) throw new SomaError('CONFIG_INVALID', `preprocess: unknown step "${name}" (expected one of ${steps.map((s) => s.name).join(', ')})`);
  return spec;
}

export function createStep(name: string, params: JsonObject): Transformer {
  return findStep(name).create(params);
}

export function stepFromJSON(json: StepJSON): Transformer {
  return findStep(json.step).fromJSON(json);
}
