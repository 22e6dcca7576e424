// Real users' files through the real CLI: scikit-learn's whitespace and two-line-header CSVs,
// penguins with `?` for missing, vega's dates and Arrow file, identifier columns, and the
// trivial baseline a model must beat.

import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { example, repoRoot, runCli, tempDir } from '../helpers/cli.js';

const SKLEARN = path.join(repoRoot, 'test', 'fixtures', 'sklearn');
const VEGA = path.join(repoRoot, 'test', 'fixtures', 'vega');
const flightsArrow = path.join(repoRoot, 'node_modules', 'vega-datasets', 'data', 'flights-200k.arrow');

function project(files: Record<string, string>, config: string): string {
  const dir = tempDir('soma-realdata-');
  for (const [name, from] of Object.entries(files)) copyFileSync(from, path.join(dir, name));
  writeFileSync(path.join(dir, 'soma.yaml'), config);
  return dir;
}

const train = (dir: string, extra: string[] = []) => runCli(['train', '--registry', path.join(dir, 'registry'), '--json', ...extra], { cwd: dir });

interface TrainJson {
  version: string;
  metrics: Record<string, Record<string, number>>;
  baseline: { strategy: string; metric: string; split: string; model: number; baseline: number; beaten: boolean };
  gates: { metric: string; passed: boolean; note?: string }[];
  path: string;
}

describe('penguins with ? for missing values', () => {
  it('when the missing cells are written as ?, then training gives the same model as on the original file, and profile counts the ? cells', async () => {
    const original = readFileSync(example('penguins', 'penguins.csv'), 'utf8');
    const questioned = original
      .split('\n')
      .map((l, i) => (i === 0 || l === '' ? l : l.split(',').map((v) => (v === '' ? '?' : v)).join(',')))
      .join('\n');
    const config = readFileSync(example('penguins', 'soma.yaml'), 'utf8');
    const a = project({ 'penguins.csv': example('penguins', 'penguins.csv') }, config);
    const b = project({}, config);
    writeFileSync(path.join(b, 'penguins.csv'), questioned);
    const ra = await train(a);
    const rb = await train(b);
    expect(ra.code, ra.stderr).toBe(0);
    expect(rb.code, rb.stderr).toBe(0);
    expect((rb.json() as TrainJson).metrics).toEqual((ra.json() as TrainJson).metrics);

    const profiled = await runCli(['profile', 'penguins.csv', '--json'], { cwd: b });
    const cols = (profiled.json() as { columns: { name: string; type: string; missing_tokens?: Record<string, number> }[] }).columns;
    expect(cols.find((c) => c.name === 'Body Mass (g)')).toMatchObject({ type: 'numeric', missing_tokens: { '?': 2 } });
    const human = await runCli(['profile', 'penguins.csv'], { cwd: b });
    expect(human.stderr).toContain('read as missing:\n  "?": 18 cells (Sex 10,');
  });
});

describe('whitespace-separated scikit-learn files and the baseline', () => {
  // A pinned model so the outcome does not move with default params: 14 training rows of linnerud.
  const config = (extra = '') =>
    `name: jumps\ntask: regression\ndata: {source: linnerud_exercise.csv, target: Jumps}\nmodel: {type: gbdt, params: {n_estimators: 100, max_depth: 3, learning_rate: 0.3, min_samples_leaf: 1, reg_lambda: 1, early_stopping_rounds: 0}}\n${extra}`;

  it('when linnerud (single spaces) trains, then its columns are features, and a model worse than the mean is reported loudly', async () => {
    const dir = project({ 'linnerud_exercise.csv': path.join(SKLEARN, 'linnerud_exercise.csv') }, config());
    const r = await train(dir);
    expect(r.code, r.stderr).toBe(0);
    const out = r.json() as TrainJson;
    expect(out.baseline).toMatchObject({ strategy: 'mean', metric: 'rmse', split: 'test', beaten: false });
    expect(out.baseline.model).toBeGreaterThanOrEqual(out.baseline.baseline);
    expect(r.stderr).toMatch(/warning: the model does not beat the mean baseline: rmse [\d.]+ against [\d.]+ on test/);
    const metrics = JSON.parse(readFileSync(path.join(out.path, 'metrics.json'), 'utf8')) as { baseline: { test: Record<string, number>; beaten: boolean } };
    expect(metrics.baseline.beaten).toBe(false);
    expect(Object.keys(metrics.baseline.test)).toEqual(expect.arrayContaining(['rmse', 'mae', 'r2']));
    const human = await runCli(['train', '--registry', path.join(dir, 'registry')], { cwd: dir });
    expect(human.stderr).toMatch(/baseline \(mean\) rmse on test: [\d.]+; model [\d.]+: NOT BEATEN/);
  });

  it('when evaluate.baseline is required, then such a model is not registered and train exits 4 naming the baseline', async () => {
    const dir = project({ 'linnerud_exercise.csv': path.join(SKLEARN, 'linnerud_exercise.csv') }, config('evaluate: {baseline: required}\n'));
    const r = await train(dir);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/quality gate failed, nothing registered: rmse < [\d.]+ on test: [\d.]+ FAILED \(the mean baseline\)/);
    expect(existsSync(path.join(dir, 'registry', 'jumps'))).toBe(false);
  });

  it('when a model does beat its baseline (penguins), then metrics.json and train say so', async () => {
    const dir = project({ 'penguins.csv': example('penguins', 'penguins.csv') }, readFileSync(example('penguins', 'soma.yaml'), 'utf8').replace('gates: {f1_macro: ">= 0.9"}', 'gates: {f1_macro: ">= 0.9"}\n  baseline: required'));
    const r = await train(dir);
    expect(r.code, r.stderr).toBe(0);
    const out = r.json() as TrainJson;
    expect(out.baseline).toMatchObject({ strategy: 'majority class', metric: 'f1_macro', split: 'test', beaten: true });
    expect(out.gates.find((g) => g.note === 'the majority class baseline')).toMatchObject({ metric: 'f1_macro', passed: true });
  });
});

