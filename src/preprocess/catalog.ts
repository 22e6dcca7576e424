// The preprocessing steps the config accepts, by name, with their params schemas.

import { SomaError } from '../errors.js';
import { binSpec } from './bin.js';
import { correlationSpec } from './correlation.js';
import { datetimeSpec } from './datetime.js';
import { dedupeSpec } from './dedupe.js';
import { frequencySpec } from './frequency.js';
import { hashingSpec } from './hashing.js';
import { importanceSpec } from './importance.js';
import { imputeSpec } from './impute.js';
import { log1pSpec } from './log1p.js';
import { onehotSpec } from './onehot.js';
import { ordinalSpec } from './ordinal.js';
import { outliersSpec } from './outliers.js';
import { pcaSpec } from './pca.js';
import { polynomialSpec } from './polynomial.js';
import { scaleSpec } from './scale.js';
import { targetEncodeSpec } from './target-encode.js';
import { targetTransformSpec } from './target-transform.js';
import { tfidfSpec } from './tfidf.js';
import { diffSpec } from './diff.js';
import { lagSpec } from './lag.js';
import { rollingSpec } from './rolling.js';
import { varianceSpec } from './variance.js';
import type { StepJSON, StepSpec, Transformer } from './transformer.js';
import type { JsonObject } from '../util/json.js';

// Grouped as the README documents them: cleaning, numeric, categorical, text, date/time, time
// series, selection.
const steps: readonly StepSpec[] = [
  dedupeSpec,
  imputeSpec,
  outliersSpec,
  scaleSpec,
  log1pSpec,
  binSpec,
  polynomialSpec,
  targetTransformSpec,
  onehotSpec,
  ordinalSpec,
  frequencySpec,
  targetEncodeSpec,
  tfidfSpec,
  hashingSpec,
  datetimeSpec,
  lagSpec,
  rollingSpec,
  diffSpec,
  varianceSpec,
  correlationSpec,
  importanceSpec,
  pcaSpec,
];

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
