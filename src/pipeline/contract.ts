// The model's input contract (features.json): the raw columns it reads, their types, learned
// categories and ranges, plus the target and its classes. Prediction checks inputs against it:
// every reader (files, records) is given the same schema, and the id column is split off the
// same way before the model sees the rest.

import { StateReader, stateError } from '../util/state-reader.js';
import type { JsonValue } from '../util/json.js';
import { numericValues, type Column, type ColumnType, type Frame } from '../data/frame.js';
import type { SchemaColumn } from '../data/read.js';
import { presentCategories } from '../preprocess/categories.js';
import type { Task } from '../tasks/task.js';

const CONTRACT_FORMAT_VERSION = 1;
const MAX_SAVED_CATEGORIES = 1000;

export interface InputColumn {
  name: string;
  type: ColumnType;
  missing_share: number;
  /** Categories seen in training (categorical), capped at 1000 for very wide columns. */
  categories?: string[];
  min?: number;
  max?: number;
  /** Datetime columns read from strings that are not ISO: the strptime format (`%b %d %Y`), so inputs parse alike. */
  format?: string;
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

/** More classes than this in a saved contract is not a model soma trained (training refuses far fewer). */
export const MAX_CONTRACT_CLASSES = 100_000;

/**
 * features.json checked as it is read: the fields prediction relies on have their types, and the
 * class list is bounded (a million re-signed classes would otherwise make every chunk's
 * probabilities take minutes). Errors are REGISTRY_INTEGRITY naming the field.
 */
export function readContract(json: unknown): InputContract {
  const root = new StateReader('document', json as JsonValue);
  root.object();
  root.field('task').string();
  root.field('target').string();
  const classes = root.field('classes');
  if (!classes.absent) {
    const n = classes.list().length;
    if (n > MAX_CONTRACT_CLASSES) throw stateError('document.classes', `a list of ${n} classes`, `at most ${MAX_CONTRACT_CLASSES}`);
    classes.strings();
  }
  root.field('id').optional()?.string();
  root.field('columns').list().forEach((c) => {
    c.object();
    c.field('name').string();
    c.field('type').oneOf(['numeric', 'categorical', 'datetime', 'text'] as const);
    const cats = c.field('categories');
    if (!cats.absent) cats.strings();
  });
  return json as InputContract;
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
      return { name: c.name, type: c.type, missing_share: missing / n, ...(min <= max ? { min, max } : {}), ...(c.type === 'datetime' && c.format !== undefined ? { format: c.format } : {}) };
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

/** The columns a reader must deliver for this contract, typed and (categorical) seeded with the learned categories. */
export function inputSchema(contract: InputContract): SchemaColumn[] {
  return contract.columns.map((c) => ({ name: c.name, type: c.type, ...(c.categories ? { categories: c.categories } : {}), ...(c.format !== undefined ? { format: c.format } : {}) }));
}

/** A chunk of input split into the id column (passed through to the output) and the model's inputs. */
export function splitIdColumn(contract: InputContract, chunk: Frame): { passThrough: Column[]; features: Frame } {
  const id = contract.id;
  return id ? { passThrough: [chunk.column(id)!], features: chunk.drop([id]) } : { passThrough: [], features: chunk };
}

/** The notice for input columns the model does not read (they are ignored). */
export function ignoredColumnsNotice(source: string, extra: readonly string[]): string {
  return `${source}: ignoring ${extra.length} column(s) the model does not use: ${extra.slice(0, 10).join(', ')}`;
}

/** The strptime formats of the contract's datetime columns that have one, by column. */
export function inputFormats(contract: InputContract): Record<string, string> {
  return Object.fromEntries(contract.columns.filter((c) => c.format !== undefined).map((c) => [c.name, c.format!]));
}