describe('a two-line header (scikit-learn Boston)', () => {
  it('when read as is, then train warns naming skip_rows and stops on a target of near-unique classes, suggesting regression', async () => {
    const dir = project({ 'boston.csv': path.join(SKLEARN, 'boston_house_prices.csv') }, 'name: boston\ndata: {source: boston.csv, target: column13}\nmodel: {type: gbdt}\n');
    const r = await runCli(['train', '--registry', path.join(dir, 'registry')], { cwd: dir });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/warning: boston\.csv: the header row looks like data .*data\.csv\.skip_rows: 1/);
    expect(r.stderr).toMatch(/error\[DATA_BAD_VALUE\]: target "column13" has \d+ classes in \d+ rows \([\d.]+ rows a class\): classification needs classes that repeat/);
    expect(r.stderr).toMatch(/hint: "column13" holds numbers: to predict them, set task: regression/);
    expect(existsSync(path.join(dir, 'registry', 'boston'))).toBe(false);
  });

  it('when the config names the real target without skip_rows, then the missing-column error hints at skip_rows', async () => {
    const dir = project({ 'boston.csv': path.join(SKLEARN, 'boston_house_prices.csv') }, 'name: boston\ndata: {source: boston.csv, target: MEDV}\nmodel: {type: gbdt}\n');
    const r = await runCli(['train', '--registry', path.join(dir, 'registry')], { cwd: dir });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/error\[DATA_MISSING_COLUMN\]: boston\.csv: data\.target column "MEDV" not found/);
    expect(r.stderr).toMatch(/hint: boston\.csv: the header row looks like data.*skip_rows/);
  });

  it('when data.csv.skip_rows is 1, then the real header is used and the regression beats its baseline', async () => {
    const dir = project({ 'boston.csv': path.join(SKLEARN, 'boston_house_prices.csv') }, 'name: boston\ndata: {source: boston.csv, target: MEDV, csv: {skip_rows: 1}}\nmodel: {type: gbdt, params: {n_estimators: 50}}\n');
    const r = await train(dir);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(/header row/);
    const out = r.json() as TrainJson;
    expect(out.baseline.beaten).toBe(true);
    expect(out.metrics['test']!['r2']).toBeGreaterThan(0.6);
  });

  it('when init meets the iris file, then it warns naming --skip-rows, and with --skip-rows the config records data.csv', async () => {
    const dir = tempDir();
    const r = await runCli(['init', '--data', path.join(SKLEARN, 'boston_house_prices.csv'), '--target', 'MEDV'], { cwd: dir });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/--skip-rows 1 on the command line/);
    const ok = await runCli(['init', '--data', path.join(SKLEARN, 'boston_house_prices.csv'), '--target', 'MEDV', '--skip-rows', '1', '--json'], { cwd: dir });
    expect(ok.code, ok.stderr).toBe(0);
    expect(readFileSync(path.join(dir, 'soma.yaml'), 'utf8')).toContain('  csv: {skip_rows: 1}\n');
    expect((await runCli(['validate'], { cwd: dir })).code).toBe(0);
    const iris = await runCli(['profile', path.join(SKLEARN, 'iris.csv')]);
    expect(iris.stderr).toMatch(/warning: .*iris\.csv: the header row looks like data \(column names "150", "4" are numbers\)/);
  });
});

