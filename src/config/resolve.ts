// Defaults and derived values for a validated config (the schema guarantees the shapes here).

import path from 'node:path';
import type { CsvOptions } from '../data/dialect.js';
import type { ColumnType } from '../data/frame.js';
import type { StepConfig } from '../preprocess/pipeline.js';
import type { JsonObject, JsonValue } from '../util/json.js';
import type { SearchConfig, SomaConfig } from './types.js';

const obj = (v: JsonValue | undefined): JsonObject => (v && typeof v === 'object' && !Array.isArray(v) ? v : {});
const str = (v: JsonValue | undefined): string | undefined => (typeof v === 'string' ? v : undefined);
const num = (v: JsonValue | undefined, d: number): number => (typeof v === 'number' ? v : d);
const bool = (v: JsonValue | undefined, d: boolean): boolean => (typeof v === 'boolean' ? v : d);

/** Default model name: the config file's base name, or its directory's for a file named soma.yaml. */
export function defaultName(file: string): string {
  const abs = path.resolve(file);
  const base = path.basename(abs).replace(/\.(ya?ml)$/i, '');
  const name = base === 'soma' ? path.basename(path.dirname(abs)) : base;
  return name.replace(/[^A-Za-z0-9_.-]/g, '_').replace(/^[^A-Za-z0-9]+/, '') || 'model';
}

/**
 * The family trained when a config names none: gradient boosting at scikit-learn's
 * HistGradientBoosting defaults took every small real set of bench/quality.js to within 0.01
 * accuracy / 0.02 r2 of scikit-learn, takes missing values and categories natively, and its
 * histogram training scales to millions of rows (bench/RESULTS.md).
 */
export const DEFAULT_FAMILY = 'gbdt';

export function resolveConfig(raw: JsonObject, file: string): SomaConfig {
  const data = obj(raw['data']);
  const split = obj(data['split']);
  const model = obj(raw['model']);
  // No model: (or no model.type): the default family, said by `soma train` (pipeline/train.ts).
  const familyGiven = model['type'] !== undefined;
  if (!familyGiven) model['type'] = DEFAULT_FAMILY;
  const training = obj(model['training']);
  const evaluate = obj(raw['evaluate']);
  const registry = obj(raw['registry']);

  let validation = num(split['validation'], 0.15);
  let test = num(split['test'], 0.15);
  let train = num(split['train'], 1 - validation - test);
  if (typeof training['validation_split'] === 'number') {
    // The seeds' `training.validation_split` takes its share from the training part.
    validation = training['validation_split'];
    if (split['test'] === undefined) test = 0.15;
    train = 1 - validation - test;
  } else if (split['train'] !== undefined && split['validation'] === undefined && split['test'] === undefined) {
    validation = test = (1 - train) / 2;
  }

  const early = training['early_stopping'];
  const params = { ...obj(model['params'] ?? model['hyperparameters']) };
  if (early !== undefined && early !== false && params['early_stopping_rounds'] === undefined) {
    params['early_stopping_rounds'] = typeof early === 'number' ? early : 10;
  }

  const steps: StepConfig[] = (Array.isArray(raw['preprocess']) ? raw['preprocess'] : []).map((s) => {
    const [name, params] = Object.entries(obj(s))[0]!;
    return { name, params: obj(params) };
  });

  return {
    name: str(raw['name']) ?? defaultName(file),
    description: str(raw['description']) ?? '',
    task: str(raw['task']),
    seed: num(raw['seed'], 42),
    data: {
      source: str(data['source']),
      train: str(data['train']),
      validation: str(data['validation']),
      test: str(data['test']),
      format: str(data['format']),
      csv: csvOptions(obj(data['csv'])),
      // Absent only for tasks that read no target (recommendation); the schema requires it elsewhere.
      target: str(data['target']) ?? '',
      id: str(data['id']),
      drop: Array.isArray(data['drop']) ? data['drop'].map(String) : [],
      ...columnTypes(obj(data['types'])),
      split: {
        train,
        validation,
        test,
        stratify: bool(split['stratify'], true),
        shuffle: bool(split['shuffle'], true),
        by: str(split['by']),
      },
    },
    preprocess: steps,
    model: {
      type: Array.isArray(model['type']) ? String(model['type'][0]) : str(model['type'])!,
      candidates: Array.isArray(model['type']) ? model['type'].map(String) : [str(model['type'])!],
      params,
      version: str(model['version']),
      earlyStopping: early !== undefined && early !== false,
      familyGiven,
      refit: typeof training['refit'] === 'boolean' ? training['refit'] : 'auto',
      serving: obj(model['serving']),
      monitoring: obj(model['monitoring']),
    },
    evaluate: {
      metrics: Array.isArray(evaluate['metrics']) ? evaluate['metrics'].map(String) : undefined,
      gates: Object.fromEntries(Object.entries(obj(evaluate['gates'])).map(([k, v]) => [k, String(v)])),
      sensitive: Array.isArray(evaluate['sensitive']) ? evaluate['sensitive'].map(String) : [],
      fairnessThreshold: num(evaluate['fairness_threshold'], 0.1),
      baseline: str(evaluate['baseline']) === 'required' ? 'required' : 'report',
    },
    search: raw['search'] === undefined ? undefined : resolveSearch(obj(raw['search']), num(raw['seed'], 42)),
    registry: { bump: (str(registry['bump']) ?? 'auto') as SomaConfig['registry']['bump'] },
  };
}

