// Turning ajv's errors into messages a person can act on: `file:line:col key: message
// (got X; expected Y)`, with "did you mean" for misspelt keys and values.

import type { ErrorObject } from 'ajv';
import { isMap, isPair, isScalar, isSeq, type Document, type LineCounter, type Node } from 'yaml';
import { suggest } from './suggest.js';

export interface ConfigIssue {
  file: string;
  line: number;
  col: number;
  /** Dotted key path, e.g. model.params.max_depth. */
  key: string;
  message: string;
  got?: string;
  expected?: string;
  suggestion?: string;
}

export function formatIssue(i: ConfigIssue): string {
  const where = i.line > 0 ? `${i.file}:${i.line}:${i.col}` : i.file;
  const facts = [i.got !== undefined ? `got ${i.got}` : '', i.expected !== undefined ? `expected ${i.expected}` : ''].filter(Boolean).join('; ');
  const hint = i.suggestion !== undefined ? ` did you mean "${i.suggestion}"?` : '';
  return `${where} ${i.key || '(top level)'}: ${i.message}${facts ? ` (${facts})` : ''}${hint}`;
}

export function describeValue(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return 'a list';
  return 'a map';
}

/** Path segments of an ajv instancePath ("/model/params/max_depth" -> ["model", "params", "max_depth"]). */
function segments(instancePath: string): (string | number)[] {
  if (!instancePath) return [];
  return instancePath
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

function dotted(path: (string | number)[]): string {
  return path.map((p) => (typeof p === 'number' ? `[${p}]` : p)).join('.').replace(/\.\[/g, '[');
}

function valueAt(root: unknown, path: (string | number)[]): unknown {
  let cur = root;
  for (const p of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string | number, unknown>)[p];
  }
  return cur;
}

export interface PositionSource {
  file: string;
  doc: Document;
  lines: LineCounter;
  /** Dotted paths set by --set, which have no position in the file. */
  overrides: Map<string, string>;
}

function locate(src: PositionSource, path: (string | number)[], keyOnly: boolean): { line: number; col: number } {
  let node: unknown = src.doc.contents;
  let range: [number, number, number] | undefined = (node as Node | null)?.range ?? undefined;
  for (const p of path) {
    if (isMap(node)) {
      const pair = node.items.find((it) => isPair(it) && isScalar(it.key) && it.key.value === p);
      if (!pair) break;
      const keyRange = isScalar(pair.key) ? pair.key.range : undefined;
      range = keyOnly || !pair.value ? (keyRange ?? range) : ((pair.value as Node).range ?? keyRange ?? range);
      node = pair.value;
    } else if (isSeq(node) && typeof p === 'number') {
      const item = node.items[p] as Node | undefined;
      if (!item) break;
      range = item.range ?? range;
      node = item;
    } else break;
  }
  if (!range) return { line: 0, col: 0 };
  const pos = src.lines.linePos(range[0]);
  return { line: pos.line, col: pos.col };
}

function overrideFor(src: PositionSource, key: string): string | undefined {
  for (const [path, text] of src.overrides) {
    if (key === path || key.startsWith(`${path}.`) || key.startsWith(`${path}[`)) return text;
  }
  return undefined;
}

function expectedOf(schema: unknown): string | undefined {
  if (!schema || typeof schema !== 'object') return undefined;
  const s = schema as { enum?: unknown[]; type?: unknown; description?: string };
  if (Array.isArray(s.enum)) return `one of ${s.enum.join(', ')}`;
  if (typeof s.type === 'string') return s.type;
  return undefined;
}

/** Converts ajv errors to issues, dropping the structural noise of if/then and anyOf branches. */
export function issuesFromAjv(errors: readonly ErrorObject[], raw: unknown, src: PositionSource): ConfigIssue[] {
  const anyOfPaths = new Set(errors.filter((e) => e.keyword === 'anyOf').map((e) => e.instancePath));
  // A value of the wrong type fails its anyOf too; the type error alone says what was expected.
  const typePaths = new Set(errors.filter((e) => e.keyword === 'type' && !e.schemaPath.includes('/anyOf/')).map((e) => e.instancePath));
  const out: ConfigIssue[] = [];
  const seen = new Set<string>();
  for (const e of errors) {
    if (e.keyword === 'if') continue;
    // Branch errors of an anyOf: the anyOf error itself says it better.
    if (e.keyword !== 'anyOf' && anyOfPaths.has(e.instancePath) && e.schemaPath.includes('/anyOf/')) continue;
    if (e.keyword === 'anyOf' && typePaths.has(e.instancePath)) continue;
    const path = segments(e.instancePath);
    let issue: Omit<ConfigIssue, 'file' | 'line' | 'col'>;
    let keyOnly = false;
    let issuePath = path;
    switch (e.keyword) {
      case 'additionalProperties': {
        const prop = String((e.params as { additionalProperty: string }).additionalProperty);
        issuePath = [...path, prop];
        keyOnly = true;
        const allowed = Object.keys(((e.parentSchema ?? {}) as { properties?: object }).properties ?? {});
        issue = { key: dotted(issuePath), message: 'unknown key', got: JSON.stringify(prop), expected: allowed.length ? `one of ${allowed.join(', ')}` : 'no keys here' };
        const s = suggest(prop, allowed);
        if (s !== undefined) issue.suggestion = s;
        break;
      }
      case 'propertyNames': {
        const prop = String((e.params as { propertyName: string }).propertyName);
        issuePath = [...path, prop];
        keyOnly = true;
        const pn = ((e.parentSchema ?? {}) as { propertyNames?: { enum?: string[]; anyOf?: { enum?: string[]; pattern?: string }[] } }).propertyNames;
        // Metric names: a list of names, or (with metrics of top-k lists) that list or a pattern.
        const names = pn?.enum ?? pn?.anyOf?.flatMap((a) => a.enum ?? []) ?? [];
        const patterns = pn?.anyOf?.flatMap((a) => (a.pattern ? [a.pattern] : [])) ?? [];
        if (patterns.length > 0) names.push(...patterns.map((p) => p.replace(/^\^\(([^)]*)\)@.*$/, (_m, stems: string) => stems.split('|').map((x) => `${x}@K`).join(', '))));
        issue = { key: dotted(issuePath), message: 'unknown name', got: JSON.stringify(prop), expected: `one of ${names.join(', ')}` };
        const s = suggest(prop, names);
        if (s !== undefined) issue.suggestion = s;
        break;
      }
      case 'required': {
        const prop = String((e.params as { missingProperty: string }).missingProperty);
        issue = { key: dotted([...path, prop]), message: 'missing required key' };
        break;
      }
      case 'enum': {
        // Enum errors for property names are reported by the propertyNames error above.
        if ((e as { propertyName?: string }).propertyName !== undefined) continue;
        const allowed = ((e.params as { allowedValues: unknown[] }).allowedValues ?? []).map(String);
        const got = valueAt(raw, path);
        issue = { key: dotted(path), message: 'value not allowed', got: describeValue(got), expected: `one of ${allowed.join(', ')}` };
        if (typeof got === 'string') {
          const s = suggest(got, allowed);
          if (s !== undefined) issue.suggestion = s;
        }
        break;
      }
      case 'type': {
        const got = valueAt(raw, path);
        issue = { key: dotted(path), message: 'wrong type', got: describeValue(got), expected: [(e.params as { type: string | string[] }).type].flat().join(' or ') };
        break;
      }
      case 'minimum':
      case 'maximum':
      case 'exclusiveMinimum':
      case 'exclusiveMaximum': {
        const p = e.params as { comparison: string; limit: number };
        issue = { key: dotted(path), message: 'out of range', got: describeValue(valueAt(raw, path)), expected: `${p.comparison} ${p.limit}` };
        break;
      }
      case 'minItems':
      case 'maxItems':
      case 'minProperties':
      case 'maxProperties': {
        const limit = (e.params as { limit: number }).limit;
        const isStep = path[0] === 'preprocess' && (e.keyword === 'minProperties' || e.keyword === 'maxProperties');
        issue = isStep
          ? { key: dotted(path), message: 'a step is a map with exactly one key, the step name', got: describeValue(valueAt(raw, path)), expected: 'e.g. `- impute: {strategy: median}`' }
          : { key: dotted(path), message: e.message ?? 'wrong size', expected: `${e.keyword.startsWith('min') ? 'at least' : 'at most'} ${limit}` };
        break;
      }
      case 'pattern': {
        const got = valueAt(raw, path);
        const description = ((e.parentSchema ?? {}) as { description?: string }).description;
        issue = { key: dotted(path), message: 'badly formed value', got: describeValue(got), expected: description ?? `to match ${(e.params as { pattern: string }).pattern}` };
        if (path[1] === 'gates' || path[0] === 'evaluate') issue.expected = 'a comparison like ">= 0.9" or "<= 3.5"';
        if (path.length === 1 && path[0] === 'name') issue.expected = 'letters, digits, "_", "." or "-", starting with a letter or digit';
        if (path[0] === 'model' && path[1] === 'version') issue.expected = 'a version like 1.2.0';
        break;
      }
      case 'anyOf': {
        const schema = e.parentSchema as { description?: string; anyOf?: unknown[] } | undefined;
        const branches = (schema?.anyOf ?? []).map((b) => expectedOf(b)).filter((x): x is string => x !== undefined);
        issue = { key: dotted(path), message: 'value not accepted', got: describeValue(valueAt(raw, path)), expected: schema?.description ?? branches.join(' or ') };
        break;
      }
      default:
        issue = { key: dotted(path), message: e.message ?? e.keyword };
    }
    const dedupe = `${issue.key}|${issue.message}`;
    if (seen.has(dedupe)) continue;
    seen.add(dedupe);
    const override = overrideFor(src, issue.key);
    if (override !== undefined) {
      out.push({ ...issue, file: `--set ${override}`, line: 0, col: 0 });
    } else {
      const pos = locate(src, issuePath, keyOnly);
      out.push({ ...issue, file: src.file, line: pos.line, col: pos.col });
    }
  }
  return out.sort((a, b) => a.line - b.line || a.col - b.col);
}
