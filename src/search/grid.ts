// Grid search: every combination of the dimensions' values, in a fixed order (the first
// dimension varies slowest). Conditional dimensions only multiply within their own family.

import { SomaError } from '../errors.js';
import { isActive, type Dimension, type ParamValue, type Params, type SearchSpace } from './space.js';

/** More points than this is almost surely a mistake (a wide int range); say so instead of hanging. */
const MAX_GRID_POINTS = 1_000_000;

/** The values a dimension takes in a grid; continuous ranges have no finite grid. */
function gridValues(d: Dimension): ParamValue[] {
  switch (d.kind) {
    case 'categorical':
      return d.choices;
    case 'int': {
      const count = d.high - d.low + 1;
      if (count > 10_000) throw new SomaError('CONFIG_INVALID', `search.space.${d.name}: grid search over int [${d.low}, ${d.high}] means ${count} values (expected a list or a narrower range)`);
      return Array.from({ length: count }, (_, i) => d.low + i);
    }
    case 'float':
      throw new SomaError('CONFIG_INVALID', `search.space.${d.name}: grid search needs a finite set of values, got ${d.log ? 'loguniform' : 'uniform'} [${d.low}, ${d.high}]`, {
        hint: `list the values, e.g. ${d.name}: [${d.low}, ${d.high}], or use method: random or bayesian`,
      });
  }
}

/** Every grid point, in order. */
export function gridPoints(space: SearchSpace): Params[] {
  const out: Params[] = [];
  const values = space.dims.map(gridValues);
  const walk = (i: number, p: Params): void => {
    if (out.length > MAX_GRID_POINTS) {
      throw new SomaError('CONFIG_INVALID', `search.space: the grid has more than ${MAX_GRID_POINTS} points`, { hint: 'use method: random or bayesian' });
    }
    if (i === space.dims.length) {
      out.push({ ...p });
      return;
    }
    const d = space.dims[i]!;
    if (!isActive(d, p)) return walk(i + 1, p);
    for (const v of values[i]!) {
      p[d.name] = v;
      walk(i + 1, p);
    }
    delete p[d.name];
  };
  walk(0, {});
  return out;
}
