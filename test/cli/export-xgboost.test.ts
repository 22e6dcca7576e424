// `soma export REF --format xgboost-json`: gbdt models trained on the penguins (classification of
// the species, binary classification of the sex, regression of the body mass), exported and loaded
// by Debian's python3-xgboost (`xgboost.Booster(model_file=...)`), which must predict what
// `soma predict` predicts on the same rows, including rows with missing values and categorical
// splits. Data: examples/penguins/penguins.csv (vega-datasets, BSD-3-Clause), with every
// measurement rounded to float32 (XGBoost reads its inputs as float32; float32.ts explains why
// rounded inputs agree exactly) and cells blanked on a fixed stride for more missing values.

import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { example, runCli, tempDir } from '../helpers/cli.js';

const PY = '/usr/bin/python3';
const helper = path.join(path.dirname(new URL(import.meta.url).pathname), '..', 'helpers', 'xgboost_predict.py');

function python(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(PY, args, { maxBuffer: 64 << 20 }, (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }));
  });
}

const xgboostCheck = await python(['-c', 'import xgboost; print(xgboost.__version__)']);
const haveXgboost = xgboostCheck.code === 0;

const NUMERIC = ['Beak Length (mm)', 'Beak Depth (mm)', 'Flipper Length (mm)', 'Body Mass (g)'];

/** The penguins, measurements rounded to float32, some cells blanked, rows kept by `keep`. */
function penguins(dir: string, file: string, keep: (row: Record<string, string>) => boolean, blank: Record<string, number>): string {
  const [header, ...lines] = readFileSync(example('penguins', 'penguins.csv'), 'utf8').trim().split('\n');
  const names = header!.split(',');
  const out = [header];
  lines.forEach((line, i) => {
    const cells = line.split(',');
    const row = Object.fromEntries(names.map((n, j) => [n, cells[j] ?? '']));
    if (!keep(row)) return;
    names.forEach((n, j) => {
      if (NUMERIC.includes(n) && cells[j] !== '') cells[j] = String(Math.fround(Number(cells[j])));
      const stride = blank[n];
      if (stride && i % stride === 3) cells[j] = '';
    });
    out.push(cells.join(','));
  });
  const p = path.join(dir, file);
  writeFileSync(p, out.join('\n') + '\n');
  return p;
}

function readCsv(file: string): { header: string[]; rows: string[][] } {
  const [h, ...lines] = readFileSync(file, 'utf8').trim().split('\n');
  return { header: h!.split(','), rows: lines.map((l) => l.split(',')) };
}

interface Case {
  name: string;
  task: 'classification' | 'regression';
  target: string;
  keep: (row: Record<string, string>) => boolean;
  blank: Record<string, number>;
  params: string;
  /** The model family (default gbdt). */
  model?: string;
  /** preprocess: steps (YAML lines); the exported model then reads their output. */
  preprocess?: string[];
  /** soma's output columns, in the order XGBoost's prediction columns come. */
  columns: (header: string[]) => string[];
  tolerance: (value: number) => number;
}

