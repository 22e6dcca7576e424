// How many dense cells a step may add before it allocates them: a step that materialises columns
// (one-hot with a huge max_categories, polynomial products) estimates its output from the fitted
// state and the rows, and refuses with exit 3 naming the step, the columns and the size, instead
// of growing until the kernel kills the process without a message (1M categories: 24 GB).

import { SomaError } from '../errors.js';

/** Dense float64 cells a step may add to a frame: 2^28 cells, 2 GiB. */
export const MAX_DENSE_CELLS = 2 ** 28;

const gib = (cells: number): string => `${((cells * 8) / 2 ** 30).toFixed(1)} GiB`;

/**
 * Throws DATA_TOO_LARGE when `outputs` new dense columns over `rows` rows exceed the budget.
 * `detail` names the columns and their share, e.g. `city (900000 categories)`.
 */
export function checkDenseOutput(step: string, outputs: number, rows: number, detail: string, hint: string): void {
  const cells = outputs * rows;
  if (cells <= MAX_DENSE_CELLS) return;
  throw new SomaError('DATA_TOO_LARGE', `preprocess ${step}: ${detail} would add ${outputs} dense columns x ${rows} rows = ${cells.toExponential(2)} cells (${gib(cells)}), over the budget of ${MAX_DENSE_CELLS.toExponential(2)} cells (${gib(MAX_DENSE_CELLS)})`, {
    hint,
    details: { step, outputs, rows, cells, budget: MAX_DENSE_CELLS },
  });
}
