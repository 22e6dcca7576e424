// Frame helpers the search needs: stacking the training and validation frames into the one
// "development" frame that cross-validation folds and the final refit use.

import { Frame, numericValues, type Column } from '../data/frame.js';

/** Rows of `a` then rows of `b` (same column names); categorical dictionaries are merged. */
export function stackFrames(a: Frame, b: Frame): Frame {
  if (b.rows === 0) return a;
  if (a.rows === 0) return b;
  return new Frame(
    a.columns.map((ca): Column => {
      const cb = b.column(ca.name);
      if (!cb || cb.type !== ca.type) throw new Error(`stackFrames: column ${ca.name} is ${ca.type} in one frame and ${cb?.type ?? 'missing'} in the other`);
      switch (ca.type) {
        case 'numeric':
        case 'datetime': {
          // Search frames are raw input (text steps run inside each trial), but a sparse column
          // would stack correctly too: densified here.
          const v = new Float64Array(a.rows + b.rows);
          v.set(numericValues(ca));
          v.set(numericValues(cb as typeof ca), a.rows);
          // A datetime keeps its format: the contract written from a stacked frame records it.
          return { type: ca.type, name: ca.name, values: v, ...(ca.type === 'datetime' && ca.format !== undefined ? { format: ca.format } : {}) } as Column;
        }
        case 'text':
          return { type: 'text', name: ca.name, values: [...ca.values, ...(cb as typeof ca).values] };
        case 'categorical': {
          const other = cb as typeof ca;
          const dictionary = [...ca.dictionary];
          const index = new Map(dictionary.map((d, i) => [d, i]));
          const remap = other.dictionary.map((d) => {
            let i = index.get(d);
            if (i === undefined) {
              i = dictionary.length;
              dictionary.push(d);
              index.set(d, i);
            }
            return i;
          });
          const codes = new Int32Array(a.rows + b.rows);
          codes.set(ca.codes);
          for (let i = 0; i < b.rows; i++) {
            const c = other.codes[i]!;
            codes[a.rows + i] = c < 0 ? -1 : remap[c]!;
          }
          return { type: 'categorical', name: ca.name, codes, dictionary };
        }
      }
    }),
  );
}