const cases: Case[] = [
  {
    name: 'multiclass (multi:softprob), categorical partition splits',
    task: 'classification',
    target: 'Species',
    keep: () => true,
    blank: { 'Flipper Length (mm)': 9, Island: 13, 'Beak Depth (mm)': 7 },
    params: '{n_estimators: 25, max_depth: 4, max_cat_to_onehot: 1, learning_rate: 0.2, n_jobs: 1}',
    columns: (h) => h.filter((c) => c.startsWith('proba_')),
    tolerance: () => 1e-6,
  },
  {
    name: 'binary (binary:logistic), one-vs-rest categorical splits',
    task: 'classification',
    target: 'Sex',
    keep: (r) => r['Sex'] === 'MALE' || r['Sex'] === 'FEMALE',
    blank: { 'Beak Length (mm)': 8, 'Body Mass (g)': 11, Island: 10 },
    params: '{n_estimators: 40, max_depth: 5, n_jobs: 1}',
    // XGBoost gives P(second class).
    columns: (h) => [h.filter((c) => c.startsWith('proba_'))[1]!],
    tolerance: () => 1e-6,
  },
  {
    name: 'regression (reg:squarederror) on grams',
    task: 'regression',
    target: 'Body Mass (g)',
    keep: (r) => r['Body Mass (g)'] !== '',
    blank: { 'Flipper Length (mm)': 6, Sex: 9, Species: 12 },
    params: '{n_estimators: 60, max_depth: 4, max_cat_to_onehot: 1, n_jobs: 1}',
    columns: () => ['prediction'],
    // XGBoost sums leaves in float32: about 4000 g is held to 1e-6 relative (a few 1e-4 g).
    tolerance: (v) => 1e-6 * Math.max(1, Math.abs(v)),
  },
  {
    name: 'count:poisson with early stopping',
    task: 'regression',
    target: 'Flipper Length (mm)',
    keep: (r) => r['Flipper Length (mm)'] !== '',
    blank: { 'Beak Length (mm)': 7, Island: 11 },
    params: '{objective: "count:poisson", n_estimators: 300, early_stopping_rounds: 5, learning_rate: 0.3, n_jobs: 1}',
    columns: () => ['prediction'],
    // exp of a margin XGBoost sums in float32 (about 5.3 here): each tree's rounding (2^-24 of
    // the margin) becomes a relative error of the count, so a few trees reach 1e-6 relative.
    tolerance: (v) => 2e-6 * Math.max(1, Math.abs(v)),
  },
  {
    name: 'random_forest regression, the average as a sum of scaled trees',
    task: 'regression',
    target: 'Body Mass (g)',
    keep: (r) => r['Body Mass (g)'] !== '',
    blank: { 'Flipper Length (mm)': 6, Island: 10 },
    params: '{n_estimators: 30, max_depth: 6, n_jobs: 1}',
    model: 'random_forest',
    columns: () => ['prediction'],
    tolerance: (v) => 1e-6 * Math.max(1, Math.abs(v)),
  },
  {
    name: 'decision_tree regression',
    task: 'regression',
    target: 'Body Mass (g)',
    keep: (r) => r['Body Mass (g)'] !== '',
    blank: { 'Beak Depth (mm)': 5, Sex: 7 },
    params: '{max_depth: 8}',
    model: 'decision_tree',
    columns: () => ['prediction'],
    tolerance: (v) => 1e-6 * Math.max(1, Math.abs(v)),
  },
  {
    name: 'multiclass after impute, scale and onehot steps (the rows go through them first)',
    task: 'classification',
    target: 'Species',
    keep: () => true,
    blank: { 'Beak Depth (mm)': 6, Sex: 8 },
    params: '{n_estimators: 20, n_jobs: 1}',
    preprocess: ['  - impute: {columns: numeric, strategy: median}', '  - scale: {columns: numeric}', '  - onehot: {columns: [Sex]}'],
    columns: (h) => h.filter((c) => c.startsWith('proba_')),
    tolerance: () => 1e-6,
  },
];

