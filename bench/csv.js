// The benchmarks' CSV reader, written for the generated data sets (../shared/bench/make_data.py):
// a header, then numbers (empty = NaN; decimal or exponent notation) or bare strings, which are
// dictionary-encoded in order of first appearance. Parses bytes directly, so reading stays out of
// the way of the timings; it is not soma's reader (that is DuckDB, in src/data/).

import { readFileSync } from 'node:fs';

/** Returns { names, rows, cols: Float64Array per column, dicts: Map of string -> code per column (null if numeric) }. */
export function readCsv(path) {
  const buf = readFileSync(path);
  const n = buf.length;
  let pos = buf.indexOf(10);
  const names = buf.subarray(0, pos).toString('utf8').trim().split(',');
  pos++;
  const p = names.length;
  let cap = 1 << 18;
  let cols = names.map(() => new Float64Array(cap));
  const dicts = names.map(() => null);
  let rows = 0;
  while (pos < n) {
    if (rows === cap) {
      cap *= 2;
      cols = cols.map((c) => {
        const d = new Float64Array(cap);
        d.set(c);
        return d;
      });
    }
    for (let j = 0; j < p; j++) {
      const start = pos;
      let c = buf[pos];
      let neg = false;
      if (c === 45) {
        neg = true;
        c = buf[++pos];
      }
      let mant = 0;
      let scale = 1;
      let inFraction = false;
      let exp = 0;
      let isNum = true;
      let digits = 0;
      while (pos < n && c !== 44 && c !== 10 && c !== 13) {
        if (c >= 48 && c <= 57) {
          mant = mant * 10 + (c - 48);
          digits++;
          if (inFraction) scale *= 10;
        } else if (c === 46 && !inFraction) inFraction = true;
        else if ((c === 101 || c === 69) && digits > 0) {
          let eneg = false;
          c = buf[++pos];
          if (c === 45 || c === 43) {
            eneg = c === 45;
            c = buf[++pos];
          }
          while (pos < n && c >= 48 && c <= 57) {
            exp = exp * 10 + (c - 48);
            c = buf[++pos];
          }
          if (eneg) exp = -exp;
          continue;
        } else isNum = false;
        c = buf[++pos];
      }
      let v;
      if (!isNum) {
        const s = buf.subarray(start, pos).toString('utf8');
        const d = (dicts[j] ??= new Map());
        if (!d.has(s)) d.set(s, d.size);
        v = d.get(s);
      } else if (digits === 0) v = NaN;
      else {
        v = mant / scale;
        if (exp) v *= 10 ** exp;
        if (neg) v = -v;
      }
      cols[j][rows] = v;
      if (c === 13) pos++;
      pos++;
    }
    rows++;
  }
  return { names, rows, cols: cols.map((c) => c.subarray(0, rows)), dicts };
}

/** Features and target of a data set: a FeatureMatrix-shaped X (catNames categorical), y, and the class count. */
export function frame(data, targetName, catNames = []) {
  const t = data.names.indexOf(targetName);
  const names = data.names.filter((_, j) => j !== t);
  const columns = data.cols.filter((_, j) => j !== t);
  const kinds = names.map((n) => (catNames.includes(n) ? 'categorical' : 'numeric'));
  const cardinality = names.map((n) => (catNames.includes(n) ? data.dicts[data.names.indexOf(n)].size : 0));
  return { X: { rows: data.rows, names, kinds, cardinality, columns }, y: data.cols[t], nClasses: data.dicts[t]?.size ?? 0 };
}

/** Rows from..to of X, as views. */
export function rowsOf(X, from, to) {
  return { ...X, rows: to - from, columns: X.columns.map((c) => c.subarray(from, to)) };
}
