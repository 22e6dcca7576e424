// A series' time axis: its frequency, and integer period numbers for its timestamps so that one
// period is one step whatever the calendar does (months of 28 to 31 days). Fixed-width
// frequencies (hourly, daily, weekly) count periods from the epoch; calendar ones (monthly,
// quarterly, yearly) count months, quarters or years. The anchor is where inside its period
// every timestamp falls (weekly on Saturdays at 00:00, monthly on the 1st or at month end); a
// timestamp off the anchor does not fit the frequency.

export const FREQUENCIES = ['hourly', 'daily', 'weekly', 'monthly', 'quarterly', 'yearly'] as const;
export type Frequency = (typeof FREQUENCIES)[number];

export const CALENDAR_FEATURES = ['hour', 'dayofweek', 'dayofmonth', 'dayofyear', 'weekofyear', 'month', 'quarter'] as const;
export type CalendarFeature = (typeof CALENDAR_FEATURES)[number];

/** The seasonal period in steps (seasonal naive, ETS, MASE's scale). */
export const SEASON: Readonly<Record<Frequency, number>> = { hourly: 24, daily: 7, weekly: 52, monthly: 12, quarterly: 4, yearly: 1 };
export const DEFAULT_LAGS: Readonly<Record<Frequency, readonly number[]>> = {
  hourly: [1, 2, 3, 24, 48, 168],
  daily: [1, 7, 14, 28],
  weekly: [1, 2, 4, 52],
  monthly: [1, 2, 3, 12],
  quarterly: [1, 2, 4],
  yearly: [1, 2, 3],
};
export const DEFAULT_ROLLING: Readonly<Record<Frequency, readonly number[]>> = { hourly: [24, 168], daily: [7, 28], weekly: [4, 13], monthly: [3, 12], quarterly: [4], yearly: [3] };
export const DEFAULT_CALENDAR: Readonly<Record<Frequency, readonly CalendarFeature[]>> = {
  hourly: ['hour', 'dayofweek'],
  daily: ['dayofweek', 'dayofmonth', 'dayofyear', 'month'],
  weekly: ['weekofyear', 'month'],
  monthly: ['month'],
  quarterly: ['quarter'],
  yearly: [],
};

const HOUR = 3_600_000;
const DAY = 86_400_000;
const WEEK = 7 * DAY;
/** Epoch day 0 is a Thursday; weeks are counted from Mondays. */
const MONDAY_SHIFT = 3 * DAY;

/**
 * Where inside its period a timestamp falls. Fixed-width frequencies: `ms` after the period's
 * start. Calendar ones: `month` within the quarter or year, `day` of the month (0 = its last day),
 * `ms` into that day.
 */
export interface Anchor {
  month: number;
  day: number;
  ms: number;
}

const fixedWidth = (f: Frequency): number | undefined => (f === 'hourly' ? HOUR : f === 'daily' ? DAY : f === 'weekly' ? WEEK : undefined);
const shiftOf = (f: Frequency): number => (f === 'weekly' ? MONDAY_SHIFT : 0);
const daysInMonth = (y: number, m: number): number => new Date(Date.UTC(y, m + 1, 0)).getUTCDate();

/** The period number of a timestamp (epoch ms). */
export function periodOf(ms: number, f: Frequency): number {
  const w = fixedWidth(f);
  if (w !== undefined) return Math.floor((ms + shiftOf(f)) / w);
  const d = new Date(ms);
  const y = d.getUTCFullYear() - 1970;
  const m = d.getUTCMonth();
  return f === 'monthly' ? y * 12 + m : f === 'quarterly' ? y * 4 + Math.floor(m / 3) : y;
}

/** The anchor of one timestamp, with the day of month as it is (month-end detection is `fitAnchor`'s). */
function rawAnchor(ms: number, f: Frequency): Anchor {
  const w = fixedWidth(f);
  if (w !== undefined) return { month: 0, day: 0, ms: ms + shiftOf(f) - periodOf(ms, f) * w };
  const d = new Date(ms);
  const m = d.getUTCMonth();
  return { month: f === 'quarterly' ? m % 3 : f === 'yearly' ? m : 0, day: d.getUTCDate(), ms: ms - Date.UTC(d.getUTCFullYear(), m, d.getUTCDate()) };
}

