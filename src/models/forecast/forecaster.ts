// A forecasting family behind one face: fit on every series' history (a global model learns
// here; local families have nothing to learn ahead), then forecast h periods after each series'
// history. `createForecaster` takes a local family (local.ts) or a row-wise regression family as
// a global model (global.ts).

import { SomaError } from '../../errors.js';
import type { FeatureSpec } from '../../engine/forecast/features.js';
import type { JsonObject } from '../../util/json.js';
import { estimatorNames, findEstimator } from '../catalog.js';
import type { ForecastData, ForecastOptions } from './data.js';
import { GlobalForecaster, type Scaling } from './global.js';
import { findLocalFamily, localFamilies, resolveLocalParams, type LocalFamily } from './local.js';

export interface Forecaster {
  /** Canonical family name. */
  readonly family: string;
  readonly local: boolean;
  readonly params: JsonObject;
  fit(data: ForecastData, options: ForecastOptions): Promise<void>;
  forecast(data: ForecastData, h: number, options: ForecastOptions): Float64Array[];
  /** The global model, for saving (local families save only their params). */
  readonly global?: GlobalForecaster;
}

class LocalForecaster implements Forecaster {
  readonly local = true;
  readonly params: JsonObject;
  constructor(private readonly spec: LocalFamily, params: JsonObject) {
    this.params = resolveLocalParams(spec, params);
  }
  get family(): string {
    return this.spec.name;
  }
  async fit(): Promise<void> {}
  forecast(data: ForecastData, h: number, options: ForecastOptions): Float64Array[] {
    return data.series.map((s) => {
      if (options.signal?.aborted) throw new SomaError('ABORTED', 'interrupted');
      const f = this.spec.forecast(s.y, data.season, h, this.params);
      if (options.nonnegative) for (let k = 0; k < h; k++) if (f[k]! < 0) f[k] = 0;
      return f;
    });
  }
}

class GlobalFace implements Forecaster {
  readonly local = false;
  constructor(readonly global: GlobalForecaster) {}
  get family(): string {
    return this.global.family;
  }
  get params(): JsonObject {
    return this.global.params;
  }
  fit(data: ForecastData, options: ForecastOptions): Promise<void> {
    return this.global.fit(data, options);
  }
  forecast(data: ForecastData, h: number, options: ForecastOptions): Float64Array[] {
    return this.global.forecast(data, h, options);
  }
}

/** Every family name forecasting accepts: the local ones and the row-wise regression families. */
export function forecastingFamilyNames(): string[] {
  return [...localFamilies.flatMap((f) => [f.name, ...(f.aliases ?? [])]), ...estimatorNames().filter((n) => findEstimator(n).tasks.includes('regression'))];
}

export function createForecaster(family: string, params: JsonObject, spec: FeatureSpec, strategy: 'recursive' | 'direct', horizon: number, scaling: Scaling = 'mean'): Forecaster {
  const local = findLocalFamily(family);
  if (local) return new LocalForecaster(local, params);
  let e;
  try {
    e = findEstimator(family);
  } catch {
    throw new SomaError('CONFIG_INVALID', `model.type: ${family} is not a forecasting family (expected one of ${forecastingFamilyNames().join(', ')})`);
  }
  if (!e.tasks.includes('regression')) throw new SomaError('CONFIG_INVALID', `model.type: ${family} is not a regression family and cannot be a global forecasting model (expected one of ${forecastingFamilyNames().join(', ')})`);
  if (e.name === 'mlp') throw new SomaError('CONFIG_INVALID', 'model.type: mlp saves its network in extra files and is not offered as a global forecasting model (use gbdt, random_forest, decision_tree or linear)');
  return new GlobalFace(new GlobalForecaster(e.name, params, spec, strategy, horizon, scaling));
}

/** A saved forecaster: a local family from its params, a global one from its state. */
export function restoreForecaster(family: string, params: JsonObject, global: ReturnType<GlobalForecaster['state']> | null, horizon: number): Forecaster {
  const local = findLocalFamily(family);
  if (local) return new LocalForecaster(local, params);
  if (!global) throw new SomaError('REGISTRY_INTEGRITY', `model/model.json: the global family ${family} has no saved model`, { hint: 'run soma models verify' });
  return new GlobalFace(GlobalForecaster.restore(global, params, horizon));
}
