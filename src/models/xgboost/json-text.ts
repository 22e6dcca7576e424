// XGBoost's JSON reader types numbers by their spelling: `0` is an Integer and `0.0` a Number, and
// a float field (a split condition, a leaf value) given an Integer fails to load ("Invalid cast,
// from Integer to Number"). Float fields are therefore held as Float64Array here and always
// written with a fraction or an exponent; everything else is written as JSON.stringify would.

export type XgbValue = string | number | boolean | null | Float64Array | XgbValue[] | { [key: string]: XgbValue };

/** A float as XGBoost reads it back: the shortest round-trip digits, with ".0" on whole numbers. */
export function floatText(x: number): string {
  if (!Number.isFinite(x)) throw new RangeError(`xgboost json: ${x} cannot be written (JSON has no NaN or Infinity)`);
  const s = String(x);
  return /[.eE]/.test(s) ? s : `${s}.0`;
}

export function xgbStringify(v: XgbValue): string {
  if (v instanceof Float64Array) {
    let out = '[';
    for (let i = 0; i < v.length; i++) out += (i > 0 ? ',' : '') + floatText(v[i]!);
    return out + ']';
  }
  if (Array.isArray(v)) return `[${v.map(xgbStringify).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    return `{${Object.entries(v).map(([k, x]) => `${JSON.stringify(k)}:${xgbStringify(x)}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

/**
 * Parses an XGBoost JSON model. XGBoost writes NaN (a categorical node's split condition) and
 * may write Infinity, which JSON.parse rejects: outside strings those tokens are read as null.
 */
export function parseXgbJson(text: string): unknown {
  let out = '';
  let last = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34 /* " */) {
      for (i++; i < text.length && text.charCodeAt(i) !== 34; i++) if (text.charCodeAt(i) === 92 /* \\ */) i++;
      continue;
    }
    if (c !== 78 /* N */ && c !== 73 /* I */ && c !== 45 /* - */) continue;
    const m = /^-?(NaN|Infinity)/.exec(text.slice(i, i + 9));
    if (m) {
      out += text.slice(last, i) + 'null';
      i += m[0].length - 1;
      last = i + 1;
    }
  }
  return JSON.parse(out + text.slice(last));
}
