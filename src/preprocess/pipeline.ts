// The fitted preprocessing pipeline: the user's ordered steps, then (for models that cannot split
// categories natively) a one-hot step for any categorical column left, then the FeatureEncoder.
// Fitted on the training split only; its JSON is `preprocess.json`, and evaluate and predict
// rebuild it from that file so every path applies the very same mapping.
//
// Fit takes the training target (supervised steps: target encoding, importance selection) and
// reports the rows it kept: training-only steps (dedupe, outliers with action drop) filter rows,
// and the caller's target must follow them. A `target_transform` step maps the regression target;
// `transformTarget` gives what the model learns and `wrapEstimator` inverts its predictions, so
// metrics and prediction files are on the target's own scale.

import type { Frame } from '../data/frame.js';
import type { FeatureMatrix } from '../engine/matrix.js';
import { takeTarget, type Target } from '../tasks/task.js';
import type { Estimator } from '../models/estimator.js';
import type { JsonObject, JsonValue } from '../util/json.js';
import { shown, stateError, StateReader } from '../util/state-reader.js';
import { SomaError } from '../errors.js';
import { createStep, stepFromJSON, stepSpecs } from './catalog.js';
import { FeatureEncoder, type FeatureDef } from './encode.js';
import { isTargetTransformer, type FitContext, type StepJSON, type TargetTransformer, type Transformer } from './transformer.js';
import { SeriesStep } from './series-step.js';

const PIPELINE_FORMAT_VERSION = 1;

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

export interface PipelineFitOptions {
  /** The training target, row-aligned with the frame. */
  target?: Target;
  /** Class labels in target order (classification): names per-class outputs. */
  classes?: readonly string[];
}

export interface PipelineFit {
  /** The training feature matrix. */
  X: FeatureMatrix;
  /** The transformed training frame the matrix was encoded from (what `soma preprocess` writes). */
  frame: Frame;
  /** Input rows kept, ascending; absent when every row was kept. */
  kept?: Int32Array;
  /** The target restricted to the kept rows, on its own scale (apply `transformTarget` to train). */
  y?: Target;
}

export class Pipeline {
  private constructor(
    private steps: Transformer[],
    private readonly encoder: FeatureEncoder,
    private readonly nativeCategorical: boolean,
    private readonly seed: number,
  ) {}

  static fromConfig(steps: readonly StepConfig[], options: { nativeCategorical: boolean; seed?: number }): Pipeline {
    return new Pipeline(steps.map((s) => createStep(s.name, s.params)), new FeatureEncoder(), options.nativeCategorical, options.seed ?? 42);
  }

  /**
   * Whether a step reads other rows' values (lag, rolling, diff): such a pipeline's output for a
   * row depends on which rows are transformed with it.
   */
  readsRowHistory(): boolean {
    return this.steps.some((s) => s instanceof SeriesStep);
  }

  /** Fits every step in order on the training frame; returns its feature matrix and kept rows. */
  fit(frame: Frame, options: PipelineFitOptions = {}): PipelineFit {
    let current = frame;
    let target = options.target;
    let kept: Int32Array | undefined;
    for (const step of this.steps) {
      const context: FitContext = { seed: this.seed, ...(target ? { target } : {}), ...(options.classes ? { classes: options.classes } : {}) };
      if (step.fitTransform) {
        current = step.fitTransform(current, context);
        continue;
      }
      step.fit(current, context);
      const keep = step.keepRows?.(current);
      if (keep && keep.length < current.rows) {
        current = current.take(keep);
        if (target) target = takeTarget(target, keep);
        kept = kept ? composeRows(kept, keep) : keep;
      }
      current = step.transform(current);
    }
    if (!this.nativeCategorical && current.columns.some((c) => c.type === 'categorical')) {
      const auto = createStep('onehot', { columns: 'categorical', handle_unknown: 'ignore' });
      auto.fit(current);
      current = auto.transform(current);
      this.steps = [...this.steps, auto];
    }
    this.encoder.fit(current);
    return { X: this.encoder.transform(current), frame: current, ...(kept ? { kept } : {}), ...(target ? { y: target } : {}) };
  }

  /** The transformed frame (every step applied), before encoding into a matrix. */
  transformFrame(frame: Frame): Frame {
    let current = frame;
    for (const step of this.steps) current = step.transform(current);
    return current;
  }

  transform(frame: Frame): FeatureMatrix {
    return this.encoder.transform(this.transformFrame(frame));
  }

