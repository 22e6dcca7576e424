import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { checkConfig, parseConfig } from '../../src/config/load.js';
import { formatIssue } from '../../src/config/issues.js';
import { registerBuiltinEstimators } from '../../src/models/index.js';
import { registerBuiltinTasks } from '../../src/tasks/index.js';
import { SomaError } from '../../src/errors.js';

registerBuiltinEstimators();
registerBuiltinTasks();

const fixture = (name: string): string => fileURLToPath(new URL(`../fixtures/configs/${name}`, import.meta.url));
const messages = (text: string, sets: string[] = []): string[] => checkConfig(text, 'soma.yaml', { sets }).issues.map(formatIssue);

const base = `name: demo
data:
  source: data.csv
  target: y
model:
  type: gbdt
  params: {max_depth: 4}
`;

describe('config validation', () => {
  it('when the config is well formed, then it has no issues and resolves defaults', () => {
    expect(messages(base)).toEqual([]);
    const { config } = parseConfig(base, 'soma.yaml');
    expect(config.data.split).toMatchObject({ train: 0.7, validation: 0.15, test: 0.15, stratify: true, shuffle: true });
    expect(config.seed).toBe(42);
    expect(config.model.params).toEqual({ max_depth: 4 });
  });

  it('when the seed example config gets a data section, then it validates and maps its keys', () => {
    const text = readFileSync(fixture('seed.yaml'), 'utf8');
    expect(messages(text)).toEqual([]);
    const { config } = parseConfig(text, fixture('seed.yaml'));
    expect(config.model.type).toBe('xgboost');
    expect(config.model.params).toMatchObject({ learning_rate: 0.1, max_depth: 6, n_estimators: 100, early_stopping_rounds: 10 });
    expect(config.model.version).toBe('1.0.0');
    expect(config.data.split.validation).toBeCloseTo(0.2);
    expect(config.data.split.train).toBeCloseTo(0.65);
    expect(config.name).toBe('seed');
  });

  it('when a key is misspelt, then the error has file:line:col, the allowed keys and a suggestion', () => {
    const out = messages(base.replace('max_depth', 'max_dept'));
    expect(out).toHaveLength(1);
    expect(out[0]).toMatch(/^soma\.yaml:7:12 model\.params\.max_dept: unknown key \(got "max_dept"; expected one of .*max_depth.*\) did you mean "max_depth"\?$/);
  });

  it('when several things are wrong, then every problem is reported at once in file order', () => {
    const text = `name: demo
sed: 3
data:
  source: data.csv
  target: y
  split: {train: 1.5}
model:
  type: gbdtt
`;
    const out = messages(text);
    expect(out).toHaveLength(3);
    expect(out[0]).toMatch(/^soma\.yaml:2:1 sed: unknown key .* did you mean "seed"\?/);
    expect(out[1]).toMatch(/^soma\.yaml:6:18 data\.split\.train: out of range \(got 1\.5; expected <= 1\)/);
    expect(out[2]).toMatch(/^soma\.yaml:8:9 model\.type: value not allowed \(got "gbdtt"; expected one of gbdt, xgboost.*\) did you mean "gbdt"\?/);
  });

  it('when a value has the wrong type, then the error names the type it got and expected', () => {
    const out = messages(base.replace('max_depth: 4', 'max_depth: deep'));
    expect(out[0]).toMatch(/model\.params\.max_depth: wrong type \(got "deep"; expected integer\)/);
    // A value that may be one of several types: one issue naming them all, not a second for its anyOf.
    const either = messages(base.replace('max_depth: 4', 'max_depth: 4, base_score: mean'));
    expect(either).toEqual([expect.stringMatching(/model\.params\.base_score: wrong type \(got "mean"; expected number or null\)$/)]);
  });

  it('when a required key is missing, then it is named', () => {
    const out = messages(base.replace('  target: y\n', ''));
    expect(out[0]).toMatch(/^soma\.yaml:3:3 data\.target: missing required key/);
  });

  it('when a preprocess step is unknown, then the error suggests the closest step', () => {
    const out = messages(`${base}preprocess:\n  - imput: {strategy: median}\n`);
    expect(out[0]).toMatch(/preprocess\[0\]\.imput: unknown name .* did you mean "impute"\?/);
  });

  it('when params belong to another family, then they are unknown keys for this one', () => {
    const out = messages(base.replace('type: gbdt', 'type: logistic').replace('max_depth: 4', 'penalty: l2, max_depth: 4'));
    expect(out).toHaveLength(1);
    expect(out[0]).toMatch(/model\.params\.max_depth: unknown key/);
  });

  it('when both source and train are given, then that is an error', () => {
    const out = messages(base.replace('  source: data.csv\n', '  source: data.csv\n  train: t.csv\n'));
    expect(out[0]).toMatch(/data: both data\.source and data\.train given/);
  });

  it('when --set overrides a value, then the override is applied and its errors point at --set', () => {
    const { config } = parseConfig(base, 'soma.yaml', { sets: ['model.params.max_depth=8', 'seed=7'] });
    expect(config.model.params['max_depth']).toBe(8);
    expect(config.seed).toBe(7);
    const out = messages(base, ['model.params.max_depth=-1']);
    expect(out[0]).toMatch(/^--set model\.params\.max_depth=-1 model\.params\.max_depth: out of range/);
  });

  it('when the YAML does not parse, then a CONFIG_PARSE error gives the position', () => {
    try {
      checkConfig('data: [unclosed\n', 'bad.yaml');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(SomaError);
      expect((e as SomaError).code).toBe('CONFIG_PARSE');
      expect((e as SomaError).exitCode).toBe(2);
      expect((e as SomaError).message).toMatch(/bad\.yaml:\d+:\d+/);
    }
  });

  it('when a gate is not a comparison, then the error says what a gate looks like', () => {
    const out = messages(`${base}evaluate:\n  gates: {f1_macro: "at least 0.9"}\n`);
    expect(out[0]).toMatch(/evaluate\.gates\.f1_macro: badly formed value \(got "at least 0\.9"; expected a comparison like ">= 0\.9"/);
  });
});