/**
 * The one anchor every timestamp shares, or the first timestamp that does not fit it. Calendar
 * frequencies accept a fixed day of month, or every timestamp at its month's end.
 */
export function fitAnchor(times: Float64Array, f: Frequency): { anchor: Anchor } | { bad: number; expected: Anchor } {
  if (times.length === 0) return { anchor: { month: 0, day: 0, ms: 0 } };
  const first = rawAnchor(times[0]!, f);
  const atEnd = (ms: number): boolean => {
    const d = new Date(ms);
    return d.getUTCDate() === daysInMonth(d.getUTCFullYear(), d.getUTCMonth());
  };
  let sameDay = true;
  let allEnd = fixedWidth(f) === undefined;
  for (let i = 0; i < times.length; i++) {
    const a = rawAnchor(times[i]!, f);
    if (a.month !== first.month || a.ms !== first.ms) return { bad: times[i]!, expected: first };
    if (a.day !== first.day) sameDay = false;
    if (allEnd && !atEnd(times[i]!)) allEnd = false;
    if (!sameDay && !allEnd) return { bad: times[i]!, expected: first };
  }
  // A fixed day past a month's length falls on that month's last day (timeOf clamps it).
  return { anchor: sameDay ? first : { ...first, day: 0 } };
}

/** The timestamp of period `p` at `anchor`. */
export function timeOf(p: number, f: Frequency, anchor: Anchor): number {
  const w = fixedWidth(f);
  if (w !== undefined) return p * w - shiftOf(f) + anchor.ms;
  let y: number;
  let m: number;
  if (f === 'monthly') {
    y = 1970 + Math.floor(p / 12);
    m = p - Math.floor(p / 12) * 12;
  } else if (f === 'quarterly') {
    y = 1970 + Math.floor(p / 4);
    m = (p - Math.floor(p / 4) * 4) * 3 + anchor.month;
  } else {
    y = 1970 + p;
    m = anchor.month;
  }
  const last = daysInMonth(y, m);
  const day = anchor.day === 0 ? last : Math.min(anchor.day, last);
  return Date.UTC(y, m, day) + anchor.ms;
}

/** The frequency a smallest step between timestamps means, or undefined when it means none. */
export function frequencyOfStep(stepMs: number): Frequency | undefined {
  const days = stepMs / DAY;
  if (stepMs === HOUR) return 'hourly';
  if (stepMs === DAY) return 'daily';
  if (stepMs === WEEK) return 'weekly';
  if (days >= 28 && days <= 31) return 'monthly';
  if (days >= 89 && days <= 92) return 'quarterly';
  if (days >= 365 && days <= 366) return 'yearly';
  return undefined;
}

/** A calendar feature of a timestamp (pandas' conventions: dayofweek Monday = 0, month 1-12, ISO week). */
export function calendarValue(ms: number, feature: CalendarFeature): number {
  const d = new Date(ms);
  switch (feature) {
    case 'hour':
      return d.getUTCHours();
    case 'dayofweek':
      return (d.getUTCDay() + 6) % 7;
    case 'dayofmonth':
      return d.getUTCDate();
    case 'dayofyear':
      return Math.floor((Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()) - Date.UTC(d.getUTCFullYear(), 0, 1)) / DAY) + 1;
    case 'weekofyear': {
      // ISO 8601: the week with the year's first Thursday is week 1.
      const t = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
      const dow = (d.getUTCDay() + 6) % 7;
      const thursday = t + (3 - dow) * DAY;
      const y = new Date(thursday).getUTCFullYear();
      return Math.floor((thursday - Date.UTC(y, 0, 1)) / WEEK) + 1;
    }
    case 'month':
      return d.getUTCMonth() + 1;
    case 'quarter':
      return Math.floor(d.getUTCMonth() / 3) + 1;
  }
}

/** A timestamp as the messages and output files show it: a date, or a date and time. */
export function formatTime(ms: number): string {
  const iso = new Date(ms).toISOString();
  return iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : iso.replace('.000Z', 'Z');
}
