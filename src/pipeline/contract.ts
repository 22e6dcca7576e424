// The model's input contract (features.json): the raw columns it reads, their types, learned
// categories and ranges, plus the target and its classes. Prediction checks inputs against it.

import { numericValues, type ColumnType, type Frame } from '../data/frame.js';
import { presentCategories } from '../preprocess/categories.js';
import type { Task } from '../tasks/task.js';

export const CONTRACT_FORMAT_VERSION = 1;
const MAX_SAVED_CATEGORIES = 1000;

export interface InputColumn {
  name: string;
  type: ColumnType;
  missing_share: number;
  /** Categories seen in training (categorical), capped at 1000 for very wide columns. */
  categories?: string[];
  min?: number;
  max?: number;
}

export interface InputContract {
  formatVersion: number;
  task: Task;
  target: string;
  /** Class labels in model order (classification). */
  classes: string[];
  id: string | null;
  columns: InputColumn[];
}

export function buildContract(features: Frame, task: Task, target: string, classes: string[], id: string | undefined): InputContract {
  const columns: InputColumn[] = features.columns.map((c) => {
    const n = features.rows || 1;
    if (c.type === 'numeric' || c.type === 'datetime') {
      let min = Infinity;
      let max = -Infinity;
      let missing = 0;
      for (const v of numericValues(c)) {
        if (Number.isNaN(v)) missing++;
        else {
          if (v < min) min = v;
          if (v > max) max = v;
        }
      }
      return { name: c.name, type: c.type, missing_share: missing / n, ...(min <= max ? { min, max } : {}) };
    }
    if (c.type === 'categorical') {
      let missing = 0;
      for (const code of c.codes) if (code < 0) missing++;
      const categories = presentCategories(c).slice(0, MAX_SAVED_CATEGORIES);
      return { name: c.name, type: c.type, missing_share: missing / n, categories };
    }
    let missing = 0;
    for (const v of c.values) if (v === null) missing++;
    return { name: c.name, type: c.type, missing_share: missing / n };
  });
  return { formatVersion: CONTRACT_FORMAT_VERSION, task, target, classes, id: id ?? null, columns };
}
