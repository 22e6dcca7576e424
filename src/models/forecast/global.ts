// One row-wise model over every series (mlforecast's global model): a regression family of the
// estimator catalog (gbdt, random_forest, linear, ...) fitted on lag, rolling, calendar, known
// and categorical features (engine/forecast/features.ts). Recursive strategy: one model for
// one step ahead, applied h times, each forecast written into the series' buffer so the next
// step's lags read it. Direct strategy: one model per horizon step k (features shifted by k,
// so they read only the history). Families that cannot split categorical codes get no
// categorical features; families that cannot take missing values are trained on rows whose
// features are all present and forecast with missing features replaced by their training means.
// With scaling `mean` (the default), each series is divided by the mean absolute value of its
// observed history before features and targets are built, and forecasts are multiplied back, so
// series of every size share one model (mlforecast's local scalers); the scale comes from the
// history the model is given, so nothing per series is saved.

import { SomaError } from '../../errors.js';
import { buildFeatures, featureNames, type FeatureSpec, type SeriesView } from '../../engine/forecast/features.js';
import { takeRows, type FeatureMatrix } from '../../engine/matrix.js';
import type { JsonObject } from '../../util/json.js';
import { checkSupportsTask, createEstimator, estimatorFromJSON, findEstimator } from '../catalog.js';
import type { Estimator, EstimatorJSON } from '../estimator.js';
import type { ForecastData, ForecastOptions } from './data.js';

export interface GlobalState {
  family: string;
  strategy: 'recursive' | 'direct';
  scaling: Scaling;
  spec: FeatureSpec;
  /** Per feature, the training mean (families that cannot take missing values), else null. */
  fill: number[] | null;
  /** One estimator (recursive) or one per horizon step (direct). */
  models: EstimatorJSON[];
  trainRows: number;
}

export type Scaling = 'mean' | 'none';

/** Per series, the mean |value| over observed periods (1 when that is 0 or there is none). */
function seriesScales(data: ForecastData, scaling: Scaling): Float64Array {
  return Float64Array.from(data.series, (s) => {
    if (scaling === 'none') return 1;
    let sum = 0;
    let n = 0;
    for (let t = 0; t < s.y.length; t++) if (s.observed[t]) (sum += Math.abs(s.y[t]!), n++);
    return n > 0 && sum > 0 ? sum / n : 1;
  });
}

/** The data with every series divided by its scale. */
function scaled(data: ForecastData, scales: Float64Array): ForecastData {
  return { ...data, series: data.series.map((s, i) => (scales[i] === 1 ? s : { ...s, y: Float64Array.from(s.y, (v) => v / scales[i]!) })) };
}

export class GlobalForecaster {
  private models: Estimator[] = [];
  private fill: number[] | null = null;
  trainRows = 0;

  constructor(
    readonly family: string,
    readonly params: JsonObject,
    readonly spec: FeatureSpec,
    readonly strategy: 'recursive' | 'direct',
    readonly horizon: number,
    readonly scaling: Scaling = 'mean',
  ) {
    const e = findEstimator(family);
    checkSupportsTask(e, 'regression', family);
    if (!e.nativeCategorical) this.spec = { ...spec, categorical: [] };
  }

  /** Names of the features the model sees. */
  features(): string[] {
    return featureNames({ ...this.spec, shift: 0 });
  }

  async fit(raw: ForecastData, options: ForecastOptions): Promise<void> {
    const data = scaled(raw, seriesScales(raw, this.scaling));
    const steps = this.strategy === 'direct' ? this.horizon : 1;
    const acceptsMissing = findEstimator(this.family).acceptsMissing !== false;
    this.models = [];
    for (let k = 0; k < steps; k++) {
      if (options.signal?.aborted) throw new SomaError('ABORTED', 'interrupted');
      const spec = { ...this.spec, shift: k };
      const minLag = Math.min(...spec.lags, ...(spec.rolling.length > 0 ? [1] : []));
      const ser: number[] = [];
      const pos: number[] = [];
      data.series.forEach((s, i) => {
        for (let t = k + (Number.isFinite(minLag) ? minLag : 0); t < s.y.length; t++) {
          if (s.observed[t]) {
            ser.push(i);
            pos.push(t);
          }
        }
      });
      let X = buildFeatures(spec, data.series, Int32Array.from(ser), Int32Array.from(pos), data.frequency, data.anchor);
      let y = Float64Array.from(ser, (s, r) => data.series[s]!.y[pos[r]!]!);
      if (!acceptsMissing) {
        const keep = completeRows(X);
        X = takeRows(X, keep);
        y = Float64Array.from(keep, (r) => y[r]!);
        if (k === 0) this.fill = X.columns.map((c) => mean(c as Float64Array));
      }
      if (X.rows === 0) throw new SomaError('DATA_EMPTY', `no training rows for the global ${this.family} model: every series is shorter than its features need (lags ${spec.lags.join(', ')}${spec.rolling.length ? `, rolling ${spec.rolling.join(', ')}` : ''})`, { hint: 'use shorter forecast.lags and forecast.rolling, or a local family (naive, seasonal_naive, ets, theta)' });
      const model = createEstimator(this.family, this.params, 'regression');
      await model.fit(X, { task: 'regression', values: y, nClasses: 0 }, options.signal ? { signal: options.signal } : {});
      this.models.push(model);
      if (k === 0) this.trainRows = X.rows;
    }
  }