  private targetStep(): TargetTransformer | undefined {
    return this.steps.find(isTargetTransformer);
  }

  /** The target as the model learns it (unchanged without a target_transform step). */
  transformTarget(y: Target): Target {
    const t = this.targetStep();
    return t && y.nClasses === 0 ? { ...y, values: t.transformTarget(y.values) } : y;
  }

  /** Model outputs back on the target's scale. */
  inverseTarget(values: Float64Array): Float64Array {
    const t = this.targetStep();
    return t ? t.inverseTarget(values) : values;
  }

  /**
   * The estimator as callers should see it: predictions on the target's scale. Without a target
   * transform it is the estimator itself; its JSON is always the estimator's own.
   */
  wrapEstimator<E extends Estimator>(estimator: E): Estimator {
    const t = this.targetStep();
    if (!t) return estimator;
    return new InvertingEstimator(estimator, t);
  }

  get features(): readonly FeatureDef[] {
    return this.encoder.features;
  }

  get dropped(): readonly { column: string; reason: string }[] {
    return this.encoder.dropped;
  }

  /** Names of the fitted steps in order (including the automatic one-hot step). */
  get stepNames(): string[] {
    return this.steps.map((s) => s.step);
  }

  toJSON(): PipelineJSON {
    return { formatVersion: PIPELINE_FORMAT_VERSION, steps: this.steps.map((s) => s.toJSON()), ...this.encoder.toJSON() };
  }

  /** Rebuilds a fitted pipeline from its JSON, checking the envelope, each step's and each feature's shape. */
  static fromJSON(json: PipelineJSON): Pipeline {
    const root = new StateReader('document', json as unknown as JsonValue);
    root.object();
    const version = root.field('formatVersion');
    if (version.value !== PIPELINE_FORMAT_VERSION) throw stateError('formatVersion', shown(version.value), `${PIPELINE_FORMAT_VERSION} (the format version this soma reads)`);
    const steps = root.field('steps').list().map((r, i) => {
      const name = r.field('step').oneOf(stepSpecs().map((spec) => spec.name));
      const state = r.field('state');
      // Every step writes an object; a step's own reader then takes the fields it wrote.
      if (!state.absent) state.object();
      try {
        return stepFromJSON({ step: name, params: r.field('params').object(), state: state.value ?? null });
      } catch (e) {
        if (e instanceof SomaError) throw e;
        throw stateError(`document.steps[${i}].state`, `not what ${name} writes (${(e as Error).message})`, `the state a fitted ${name} step saves`);
      }
    });
    const features: FeatureDef[] = root.field('features').list().map((r) => {
      const kind = r.field('kind').oneOf(['numeric', 'categorical'] as const);
      const categories = r.field('categories');
      return {
        name: r.field('name').string(),
        kind,
        ...(kind === 'categorical' || !categories.absent ? { categories: categories.strings() } : {}),
        from: r.field('from').oneOf(['numeric', 'categorical', 'datetime'] as const),
      };
    });
    const dropped = root.field('dropped').list().map((r) => ({ column: r.field('column').string(), reason: r.field('reason').string() }));
    return new Pipeline(steps, FeatureEncoder.fromJSON({ features, dropped }), true, 42);
  }
}

/** `outer[inner[i]]`: rows of the original frame after a second filter. */
function composeRows(outer: Int32Array, inner: Int32Array): Int32Array {
  const out = new Int32Array(inner.length);
  for (let i = 0; i < inner.length; i++) out[i] = outer[inner[i]!]!;
  return out;
}

/** Delegates to the fitted estimator and inverts its regression predictions. */
class InvertingEstimator implements Estimator {
  constructor(
    private readonly inner: Estimator,
    private readonly target: TargetTransformer,
  ) {}

  get kind(): string {
    return this.inner.kind;
  }

  get params(): JsonObject {
    return this.inner.params;
  }

  async fit(...args: Parameters<Estimator['fit']>): Promise<this> {
    await this.inner.fit(...args);
    return this;
  }

  predict(X: FeatureMatrix): Float64Array {
    return this.target.inverseTarget(this.inner.predict(X));
  }

  featureImportance(): ReturnType<NonNullable<Estimator['featureImportance']>> {
    return this.inner.featureImportance?.();
  }

  toJSON(): ReturnType<Estimator['toJSON']> {
    return this.inner.toJSON();
  }

  summary(): JsonObject {
    return this.inner.summary?.() ?? {};
  }
}

