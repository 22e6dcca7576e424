// Strings to numbers and instants the way the file readers' DuckDB casts read them, for the paths
// that do not go through DuckDB (records in memory, an HTTP body). A string that DuckDB's
// `CAST(x AS DOUBLE)` accepts gives the same double here, and one it rejects is rejected here;
// test/data/parse-values.test.ts checks both against DuckDB itself.
//
// Numbers: optional surrounding whitespace (space, tab, CR, LF, VT, FF), an optional `+` then an
// optional `-` (DuckDB reads `+-1` as -1 and rejects `-+1`), digits with an optional fraction and
// exponent (`1`, `-2.5`, `.5`, `5.`, `1e3`, `+1.5E-7`), single underscores between digits
// (`1_000`), and `inf`, `infinity`, `nan` in any case. Not accepted: `1,5`, `0x10`, `1 000`, an
// empty or blank string. `nan` reads as NaN, which a Frame treats as missing, as it does for the
// file readers.
//
// Instants: `YYYY-MM-DD` (or `YYYY/MM/DD`; one- or two-digit month and day), optionally followed by
// `T` or spaces and `HH:MM[:SS[.fraction]]`; after the seconds, an optional offset `Z`, `±HH`,
// `±HH:MM`, `±HHMM` or ` UTC`. A time without an offset is UTC (as the readers' session time zone
// is). The result is epoch milliseconds, the sub-millisecond part truncated toward zero as
// DuckDB's `epoch_ms` does. Named time zones (`Europe/Paris`), DuckDB's specials (`epoch`,
// `infinity`) and years outside 0000-9999 are not accepted here; send an offset instead.

/** DuckDB's whitespace: what its casts skip around a value. */
const SPACE = /^[ \t\n\r\v\f]+|[ \t\n\r\v\f]+$/g;

const DIGITS = String.raw`\d+(?:_\d+)*`;
// DuckDB skips one leading `+` before its parser, which takes a `-`: so `+-1` is -1 (and `-+1` is not).
const NUMBER = new RegExp(String.raw`^\+?-?(?:${DIGITS}(?:\.(?:${DIGITS})?)?|\.${DIGITS})(?:[eE][+-]?${DIGITS})?$`);
const SPECIAL = /^\+?(-?)(inf|infinity|nan)$/i;

/** The double `s` spells, or `undefined` when it is not a number. */
export function parseNumber(s: string): number | undefined {
  const t = s.replace(SPACE, '');
  if (NUMBER.test(t)) {
    const u = t.charCodeAt(0) === 43 /* + */ ? t.slice(1) : t;
    return Number(u.includes('_') ? u.replaceAll('_', '') : u);
  }
  const m = SPECIAL.exec(t);
  if (!m) return undefined;
  if (m[2]!.toLowerCase() === 'nan') return NaN;
  return m[1] === '-' ? -Infinity : Infinity;
}

const INSTANT = new RegExp(
  [
    String.raw`^(\d{4})([-/])(\d{1,2})\2(\d{1,2})`, // date
    String.raw`(?:(?:T| +)(\d{1,2}):(\d{1,2})`, // hours and minutes
    String.raw`(?::(\d{1,2})(?:\.(\d*))?`, // seconds and fraction
    String.raw`(?:(Z| [Uu][Tt][Cc])|([+-])(\d{2})(?::?(\d{2}))?)?)?)?$`, // offset, after the seconds only
  ].join(''),
);

const MS_PER_DAY = 86_400_000;

/** Epoch milliseconds (UTC) of the instant `s` spells, or `undefined` when it is not one. */
export function parseInstant(s: string): number | undefined {
  const m = INSTANT.exec(s.replace(SPACE, ''));
  if (!m) return undefined;
  const year = Number(m[1]);
  const month = Number(m[3]);
  const day = Number(m[4]);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  const hour = m[5] === undefined ? 0 : Number(m[5]);
  const minute = m[6] === undefined ? 0 : Number(m[6]);
  const second = m[7] === undefined ? 0 : Number(m[7]);
  // 24:00:00 is the next midnight; nothing later in that hour is.
  if (hour > 24 || minute > 59 || second > 59 || (hour === 24 && (minute > 0 || second > 0))) return undefined;
  const micros = m[8] ? Number(m[8].slice(0, 6).padEnd(6, '0')) : 0;
  let offsetMinutes = 0;
  if (m[10] !== undefined) offsetMinutes = (m[10] === '-' ? -1 : 1) * (Number(m[11]) * 60 + Number(m[12] ?? 0));
  const wholeMs = daysFromCivil(year, month, day) * MS_PER_DAY + ((hour * 60 + minute - offsetMinutes) * 60 + second) * 1000 + Math.floor(micros / 1000);
  // epoch_ms truncates toward zero: a negative instant with a sub-millisecond part rounds up.
  return wholeMs < 0 && micros % 1000 !== 0 ? wholeMs + 1 : wholeMs;
}

function isLeap(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

function daysInMonth(y: number, m: number): number {
  return m === 2 ? (isLeap(y) ? 29 : 28) : [4, 6, 9, 11].includes(m) ? 30 : 31;
}

/** Days since 1970-01-01 of a proleptic Gregorian date (Date.UTC maps years 0-99 to 1900-1999). */
function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}
