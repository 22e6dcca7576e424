// Frames stacked row-wise: the rows of several frames with the same columns, in order, as one
// frame (the server predicts the rows of several requests in one call this way).
//
// Guarantees: the result's row r is exactly the row it came from (numbers keep their bits,
// missing stays missing, a categorical cell keeps its string); a categorical column's dictionary
// is the first frame's, then every string the later frames add, in order of appearance, so
// frames whose dictionaries start with the same categories (a contract's) keep those codes.
// Sparse numeric columns are densified (they never come from a reader). Frames must have the
// same column names and types in the same order; anything else is a bug in the caller.

import { Frame, numericValues, type CategoricalColumn, type Column } from './frame.js';

/** The rows of `frames`, in order, as one frame. One frame is returned as it is. */
export function concatFrames(frames: readonly Frame[]): Frame {
  if (frames.length === 0) throw new Error('concatFrames: no frames');
  if (frames.length === 1) return frames[0]!;
  const first = frames[0]!;
  const nC = first.columns.length;
  let rows = 0;
  for (const f of frames) {
    rows += f.rows;
    if (f === first) continue;
    let same = f.columns.length === nC;
    for (let j = 0; same && j < nC; j++) same = f.columns[j]!.name === first.columns[j]!.name && f.columns[j]!.type === first.columns[j]!.type;
    if (!same) throw new Error(`concatFrames: frames differ in columns (${f.names.join(', ')} vs ${first.names.join(', ')})`);
  }
  const parts = new Array<Column>(frames.length);
  const out = new Array<Column>(nC);
  for (let j = 0; j < nC; j++) {
    for (let k = 0; k < frames.length; k++) parts[k] = frames[k]!.columns[j]!;
    out[j] = concatColumn(first.columns[j]!, parts, rows);
  }
  return new Frame(out);
}

function concatColumn(head: Column, parts: readonly Column[], rows: number): Column {
  switch (head.type) {
    case 'numeric':
    case 'datetime': {
      const values = new Float64Array(rows);
      let at = 0;
      for (const p of parts) {
        const v = numericValues(p as Extract<Column, { type: 'numeric' | 'datetime' }>);
        // Online requests stack many short parts; a loop beats set() below a few dozen values.
        if (v.length < 32) for (let i = 0; i < v.length; i++) values[at + i] = v[i]!;
        else values.set(v, at);
        at += v.length;
      }
      return head.type === 'numeric' ? { type: 'numeric', name: head.name, values } : { type: 'datetime', name: head.name, values };
    }
    case 'categorical':
      return concatCategorical(head, parts as readonly CategoricalColumn[], rows);
    case 'text': {
      const values: (string | null)[] = [];
      for (const p of parts) for (const v of (p as Extract<Column, { type: 'text' }>).values) values.push(v);
      return { type: 'text', name: head.name, values };
    }
  }
}

function concatCategorical(head: CategoricalColumn, parts: readonly CategoricalColumn[], rows: number): CategoricalColumn {
  const dictionary = [...head.dictionary];
  const index = new Map<string, number>();
  dictionary.forEach((s, k) => index.set(s, k));
  const codes = new Int32Array(rows);
  let at = 0;
  for (const p of parts) {
    // Codes into p's dictionary -> codes into the merged one; the shared prefix maps to itself.
    const remap = new Int32Array(p.dictionary.length);
    for (let k = 0; k < p.dictionary.length; k++) {
      const s = p.dictionary[k]!;
      let m = index.get(s);
      if (m === undefined) {
        m = dictionary.length;
        dictionary.push(s);
        index.set(s, m);
      }
      remap[k] = m;
    }
    for (let i = 0; i < p.codes.length; i++) {
      const code = p.codes[i]!;
      codes[at + i] = code < 0 ? -1 : remap[code]!;
    }
    at += p.codes.length;
  }
  return { type: 'categorical', name: head.name, codes, dictionary };
}
