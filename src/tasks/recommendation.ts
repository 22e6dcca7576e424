// Recommendation: users, items and their interactions (explicit ratings, or implicit feedback:
// every row is an interaction, optionally weighted) instead of a target column. Trained by its
// own flow (pipeline/flows/recommend.ts: per-user splits, a user-item matrix, top-k lists over
// the whole catalog); scored by RMSE and MAE of predicted ratings and by ranking metrics of
// top-k lists (`ndcg@10`). Row-wise, a prediction is the score of a (user, item) pair.

import { computeMetrics, recommendationMetrics } from '../evaluate/metrics/index.js';
import { encodeValues } from './encode.js';
import type { TaskSpec } from './spec.js';
import type { JsonObject } from '../util/json.js';

const column = (description: string): JsonObject => ({ type: 'string', description: `${description} (task recommendation)` });

const sideFile = (what: string): JsonObject => ({
  anyOf: [
    { type: 'string' },
    {
      type: 'object',
      additionalProperties: false,
      required: ['source'],
      properties: {
        source: { type: 'string', description: `The ${what} file (CSV, Parquet, ...), relative to the config` },
        key: { type: 'string', description: `Its ${what === 'items' ? 'item' : 'user'} id column (default: the name of data.${what === 'items' ? 'item' : 'user'})` },
        text: { type: 'array', items: { type: 'string' }, description: 'Free-text columns, TF-IDF weighted (default: the columns read as text)' },
        attributes: { type: 'array', items: { type: 'string' }, description: 'Category columns (values split on `separator`): content vectors and intra-list diversity (default: the columns read as categorical)' },
        numeric: { type: 'array', items: { type: 'string' }, description: 'Numeric columns, binned into deciles for content vectors (default: the numeric columns)' },
        separator: { type: 'string', minLength: 1, default: '|', description: 'Separator of several values in one attribute cell (genres: Drama|Thriller)' },
      },
    },
  ],
  description: `${what === 'items' ? 'Item' : 'User'} attributes: a file, or {source, key, text, attributes, numeric, separator} (task recommendation)`,
});

export const recommendationTask: TaskSpec = {
  name: 'recommendation',
  workflow: 'recommend',
  command: 'recommend',
  config: {
    noTarget: true,
    data: {
      user: column('The user id column'),
      item: column('The item id column'),
      rating: column('Explicit feedback: the rating column; absent = implicit feedback, every row an interaction'),
      weight: column('Implicit feedback: a weight per interaction (play counts, minutes)'),
      time: column('When each interaction happened: the per-user split by time (the default when given)'),
      items: sideFile('items'),
      users: sideFile('users'),
      duplicates: { type: 'string', enum: ['last', 'mean', 'sum', 'max', 'error'], default: 'last', description: 'Repeated (user, item) pairs: keep the latest, combine them, or fail (task recommendation)' },
      rating_range: { type: 'array', items: { type: 'number' }, minItems: 2, maxItems: 2, description: 'Valid ratings [min, max]: values outside are a data error; predictions are clipped to it (default: the observed range)' },
    },
    split: {
      method: { type: 'string', enum: ['time', 'random', 'last'], description: 'Recommendation: per user, the latest share is test (time, the default with data.time), a random share (random), or the last interaction (last)' },
      min_interactions: { type: 'integer', minimum: 2, default: 5, description: 'Recommendation: users with fewer interactions stay in training whole' },
    },
    evaluate: {
      k: { type: 'integer', minimum: 1, maximum: 1000, default: 10, description: 'Length of the top-k lists the ranking metrics judge (ndcg@k, ...; task recommendation)' },
      relevance: { type: 'number', description: 'Explicit ratings: held-out items rated at least this are relevant (default: 80% of the highest rating, 4 on a 5-star scale; task recommendation)' },
    },
    rules: [{ if: { properties: { task: { const: 'recommendation' } }, required: ['task'] }, then: { properties: { data: { required: ['user', 'item'] } } } }],
  },
  target: {
    minLabels: 0,
    // Never inferred from a target column: a config says task: recommendation.
    claims: () => false,
    suggests: () => false,
    labels: () => [],
    encode: (frame, name, _labels, what) => encodeValues(frame, name, 'recommendation', what, 'the rating column must be numeric'),
  },
  metrics: recommendationMetrics,
  stratify: false,
  searchMetric: 'ndcg@10',
  headlineMetric: 'ndcg@10',
  starter: { metrics: ['ndcg@10', 'precision@10', 'recall@10', 'coverage@10'], gate: ['ndcg@10', '>= 0.1'] },

  score: (y, { values: yPred }, metrics) => ({ metrics: computeMetrics('recommendation', { yTrue: y.values, yPred }, (metrics ?? ['rmse', 'mae']).filter((m) => m === 'rmse' || m === 'mae')) }),

  predictionColumns: ({ values }) => [{ type: 'numeric', name: 'score', values }],
};
