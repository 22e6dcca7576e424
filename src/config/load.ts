// Loading a config: YAML parsed with positions, `--set` overrides applied, every schema error
// collected at once (ajv allErrors) and reported with file:line:col, then defaults resolved.

import { readFile } from 'node:fs/promises';
import path from 'node:path';
import * as AjvModule from 'ajv';
import type { ValidateFunction } from 'ajv';
import { LineCounter, parse as parseYamlValue, parseDocument, stringify } from 'yaml';
import { SomaError } from '../errors.js';
import { buildConfigSchema } from './schema.js';
import { formatIssue, issuesFromAjv, type ConfigIssue, type PositionSource } from './issues.js';
import { resolveConfig } from './resolve.js';
import { yamlToJs } from './yaml-check.js';
import { tokenPatternProblem } from '../preprocess/token-pattern.js';
import type { LoadedConfig } from './types.js';
import type { JsonObject } from '../util/json.js';

// ajv ships CommonJS with a default export; under NodeNext the class sits on `.default`.
const Ajv = AjvModule.Ajv;

// Compiled once per schema: registering a model family or a task after a config was checked
// (a plugin, a test) changes the schema, and with it the validator.
let validator: { schema: string; validate: ValidateFunction } | undefined;
function getValidator(): ValidateFunction {
  const schema = buildConfigSchema();
  const key = JSON.stringify(schema);
  if (validator?.schema !== key) validator = { schema: key, validate: new Ajv({ allErrors: true, strict: false, verbose: true }).compile(schema) };
  return validator.validate;
}

export interface LoadOptions {
  /** `key.path=value` overrides; values are parsed as YAML scalars or flow collections. */
  sets?: readonly string[];
}

/** Reads, validates and resolves a config file; throws SomaError (exit 2) listing every problem. */
export async function loadConfig(file: string, options: LoadOptions = {}): Promise<LoadedConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new SomaError('CONFIG_NOT_FOUND', `${file}: cannot read config (${code === 'ENOENT' ? 'no such file' : code ?? String(e)})`, {
      hint: 'pass the config with -c PATH (soma init --data F --target COL writes a starter config)',
    });
  }
  return parseConfig(text, file, options);
}

export function parseConfig(text: string, file: string, options: LoadOptions = {}): LoadedConfig {
  const { raw, issues } = checkConfig(text, file, options);
  if (issues.length > 0) {
    throw new SomaError('CONFIG_INVALID', `${file}: ${issues.length} problem${issues.length > 1 ? 's' : ''} in the config\n${issues.map(formatIssue).join('\n')}`, {
      details: { issues },
    });
  }
  const config = resolveConfig(raw, file);
  return { config, path: file, dir: path.dirname(path.resolve(file)), resolvedYaml: stringify(raw), raw };
}

/** Parses and validates without resolving: the issues, in file order (what `soma validate` prints). */
export function checkConfig(text: string, file: string, options: LoadOptions = {}): { raw: JsonObject; issues: ConfigIssue[] } {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const issues = doc.errors.map((err): ConfigIssue => {
      const pos = lines.linePos(err.pos[0]);
      return { file, line: pos.line, col: pos.col, key: '', message: `YAML syntax: ${err.message.split('\n')[0]}` };
    });
    throw new SomaError('CONFIG_PARSE', `${file}: the YAML does not parse\n${issues.map(formatIssue).join('\n')}`, { details: { issues } });
  }
  const overrides = new Map<string, string>();
  for (const s of options.sets ?? []) {
    const eq = s.indexOf('=');
    if (eq <= 0) throw new SomaError('USAGE', `--set ${s}: expected key.path=value (e.g. --set model.params.max_depth=8)`);
    const key = s.slice(0, eq).trim();
    const valueText = s.slice(eq + 1);
    const segs = key.split('.').map((p) => (/^\d+$/.test(p) ? Number(p) : p));
    let value: unknown;
    try {
      value = valueText === '' ? '' : parseYamlValue(valueText);
    } catch {
      value = valueText;
    }
    doc.setIn(segs, value);
    overrides.set(key.replace(/\.(\d+)(?=\.|$)/g, '[$1]'), s);
  }
  const raw = (yamlToJs(doc, file) ?? {}) as unknown;
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    const issue: ConfigIssue = { file, line: 1, col: 1, key: '', message: 'the config must be a map of keys', got: Array.isArray(raw) ? 'a list' : typeof raw, expected: 'a map with data: and model:' };
    throw new SomaError('CONFIG_INVALID', `${file}: 1 problem in the config\n${formatIssue(issue)}`, { details: { issues: [issue] } });
  }
  const validate = getValidator();
  const src: PositionSource = { file, doc, lines, overrides };
  const issues = validate(raw) ? [] : issuesFromAjv(validate.errors ?? [], raw, src);
  issues.push(...crossFieldIssues(raw as JsonObject, src));
  return { raw: raw as JsonObject, issues };
}