describe('dates and identifiers', () => {
  it('when movies are trained with their "Jun 12 1998" release dates, then the date is one datetime feature whose format reaches the contract, and predict and evaluate parse it', async () => {
    const dir = project(
      { 'movies.json': path.join(VEGA, 'movies-400.json') },
      'name: movies\ntask: regression\ndata:\n  source: movies.json\n  target: IMDB Rating\n  drop: [Title, Director, US DVD Sales, Worldwide Gross]\nmodel: {type: gbdt, params: {n_estimators: 30}}\n',
    );
    const r = await train(dir);
    expect(r.code, r.stderr).toBe(0);
    const out = r.json() as TrainJson;
    const features = JSON.parse(readFileSync(path.join(out.path, 'features.json'), 'utf8')) as { columns: { name: string; type: string; format?: string }[] };
    expect(features.columns.find((c) => c.name === 'Release Date')).toMatchObject({ type: 'datetime', format: '%b %d %Y' });
    const predicted = await runCli(['predict', 'movies', '--input', 'movies.json', '--output', 'out.csv', '--registry', path.join(dir, 'registry'), '--json'], { cwd: dir });
    expect(predicted.code, predicted.stderr).toBe(0);
    expect((predicted.json() as { rows: number }).rows).toBe(400);
    const evaluated = await runCli(['evaluate', 'movies', '--data', 'movies.json', '--registry', path.join(dir, 'registry'), '--json'], { cwd: dir });
    expect(evaluated.code, evaluated.stderr).toBe(0);
  });

  it('when data.types gives the format, then stocks train on the date column as a datetime', async () => {
    const dir = project({ 'stocks.csv': path.join(VEGA, 'stocks.csv') }, "name: stocks\ntask: regression\ndata:\n  source: stocks.csv\n  target: price\n  types: {date: {datetime: '%b %d %Y'}}\nmodel: {type: gbdt, params: {n_estimators: 30}}\n");
    const r = await train(dir);
    expect(r.code, r.stderr).toBe(0);
    const features = JSON.parse(readFileSync(path.join((r.json() as TrainJson).path, 'features.json'), 'utf8')) as { columns: { name: string; type: string; format?: string }[] };
    expect(features.columns.find((c) => c.name === 'date')).toMatchObject({ type: 'datetime', format: '%b %d %Y' });
  });

  it('when a row number is among the columns, then train warns that it looks like an identifier and init makes it data.id', async () => {
    const lines = readFileSync(example('penguins', 'penguins.csv'), 'utf8').trimEnd().split('\n');
    const numbered = lines.map((l, i) => `${i === 0 ? 'row' : i},${l}`).join('\n');
    const dir = project({}, 'name: p\ndata: {source: penguins.csv, target: Species}\nmodel: {type: gbdt, params: {n_estimators: 20}}\n');
    writeFileSync(path.join(dir, 'penguins.csv'), `${numbered}\n`);
    const r = await train(dir);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/warning: penguins\.csv: column "row" looks like a row identifier \(unique integers in row order\).*set data\.id: "row"/);
    const init = await runCli(['init', '--data', 'penguins.csv', '--target', 'Species', '-o', 'init.yaml', '--json'], { cwd: dir });
    expect(init.code, init.stderr).toBe(0);
    expect(init.json()).toMatchObject({ id: 'row' });
    expect(readFileSync(path.join(dir, 'init.yaml'), 'utf8')).toContain('  id: row\n');
    const trained = await runCli(['train', '-c', 'init.yaml', '--registry', path.join(dir, 'registry2')], { cwd: dir });
    expect(trained.code, trained.stderr).toBe(0);
    expect(trained.stderr).not.toMatch(/looks like a row identifier/);
  });
});

describe('Arrow IPC through the CLI', () => {
  it('when flights-200k.arrow is profiled, trained on and predicted from, then it reads like a Parquet file', async () => {
    const dir = project({ 'flights.arrow': flightsArrow }, 'name: delays\ntask: regression\ndata: {source: flights.arrow, target: delay}\nmodel: {type: gbdt, params: {n_estimators: 10}}\n');
    const profiled = await runCli(['profile', 'flights.arrow', '--json'], { cwd: dir });
    expect(profiled.code, profiled.stderr).toBe(0);
    expect(profiled.json()).toMatchObject({ rows: 200000, columns: [{ name: 'delay', type: 'numeric' }, { name: 'distance', type: 'numeric' }, { name: 'time', type: 'numeric' }] });
    const r = await train(dir);
    expect(r.code, r.stderr).toBe(0);
    const predicted = await runCli(['predict', 'delays', '--input', 'flights.arrow', '--output', 'p.parquet', '--registry', path.join(dir, 'registry'), '--json'], { cwd: dir });
    expect(predicted.code, predicted.stderr).toBe(0);
    expect((predicted.json() as { rows: number }).rows).toBe(200000);
  });
});
