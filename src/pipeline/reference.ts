// A version's reference profile (profile.json's `reference`): built at train time from the
// training split's inputs and target and the model's outputs per split, and read back, checked,
// by the drift commands. Versions trained before it existed have none and read as `undefined`.

import type { Column, Frame } from '../data/frame.js';
import type { Target } from '../tasks/task.js';
import { findTask } from '../tasks/registry.js';
import { checkReference } from '../monitor/reference-check.js';
import { buildReference, type ReferenceProfile } from '../monitor/reference.js';
import { readVersionJson, versionFilePath } from '../registry/version-files.js';
import { isJsonObject } from '../util/json.js';
import type { InputContract } from './contract.js';
import type { Predictions } from '../tasks/spec.js';

export interface TrainingReferenceInput {
  contract: InputContract;
  /** The model's input columns on the training split (before preprocessing). */
  features: Frame;
  /** The encoded target on the same rows. */
  target: Target;
  /** The model's predictions on each split, on the target's own scale (as `soma predict` gives them). */
  outputs: { train: Predictions; validation?: Predictions; test?: Predictions };
  seed: number;
}

export function trainingReference(input: TrainingReferenceInput): ReferenceProfile {
  const { contract } = input;
  const task = findTask(contract.task);
  const columns = (p: Predictions): Column[] => task.predictionColumns(p, contract.classes, p.values.length);
  const { validation, test } = input.outputs;
  return buildReference({
    features: input.features,
    target: targetColumn(contract, input.target),
    outputs: { train: columns(input.outputs.train), ...(validation ? { validation: columns(validation) } : {}), ...(test ? { test: columns(test) } : {}) },
    seed: input.seed,
  });
}

/** The encoded target as a column: class labels for classifiers, values otherwise. */
function targetColumn(contract: InputContract, y: Target): Column {
  if (contract.classes.length === 0) return { type: 'numeric', name: contract.target, values: y.values };
  const codes = new Int32Array(y.values.length);
  for (let i = 0; i < codes.length; i++) codes[i] = Number.isNaN(y.values[i]!) ? -1 : y.values[i]!;
  return { type: 'categorical', name: contract.target, codes, dictionary: contract.classes };
}

/**
 * The reference profile of a registered version whose checksums were verified (`dir` from
 * `Registry.load`), or `undefined` when it predates reference profiles. A malformed one is
 * REGISTRY_INTEGRITY naming profile.json and the field.
 */
export async function readReference(dir: string): Promise<ReferenceProfile | undefined> {
  const profile = await readVersionJson(dir, 'profile');
  if (!isJsonObject(profile) || profile['reference'] === undefined) return undefined;
  return checkReference(profile['reference'], versionFilePath(dir, 'profile'));
}
