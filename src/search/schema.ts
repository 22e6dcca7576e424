// The JSON Schema of a config's `search:` section (assembled into the config schema), so
// `soma validate` and editors check a study's settings and its `space` grammar.

import type { JsonObject } from '../util/json.js';

const pair: JsonObject = { type: 'array', items: { type: 'number' }, minItems: 2, maxItems: 2 };
const scalar: JsonObject = { type: ['number', 'string', 'boolean', 'null'] };

/** One dimension: a distribution or a plain list of values. */
const dimension: JsonObject = {
  description: '{uniform: [a, b]}, {loguniform: [a, b]}, {int: [a, b]}, {choice: [...]} or a list of values',
  anyOf: [
    { type: 'array', items: scalar, minItems: 1, description: 'The values to try (a grid axis, or a choice for other methods)' },
    { type: 'object', additionalProperties: false, required: ['uniform'], properties: { uniform: pair } },
    { type: 'object', additionalProperties: false, required: ['loguniform'], properties: { loguniform: pair } },
    { type: 'object', additionalProperties: false, required: ['int'], properties: { int: pair, log: { type: 'boolean' } } },
    { type: 'object', additionalProperties: false, required: ['choice'], properties: { choice: { type: 'array', items: scalar, minItems: 1 } } },
  ],
};

export function searchSchema(modelNames: readonly string[], metrics: readonly string[]): JsonObject {
  const conditional: JsonObject = {};
  for (const m of modelNames) {
    conditional[m] = {
      description: `a dimension, or a map of params searched only when model.type is ${m}`,
      anyOf: [dimension, { type: 'object', additionalProperties: dimension, description: `Params searched only when model.type is ${m}` }],
    };
  }
  return {
    type: 'object',
    additionalProperties: false,
    required: ['space'],
    description: 'Hyperparameter search: soma tune searches; soma train searches, then refits the best on train + validation',
    properties: {
      method: { type: 'string', enum: ['grid', 'random', 'bayesian', 'tpe', 'hyperband'], default: 'bayesian', description: 'grid, random, bayesian (Gaussian process with expected improvement), tpe, or hyperband (successive halving over n_estimators or epochs)' },
      trials: { type: 'integer', minimum: 1, description: 'Trials to run (default: every grid point for grid, else 30)' },
      timeout: { type: 'number', exclusiveMinimum: 0, description: 'Seconds after which no new trial starts' },
      metric: { type: 'string', enum: [...metrics], description: 'Metric to optimise, cross-validated (default: the first of evaluate.metrics, else accuracy or rmse)' },
      direction: { type: 'string', enum: ['maximize', 'minimize'], description: 'Default: the metric\'s own (maximize accuracy, minimize rmse)' },
      cv: {
        type: 'object',
        additionalProperties: false,
        properties: {
          folds: { type: 'integer', minimum: 2, default: 5, description: 'Number of folds' },
          stratify: { type: 'boolean', default: true, description: 'Keep class shares in every fold (classification)' },
          shuffle: { type: 'boolean', default: true, description: 'false assigns folds in file order' },
          groups: { type: 'string', description: 'A column: rows of one group never straddle train and test (group k-fold)' },
          time: { type: 'string', description: 'A datetime or numeric column: expanding-window folds that never train on the future' },
        },
      },
      space: {
        type: 'object',
        minProperties: 1,
        description: 'Params to search: `x` or `model.params.x`, `preprocess.<step index or name>.<param>`; a family name holds params searched only for that family',
        properties: conditional,
        additionalProperties: dimension,
      },
      n_jobs: { type: 'integer', minimum: 1, default: 1, description: 'Trials run in parallel on worker threads (results do not depend on it)' },
      seed: { type: 'integer', description: 'Seed of the sampler and the folds (default: the config\'s seed)' },
      batch: { type: 'integer', minimum: 1, description: 'Trials suggested from the same history (default 4 for bayesian and tpe; random, grid and start-up trials never wait); parallel trials beyond it wait for the batch before' },
      startup: { type: 'integer', minimum: 1, description: 'Random trials before the Bayesian model takes over (default: about 1/4 of trials, 5 to 12)' },
      study: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]*$', description: 'Study name (its run directory); default: a timestamp' },
      storage: { type: 'string', pattern: '^postgres(ql)?://', description: 'Share the study through PostgreSQL (postgresql://user[:password]@host[:port]/db; the password may come from PGPASSWORD): any number of soma tune processes on any machines work on it. Default: the local journal' },
      heartbeat_timeout: { type: 'number', exclusiveMinimum: 0, default: 60, description: 'Shared studies: seconds without a heartbeat after which a running trial is taken for dead and run again by another process' },
      hyperband: {
        type: 'object',
        additionalProperties: false,
        properties: {
          resource: { type: 'string', description: 'The budget param (default: n_estimators, or epochs for mlp)' },
          min: { type: 'integer', minimum: 1, description: 'Smallest budget (default: max / 27)' },
          max: { type: 'integer', minimum: 1, description: 'Largest budget (default: the model\'s param value, else 100)' },
          eta: { type: 'integer', minimum: 2, default: 3, description: 'Each rung keeps the best 1/eta' },
        },
      },
    },
  };
}
