// "Did you mean": the known metric name nearest to a misspelt one.

import { editDistance } from '../../util/edit-distance.js';

/** The known name within edit distance 2 of `name`, for "did you mean". */
export function closest(name: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = 3;
  for (const k of known) {
    const d = editDistance(name, k);
    if (d < bestD) {
      bestD = d;
      best = k;
    }
  }
  return best;
}
