// The transformer contract: a preprocessing step learns from the training split only (`fit`)
// and then applies exactly the same mapping everywhere (`transform` in train, evaluate, predict).

import type { Frame } from '../data/frame.js';
import type { JsonObject, JsonValue } from '../util/json.js';

export interface StepJSON {
  step: string;
  params: JsonObject;
  state: JsonValue;
}

export interface Transformer {
  readonly step: string;
  readonly params: JsonObject;
  /** Learns the step's state from the training frame. */
  fit(frame: Frame): void;
  /** Applies the learned state; never learns anything. */
  transform(frame: Frame): Frame;
  toJSON(): StepJSON;
}

/** One preprocessing step as the config knows it: its name, params schema and factories. */
export interface StepSpec {
  name: string;
  description: string;
  paramsSchema: JsonObject;
  create(params: JsonObject): Transformer;
  fromJSON(json: StepJSON): Transformer;
}
