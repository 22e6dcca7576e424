// What the validation split is for: the model is first fitted on the training split, with the
// validation rows for early stopping and an honest held-out score; then, on tables small enough
// for a second fit to be cheap, it is fitted once more on training + validation at the size the
// first fit chose (the rounds early stopping kept, the epochs it restored) and that model is kept.
// On small tables the 15% held out is a large share of what there is to learn from: HistGradient-
// Boosting at its defaults fits every row it is given; soma fitting 85% of them, with XGBoost's
// defaults, lost up to 0.18 r2 to it (bench/RESULTS.md, "Defaults on small real data").

import type { Estimator } from '../models/estimator.js';
import type { JsonObject } from '../util/json.js';

/** `refit: auto` refits while training + validation hold at most this many rows. */
export const REFIT_MAX_ROWS = 100_000;

export interface RefitDecision {
  refit: boolean;
  /** Why, in words for metadata and the log. */
  reason: string;
}

/** Whether to refit on training + validation, from `model.training.refit` and the split sizes. */
export function refitDecision(setting: boolean | 'auto', trainRows: number, validationRows: number): RefitDecision {
  if (validationRows === 0) return { refit: false, reason: 'no validation rows (none given, or a search already refitted on them)' };
  if (setting === false) return { refit: false, reason: 'model.training.refit is false' };
  if (setting === true) return { refit: true, reason: 'model.training.refit is true' };
  const rows = trainRows + validationRows;
  return rows <= REFIT_MAX_ROWS
    ? { refit: true, reason: `refit: auto, and training + validation hold ${rows} rows (at most ${REFIT_MAX_ROWS})` }
    : { refit: false, reason: `refit: auto, and training + validation hold ${rows} rows (more than ${REFIT_MAX_ROWS}: a second fit would cost more than the rows add)` };
}

/**
 * The params of the refit: the first fit's, with the size it chose fixed (an estimator's
 * `refitParams`, e.g. gbdt's n_estimators = the best round and early stopping off).
 */
export function refitParams(first: Estimator): JsonObject {
  return { ...first.params, ...(first.refitParams?.() ?? {}) };
}
