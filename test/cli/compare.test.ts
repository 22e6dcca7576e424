// `soma compare` on two real registered versions: penguins trained twice with different alpha.

import { beforeAll, describe, expect, it } from 'vitest';
import { example, runCli, tempDir } from '../helpers/cli.js';
import type { Comparison } from '../../src/evaluate/compare.js';

const registry = tempDir('soma-compare-');
const reg = ['--registry', registry];

beforeAll(async () => {
  for (const alpha of ['1.0', '0.01']) {
    const r = await runCli(['train', '-c', example('penguins', 'soma.yaml'), ...reg, '--set', `model.params.alpha=${alpha}`, '--json']);
    expect(r.code, r.stderr).toBe(0);
  }
});

describe('soma compare', () => {
  it('when two versions differ in alpha, then --json gives test metrics with deltas against the first and marks alpha changed', async () => {
    const r = await runCli(['compare', 'penguins@1.0.0', 'penguins@1.1.0', ...reg, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const c = r.json() as Comparison;
    expect(c.split).toBe('test');
    expect(c.versions.map((v) => v.id)).toEqual(['penguins_v1.0.0', 'penguins_v1.1.0']);
    const shown = await runCli(['models', 'show', 'penguins@1.1.0', ...reg, '--json']);
    const test = (shown.json() as { metrics: { test: Record<string, number> } }).metrics.test;
    const first = await runCli(['models', 'show', 'penguins@1.0.0', ...reg, '--json']);
    const testFirst = (first.json() as { metrics: { test: Record<string, number> } }).metrics.test;
    const logLoss = c.metrics.find((m) => m.metric === 'log_loss')!;
    expect(logLoss.values).toEqual([testFirst['log_loss'], test['log_loss']]);
    expect(logLoss.deltas[0]).toBeNull();
    expect(logLoss.deltas[1]).toBeCloseTo(test['log_loss']! - testFirst['log_loss']!, 12);
    expect(logLoss.direction).toBe('minimize');
    const alpha = c.params.find((p) => p.param === 'alpha')!;
    expect(alpha).toEqual({ param: 'alpha', values: [1, 0.01], changed: true });
    expect(c.params.find((p) => p.param === 'penalty')!.changed).toBe(false);
    expect(c.features).toEqual([{ id: 'penguins_v1.1.0', added: [], removed: [], retyped: [] }]);
  });

  it('when asked for the table, then metrics line up in columns with signed deltas, and changed params are starred', async () => {
    const r = await runCli(['compare', 'penguins@1.0.0', 'penguins@1.1.0', ...reg]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('');
    const lines = r.stderr.split('\n');
    expect(lines[0]).toBe('metrics on the test split (deltas against penguins@1.0.0)');
    const header = lines.find((l) => l.startsWith('metric '))!;
    const acc = lines.find((l) => l.startsWith('accuracy '))!;
    expect(acc).toMatch(/^accuracy\s+\d\.\d{4}\s+\d\.\d{4} \([+-]\d\.\d{4}\)$/);
    expect(acc.length).toBe(header.length); // right-aligned under the last heading
    expect(lines.some((l) => /^\* alpha\s+1\s+0\.01$/.test(l))).toBe(true);
    expect(r.stderr).toContain('penguins@1.1.0 vs penguins@1.0.0: same input columns');
  });

  it('when asked for Markdown on another split, then stdout holds GitHub tables for that split', async () => {
    const r = await runCli(['compare', 'penguins@1.0.0', 'penguins_v1.1.0', ...reg, '--md', '--split', 'train']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('### Metrics (train split, deltas against penguins@1.0.0)');
    expect(r.stdout).toContain('| metric | penguins@1.0.0 | penguins@1.1.0 |');
    expect(r.stdout).toMatch(/\| \*\*alpha\*\* \| `1` \| `0\.01` \|/);
  });

  it('when the split does not exist or only one REF is given, then it exits 2; an unknown version exits 6', async () => {
    expect((await runCli(['compare', 'penguins@1.0.0', 'penguins@1.1.0', ...reg, '--split', 'holdout'])).code).toBe(2);
    expect((await runCli(['compare', 'penguins@1.0.0', ...reg])).code).toBe(2);
    const missing = await runCli(['compare', 'penguins@1.0.0', 'penguins@9.9.9', ...reg]);
    expect(missing.code).toBe(6);
    expect(missing.stderr).toMatch(/penguins@9\.9\.9 not found/);
  });
});
