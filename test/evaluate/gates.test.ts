// Quality gates: parsing, relative gates against an alias, and the exit codes of train and
// evaluate when a gate fails (4) or passes (0), on real registered penguins versions.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { evaluateGates, formatGate, gatesFromFlags, parseGate } from '../../src/pipeline/gates.js';
import { Registry } from '../../src/registry/store.js';
import { example, runCli, tempDir } from '../helpers/cli.js';
import { GATE_PATTERN } from '../../src/config/schema.js';

describe('parseGate and evaluateGates', () => {
  it('when a gate names an alias with an offset, then it parses into op, alias and signed offset', () => {
    expect(parseGate('f1_macro', '> production - 0.01')).toEqual({ op: '>', alias: 'production', offset: -0.01 });
    expect(parseGate('rmse', '<=staging+0.5')).toEqual({ op: '<=', alias: 'staging', offset: 0.5 });
    expect(parseGate('f1_macro', '>= 0.9')).toEqual({ op: '>=', bound: 0.9 });
    expect(() => parseGate('f1_macro', '>= latest')).toThrow(/cannot read/);
    expect(() => parseGate('f1_macro', 'about 0.9')).toThrow(/cannot read "about 0.9"/);
  });

  it('when the config schema checks a gate, then it accepts exactly what parseGate reads', () => {
    const re = new RegExp(GATE_PATTERN);
    for (const ok of ['>= 0.9', '> production - 0.01', '<= staging', '< prod-1 + 2e-3', '== -1']) expect(re.test(ok), ok).toBe(true);
    for (const bad of ['0.9', '>= ', '> production - x', '>> 1']) expect(re.test(bad), bad).toBe(false);
  });

  it('when the baseline is known, then the bound is its metric plus the offset; when the alias is missing, the gate passes with a note', () => {
    const baselines = { production: { alias: 'production', version: '1.2.0', metrics: { f1_macro: 0.95 } }, staging: { alias: 'staging', version: null, metrics: {} } };
    const [pass, fail, none] = [
      ...evaluateGates({ f1_macro: '> production - 0.01' }, { f1_macro: 0.945 }, 'test', baselines),
      ...evaluateGates({ f1_macro: '> production - 0.01' }, { f1_macro: 0.93 }, 'test', baselines),
      ...evaluateGates({ f1_macro: '>= staging' }, { f1_macro: 0.5 }, 'test', baselines),
    ];
    expect(pass).toMatchObject({ passed: true, value: 0.945, relative: { alias: 'production', version: '1.2.0', baseline: 0.95, offset: -0.01 } });
    expect(pass!.bound).toBeCloseTo(0.94, 12);
    expect(fail!.passed).toBe(false);
    expect(formatGate(fail!)).toBe('f1_macro > production - 0.01 = 0.9400, production is 1.2.0 on test: 0.9300 FAILED');
    expect(none).toMatchObject({ passed: true, bound: null, note: "no 'staging' alias yet, nothing to compare against" });
    expect(() => evaluateGates({ f1_macro: '> production' }, { f1_macro: 1 }, 'test')).toThrow(/relative to the alias 'production'/);
  });

  it('when --fail-under names an alias, then it becomes a relative gate; a malformed value is a usage error', () => {
    expect(gatesFromFlags(['f1_macro=production-0.01', 'accuracy=0.9'], ['log_loss=1e-1'])).toEqual({ f1_macro: '>= production - 0.01', accuracy: '>= 0.9', log_loss: '<= 0.1' });
    expect(() => gatesFromFlags(['f1_macro=production-'], [])).toThrow(/expected METRIC=VALUE or METRIC=ALIAS/);
  });
});

describe('relative gates on train and evaluate', () => {
  const registry = tempDir('soma-gates-');
  const reg = ['--registry', registry];
  const data = example('penguins', 'penguins.csv');
  let f1: number;

  beforeAll(async () => {
    const r = await runCli(['train', '-c', example('penguins', 'soma.yaml'), ...reg, '--json']);
    expect(r.code, r.stderr).toBe(0);
    f1 = (r.json() as { metrics: { test: Record<string, number> } }).metrics.test['f1_macro']!;
  });

  it('when no production alias exists yet, then train passes the relative gate with a note and registers', async () => {
    const r = await runCli(['train', '-c', example('penguins', 'soma.yaml'), ...reg, '--fail-under', 'f1_macro=production-0.01', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const gate = (r.json() as { gates: { metric: string; passed: boolean; note?: string }[] }).gates.find((g) => g.metric === 'f1_macro' && g.note);
    expect(gate).toMatchObject({ passed: true, note: "no 'production' alias yet, nothing to compare against" });
  });

  it('when the new model is worse than production allows, then train exits 4 naming metric, value and bound, and registers nothing', async () => {
    await new Registry(registry).writeAliases('penguins', { production: '1.0.0' });
    const before = await new Registry(registry).listVersions('penguins');
    // A heavily regularised logistic regression loses F1 against production 1.0.0.
    const r = await runCli(['train', '-c', example('penguins', 'soma.yaml'), ...reg, '--set', 'model.params.alpha=1000', '--set', 'evaluate.gates={f1_macro: "> production - 0.01"}']);
    expect(r.code, r.stderr).toBe(4);
    expect(r.stderr).toMatch(new RegExp(`f1_macro > production - 0\\.01 = ${(f1 - 0.01).toPrecision(4).replace('.', '\\.')}, production is 1\\.0\\.0 on test: \\d\\.\\d+ FAILED`));
    expect(await new Registry(registry).listVersions('penguins')).toEqual(before);
  });

  it('when the new model matches production, then the relative gate passes and train exits 0', async () => {
    const r = await runCli(['train', '-c', example('penguins', 'soma.yaml'), ...reg, '--set', 'evaluate.gates={f1_macro: ">= production - 0.01"}', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const out = r.json() as { path: string; gates: { metric: string; passed: boolean; bound: number; relative?: { version: string } }[] };
    const gate = out.gates.find((g) => g.relative)!;
    expect(gate).toMatchObject({ passed: true, relative: { version: '1.0.0' } });
    expect(gate.bound).toBeCloseTo(f1 - 0.01, 12);
    expect(readFileSync(path.join(out.path, 'report.md'), 'utf8')).toContain('production is 1.0.0');
  });

  it('when evaluate compares against production on the same file, then it exits 0 within the margin and 4 beyond it', async () => {
    const ok = await runCli(['evaluate', 'penguins@1.0.0', '--data', data, ...reg, '--fail-under', 'f1_macro=production-0.01', '--json']);
    expect(ok.code, ok.stderr).toBe(0);
    const okGate = (ok.json() as { gates: { bound: number; value: number; relative: { baseline: number } }[] }).gates[0]!;
    expect(okGate.relative.baseline).toBe(okGate.value); // production is this very version, scored on the same rows
    const bad = await runCli(['evaluate', 'penguins@1.0.0', '--data', data, ...reg, '--fail-under', 'f1_macro=production+0.01']);
    expect(bad.code).toBe(4);
    expect(bad.stderr).toMatch(/error\[GATE_FAILED\]: quality gate failed: f1_macro >= production \+ 0\.01 = \d\.\d+, production is 1\.0\.0 on data: \d\.\d+ FAILED/);
  });
});
