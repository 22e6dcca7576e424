// The README's reference tables (model params, preprocessing steps), generated from the same
// specs that build the config schema, so the documentation cannot drift from the validator.

import { familySpecs } from '../models/families.js';
import { stepSpecs } from '../preprocess/catalog.js';
import type { JsonObject, JsonValue } from '../util/json.js';

function typeOf(s: JsonObject): string {
  if (Array.isArray(s['enum'])) return s['enum'].map((v) => `\`${String(v)}\``).join(' | ');
  if (Array.isArray(s['anyOf'])) return (s['anyOf'] as JsonObject[]).map(typeOf).join(' or ');
  const t = s['type'];
  const base = Array.isArray(t) ? t.join(' or ') : typeof t === 'string' ? t : 'any';
  const lo = s['minimum'] ?? s['exclusiveMinimum'];
  const hi = s['maximum'] ?? s['exclusiveMaximum'];
  if (lo !== undefined || hi !== undefined) {
    const l = lo === undefined ? '' : `${s['exclusiveMinimum'] !== undefined ? '(' : '['}${String(lo)}`;
    const h = hi === undefined ? '' : `${String(hi)}${s['exclusiveMaximum'] !== undefined ? ')' : ']'}`;
    return `${base} ${l || '(-∞'}, ${h || '∞)'}`;
  }
  return base;
}

const cell = (v: JsonValue | undefined): string => (v === undefined ? '' : `\`${JSON.stringify(v)}\``);
const esc = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function paramsTable(schema: JsonObject): string[] {
  const props = (schema['properties'] ?? {}) as Record<string, JsonObject>;
  const lines = ['| param | type | default | description |', '|---|---|---|---|'];
  for (const [name, p] of Object.entries(props)) {
    lines.push(`| \`${name}\` | ${esc(typeOf(p))} | ${esc(cell(p['default']))} | ${esc(String(p['description'] ?? ''))} |`);
  }
  return lines;
}

export function renderReferenceMarkdown(): string {
  const out: string[] = [];
  for (const spec of familySpecs()) {
    const aliases = spec.aliases?.length ? ` (alias ${spec.aliases.map((a) => `\`${a}\``).join(', ')})` : '';
    const description = spec.description.replace(/\.?$/, '.');
    out.push(`#### \`${spec.name}\`${aliases}`, '', `${description} Tasks: ${spec.tasks.join(', ')}.`, '', ...paramsTable(spec.paramsSchema), '');
  }
  out.push('#### Preprocessing steps', '');
  for (const step of stepSpecs()) {
    out.push(`**\`${step.name}\`**: ${step.description}.`, '', ...paramsTable(step.paramsSchema), '');
  }
  return out.join('\n').trimEnd();
}
