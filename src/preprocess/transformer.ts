// The transformer contract: a preprocessing step learns from the training split only (`fit`)
// and then applies exactly the same mapping everywhere (`transform` in train, evaluate, predict).
// Optional members extend it without touching steps that do not need them: supervised steps read
// the target from the fit context, training-only row filters say which rows they keep, steps
// whose training output differs from their prediction output (out-of-fold target encoding)
// implement `fitTransform`, and a target transform maps the regression target both ways.

import type { Frame } from '../data/frame.js';
import type { Target } from '../tasks/task.js';
import type { JsonObject, JsonValue } from '../util/json.js';

export interface StepJSON {
  step: string;
  params: JsonObject;
  state: JsonValue;
}

/** What a step may learn from besides the frame; every field is optional. */
export interface FitContext {
  /** The training target, row-aligned with the frame being fitted. */
  target?: Target;
  /** The config's seed, for steps that draw folds or samples. */
  seed?: number;
  /** Class labels in target order (classification), for naming per-class outputs. */
  classes?: readonly string[];
}

export interface Transformer {
  readonly step: string;
  readonly params: JsonObject;
  /** Learns the step's state from the training frame. */
  fit(frame: Frame, context?: FitContext): void;
  /** Applies the learned state; never learns anything. */
  transform(frame: Frame): Frame;
  /**
   * Fit, then the training frame's output. Only for steps whose training output must differ
   * from `transform` of the same rows (out-of-fold encodings); the pipeline uses it when present.
   */
  fitTransform?(frame: Frame, context?: FitContext): Frame;
  /**
   * Training-only row filters (dedupe, outliers with action drop): after `fit`, the rows of the
   * fitted frame to keep, ascending; undefined keeps all. Never called at prediction, where every
   * input row gets an output row.
   */
  keepRows?(frame: Frame): Int32Array | undefined;
  toJSON(): StepJSON;
}

/** A step that transforms the regression target (and inverts predictions back to its scale). */
export interface TargetTransformer extends Transformer {
  readonly targetTransform: true;
  transformTarget(values: Float64Array): Float64Array;
  inverseTarget(values: Float64Array): Float64Array;
}

export function isTargetTransformer(t: Transformer): t is TargetTransformer {
  return (t as Partial<TargetTransformer>).targetTransform === true;
}

/** One preprocessing step as the config knows it: its name, params schema and factories. */
export interface StepSpec {
  name: string;
  description: string;
  paramsSchema: JsonObject;
  create(params: JsonObject): Transformer;
  fromJSON(json: StepJSON): Transformer;
}