/**
 * Where a dotted key (`evaluate.gates.roc_auc`) is in the config text: the key itself, or the
 * nearest parent that exists; line 0 when none does (a value given by --set).
 */
export function keyPosition(text: string, key: string): { line: number; col: number } {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  const segs = key.split('.');
  for (let n = segs.length; n > 0; n--) {
    const node = doc.getIn(segs.slice(0, n), true) as { range?: [number, number, number] } | undefined;
    if (node?.range) return lines.linePos(node.range[0]);
  }
  return { line: 0, col: 0 };
}

/** Rules JSON Schema cannot say well: one of source/train, not both params and hyperparameters. */
function crossFieldIssues(raw: JsonObject, src: PositionSource): ConfigIssue[] {
  const out: ConfigIssue[] = [];
  const at = (keyPath: (string | number)[]): { line: number; col: number } => {
    let node = src.doc.getIn(keyPath, true) as { range?: [number, number, number] } | undefined;
    if (!node?.range) node = src.doc.getIn(keyPath.slice(0, -1), true) as typeof node;
    return node?.range ? src.lines.linePos(node.range[0]) : { line: 0, col: 0 };
  };
  const data = raw['data'];
  if (data && typeof data === 'object' && !Array.isArray(data)) {
    const hasSource = typeof data['source'] === 'string';
    const hasTrain = typeof data['train'] === 'string';
    if (hasSource === hasTrain) {
      const pos = at(['data', hasSource ? 'train' : 'source']);
      out.push({ file: src.file, ...pos, key: 'data', message: hasSource ? 'both data.source and data.train given' : 'no data given', expected: 'data.source (one file to split) or data.train (with optional validation and test files)' });
    }
    if (!hasTrain && (typeof data['validation'] === 'string' || typeof data['test'] === 'string')) {
      out.push({ file: src.file, ...at(['data', 'validation']), key: 'data.validation', message: 'validation/test files need data.train', expected: 'data.train alongside them' });
    }
  }
  const model = raw['model'];
  if (model && typeof model === 'object' && !Array.isArray(model) && model['params'] !== undefined && model['hyperparameters'] !== undefined) {
    out.push({ file: src.file, ...at(['model', 'hyperparameters']), key: 'model.hyperparameters', message: 'params and hyperparameters are synonyms; give one', expected: 'only model.params' });
  }
  // A token pattern that could backtrack for minutes is refused here, before any data is read.
  const steps = raw['preprocess'];
  if (Array.isArray(steps)) {
    steps.forEach((step, i) => {
      if (!step || typeof step !== 'object' || Array.isArray(step)) return;
      for (const kind of ['tfidf', 'hashing']) {
        const params = (step as JsonObject)[kind];
        const pattern = params && typeof params === 'object' && !Array.isArray(params) ? params['token_pattern'] : undefined;
        if (typeof pattern !== 'string') continue;
        const problem = tokenPatternProblem(pattern);
        if (problem) {
          out.push({ file: src.file, ...at(['preprocess', i, kind, 'token_pattern']), key: `preprocess[${i}].${kind}.token_pattern`, message: `refused: ${problem}`, got: JSON.stringify(pattern), expected: 'a pattern whose repetitions are single characters, classes or escapes, one unbounded at the end of each alternative (e.g. \\b\\w\\w+\\b)' });
        }
      }
    });
  }
  return out;
}
