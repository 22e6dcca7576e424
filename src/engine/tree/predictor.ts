// Tree-ensemble prediction on raw float features: predictRaw adds the outputs of a range of trees
// to each row's raw scores. It walks trees in wasm (walk-wasm.ts) where the runtime has it, else
// in JavaScript (walk-js.ts), and a single row by a direct walk (predictRawFew); all give identical
// sums, and predict-parallel.ts spreads rows over threads.

import { checkTreeRange, type Forest } from './forest.js';
import { predictRawFew, predictRawJs } from './walk-js.js';
import { predictRawWasm, walkKernel } from './walk-wasm.js';

/** Which walk predictRaw runs: 'auto' takes wasm when the runtime has it; both give identical sums. */
export type PredictKernel = 'auto' | 'js' | 'wasm';

/** Whether this runtime can run the wasm walk. */
export function wasmWalkAvailable(): boolean {
  return walkKernel() !== null;
}

/**
 * Adds the outputs of trees [from, to) to `out` (rows x nGroups, row-major), for all rows of
 * `columns`, or only rows `subset` (out still indexed by the original row).
 */
export function predictRaw(
  forest: Forest,
  columns: readonly Float64Array[],
  from: number,
  to: number,
  out: Float64Array,
  subset: Uint32Array | null = null,
  kernel: PredictKernel = 'auto',
): void {
  checkTreeRange(forest, from, to, 'predictRaw');
  // One row (an online request): a direct walk beats staging a block, in wasm or in JS.
  if (kernel === 'auto' && subset === null && columns.length > 0 && columns[0]!.length === 1) {
    predictRawFew(forest, columns, from, to, out);
    return;
  }
  const k = kernel === 'js' ? null : walkKernel();
  if (kernel === 'wasm' && !k) throw new Error('predictRaw: this runtime has no WebAssembly');
  if (k) predictRawWasm(k, forest, columns, from, to, out, subset);
  else predictRawJs(forest, columns, from, to, out, subset);
}
