// What a forecasting version saves in model/model.json and how `soma forecast` reads it back:
// the family and its params, the time axis (frequency, anchor, season), the columns, the
// feature spec, category dictionaries, the conformal interval quantiles per level and step, and
// for a global family its fitted estimator(s). Local families save no fitted state: `soma
// forecast` estimates them on the history it is given.

import { SomaError } from '../../errors.js';
import type { Anchor, Frequency } from '../../engine/forecast/frequency.js';
import { FREQUENCIES } from '../../engine/forecast/frequency.js';
import type { FeatureSpec } from '../../engine/forecast/features.js';
import type { GapPolicy } from '../../engine/forecast/panel.js';
import type { EstimatorJSON } from '../../models/estimator.js';
import type { GlobalState } from '../../models/forecast/global.js';
import type { JsonObject } from '../../util/json.js';
import type { Dictionaries } from './data.js';

export const FORECASTER_KIND = 'forecaster';

export interface ForecasterState {
  family: string;
  local: boolean;
  time: string;
  series: string[];
  target: string;
  known: string[];
  static: string[];
  gaps: GapPolicy;
  horizon: number;
  strategy: 'recursive' | 'direct';
  nonnegative: boolean;
  frequency: Frequency;
  anchor: Anchor;
  season: number;
  spec: FeatureSpec;
  dictionaries: Dictionaries;
  intervals: { levels: number[]; quantiles: number[][] };
  global: GlobalState | null;
}

export function forecasterJson(params: JsonObject, state: ForecasterState): EstimatorJSON {
  return { kind: FORECASTER_KIND, formatVersion: 1, params, state: state as unknown as JsonObject };
}

/** Checks the fields `soma forecast` relies on; REGISTRY_INTEGRITY naming the field otherwise. */
export function readForecasterState(json: unknown, file: string): { params: JsonObject; state: ForecasterState } {
  const bad = (field: string, expected: string): never => {
    throw new SomaError('REGISTRY_INTEGRITY', `${file}: field "${field}" is not ${expected}`, { hint: 'run soma models verify' });
  };
  const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (!isObj(json)) return bad('(root)', 'an object');
  if (json['kind'] !== FORECASTER_KIND) bad('kind', `"${FORECASTER_KIND}"`);
  if (json['formatVersion'] !== 1) bad('formatVersion', '1');
  const params = json['params'];
  if (!isObj(params)) return bad('params', 'an object');
  const s = json['state'];
  if (!isObj(s)) return bad('state', 'an object');
  const str = (k: string): void => void (typeof s[k] === 'string' || bad(`state.${k}`, 'a string'));
  const strs = (k: string): void => void ((Array.isArray(s[k]) && (s[k] as unknown[]).every((v) => typeof v === 'string')) || bad(`state.${k}`, 'a list of strings'));
  const int = (k: string): void => void ((Number.isInteger(s[k]) && (s[k] as number) >= 1) || bad(`state.${k}`, 'a whole number >= 1'));
  str('family');
  str('time');
  str('target');
  strs('series');
  strs('known');
  strs('static');
  int('horizon');
  int('season');
  if (!(FREQUENCIES as readonly unknown[]).includes(s['frequency'])) bad('state.frequency', `one of ${FREQUENCIES.join(', ')}`);
  const a = s['anchor'];
  if (!isObj(a) || !['month', 'day', 'ms'].every((k) => Number.isFinite(a[k]))) bad('state.anchor', 'an object {month, day, ms} of numbers');
  if (!['error', 'zero', 'previous'].includes(s['gaps'] as string)) bad('state.gaps', 'error, zero or previous');
  if (!['recursive', 'direct'].includes(s['strategy'] as string)) bad('state.strategy', 'recursive or direct');
  const iv = s['intervals'];
  if (!isObj(iv) || !Array.isArray(iv['levels']) || !Array.isArray(iv['quantiles']) || (iv['quantiles'] as unknown[]).length !== (iv['levels'] as unknown[]).length) bad('state.intervals', 'an object {levels, quantiles} with one row of quantiles per level');
  if (!isObj(s['dictionaries'])) bad('state.dictionaries', 'an object');
  if (!isObj(s['spec'])) bad('state.spec', 'an object');
  if (s['local'] !== true && !isObj(s['global'])) bad('state.global', 'the fitted global model');
  return { params: params as JsonObject, state: s as unknown as ForecasterState };
}
