// The local forecasting families: one small statistical model per series, estimated on that
// series' history alone (statsforecast's models): naive, seasonal_naive, ets and theta. They
// have no global state to save: a version records the family and its params, and `soma
// forecast` estimates each series' model on the history it is given, as statsforecast's
// `forecast` does. They register as model families (families.ts) for the config schema.

import { SomaError } from '../../errors.js';
import { autoEts, etsForecast, ETS_MODELS, type EtsModel } from '../../engine/forecast/ets.js';
import { naiveForecast, seasonalNaiveForecast } from '../../engine/forecast/naive.js';
import { fitTheta, thetaForecast } from '../../engine/forecast/theta.js';
import type { JsonObject } from '../../util/json.js';
import { modelWording, resolveParams } from '../../util/params.js';
import type { FamilySpec } from '../families.js';

export interface LocalFamily extends FamilySpec {
  /** Forecasts `h` steps after the end of `y` (gaps filled), season length `m`. */
  forecast(y: Float64Array, m: number, h: number, params: JsonObject): Float64Array;
}

const seasonParam: JsonObject = { type: 'integer', minimum: 1, maximum: 10000, description: 'Season length in periods (default: the frequency\'s: hourly 24, daily 7, weekly 52, monthly 12, quarterly 4, yearly 1)' };
const flat = (properties: JsonObject): JsonObject => ({ type: 'object', additionalProperties: false, properties });
const seasonOf = (params: JsonObject, m: number): number => (typeof params['season_length'] === 'number' ? params['season_length'] : m);

const naive: LocalFamily = {
  name: 'naive',
  description: 'The last observed value, repeated (a random walk\'s forecast)',
  tasks: ['forecasting'],
  paramsSchema: flat({}),
  forecast: (y, _m, h) => naiveForecast(y, h),
};

const seasonalNaive: LocalFamily = {
  name: 'seasonal_naive',
  aliases: ['snaive'],
  description: 'The value one season before, repeated (naive when the history is shorter than a season)',
  tasks: ['forecasting'],
  paramsSchema: flat({ season_length: seasonParam }),
  forecast: (y, m, h, p) => seasonalNaiveForecast(y, seasonOf(p, m), h),
};

const ets: LocalFamily = {
  name: 'ets',
  aliases: ['holt_winters'],
  description: 'Exponential smoothing (additive errors) per series: level, additive or damped trend and additive season, chosen per series by AICc',
  tasks: ['forecasting'],
  paramsSchema: flat({
    model: {
      anyOf: [{ type: 'string', enum: ['auto', ...ETS_MODELS] }, { type: 'array', items: { type: 'string', enum: [...ETS_MODELS] }, minItems: 1, uniqueItems: true }],
      default: 'auto',
      description: `Which forms to fit: auto (all of ${ETS_MODELS.join(', ')} the history supports, smallest AICc kept), one form, or a list to choose from (E-T-S letters: A additive, Ad damped, N none)`,
    },
    season_length: seasonParam,
    max_evaluations: { type: 'integer', minimum: 10, maximum: 100000, default: 400, description: 'Nelder-Mead objective evaluations per fitted form' },
  }),
  forecast: (y, m, h, p) => {
    if (y.length === 0) return new Float64Array(h).fill(NaN);
    if (y.length < 2) return naiveForecast(y, h);
    const spec = p['model'];
    const candidates = spec === undefined || spec === 'auto' ? ETS_MODELS : Array.isArray(spec) ? (spec as EtsModel[]) : [spec as EtsModel];
    return etsForecast(autoEts(y, seasonOf(p, m), candidates, typeof p['max_evaluations'] === 'number' ? p['max_evaluations'] : 400), h);
  },
};

const theta: LocalFamily = {
  name: 'theta',
  description: 'The Theta method per series: exponential smoothing with half the linear trend\'s drift, on seasonally adjusted values when a season is detected',
  tasks: ['forecasting'],
  paramsSchema: flat({ season_length: seasonParam }),
  forecast: (y, m, h, p) => (y.length === 0 ? new Float64Array(h).fill(NaN) : y.length < 3 ? naiveForecast(y, h) : thetaForecast(fitTheta(y, seasonOf(p, m)), h)),
};

export const localFamilies: readonly LocalFamily[] = [naive, seasonalNaive, ets, theta];

/** The local family of a name or alias, or undefined (a global family or unknown). */
export function findLocalFamily(name: string): LocalFamily | undefined {
  return localFamilies.find((f) => f.name === name || f.aliases?.includes(name));
}

/** The family's params checked against its schema with defaults filled. */
export function resolveLocalParams(family: LocalFamily, params: JsonObject): JsonObject {
  try {
    return resolveParams(family.paramsSchema, params, modelWording(family.name));
  } catch (e) {
    if (e instanceof SomaError) throw e;
    throw new SomaError('PARAM_INVALID', `${family.name}: ${(e as Error).message}`);
  }
}
