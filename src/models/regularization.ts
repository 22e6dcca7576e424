// The params both linear families (`linear`, `logistic`) share: penalty, alpha, l1_ratio,
// fit_intercept, max_iter and tol, with their schema (each family gives its own defaults for
// penalty, max_iter and tol), how they read, and the L1/L2 strengths they imply.

import type { ParamWording } from '../util/params.js';
import type { JsonObject } from '../util/json.js';

export type Penalty = 'none' | 'l2' | 'l1' | 'elasticnet';
export const PENALTIES: readonly Penalty[] = ['none', 'l2', 'l1', 'elasticnet'];

export interface RegularizationParams {
  penalty: Penalty;
  alpha: number;
  l1_ratio: number;
  fit_intercept: boolean;
  max_iter: number;
  tol: number;
}

export interface RegularizationDefaults {
  penalty: Penalty;
  max_iter: number;
  tol: number;
}

/** JSON Schema properties for the params both linear families share. */
export function regularizationSchema(family: 'linear' | 'logistic', d: RegularizationDefaults): Record<string, JsonObject> {
  const loss = family === 'linear' ? 'squared loss 0.5*residual^2' : 'log loss';
  const sk =
    family === 'linear'
      ? 'With l2 this is exactly scikit-learn Ridge(alpha); with l1/elasticnet it is n_rows times scikit-learn Lasso/ElasticNet alpha.'
      : 'With l2 this is exactly scikit-learn LogisticRegression(C = 1/alpha): C=1 is an L2 penalty of 1/(2C)*|coef|^2 on the sum of losses, i.e. alpha = 1.';
  return {
    penalty: {
      type: 'string',
      enum: [...PENALTIES],
      default: d.penalty,
      description: 'Regularisation: none, l2 (ridge), l1 (lasso) or elasticnet (l1_ratio mixes L1 and L2).',
    },
    alpha: {
      type: 'number',
      minimum: 0,
      default: 1.0,
      description:
        `Penalty strength, added to the SUM over rows of the ${loss}: objective = sum_i w_i*loss_i + alpha*(l1_ratio*|coef|_1 + (1-l1_ratio)/2*|coef|^2), ` +
        `on original-scale coefficients; the intercept is not penalised. ${sk} Ignored when penalty is none.`,
    },
    l1_ratio: {
      type: 'number',
      minimum: 0,
      maximum: 1,
      default: 0.5,
      description: 'Share of L1 in the elasticnet penalty (1 = lasso, 0 = ridge). Only used with penalty elasticnet.',
    },
    fit_intercept: { type: 'boolean', default: true, description: 'Fit an unpenalised intercept; false forces the model through the origin.' },
    max_iter: {
      type: 'integer',
      minimum: 1,
      default: d.max_iter,
      description:
        family === 'linear'
          ? 'Coordinate-descent sweeps allowed (l1/elasticnet only; the other penalties are solved directly).'
          : 'L-BFGS (or OWL-QN) iterations allowed; summary reports converged: false when they run out.',
    },
    tol: {
      type: 'number',
      exclusiveMinimum: 0,
      default: d.tol,
      description:
        family === 'linear'
          ? 'Coordinate descent stops when the largest coefficient change in a sweep, scaled by the feature spread, is below tol times the target spread.'
          : 'Stops when the largest gradient component of the mean (per unit weight) objective, in standardised coordinates, is below tol (as scikit-learn lbfgs), or when an iteration improves the objective by less than 2.2e-5*tol relatively.',
    },
  };
}

/**
 * The linear families' wording of param errors: `model.params.alpha: got -1; expected a number >= 0`.
 * A null param means its default, as an omitted one does.
 */
export const linearWording: ParamWording = {
  code: 'PARAM_INVALID',
  style: 'model',
  nullIsDefault: true,
  unknown: (key, known) => `model.params.${key}: unknown parameter (expected one of ${known.join(', ')})`,
  invalid: (key, value, expected) => `model.params.${key}: got ${JSON.stringify(value)}; expected ${expected}`,
};

/** The regularisation params, typed, from a family's resolved params (util/params.ts resolveParams). */
export function regularizationParams(resolved: JsonObject): RegularizationParams {
  return {
    penalty: resolved['penalty'] as Penalty,
    alpha: resolved['alpha'] as number,
    l1_ratio: resolved['l1_ratio'] as number,
    fit_intercept: resolved['fit_intercept'] as boolean,
    max_iter: resolved['max_iter'] as number,
    tol: resolved['tol'] as number,
  };
}

/** L1 and L2 strengths implied by penalty, alpha and l1_ratio. */
export function penaltyStrengths(p: RegularizationParams): { l1: number; l2: number } {
  switch (p.penalty) {
    case 'none':
      return { l1: 0, l2: 0 };
    case 'l2':
      return { l1: 0, l2: p.alpha };
    case 'l1':
      return { l1: p.alpha, l2: 0 };
    case 'elasticnet':
      return { l1: p.alpha * p.l1_ratio, l2: p.alpha * (1 - p.l1_ratio) };
  }
}
