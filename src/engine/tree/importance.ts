// Feature importance of a forest from its saved node records: total gain, split count and cover
// per feature.

import type { Forest } from './forest.js';

export interface TreeImportance {
  gain: Float64Array;
  split: Float64Array;
  cover: Float64Array;
}

/** Total gain, number of splits and total cover per feature over trees [0, nTrees). */
export function featureImportance(forest: Forest, nFeatures: number, nTrees: number): TreeImportance {
  const gain = new Float64Array(nFeatures);
  const split = new Float64Array(nFeatures);
  const cover = new Float64Array(nFeatures);
  const end = nTrees < forest.treeRoots.length ? forest.treeRoots[nTrees]! : forest.feature.length;
  for (let n = 0; n < end; n++) {
    const f = forest.feature[n]!;
    if (f < 0) continue;
    gain[f] += forest.gain[n]!;
    split[f] += 1;
    cover[f] += forest.cover[n]!;
  }
  return { gain, split, cover };
}
