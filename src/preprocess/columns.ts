// Column selectors for preprocessing steps: explicit names, or a type selector (`numeric`,
// `categorical`, `text`, `datetime`, `all`), or `{except: [...]}`. Selectors are resolved once at
// fit time and the concrete names are saved, so transform never re-interprets them.

import { SomaError } from '../errors.js';
import type { ColumnType, Frame } from '../data/frame.js';
import type { JsonObject, JsonValue } from '../util/json.js';

const TYPE_SELECTORS = ['numeric', 'categorical', 'text', 'datetime', 'all'] as const;
export type ColumnSelector = (typeof TYPE_SELECTORS)[number] | string[] | { except: string[] };

export const columnSelectorSchema: JsonObject = {
  description: 'Columns the step applies to: a list of names, a type selector, or {except: [names]}',
  anyOf: [
    { type: 'string', enum: [...TYPE_SELECTORS] },
    { type: 'array', items: { type: 'string' }, minItems: 1 },
    { type: 'object', properties: { except: { type: 'array', items: { type: 'string' } } }, required: ['except'], additionalProperties: false },
  ],
};

export function parseSelector(v: JsonValue | undefined, fallback: ColumnSelector): ColumnSelector {
  if (v === undefined || v === null) return fallback;
  if (typeof v === 'string') return v as ColumnSelector;
  if (Array.isArray(v)) return v.map(String);
  if (typeof v === 'object' && Array.isArray(v['except'])) return { except: v['except'].map(String) };
  return fallback;
}

/**
 * Concrete column names for a selector on this frame, restricted to `allowed` types.
 * Named columns that are absent or of a type the step cannot handle are errors.
 */
export function resolveColumns(frame: Frame, selector: ColumnSelector, allowed: readonly ColumnType[], step: string): string[] {
  if (typeof selector === 'string') {
    return frame.columns.filter((c) => (selector === 'all' || c.type === selector) && allowed.includes(c.type)).map((c) => c.name);
  }
  if (!Array.isArray(selector)) {
    const except = new Set(selector.except);
    return frame.columns.filter((c) => !except.has(c.name) && allowed.includes(c.type)).map((c) => c.name);
  }
  const missing = selector.filter((n) => !frame.has(n));
  if (missing.length > 0) {
    throw new SomaError('DATA_MISSING_COLUMN', `preprocess ${step}: column${missing.length > 1 ? 's' : ''} ${missing.map((m) => JSON.stringify(m)).join(', ')} not in the data (columns: ${frame.names.join(', ')})`);
  }
  for (const n of selector) {
    const t = frame.column(n)!.type;
    if (!allowed.includes(t)) {
      throw new SomaError('CONFIG_INVALID', `preprocess ${step}: column "${n}" is ${t} (got ${t}; expected ${allowed.join(' or ')})`);
    }
  }
  return selector;
}
