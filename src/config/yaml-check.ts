// Any YAML file checked against a JSON Schema with the config's machinery: parsed with positions,
// every schema problem collected at once and reported as `file:line:col key: message (got X;
// expected Y)` with "did you mean". soma.yaml has its own loader (load.ts, with --set and cross-field
// rules); other files (serve.yaml) use this one.

import { readFile } from 'node:fs/promises';
import * as AjvModule from 'ajv';
import { LineCounter, parseDocument, type Document } from 'yaml';
import { SomaError } from '../errors.js';
import type { JsonObject } from '../util/json.js';
import { formatIssue, issuesFromAjv, type ConfigIssue } from './issues.js';

const Ajv = AjvModule.Ajv;

/**
 * Aliases a document may expand before it is refused: a real config repeats an anchor a handful
 * of times; an alias bomb ("billion laughs": each anchor a list of aliases to the previous one)
 * needs thousands to grow past memory. The yaml package counts them while converting.
 */
export const MAX_YAML_ALIASES = 1000;

/** The document as plain values; CONFIG_PARSE (exit 2) naming the file when its aliases expand too far. */
export function yamlToJs(doc: Document, file: string): unknown {
  try {
    return doc.toJS({ maxAliasCount: MAX_YAML_ALIASES });
  } catch (e) {
    if (e instanceof ReferenceError || /alias/i.test((e as Error).message)) {
      throw new SomaError('CONFIG_PARSE', `${file}: the YAML does not parse: its aliases (*name) expand past ${MAX_YAML_ALIASES} nodes (${(e as Error).message}); an alias bomb is refused rather than expanded`, {
        hint: 'repeat the values instead of nesting aliases of aliases',
        details: { file, maxAliasCount: MAX_YAML_ALIASES },
      });
    }
    throw e;
  }
}

/** Parses `text` and checks it against `schema`; CONFIG_PARSE when the YAML does not parse, CONFIG_INVALID listing every problem. */
export function checkYamlText(text: string, file: string, schema: JsonObject, what: string): JsonObject {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const issues = doc.errors.map((err): ConfigIssue => {
      const pos = lines.linePos(err.pos[0]);
      return { file, line: pos.line, col: pos.col, key: '', message: `YAML syntax: ${err.message.split('\n')[0]}` };
    });
    throw new SomaError('CONFIG_PARSE', `${file}: the YAML does not parse\n${issues.map(formatIssue).join('\n')}`, { details: { issues } });
  }
  const raw = (yamlToJs(doc, file) ?? {}) as unknown;
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    const issue: ConfigIssue = { file, line: 1, col: 1, key: '', message: `the ${what} must be a map of keys`, got: Array.isArray(raw) ? 'a list' : typeof raw, expected: 'a map' };
    throw new SomaError('CONFIG_INVALID', `${file}: 1 problem in the ${what}\n${formatIssue(issue)}`, { details: { issues: [issue] } });
  }
  const validate = new Ajv({ allErrors: true, strict: false, verbose: true }).compile(schema);
  if (!validate(raw)) {
    const issues = issuesFromAjv(validate.errors ?? [], raw, { file, doc, lines, overrides: new Map() });
    throw new SomaError('CONFIG_INVALID', `${file}: ${issues.length} problem${issues.length > 1 ? 's' : ''} in the ${what}\n${issues.map(formatIssue).join('\n')}`, {
      details: { issues },
    });
  }
  return raw as JsonObject;
}

/** Reads a YAML file and checks it (see checkYamlText); CONFIG_NOT_FOUND when it cannot be read. */
export async function loadYamlFile(file: string, schema: JsonObject, what: string): Promise<JsonObject> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new SomaError('CONFIG_NOT_FOUND', `${file}: cannot read the ${what} (${code === 'ENOENT' ? 'no such file' : code ?? String(e)})`);
  }
  return checkYamlText(text, file, schema, what);
}
