// `datetime`: calendar parts of datetime columns (UTC) as numeric columns right after the source:
// year, month (1-12), quarter (1-4), day (of month), dayofweek (Monday 0 .. Sunday 6), dayofyear
// (1-366), hour, minute, weekend (0/1). With `cyclical: true`, periodic parts also get
// `_sin`/`_cos` columns so December sits next to January. The source column stays (the encoder
// turns it into fractional years, a trend feature; time-series steps order by it) unless
// `keep: false`.

import type { Column, Frame } from '../data/frame.js';
import type { JsonObject } from '../util/json.js';
import { columnSelectorSchema, parseSelector, resolveColumns, type ColumnSelector } from './columns.js';
import { insertAfter, numeric, replaceColumns, valuesOf } from './frames.js';
import { boolParam, enumListParam, stateOf } from './params.js';
import type { StepJSON, StepSpec, Transformer } from './transformer.js';

const DATETIME_PARTS = ['year', 'month', 'quarter', 'day', 'dayofweek', 'dayofyear', 'hour', 'minute', 'weekend'] as const;
type Part = (typeof DATETIME_PARTS)[number];

/** Period of each cyclical part (day of month uses 31 so the 1st follows the 31st). */
const PERIOD: Partial<Record<Part, { period: number; offset: number }>> = {
  month: { period: 12, offset: 1 },
  quarter: { period: 4, offset: 1 },
  day: { period: 31, offset: 1 },
  dayofweek: { period: 7, offset: 0 },
  dayofyear: { period: 366, offset: 1 },
  hour: { period: 24, offset: 0 },
  minute: { period: 60, offset: 0 },
};

const MS_PER_DAY = 86_400_000;

export class DatetimeParts implements Transformer {
  readonly step = 'datetime';
  private readonly selector: ColumnSelector;
  private readonly parts: Part[];
  private readonly cyclical: boolean;
  private readonly keep: boolean;
  private columns: string[] = [];

  constructor(readonly params: JsonObject) {
    this.selector = parseSelector(params['columns'], 'datetime');
    this.parts = enumListParam(params, datetimeSpec, 'parts');
    this.cyclical = boolParam(params, datetimeSpec, 'cyclical');
    this.keep = boolParam(params, datetimeSpec, 'keep');
  }

  fit(frame: Frame): void {
    this.columns = resolveColumns(frame, this.selector, ['datetime'], 'datetime');
  }

  transform(frame: Frame): Frame {
    const derived = new Map<string, Column[]>();
    for (const name of this.columns) {
      const v = valuesOf(frame, name, 'datetime');
      if (!v) continue;
      derived.set(name, this.partsOf(name, v));
    }
    if (this.keep) return insertAfter(frame, derived);
    return replaceColumns(frame, derived);
  }

  private partsOf(name: string, ms: Float64Array): Column[] {
    const n = ms.length;
    const out: Column[] = [];
    const raw = new Map<Part, Float64Array>();
    for (const p of this.parts) raw.set(p, new Float64Array(n));
    const d = new Date(0);
    for (let i = 0; i < n; i++) {
      const t = ms[i]!;
      if (Number.isNaN(t)) {
        for (const a of raw.values()) a[i] = NaN;
        continue;
      }
      d.setTime(t);
      const year = d.getUTCFullYear();
      const month = d.getUTCMonth() + 1;
      // getUTCDay: Sunday 0; pandas' dayofweek: Monday 0.
      const dow = (d.getUTCDay() + 6) % 7;
      for (const p of this.parts) {
        const a = raw.get(p)!;
        switch (p) {
          case 'year':
            a[i] = year;
            break;
          case 'month':
            a[i] = month;
            break;
          case 'quarter':
            a[i] = Math.floor((month - 1) / 3) + 1;
            break;
          case 'day':
            a[i] = d.getUTCDate();
            break;
          case 'dayofweek':
            a[i] = dow;
            break;
          case 'dayofyear':
            a[i] = Math.floor((t - Date.UTC(year, 0, 1)) / MS_PER_DAY) + 1;
            break;
          case 'hour':
            a[i] = d.getUTCHours();
            break;
          case 'minute':
            a[i] = d.getUTCMinutes();
            break;
          case 'weekend':
            a[i] = dow >= 5 ? 1 : 0;
            break;
        }
      }
    }
    for (const p of this.parts) {
      const a = raw.get(p)!;
      out.push(numeric(`${name}_${p}`, a));
      const cyc = this.cyclical ? PERIOD[p] : undefined;
      if (!cyc) continue;
      const sin = new Float64Array(n);
      const cos = new Float64Array(n);
      const w = (2 * Math.PI) / cyc.period;
      for (let i = 0; i < n; i++) {
        const angle = (a[i]! - cyc.offset) * w;
        sin[i] = Math.sin(angle);
        cos[i] = Math.cos(angle);
      }
      out.push(numeric(`${name}_${p}_sin`, sin), numeric(`${name}_${p}_cos`, cos));
    }
    return out;
  }

  toJSON(): StepJSON {
    return { step: this.step, params: this.params, state: { columns: this.columns } };
  }

  static fromJSON(json: StepJSON): DatetimeParts {
    const t = new DatetimeParts(json.params);
    t.columns = stateOf<string[]>(json, 'columns');
    return t;
  }
}

export const datetimeSpec: StepSpec = {
  name: 'datetime',
  description: 'Calendar parts of datetime columns (UTC) as numeric columns `<column>_<part>`, optionally with cyclical sin/cos',
  paramsSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      columns: columnSelectorSchema,
      parts: {
        type: 'array',
        items: { type: 'string', enum: [...DATETIME_PARTS] },
        minItems: 1,
        default: ['year', 'month', 'day', 'dayofweek', 'hour'],
        description: 'Parts to extract; dayofweek is Monday 0 .. Sunday 6, weekend is 0/1',
      },
      cyclical: { type: 'boolean', default: false, description: 'Also add `_sin`/`_cos` columns for periodic parts (month, quarter, day, dayofweek, dayofyear, hour, minute)' },
      keep: { type: 'boolean', default: true, description: 'Keep the datetime column itself (as fractional years, and for time-series steps)' },
    },
  },
  create: (params) => new DatetimeParts(params),
  fromJSON: (json) => DatetimeParts.fromJSON(json),
};
