// `target_transform`: a transform of a value target (regression), learned and applied in training and
// inverted on every prediction (train metrics, evaluate, predict), so users read errors and
// predictions in the target's own units. `log1p` suits skewed non-negative targets (prices,
// counts); `standard` centres and scales with the training mean and deviation.

import { SomaError } from '../errors.js';
import type { Frame } from '../data/frame.js';
import type { JsonObject } from '../util/json.js';
import { enumParam, stateOf } from './params.js';
import { meanStd } from './stats.js';
import type { FitContext, StepJSON, StepSpec, TargetTransformer } from './transformer.js';

type Method = 'log1p' | 'sqrt' | 'standard';

export class TargetTransform implements TargetTransformer {
  readonly step = 'target_transform';
  readonly targetTransform = true as const;
  private readonly method: Method;
  private center = 0;
  private scale = 1;

  constructor(readonly params: JsonObject) {
    this.method = enumParam(params, targetTransformSpec, 'method');
  }

  fit(_frame: Frame, context: FitContext = {}): void {
    const y = context.target;
    if (!y) throw new SomaError('CONFIG_INVALID', 'preprocess target_transform: needs the training target (it is fitted by soma train)');
    // Class indices (nClasses > 0) have no scale to transform; any value target does.
    if (y.nClasses > 0) {
      throw new SomaError('CONFIG_INVALID', `preprocess target_transform: applies to regression targets only, numbers rather than classes (this task is ${y.task})`, { hint: 'remove the target_transform step' });
    }
    for (let i = 0; i < y.values.length; i++) {
      const v = y.values[i]!;
      if ((this.method === 'log1p' || this.method === 'sqrt') && v < 0) {
        throw new SomaError('DATA_BAD_VALUE', `preprocess target_transform: target row ${i + 1} is ${v}; ${this.method} needs values >= 0`, {
          hint: 'use method: standard for targets that can be negative',
          details: { row: i + 1, value: v },
        });
      }
    }
    if (this.method === 'standard') {
      const s = meanStd(y.values);
      this.center = s.mean;
      this.scale = s.std > 0 ? s.std : 1;
    }
  }

  transform(frame: Frame): Frame {
    return frame;
  }

  transformTarget(values: Float64Array): Float64Array {
    const out = new Float64Array(values.length);
    for (let i = 0; i < values.length; i++) {
      const v = values[i]!;
      out[i] = this.method === 'log1p' ? Math.log1p(v) : this.method === 'sqrt' ? Math.sqrt(v) : (v - this.center) / this.scale;
    }
    return out;
  }

  inverseTarget(values: Float64Array): Float64Array {
    const out = new Float64Array(values.length);
    for (let i = 0; i < values.length; i++) {
      const v = values[i]!;
      // sqrt's inverse is v^2 only for v >= 0; a model can predict slightly below 0.
      out[i] = this.method === 'log1p' ? Math.expm1(v) : this.method === 'sqrt' ? (v > 0 ? v * v : 0) : v * this.scale + this.center;
    }
    return out;
  }

  toJSON(): StepJSON {
    return { step: this.step, params: this.params, state: { center: this.center, scale: this.scale } };
  }

  static fromJSON(json: StepJSON): TargetTransform {
    const t = new TargetTransform(json.params);
    t.center = stateOf<number>(json, 'center');
    t.scale = stateOf<number>(json, 'scale');
    return t;
  }
}

export const targetTransformSpec: StepSpec = {
  name: 'target_transform',
  description: 'Transform the regression target for training (log1p, sqrt or standard); predictions and metrics are inverted back to its scale',
  paramsSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      method: { type: 'string', enum: ['log1p', 'sqrt', 'standard'], default: 'log1p', description: 'log1p and sqrt need a target >= 0' },
    },
  },
  create: (params) => new TargetTransform(params),
  fromJSON: (json) => TargetTransform.fromJSON(json),
};
