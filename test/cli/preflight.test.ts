// What is caught before a long run, through the real CLI: `soma validate` on data files, columns,
// metrics, gates and versions; `soma train` stopping on them before the fit; `init`'s gate
// example; and `tune` and `train` failing alike on what a model family cannot fit.

import { copyFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { example, repoRoot, runCli, tempDir } from '../helpers/cli.js';

const SKLEARN = path.join(repoRoot, 'test', 'fixtures', 'sklearn');
const weather = path.join(repoRoot, 'node_modules', 'vega-datasets', 'data', 'seattle-weather.csv');

function project(config: string, files: Record<string, string> = { 'penguins.csv': example('penguins', 'penguins.csv') }): string {
  const dir = tempDir('soma-preflight-');
  for (const [name, from] of Object.entries(files)) copyFileSync(from, path.join(dir, name));
  writeFileSync(path.join(dir, 'soma.yaml'), config);
  return dir;
}

interface Issues {
  error: { code: string; details: { issues: { key: string; line: number; message: string }[] } };
}

const validate = async (dir: string, extra: string[] = []) => {
  const r = await runCli(['validate', '--json', '--registry', path.join(dir, 'registry'), ...extra], { cwd: dir });
  return { ...r, issues: r.code === 0 ? [] : (r.json() as Issues).error.details.issues };
};

describe('soma validate before a long run', () => {
  it('when the data file does not exist, then validate exits 2 naming data.source at its line; --no-data skips the check', async () => {
    const dir = project('name: p\ndata:\n  source: nowhere.csv\n  target: Species\nmodel: {type: gbdt}\n', {});
    const r = await validate(dir);
    expect(r.code).toBe(2);
    expect(r.issues).toEqual([expect.objectContaining({ key: 'data.source', line: 3, message: expect.stringMatching(/data file not found: .*nowhere\.csv/) })]);
    expect((await validate(dir, ['--no-data'])).code).toBe(0);
  });

  it('when the target and a dropped column are not in the file, then each is named with the columns there are', async () => {
    const dir = project('name: p\ndata: {source: penguins.csv, target: species, drop: [island]}\nmodel: {type: gbdt}\n');
    const r = await validate(dir);
    expect(r.code).toBe(2);
    expect(r.issues.map((i) => i.key)).toEqual(['data.target', 'data.drop']);
    expect(r.issues[0]!.message).toMatch(/column "species" not found in penguins\.csv \(columns: Species, Island, /);
  });

  it('when the header is not on the first line (Boston), then the missing target comes with the skip_rows hint', async () => {
    const dir = project('name: b\ntask: regression\ndata: {source: boston.csv, target: MEDV}\nmodel: {type: gbdt}\n', { 'boston.csv': path.join(SKLEARN, 'boston_house_prices.csv') });
    const r = await validate(dir);
    expect(r.issues[0]!.message).toMatch(/column "MEDV" not found in boston\.csv .*skip_rows/);
  });

  it('when a gate names a metric of another task or one that is not computed, then validate says which and why', async () => {
    const regression = project('name: c\ndata: {source: cars.csv, target: Miles_per_Gallon}\nmodel: {type: linear}\nevaluate: {gates: {f1_macro: ">= 0.9"}}\n', { 'cars.csv': example('cars', 'cars.csv') });
    const r1 = await validate(regression);
    expect(r1.code).toBe(2);
    expect(r1.issues).toEqual([expect.objectContaining({ key: 'evaluate.gates.f1_macro', message: expect.stringMatching(/f1_macro is not a regression metric/) })]);
    // The task is inferred from the target when the model family leaves it open.
    const classification = project('name: p\ndata: {source: penguins.csv, target: Species}\nmodel: {type: gbdt}\nevaluate: {metrics: [accuracy], gates: {roc_auc: ">= 0.9"}}\n');
    const r2 = await validate(classification);
    expect(r2.issues).toEqual([expect.objectContaining({ key: 'evaluate.gates.roc_auc', line: 4, message: expect.stringMatching(/roc_auc is not computed: evaluate\.metrics lists accuracy.*add roc_auc to evaluate\.metrics/) })]);
  });

  it('when model.version already exists, then validate reports it, and train stops before reading the data (exit 6)', async () => {
    const dir = project('name: p\ndata: {source: penguins.csv, target: Species}\nmodel: {type: gbdt, params: {n_estimators: 5}, version: 2.0.0}\n');
    const first = await runCli(['train', '--registry', path.join(dir, 'registry')], { cwd: dir });
    expect(first.code, first.stderr).toBe(0);
    const v = await validate(dir);
    expect(v.issues).toEqual([expect.objectContaining({ key: 'model.version', message: expect.stringMatching(/p 2\.0\.0 already exists/) })]);
    rmSync(path.join(dir, 'penguins.csv'));
    const again = await runCli(['train', '--registry', path.join(dir, 'registry')], { cwd: dir });
    expect(again.code).toBe(6);
    expect(again.stderr).toMatch(/error\[REGISTRY_CONFLICT\]: model\.version: p 2\.0\.0 already exists/);
    const flag = await runCli(['train', '--registry', path.join(dir, 'registry'), '--version', '2.0.0'], { cwd: dir });
    expect(flag.code).toBe(6);
  });

  it('when a gate can never be computed, then train stops before fitting (exit 2) instead of failing the gate after the run', async () => {
    const dir = project('name: p\ndata: {source: penguins.csv, target: Species}\nmodel: {type: gbdt}\nevaluate: {metrics: [accuracy]}\n');
    const r = await runCli(['train', '--registry', path.join(dir, 'registry'), '--fail-under', 'roc_auc=0.9'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/error\[CONFIG_INVALID\]: --fail-under\/--fail-over roc_auc: the gate's metric roc_auc is not computed/);
    expect(r.stderr).not.toMatch(/registered/);
  });
});

describe('soma init gate examples', () => {
  it('when init infers regression or classification, then the example gate is a metric of that task and the config validates with it', async () => {
    for (const [target, task, gate] of [
      ['Miles_per_Gallon', 'regression', 'r2'],
      ['Origin', 'classification', 'f1_macro'],
    ] as const) {
      const dir = tempDir();
      const r = await runCli(['init', '--data', example('cars', 'cars.csv'), '--target', target, '--json'], { cwd: dir });
      expect(r.code, r.stderr).toBe(0);
      expect(r.json()).toMatchObject({ task });
      const text = (await import('node:fs')).readFileSync(path.join(dir, 'soma.yaml'), 'utf8');
      expect(text).toContain(`# gates: {${gate}: `);
      writeFileSync(path.join(dir, 'soma.yaml'), text.replace('# gates:', 'gates:'));
      const v = await runCli(['validate'], { cwd: dir });
      expect(v.code, v.stderr).toBe(0);
    }
  });
});

describe('tune and train agree on what cannot be fitted', () => {
  const config = (seed: number, model = 'logistic', extra = '') =>
    `name: p\nseed: ${seed}\ndata: {source: penguins.csv, target: Species}\nmodel: {type: ${model}}\n${extra}`;
  const search = 'search: {method: random, trials: 3, cv: {folds: 3}, space: {alpha: {loguniform: [0.01, 10]}}}\n';

  it('when logistic meets missing values in the development rows, then tune exits 3 with the very error train stops with, before any trial', async () => {
    const dir = project(config(1, 'logistic', search));
    const tuned = await runCli(['tune', '--runs-dir', 'runs'], { cwd: dir });
    const trained = await runCli(['train', '--registry', 'reg', '--runs-dir', 'runs'], { cwd: dir });
    expect(tuned.code).toBe(3);
    expect(trained.code).toBe(3);
    const message = /error\[DATA_BAD_VALUE\]: feature "Beak Length \(mm\)" has a missing value in 2 rows of the training data \(first: row \d+\); logistic needs complete numeric input/;
    expect(tuned.stderr).toMatch(message);
    expect(trained.stderr).toMatch(message);
    expect(tuned.stderr).toMatch(/hint: add an impute step/);
  });

  it('when the missing values are in the test rows only, then tune and train both stop naming the test data, before the fit', async () => {
    const dir = project(config(42, 'logistic', search));
    const tuned = await runCli(['tune', '--runs-dir', 'runs'], { cwd: dir });
    const trained = await runCli(['train', '--registry', 'reg'], { cwd: dir });
    expect([tuned.code, trained.code]).toEqual([3, 3]);
    for (const r of [tuned, trained]) expect(r.stderr).toMatch(/feature "Beak Length \(mm\)" has a missing value in 2 rows of the test data/);
  });

  it('when logistic competes with gbdt, then the study warns once that logistic trials will fail and picks gbdt', async () => {
    const dir = project(
      'name: p\nseed: 1\ndata: {source: penguins.csv, target: Species}\nmodel: {type: [logistic, gbdt]}\nsearch: {method: random, trials: 4, cv: {folds: 3}, space: {n_estimators: {int: [5, 10]}}}\n',
    );
    const r = await runCli(['tune', '--runs-dir', 'runs', '--json'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/warning: every logistic trial will fail: feature "Beak Length \(mm\)" has a missing value/);
    expect((r.json() as { best: { params: Record<string, unknown> } }).best.params['model.type']).toBe('gbdt');
  });

  it('when mlp meets missing values, then the error names the feature, the split and the row', async () => {
    const dir = project(config(42, 'mlp', 'preprocess: [{onehot: {columns: categorical}}]\n'));
    const r = await runCli(['train', '--registry', 'reg'], { cwd: dir });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/feature "Beak Length \(mm\)" has a missing value in 2 rows of the test data \(first: row \d+\); mlp needs complete numeric input/);
  });

  it('when no trial of a study succeeds, then tune exits with the trials\' error instead of 0', async () => {
    const dir = project(
      'name: rain\ntask: regression\ndata: {source: weather.csv, target: precipitation}\nmodel: {type: gbdt}\nsearch: {method: random, trials: 2, metric: mape, cv: {folds: 2}, space: {n_estimators: {int: [5, 10]}}}\n',
      { 'weather.csv': weather },
    );
    const r = await runCli(['tune', '--runs-dir', 'runs'], { cwd: dir });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/search: no trial of study \S+ succeeded \(2 failed\); trial 0 failed with: metric mape is undefined on every fold \(the target is 0 in \d+ rows/);
  });
});
