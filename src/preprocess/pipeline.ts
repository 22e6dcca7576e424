// The fitted preprocessing pipeline: the user's ordered steps, then (for models that cannot split
// categories natively) a one-hot step for any categorical column left, then the FeatureEncoder.
// Fitted on the training split only; its JSON is `preprocess.json`, and evaluate and predict
// rebuild it from that file so every path applies the very same mapping.

import type { Frame } from '../data/frame.js';
import type { FeatureMatrix } from '../engine/matrix.js';
import type { JsonObject, JsonValue } from '../util/json.js';
import { createStep, stepFromJSON } from './catalog.js';
import { FeatureEncoder, type FeatureDef } from './encode.js';
import type { StepJSON, Transformer } from './transformer.js';

export const PIPELINE_FORMAT_VERSION = 1;

export interface StepConfig {
  name: string;
  params: JsonObject;
}

export interface PipelineJSON {
  formatVersion: number;
  steps: StepJSON[];
  features: FeatureDef[];
  dropped: { column: string; reason: string }[];
}

export class Pipeline {
  private constructor(
    private steps: Transformer[],
    private readonly encoder: FeatureEncoder,
    private readonly nativeCategorical: boolean,
  ) {}

  static fromConfig(steps: readonly StepConfig[], options: { nativeCategorical: boolean }): Pipeline {
    return new Pipeline(steps.map((s) => createStep(s.name, s.params)), new FeatureEncoder(), options.nativeCategorical);
  }

  /** Fits every step in order on the training frame and returns its feature matrix. */
  fit(frame: Frame): FeatureMatrix {
    let current = frame;
    for (const step of this.steps) {
      step.fit(current);
      current = step.transform(current);
    }
    if (!this.nativeCategorical && current.columns.some((c) => c.type === 'categorical')) {
      const auto = createStep('onehot', { columns: 'categorical', handle_unknown: 'ignore' });
      auto.fit(current);
      current = auto.transform(current);
      this.steps = [...this.steps, auto];
    }
    this.encoder.fit(current);
    return this.encoder.transform(current);
  }

  transform(frame: Frame): FeatureMatrix {
    let current = frame;
    for (const step of this.steps) current = step.transform(current);
    return this.encoder.transform(current);
  }

  get features(): readonly FeatureDef[] {
    return this.encoder.features;
  }

  get dropped(): readonly { column: string; reason: string }[] {
    return this.encoder.dropped;
  }

  toJSON(): PipelineJSON {
    return { formatVersion: PIPELINE_FORMAT_VERSION, steps: this.steps.map((s) => s.toJSON()), ...this.encoder.toJSON() };
  }

  static fromJSON(json: PipelineJSON): Pipeline {
    if (json.formatVersion !== PIPELINE_FORMAT_VERSION) {
      throw new Error(`preprocess.json formatVersion ${json.formatVersion} is not supported (expected ${PIPELINE_FORMAT_VERSION})`);
    }
    const encoder = FeatureEncoder.fromJSON({ features: json.features, dropped: json.dropped });
    return new Pipeline(json.steps.map(stepFromJSON), encoder, true);
  }
}

export type { JsonValue };
