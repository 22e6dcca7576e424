// What a scikit-learn user puts before a linear model or a network, as a config's `preprocess:`
// list (EstimatorSpec.defaultPreprocess; pipeline/default-steps.ts applies it when a config lists
// no steps): these families cannot take missing values, and the linear penalties read each
// column's units.

import type { JsonObject } from '../util/json.js';

type Step = { name: string; params: JsonObject };

/** Imputation of both column kinds: numeric by median, categorical by the most frequent value. */
export const IMPUTE_STEPS: readonly Step[] = [
  { name: 'impute', params: { columns: 'numeric', strategy: 'median' } },
  { name: 'impute', params: { columns: 'categorical', strategy: 'most_frequent' } },
];

/** Imputation, then standard scaling of the numeric columns (the linear families). */
export const IMPUTE_SCALE_STEPS: readonly Step[] = [...IMPUTE_STEPS, { name: 'scale', params: { columns: 'numeric' } }];