/** `data.types` as plain types, and the strptime formats of the `{datetime: FORMAT}` entries. */
function columnTypes(types: JsonObject): { types: Record<string, ColumnType>; formats: Record<string, string> } {
  const plain: Record<string, ColumnType> = {};
  const formats: Record<string, string> = {};
  for (const [column, t] of Object.entries(types)) {
    if (typeof t === 'string') plain[column] = t as ColumnType;
    else {
      plain[column] = 'datetime';
      formats[column] = String(obj(t)['datetime']);
    }
  }
  return { types: plain, formats };
}

/** `data.csv` (schema-checked) as the readers' CsvOptions; keys left out stay out (sniffed). */
function csvOptions(csv: JsonObject): CsvOptions {
  const o: CsvOptions = {};
  const delimiter = str(csv['delimiter']);
  if (delimiter !== undefined) o.delimiter = delimiter;
  if (typeof csv['header'] === 'boolean') o.header = csv['header'];
  if (typeof csv['skip_rows'] === 'number') o.skipRows = csv['skip_rows'];
  if (Array.isArray(csv['na_values'])) o.naValues = csv['na_values'].map(String);
  const quote = str(csv['quote']);
  if (quote !== undefined) o.quote = quote;
  const comment = str(csv['comment']);
  if (comment !== undefined) o.comment = comment;
  return o;
}

function resolveSearch(search: JsonObject, seed: number): SearchConfig {
  const cv = obj(search['cv']);
  const hb = obj(search['hyperband']);
  const optNum = (v: JsonValue | undefined): number | undefined => (typeof v === 'number' ? v : undefined);
  return {
    method: (str(search['method']) ?? 'bayesian') as SearchConfig['method'],
    trials: optNum(search['trials']),
    timeout: optNum(search['timeout']),
    metric: str(search['metric']),
    direction: str(search['direction']) as SearchConfig['direction'],
    cv: { folds: num(cv['folds'], 5), stratify: bool(cv['stratify'], true), shuffle: bool(cv['shuffle'], true), groups: str(cv['groups']), time: str(cv['time']) },
    space: obj(search['space']),
    nJobs: num(search['n_jobs'], 1),
    seed: num(search['seed'], seed),
    batch: optNum(search['batch']),
    startup: optNum(search['startup']),
    study: str(search['study']),
    storage: str(search['storage']),
    heartbeatTimeout: num(search['heartbeat_timeout'], 60),
    hyperband: { resource: str(hb['resource']), min: optNum(hb['min']), max: optNum(hb['max']), eta: num(hb['eta'], 3) },
  };
}
