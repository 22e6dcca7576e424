// soma drift through the CLI on real data: Seattle weather 2012-2013 (a model's training data)
// against 2015, against itself and against shifted copies; the file-to-file mode against scipy's
// values on the same files; bad input and its exit codes; the HTML report.

import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, runCli, tempDir } from '../helpers/cli.js';

const dir = path.join(repoRoot, 'test', 'fixtures', 'drift');
const ref2012 = path.join(dir, 'seattle-2012-2013.csv');
const cur2015 = path.join(dir, 'seattle-2015.csv');
const expected = JSON.parse(readFileSync(path.join(dir, 'expected.json'), 'utf8')) as { seattle: Record<string, { statistic: number; p_value: number; psi?: number }> };

interface Column {
  column: string;
  role: string;
  tested: boolean;
  method: string;
  statistic: number;
  p_value: number | null;
  drift: boolean;
  psi: number;
  score: number;
}
interface Drift {
  id: string | null;
  rows: number;
  columns: Column[];
  drifted_columns: string[];
  share: number;
  dataset_drift: boolean;
  prediction: Column | null;
  target: Column | null;
  metrics: Record<string, number> | null;
  drift: boolean;
  reasons: string[];
}

let registry: string;
let work: string;

/** The CSV with `f` applied to one numeric column. */
function shifted(src: string, column: string, f: (v: number) => number, out: string): string {
  const [head, ...rows] = readFileSync(src, 'utf8').trim().split('\n');
  const k = head!.split(',').indexOf(column);
  writeFileSync(out, [head, ...rows.map((r) => r.split(',').map((x, i) => (i === k ? String(Math.round(f(Number(x)) * 10) / 10) : x)).join(','))].join('\n') + '\n');
  return out;
}

beforeAll(async () => {
  registry = tempDir('soma-drift-');
  work = tempDir('soma-drift-data-');
  const t = await runCli(['train', '-c', path.join(dir, 'seattle.yaml'), '--registry', registry, '--quiet']);
  expect(t.code, t.stderr).toBe(0);
}, 120_000);

