// Floors on soma's defaults: `model: {type: F}` and nothing else, trained through the real CLI on
// the committed scikit-learn fixtures split exactly as bench/quality_anchor.py splits them (70/30,
// stratified, random_state 0: the test rows' positions are in test/fixtures/quality/splits.json,
// with scikit-learn 1.2.1's test metric at its defaults on the same split). Each family must reach
// its anchor minus issue #17's margin (0.01 accuracy, 0.02 r2), so a change of defaults that loses
// on small real data fails here. The whole table (12 sets, soma beside the anchors) is
// bench/quality.js; its figures are in bench/RESULTS.md.

import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot, runCli, tempDir } from '../helpers/cli.js';

const SKLEARN = path.join(repoRoot, 'test', 'fixtures', 'sklearn');
const MARGIN: Record<string, number> = { accuracy: 0.01, r2: 0.02 };

interface SplitSpec {
  file: string;
  task: 'classification' | 'regression';
  metric: string;
  rows: number;
  anchors: Record<string, { anchor: string; value: number }>;
  test_index: number[];
}

const splits = JSON.parse(readFileSync(path.join(repoRoot, 'test', 'fixtures', 'quality', 'splits.json'), 'utf8')) as Record<string, SplitSpec>;

/**
 * The set as bench/quality_anchor.py loads it: scikit-learn's counted CSVs (a first line of counts,
 * then features and an integer class) get columns x0.. and `target`; boston's second line names
 * its columns.
 */
function load(spec: SplitSpec): { header: string[]; rows: string[]; target: string } {
  const lines = readFileSync(path.join(SKLEARN, spec.file), 'utf8').split('\n').filter((l) => l.trim() !== '');
  if (spec.file.startsWith('boston')) {
    const header = lines[1]!.split(',').map((h) => h.replace(/"/g, ''));
    return { header, rows: lines.slice(2), target: 'MEDV' };
  }
  const rows = lines.slice(1);
  const width = rows[0]!.split(',').length;
  return { header: [...Array.from({ length: width - 1 }, (_, i) => `x${i}`), 'target'], rows, target: 'target' };
}

async function trainDefault(set: string, family: string): Promise<number> {
  const spec = splits[set]!;
  const { header, rows, target } = load(spec);
  expect(rows.length).toBe(spec.rows);
  const testRows = new Set(spec.test_index);
  const dir = tempDir('soma-floors-');
  const write = (name: string, keep: (i: number) => boolean): void =>
    writeFileSync(path.join(dir, name), [header.join(','), ...rows.filter((_, i) => keep(i))].join('\n') + '\n');
  write('train.csv', (i) => !testRows.has(i));
  write('test.csv', (i) => testRows.has(i));
  writeFileSync(
    path.join(dir, 'soma.yaml'),
    `name: floor-${set.replace(/_/g, '-')}\ntask: ${spec.task}\ndata: {train: train.csv, test: test.csv, target: ${target}}\nmodel: {type: ${family}}\n`,
  );
  const r = await runCli(['train', '--registry', path.join(dir, 'registry'), '--json', '--quiet'], { cwd: dir });
  expect(r.code, r.stderr).toBe(0);
  const out = r.json() as { metrics: { test: Record<string, number> } };
  return out.metrics.test[spec.metric]!;
}

const cases: [string, string][] = [
  ['wine', 'gbdt'],
  ['breast_cancer', 'gbdt'],
  ['iris', 'gbdt'],
  ['boston', 'gbdt'],
  // The linear families meet theirs through their default steps (imputation, scaling).
  ['breast_cancer', 'logistic'],
  ['boston', 'linear'],
  ['wine', 'random_forest'],
];

describe("soma's defaults against scikit-learn's on small real data", () => {
  for (const [set, family] of cases) {
    const spec = splits[set]!;
    const anchor = spec.anchors[family]!;
    it(`when ${family} trains on ${set} with nothing but its type, then test ${spec.metric} is at least ${anchor.anchor}'s ${anchor.value} - ${MARGIN[spec.metric]}`, async () => {
      const value = await trainDefault(set, family);
      expect(value).toBeGreaterThanOrEqual(anchor.value - MARGIN[spec.metric]! - 1e-9);
    }, 120_000);
  }
});
