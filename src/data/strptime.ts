// Dates in a strptime format (`%b %d %Y` for `Jun 12 1998`) parsed the way DuckDB's strptime
// parses them, for the paths that do not go through DuckDB (records in memory, an HTTP body): a
// model trained on such a column reads its records as its files. test/data/strptime.test.ts
// checks every format soma infers (datetime-formats.ts) against DuckDB itself.
//
// Codes: %Y (1-4 digit year), %y (2 digits: 69-99 are 19xx, 00-68 20xx), %m and %d (1 or 2
// digits), %b / %B (month name, abbreviated or full, any case), %a / %A (weekday name, read and
// not checked against the date, as DuckDB), %H, %M, %S (1 or 2 digits), %f (fraction of a
// second, up to 6 digits), %p (AM/PM with %I), %I (12-hour clock), %%. A space matches any run
// of whitespace, and whitespace around the value is ignored. The result is epoch milliseconds
// (UTC). A format using another code is not understood here: `undefined`, like a bad value.

const MONTHS = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];
const DAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];

/** Epoch milliseconds (UTC) of `s` read with `format`, or undefined when it does not match. */
export function parseWithFormat(s: string, format: string): number | undefined {
  const text = s.trim();
  let i = 0;
  let year: number | undefined;
  let month = 1;
  let day = 1;
  let hour = 0;
  let minute = 0;
  let second = 0;
  let micros = 0;
  let hour12: number | undefined;
  let pm: boolean | undefined;
  const digits = (min: number, max: number): number | undefined => {
    let j = i;
    while (j < text.length && j - i < max && text.charCodeAt(j) >= 48 && text.charCodeAt(j) <= 57) j++;
    if (j - i < min) return undefined;
    const v = Number(text.slice(i, j));
    i = j;
    return v;
  };
  const name = (names: readonly string[]): number | undefined => {
    const rest = text.slice(i).toLowerCase();
    // Full names first, so "Tuesday" is not read as "Tue" followed by a stray "sday".
    for (const [k, n] of names.entries()) if (rest.startsWith(n)) return (i += n.length), k;
    for (const [k, n] of names.entries()) if (rest.startsWith(n.slice(0, 3))) return (i += 3), k;
    return undefined;
  };
  for (let f = 0; f < format.length; f++) {
    const c = format[f]!;
    if (c === ' ') {
      while (i < text.length && /\s/.test(text[i]!)) i++;
      continue;
    }
    if (c !== '%') {
      if (text[i] !== c) return undefined;
      i++;
      continue;
    }
    const code = format[++f];
    let v: number | undefined;
    switch (code) {
      case 'Y':
        if ((v = digits(1, 4)) === undefined) return undefined;
        year = v;
        break;
      case 'y':
        if ((v = digits(2, 2)) === undefined) return undefined;
        year = v >= 69 ? 1900 + v : 2000 + v;
        break;
      case 'm':
        if ((v = digits(1, 2)) === undefined) return undefined;
        month = v;
        break;
      case 'd':
        if ((v = digits(1, 2)) === undefined) return undefined;
        day = v;
        break;
      case 'b':
      case 'B':
      case 'h':
        // DuckDB reads %b as an abbreviation and %B as a full name; both are taken here as the
        // name they start with, then checked to be the one the code asks for.
        if ((v = monthName(text, i, code === 'B')) === undefined) return undefined;
        i += v >>> 4;
        month = (v & 15) + 1;
        break;
      case 'a':
      case 'A':
        if (name(DAYS) === undefined) return undefined;
        break;
      case 'H':
        if ((v = digits(1, 2)) === undefined) return undefined;
        hour = v;
        break;
      case 'I':
        if ((v = digits(1, 2)) === undefined) return undefined;
        hour12 = v;
        break;
      case 'p': {
        const ap = text.slice(i, i + 2).toUpperCase();
        if (ap !== 'AM' && ap !== 'PM') return undefined;
        pm = ap === 'PM';
        i += 2;
        break;
      }
      case 'M':
        if ((v = digits(1, 2)) === undefined) return undefined;
        minute = v;
        break;
      case 'S':
        if ((v = digits(1, 2)) === undefined) return undefined;
        second = v;
        break;
      case 'f': {
        const start = i;
        if (digits(1, 6) === undefined) return undefined;
        micros = Number(text.slice(start, i).padEnd(6, '0'));
        break;
      }
      case '%':
        if (text[i] !== '%') return undefined;
        i++;
        break;
      default:
        return undefined;
    }
  }
  if (i !== text.length || year === undefined) return undefined;
  if (hour12 !== undefined) {
    if (hour12 < 1 || hour12 > 12) return undefined;
    hour = (hour12 % 12) + (pm ? 12 : 0);
  }
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  // setUTCFullYear, unlike Date.UTC, keeps years 0-99 as they are.
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day);
  d.setUTCHours(hour, minute, second, Math.floor(micros / 1000));
  return d.getTime();
}

/** (characters matched << 4) | month index, for a month name at `at`; full names only with `full`. */
function monthName(text: string, at: number, full: boolean): number | undefined {
  const rest = text.slice(at).toLowerCase();
  for (const [k, n] of MONTHS.entries()) {
    if (full ? rest.startsWith(n) : rest.startsWith(n.slice(0, 3))) return ((full ? n.length : 3) << 4) | k;
  }
  return undefined;
}

function isLeap(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

function daysInMonth(y: number, m: number): number {
  return m === 2 ? (isLeap(y) ? 29 : 28) : [4, 6, 9, 11].includes(m) ? 30 : 31;
}