describe('soma export --format xgboost-json', () => {
  if (!haveXgboost) {
    const why = `${PY} cannot import xgboost (install Debian's python3-xgboost: apt-get install -y python3-xgboost): ${xgboostCheck.stderr.trim().split('\n').pop()}`;
    if (process.env['CI']) {
      it('python3-xgboost is installed (CI requires it for the export tests)', () => {
        throw new Error(why);
      });
    } else {
      console.warn(`export-xgboost.test.ts: the XGBoost load tests are SKIPPED: ${why}`);
    }
    return;
  }

  for (const c of cases) {
    it(`when a ${c.model ?? 'gbdt'} (${c.name}) is exported, then XGBoost ${xgboostCheck.stdout.trim()} predicts what soma predicts on every row${c.preprocess ? "" : ", and so does the export imported back"}`, async () => {
      const dir = tempDir('soma-xgb-export-');
      const env = { SOMA_REGISTRY: path.join(dir, 'registry') };
      const data = penguins(dir, 'penguins.csv', c.keep, c.blank);
      writeFileSync(
        path.join(dir, 'soma.yaml'),
        [`name: pen`, `task: ${c.task}`, 'seed: 3', 'data:', '  source: penguins.csv', `  target: "${c.target}"`, '  split: {train: 0.7, validation: 0.15, test: 0.15}', ...(c.preprocess ? ['preprocess:', ...c.preprocess] : []), 'model:', `  type: ${c.model ?? 'gbdt'}`, `  params: ${c.params}`, ''].join('\n'),
      );
      const trained = await runCli(['train', '-c', path.join(dir, 'soma.yaml'), '--quiet', '--json'], { cwd: dir, env });
      expect(trained.code, trained.stderr).toBe(0);

      const modelFile = path.join(dir, 'out', 'model.json');
      const matrix = path.join(dir, 'out', 'X.csv');
      const exported = await runCli(['export', 'pen', '--format', 'xgboost-json', '--output', modelFile, '--rows', data, '--rows-output', matrix, '--json'], { cwd: dir, env });
      expect(exported.code, exported.stderr).toBe(0);
      const result = exported.json() as { trees: number; features: { name: string; type: string }[]; rows: number };
      // Only the trees that predict are exported: after early stopping, the best iteration's.
      const summary = JSON.parse(readFileSync(path.join((trained.json() as { path: string }).path, 'model', 'model.json'), 'utf8')) as { state: { bestIteration?: number; forest: { nGroups: number } } };
      if (summary.state.bestIteration !== undefined) expect(result.trees).toBe(summary.state.bestIteration * summary.state.forest.nGroups);
      if (c.params.includes('early_stopping_rounds')) expect(summary.state.bestIteration).toBeLessThan(300);
      const predictions = path.join(dir, 'predictions.csv');
      const predicted = await runCli(['predict', 'pen', '--input', data, '--output', predictions, '--workers', '0', '--quiet'], { cwd: dir, env });
      expect(predicted.code, predicted.stderr).toBe(0);

      // The test covers what it says: categorical splits, missing values, both default directions.
      const doc = JSON.parse(readFileSync(modelFile, 'utf8')) as { learner: { feature_types: string[]; gradient_booster: { model: { trees: { split_type: number[]; default_left: number[]; left_children: number[] }[] } } } };
      const trees = doc.learner.gradient_booster.model.trees;
      expect(trees).toHaveLength(result.trees);
      if (!c.model) expect(trees.some((t) => t.split_type.includes(1))).toBe(true);
      const numericDefaults = new Set(trees.flatMap((t) => t.default_left.filter((_, i) => t.left_children[i] !== -1 && t.split_type[i] === 0)));
      expect([...numericDefaults].sort()).toEqual([0, 1]);
      expect(result.features.filter((f) => f.type === 'c').length).toBeGreaterThan(0);
      const X = readCsv(matrix);
      expect(X.header).toEqual(result.features.map((f) => f.name));
      // Missing cells reach XGBoost unless an impute step filled them.
      if (!c.preprocess) expect(X.rows.some((r) => r.includes(''))).toBe(true);
      else expect(X.header).toContain('Sex=MALE');

      const py = await python([helper, modelFile, matrix]);
      expect(py.code, py.stderr).toBe(0);
      const theirs = (JSON.parse(py.stdout) as { predictions: number[][] }).predictions;
      const ours = readCsv(predictions);
      const cols = c.columns(ours.header).map((name) => ours.header.indexOf(name));
      expect(theirs).toHaveLength(ours.rows.length);
      let worst = 0;
      ours.rows.forEach((row, i) => {
        cols.forEach((col, k) => {
          const want = Number(row[col]);
          const got = theirs[i]![k]!;
          worst = Math.max(worst, Math.abs(got - want) / c.tolerance(want));
        });
      });
      // worst is the largest difference in units of the tolerance.
      expect(worst).toBeLessThanOrEqual(1);

      // Round trip: the export imported back with the version's own features.json (no
      // preprocessing steps, so the matrix is the raw columns) predicts the same again.
      if (c.preprocess) return;
      const features = path.join((trained.json() as { path: string }).path, 'features.json');
      const back = await runCli(['import', 'xgboost', modelFile, '--name', 'back', '--features', features, '--json'], { cwd: dir, env });
      expect(back.code, back.stderr).toBe(0);
      const again = path.join(dir, 'again.csv');
      const re = await runCli(['predict', 'back', '--input', data, '--output', again, '--workers', '0', '--quiet'], { cwd: dir, env });
      expect(re.code, re.stderr).toBe(0);
      const second = readCsv(again);
      expect(second.header).toEqual(ours.header);
      let worstBack = 0;
      ours.rows.forEach((row, i) => {
        row.forEach((v, j) => {
          if (Number.isNaN(Number(v))) expect(second.rows[i]![j]).toBe(v);
          else worstBack = Math.max(worstBack, Math.abs(Number(second.rows[i]![j]) - Number(v)) / c.tolerance(Number(v)));
        });
      });
      expect(worstBack).toBeLessThanOrEqual(1);
    }, 120_000);
  }

  it('when the model is not a tree model, is a forest classifier, has a target_transform step or the format is unknown, then export refuses with exit 2 naming why', async () => {
    const dir = tempDir('soma-xgb-refuse-');
    const env = { SOMA_REGISTRY: path.join(dir, 'registry') };
    penguins(dir, 'penguins.csv', (r) => r['Body Mass (g)'] !== '', {});
    const config = (name: string, model: string, steps: string[] = []): string => {
      const p = path.join(dir, `${name}.yaml`);
      writeFileSync(p, [`name: ${name}`, 'task: regression', 'data:', '  source: penguins.csv', '  target: "Body Mass (g)"', ...(steps.length ? ['preprocess:', ...steps] : []), 'model:', `  type: ${model}`, ''].join('\n'));
      return p;
    };
    const lin = await runCli(['train', '-c', config('lin', 'linear', ['  - impute: {columns: numeric}']), '--quiet'], { cwd: dir, env });
    expect(lin.code, lin.stderr).toBe(0);
    const tt = await runCli(['train', '-c', config('tt', 'gbdt', ['  - target_transform: {method: log1p}']), '--quiet'], { cwd: dir, env });
    expect(tt.code, tt.stderr).toBe(0);

    const notGbdt = await runCli(['export', 'lin', '--format', 'xgboost-json', '--output', path.join(dir, 'a.json')], { cwd: dir, env });
    expect(notGbdt.code).toBe(2);
    expect(notGbdt.stderr).toContain('is a linear model; --format xgboost-json holds gbdt (alias xgboost) models, and random_forest and decision_tree regressors');
    const transformed = await runCli(['export', 'tt', '--format', 'xgboost-json', '--output', path.join(dir, 'b.json')], { cwd: dir, env });
    expect(transformed.code).toBe(2);
    expect(transformed.stderr).toContain('target_transform step, which XGBoost cannot represent');
    writeFileSync(path.join(dir, 'rfc.yaml'), ['name: rfc', 'task: classification', 'data:', '  source: penguins.csv', '  target: Species', 'model: {type: random_forest, params: {n_estimators: 5}}', ''].join('\n'));
    const rfc = await runCli(['train', '-c', path.join(dir, 'rfc.yaml'), '--quiet'], { cwd: dir, env });
    expect(rfc.code, rfc.stderr).toBe(0);
    const forestClassifier = await runCli(['export', 'rfc', '--format', 'xgboost-json', '--output', path.join(dir, 'd.json')], { cwd: dir, env });
    expect(forestClassifier.code).toBe(2);
    expect(forestClassifier.stderr).toContain('is a random_forest classifier, whose trees hold class shares that are averaged');
    const unknown = await runCli(['export', 'tt', '--format', 'pmml', '--output', path.join(dir, 'c.json')], { cwd: dir, env });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('--format pmml: unknown export format (expected one of: xgboost-json)');
  }, 120_000);
});