  /**
   * `h` forecasts per series after its history; each series' known arrays must cover h periods
   * past its history (NaN where unknown).
   */
  forecast(raw: ForecastData, h: number, options: ForecastOptions): Float64Array[] {
    const scales = seriesScales(raw, this.scaling);
    const data = scaled(raw, scales);
    if (this.models.length === 0) throw new SomaError('INTERNAL', 'global forecaster used before fit');
    if (this.strategy === 'direct' && h > this.models.length) throw new SomaError('USAGE', `the direct strategy trained ${this.models.length} step models; cannot forecast ${h} steps`);
    const n = data.series.length;
    const buffers: SeriesView[] = data.series.map((s) => {
      const y = new Float64Array(s.y.length + h);
      y.set(s.y);
      return { y, known: s.known, start: s.start, codes: s.codes };
    });
    const series = Int32Array.from({ length: n }, (_, i) => i);
    const out = data.series.map(() => new Float64Array(h));
    for (let k = 0; k < h; k++) {
      const model = this.strategy === 'direct' ? this.models[k]! : this.models[0]!;
      const spec = { ...this.spec, shift: this.strategy === 'direct' ? k : 0 };
      const pos = Int32Array.from(data.series, (s) => s.y.length + k);
      const X = buildFeatures(spec, buffers, series, pos, data.frequency, data.anchor);
      if (this.fill) {
        for (let c = 0; c < X.columns.length; c++) {
          const col = X.columns[c] as Float64Array;
          for (let r = 0; r < col.length; r++) if (Number.isNaN(col[r]!)) col[r] = this.fill[c]!;
        }
      }
      const p = model.predict(X);
      for (let i = 0; i < n; i++) {
        const v = options.nonnegative && p[i]! < 0 ? 0 : p[i]!;
        out[i]![k] = v * scales[i]!;
        buffers[i]!.y[data.series[i]!.y.length + k] = v;
      }
    }
    return out;
  }

  state(): GlobalState {
    return { family: this.family, strategy: this.strategy, scaling: this.scaling, spec: this.spec, fill: this.fill, models: this.models.map((m) => m.toJSON()), trainRows: this.trainRows };
  }

  static restore(state: GlobalState, params: JsonObject, horizon: number): GlobalForecaster {
    const g = new GlobalForecaster(state.family, params, state.spec, state.strategy, horizon, state.scaling === 'none' ? 'none' : 'mean');
    g.models = state.models.map((m) => estimatorFromJSON(m));
    g.fill = state.fill;
    g.trainRows = state.trainRows;
    return g;
  }

  /** Whether the family's saved form is plain JSON (families that write extra files are not offered here). */
  static checkSavable(json: EstimatorJSON): void {
    if (json.artifacts && json.artifacts.length > 0) throw new SomaError('CONFIG_INVALID', `model.type: ${json.kind} saves extra files and cannot be a global forecasting model (use gbdt, random_forest, decision_tree or linear)`);
  }
}

function completeRows(X: FeatureMatrix): Int32Array {
  const keep: number[] = [];
  for (let r = 0; r < X.rows; r++) {
    let ok = true;
    for (const c of X.columns) if (Number.isNaN((c as Float64Array)[r]!)) ok = false;
    if (ok) keep.push(r);
  }
  return Int32Array.from(keep);
}

function mean(c: Float64Array): number {
  let s = 0;
  for (const v of c) s += v;
  return c.length > 0 ? s / c.length : 0;
}