describe('soma drift', () => {
  it('when 2015 is compared with the stored 2012-2013 profile, then the temperatures drift, the data set and predictions drift, and it exits 5 with one JSON document', async () => {
    const r = await runCli(['drift', 'seattle', '--data', cur2015, '--registry', registry, '--json']);
    expect(r.code, r.stderr).toBe(5);
    const d = r.json() as Drift;
    expect(d.id).toBe('seattle_v1.0.0');
    expect(d.rows).toBe(365);
    expect(d.columns.map((c) => c.column).sort()).toEqual(['precipitation', 'temp_max', 'temp_min', 'wind']);
    // Training split of 511 rows: Evidently's small-reference tests.
    expect(new Set(d.columns.map((c) => c.method))).toEqual(new Set(['ks']));
    expect(d.drifted_columns.sort()).toEqual(['temp_max', 'temp_min']);
    expect(d.columns.slice(0, 2).every((c) => c.drift)).toBe(true);
    expect(d.dataset_drift).toBe(true);
    expect(d.prediction).toMatchObject({ column: 'prediction', method: 'chi2', tested: true });
    // 2015 has the target: its drift (the labels' mix changed) and the model's metrics on it.
    expect(d.target).toMatchObject({ column: 'weather', tested: true, drift: true });
    expect(d.metrics!['accuracy']).toBeGreaterThan(0);
    expect(d.metrics!['accuracy']).toBeLessThanOrEqual(1);
    expect(d.reasons[0]).toMatch(/data set drift: 2 of 4 columns/);
    expect(r.stderr).toMatch(/error\[DRIFT\]/);
  });

  it('when the training file itself is compared with the profile, then nothing drifts and it exits 0', async () => {
    const r = await runCli(['drift', 'seattle', '--data', ref2012, '--registry', registry, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const d = r.json() as Drift;
    expect(d.dataset_drift).toBe(false);
    expect(d.drift).toBe(false);
  });

  it('when two files are compared without a model, then statistics and PSI equal scipy and the drift anchor on every column', async () => {
    const r = await runCli(['drift', '--data', cur2015, '--reference', ref2012, '--columns', 'precipitation,temp_max,temp_min,wind,weather', '--json']);
    expect(r.code, r.stderr).toBe(5);
    const d = r.json() as Drift;
    for (const c of d.columns) {
      const want = expected.seattle[c.column]!;
      expect(Math.abs(c.statistic - want.statistic), c.column).toBeLessThan(1e-9 * Math.max(1, want.statistic));
      expect(Math.abs(c.p_value! - want.p_value), c.column).toBeLessThan(1e-9);
      if (want.psi !== undefined) expect(Math.abs(c.psi - want.psi), c.column).toBeLessThan(1e-9);
    }
    expect(d.drifted_columns.sort()).toEqual(['temp_max', 'temp_min', 'weather']);
  });

  it('when one column is shifted, then only it drifts: the data set does not (exit 0), --fail-on-column exits 5, and a per-run threshold changes the verdict', async () => {
    // +0.8 m/s moves wind's distribution clearly but the forest's predictions hardly (chi2 p 0.28;
    // at +1.5 the weather it predicts shifts too, and that is prediction drift, exit 5).
    const windy = shifted(ref2012, 'wind', (v) => v + 0.8, path.join(work, 'windy.csv'));
    const r = await runCli(['drift', 'seattle', '--data', windy, '--registry', registry, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const d = r.json() as Drift;
    expect(d.drifted_columns).toEqual(['wind']);
    expect(d.columns[0]!.column).toBe('wind');
    const strict = await runCli(['drift', 'seattle', '--data', windy, '--registry', registry, '--json', '--fail-on-column']);
    expect(strict.code).toBe(5);
    expect((strict.json() as Drift).reasons.join()).toMatch(/--fail-on-column: wind/);
    const loose = await runCli(['drift', 'seattle', '--data', windy, '--registry', registry, '--json', '--fail-on-column', '--threshold', '1e-300']);
    expect(loose.code).toBe(0);
    const psi = await runCli(['drift', 'seattle', '--data', windy, '--registry', registry, '--json', '--method', 'psi', '--columns', 'wind']);
    expect((psi.json() as Drift).columns[0]).toMatchObject({ method: 'psi', drift: true });
  });

  it('when --report is given, then a self-contained HTML page lists the columns most drifted first with their overlaid distributions', async () => {
    const file = path.join(work, 'drift.html');
    const r = await runCli(['drift', 'seattle', '--data', cur2015, '--registry', registry, '--report', file]);
    expect(r.code).toBe(5);
    const html = readFileSync(file, 'utf8');
    expect(html).toMatch(/^<!DOCTYPE html>/);
    expect(html).not.toMatch(/<script|src="http/);
    expect(html.indexOf('drift-input-temp_max')).toBeGreaterThan(0);
    expect(html.indexOf('drift-input-temp_max')).toBeLessThan(html.indexOf('drift-input-wind'));
    expect(html).toMatch(/chart-drift-numeric/);
    expect(html).toMatch(/chart-drift-categorical/);
    expect(r.stderr).toMatch(/temp_max\s+ks\s+p=/);
  });
});

describe('soma drift on bad input', () => {
  it('when the data lacks the model\'s columns, then exit 3 names the file, the missing columns and what the model reads', async () => {
    const iris = path.join(repoRoot, 'examples', 'penguins', 'penguins.csv');
    const r = await runCli(['drift', 'seattle', '--data', iris, '--registry', registry]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/penguins\.csv: missing columns "precipitation", "temp_max", "temp_min", "wind" \(the model seattle_v1\.0\.0 reads 4 columns/);
    expect(r.stderr).toMatch(/hint: is .*penguins\.csv data for seattle\?/);
  });

  it('when the data file has a header and no rows, then exit 3 says so', async () => {
    const empty = path.join(work, 'empty.csv');
    writeFileSync(empty, 'date,precipitation,temp_max,temp_min,wind,weather\n');
    const r = await runCli(['drift', 'seattle', '--data', empty, '--registry', registry, '--json']);
    expect(r.code).toBe(3);
    expect((r.json() as { error: { code: string } }).error.code).toMatch(/DATA_EMPTY/);
  });

  it('when neither a model nor a reference file is given, or --columns names an unknown column, or the model does not exist, then the documented codes', async () => {
    const none = await runCli(['drift', '--data', cur2015]);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/needs a model REF .* or --reference FILE/);
    const cols = await runCli(['drift', 'seattle', '--data', cur2015, '--registry', registry, '--columns', 'temp_max,humidity']);
    expect(cols.code).toBe(2);
    expect(cols.stderr).toMatch(/--columns: "humidity" is not an input column of seattle_v1\.0\.0/);
    const missing = await runCli(['drift', 'nope', '--data', cur2015, '--registry', registry]);
    expect(missing.code).toBe(6);
    const method = await runCli(['drift', 'seattle', '--data', cur2015, '--registry', registry, '--method', 'anova']);
    expect(method.code).toBe(2);
  });
});
