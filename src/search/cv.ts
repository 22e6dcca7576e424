// The cross-validation a study scores its trials on: the config's `search.cv` turned into fold
// options over the development rows (time order, groups, class strata or plain k-fold).

import type { Column, Frame } from '../data/frame.js';
import { numericValues } from '../data/frame.js';
import type { FoldOptions } from '../data/folds.js';
import { SomaError } from '../errors.js';

/** The settings of `search.cv` (and the study seed) that decide the folds. */
export interface CvSettings {
  folds: number;
  seed: number;
  shuffle: boolean;
  stratify: boolean;
  /** A column whose values never straddle a fold's train and test rows. */
  groups: string | undefined;
  /** A datetime or numeric column: folds train only on rows older than their test rows. */
  time: string | undefined;
}

/**
 * Fold options over `dev` (time beats groups beats stratify; stratified only when the task
 * stratifies (`TaskSpec.stratify`: classification), by the target's classes). Errors name the `search.cv` key and the column.
 */
export function foldOptions(dev: Frame, cv: CvSettings, stratifyTask: boolean, target: string): FoldOptions {
  const o: FoldOptions = { folds: cv.folds, seed: cv.seed, shuffle: cv.shuffle };
  if (cv.time) {
    const c = dev.column(cv.time);
    if (!c || (c.type !== 'datetime' && c.type !== 'numeric')) {
      throw new SomaError(c ? 'CONFIG_INVALID' : 'DATA_MISSING_COLUMN', `search.cv.time: column "${cv.time}" ${c ? `is ${c.type} (expected datetime or numeric)` : 'not found'}`);
    }
    o.times = c.values;
  } else if (cv.groups) {
    const c = dev.column(cv.groups);
    if (!c) throw new SomaError('DATA_MISSING_COLUMN', `search.cv.groups: column "${cv.groups}" not found (columns: ${dev.names.join(', ')})`);
    o.groups = codesOf(c);
  } else if (stratifyTask && cv.stratify) {
    o.stratify = codesOf(dev.column(target)!);
  }
  return o;
}

/** Integer codes of any column (equal values, equal codes). */
function codesOf(c: Column): Int32Array {
  if (c.type === 'categorical') return c.codes;
  const values = c.type === 'text' ? c.values : numericValues(c);
  const codes = new Int32Array(values.length);
  const index = new Map<string | number | null, number>();
  for (let i = 0; i < codes.length; i++) {
    const v = values[i]!;
    const key = typeof v === 'number' && Number.isNaN(v) ? null : v;
    let code = index.get(key);
    if (code === undefined) index.set(key, (code = index.size));
    codes[i] = code;
  }
  return codes;
}
