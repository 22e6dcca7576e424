import { beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync, writeFileSync, copyFileSync } from 'node:fs';
import path from 'node:path';
import { example, runCli, tempDir } from '../helpers/cli.js';

// One registry for the suite: penguins (classification) and cars (regression) trained once.
const registry = tempDir('soma-cli-');
const reg = ['--registry', registry];

beforeAll(async () => {
  const p = await runCli(['train', '-c', example('penguins', 'soma.yaml'), ...reg, '--json']);
  expect(p.code, p.stderr).toBe(0);
  const c = await runCli(['train', '-c', example('cars', 'soma.yaml'), ...reg, '--json']);
  expect(c.code, c.stderr).toBe(0);
});

describe('soma --help and usage errors', () => {
  it('when asked for help, then it lists the commands and exits 0', async () => {
    const r = await runCli(['--help']);
    expect(r.code).toBe(0);
    // Help is what was asked for: it goes to stdout, so `soma --help | grep` finds it.
    for (const c of ['validate', 'profile', 'train', 'evaluate', 'predict', 'models']) expect(r.stdout).toContain(c);
    expect(r.stderr).toBe('');
  });

  it('when a command is unknown, then it exits 2', async () => {
    const r = await runCli(['trian']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown command 'trian'/);
  });
});

describe('soma validate', () => {
  it('when the config is valid, then it exits 0 and says so in JSON', async () => {
    const r = await runCli(['validate', '-c', example('penguins', 'soma.yaml'), '--json']);
    expect(r.code).toBe(0);
    expect(r.json()).toMatchObject({ valid: true });
  });

  it('when the YAML is broken, then it exits 2 with the position', async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'bad.yaml'), 'data:\n  source: [x\n');
    const r = await runCli(['validate', '-c', 'bad.yaml'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/error\[CONFIG_PARSE\]: bad\.yaml: the YAML does not parse\nbad\.yaml:\d+:\d+/);
  });

  it('when a key is unknown or a type is wrong, then every problem is listed and it exits 2', async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'soma.yaml'), 'data:\n  source: d.csv\n  target: y\n  targt: z\nmodel:\n  type: gbdt\n  params: {n_estimators: many}\n');
    const r = await runCli(['validate', '--json'], { cwd: dir });
    expect(r.code).toBe(2);
    const err = (r.json() as { error: { code: string; details: { issues: { key: string; line: number; col: number; suggestion?: string }[] } } }).error;
    expect(err.code).toBe('CONFIG_INVALID');
    expect(err.details.issues.map((i) => [i.key, i.line, i.col])).toEqual([
      ['data.targt', 4, 3],
      ['model.params.n_estimators', 7, 26],
    ]);
    expect(err.details.issues[0]!.suggestion).toBe('target');
  });

  it('when the config file is missing, then it exits 2 naming it', async () => {
    const r = await runCli(['validate', '-c', 'nope.yaml'], { cwd: tempDir() });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/nope\.yaml: cannot read config/);
  });
});

describe('soma profile', () => {
  it('when given a data file, then it prints one entry per column with types and missing counts', async () => {
    const r = await runCli(['profile', example('penguins', 'penguins.csv'), '--json']);
    expect(r.code, r.stderr).toBe(0);
    const p = r.json() as { rows: number; columns: { name: string; type: string; missing: number }[] };
    expect(p.rows).toBe(344);
    const byName = Object.fromEntries(p.columns.map((c) => [c.name, c]));
    expect(byName['Species']!.type).toBe('categorical');
    expect(byName['Beak Length (mm)']).toMatchObject({ type: 'numeric', missing: 2 });
  });

  it('when the file does not exist, then it exits 3 naming it', async () => {
    const r = await runCli(['profile', '/nonexistent/data.csv']);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/\/nonexistent\/data\.csv/);
  });

  it('when a Parquet file is corrupt, then it exits 3 with DATA_UNREADABLE', async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'broken.parquet'), Buffer.from('PAR1 this is not really parquet at all'));
    const r = await runCli(['profile', path.join(dir, 'broken.parquet')]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/DATA_UNREADABLE.*broken\.parquet/);
  });
});

describe('soma train', () => {
  it('when training succeeds, then --json has the documented shape and the version directory holds every artifact', async () => {
    const r = await runCli(['train', '-c', example('penguins', 'soma.yaml'), ...reg, '--json', '--set', 'model.params.alpha=0.5']);
    expect(r.code, r.stderr).toBe(0);
    const out = r.json() as { name: string; version: string; id: string; path: string; metrics: Record<string, Record<string, number>>; timings: Record<string, number> };
    expect(out.name).toBe('penguins');
    expect(out.version).toBe('1.1.0'); // hyperparameters changed -> minor
    expect(out.id).toBe('penguins_v1.1.0');
    expect(Object.keys(out.metrics)).toEqual(['train', 'validation', 'test']);
    expect(out.metrics['test']!['f1_macro']).toBeGreaterThan(0.9);
    expect(Object.keys(out.timings)).toEqual(['load_s', 'preprocess_s', 'fit_s', 'evaluate_s', 'total_s']);
    for (const f of ['metadata.json', 'model/model.json', 'preprocess.json', 'features.json', 'metrics.json', 'profile.json', 'config.yaml', 'report.md']) {
      expect(existsSync(path.join(out.path, f)), f).toBe(true);
    }
    const meta = JSON.parse(readFileSync(path.join(out.path, 'metadata.json'), 'utf8')) as Record<string, unknown>;
    const sha = expect.stringMatching(/^[0-9a-f]{64}$/);
    expect(meta).toMatchObject({
      formatVersion: 1,
      name: 'penguins',
      version: '1.1.0',
      id: 'penguins_v1.1.0',
      description: 'Penguin species from beak, flipper and body measurements',
      task: 'classification',
      algorithm: 'logistic',
      framework: expect.stringMatching(/^soma \d+\.\d+\.\d+/),
      created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      trained_on: { source: 'penguins.csv', sha256: sha, rows: 344 },
      target: 'Species',
      hyperparameters: expect.objectContaining({ alpha: 0.5, penalty: 'l2' }),
      metrics: { train: out.metrics['train'], validation: out.metrics['validation'], test: out.metrics['test'] },
      lineage: expect.objectContaining({ config_sha256: sha, preprocess_sha256: sha }),
      timings: out.timings,
    });
    expect(meta['training_duration_s']).toBeGreaterThan(0);
    expect(meta['features']).toContainEqual({ name: 'Island', type: 'categorical' });
    const artifacts = meta['artifacts'] as { path: string; bytes: number; sha256: string }[];
    expect(artifacts.map((a) => a.path)).toEqual(expect.arrayContaining(['model/model.json', 'preprocess.json', 'features.json', 'metrics.json', 'profile.json', 'config.yaml', 'report.md']));
    for (const a of artifacts) expect(a, a.path).toMatchObject({ bytes: expect.any(Number), sha256: sha });
    expect(meta['bump']).toMatchObject({ level: 'minor' });
    expect((meta['bump'] as { reason: string }).reason).toMatch(/alpha/);
    expect((meta['lineage'] as { parent: string }).parent).toBe('penguins_v1.0.0');
  });

  it('when a gate fails, then it exits 4 naming the metric, value and bound, and registers nothing', async () => {
    const before = await runCli(['models', 'list', 'penguins', ...reg, '--json']);
    const r = await runCli(['train', '-c', example('penguins', 'soma.yaml'), ...reg, '--fail-under', 'accuracy=0.9999']);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/accuracy >= 0\.9999 on test: 0\.\d+ FAILED/);
    const after = await runCli(['models', 'list', 'penguins', ...reg, '--json']);
    expect(after.json()).toEqual(before.json());
  });

  it('when the target column is missing from the data, then it exits 3 naming it', async () => {
    const r = await runCli(['train', '-c', example('penguins', 'soma.yaml'), ...reg, '--set', 'data.target=species']);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/data\.target column "species" not found/);
  });

  it('when a --set value breaks the schema, then it exits 2 and points at --set', async () => {
    const r = await runCli(['train', '-c', example('penguins', 'soma.yaml'), ...reg, '--set', 'model.type=xgb']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--set model\.type=xgb model\.type: value not allowed .* did you mean "xgboost"\?/);
  });
});

describe('soma models', () => {
  it('when listing, then every model appears with its latest version', async () => {
    const r = await runCli(['models', 'list', ...reg, '--json']);
    expect(r.code).toBe(0);
    const names = (r.json() as { models: { name: string }[] }).models.map((m) => m.name).sort();
    expect(names).toEqual(['cars-mpg', 'penguins']);
  });

  it('when showing a ref in the seed form, then the metadata comes back', async () => {
    const r = await runCli(['models', 'show', 'penguins_v1.0.0', ...reg, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json()).toMatchObject({ id: 'penguins_v1.0.0', algorithm: 'logistic' });
  });

  it('when a ref does not exist, then it exits 6', async () => {
    const r = await runCli(['models', 'show', 'penguins@9.9.9', ...reg]);
    expect(r.code).toBe(6);
  });
});

describe('soma evaluate', () => {
  it('when given a labelled file, then it prints the metrics', async () => {
    const r = await runCli(['evaluate', 'cars-mpg', '--data', example('cars', 'cars.csv'), ...reg, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const out = r.json() as { ref: string; metrics: Record<string, number> };
    expect(out.ref).toBe('cars-mpg');
    expect(out.metrics['r2']).toBeGreaterThan(0.7);
  });

  it('when the file lacks columns the model needs, then it exits 3 naming every one', async () => {
    const dir = tempDir();
    const csv = readFileSync(example('cars', 'cars.csv'), 'utf8').split('\n');
    // Drop the Horsepower and Origin columns.
    const cut = csv.map((line) => line.split(',').filter((_, i) => i !== 4 && i !== 8).join(','));
    writeFileSync(path.join(dir, 'partial.csv'), cut.join('\n'));
    const r = await runCli(['evaluate', 'cars-mpg', '--data', path.join(dir, 'partial.csv'), ...reg]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/"Horsepower", "Origin"/);
  });
});

describe('soma predict', () => {
  it('when predicting a regression model with an id, then the id is passed through', async () => {
    const dir = tempDir();
    const out = path.join(dir, 'mpg.ndjson');
    const r = await runCli(['predict', 'cars-mpg@1.0.0', '--input', example('cars', 'cars.csv'), '--output', out, ...reg, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json()).toMatchObject({ ref: 'cars-mpg@1.0.0', rows: 406, output: out });
    const lines = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(406);
    expect(lines[0]).toMatchObject({ Name: 'chevrolet chevelle malibu' });
    expect(typeof lines[0]!['prediction']).toBe('number');
  });

  it('when input columns are missing, then it exits 3 naming them and writes no output', async () => {
    const dir = tempDir();
    copyFileSync(example('cars', 'cars.csv'), path.join(dir, 'in.csv'));
    writeFileSync(path.join(dir, 'in.csv'), 'Name,Cylinders\nx,4\n');
    const out = path.join(dir, 'out.csv');
    const r = await runCli(['predict', 'cars-mpg', '--input', path.join(dir, 'in.csv'), '--output', out, ...reg]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/Displacement/);
    expect(r.stderr).toMatch(/Horsepower/);
    expect(existsSync(out)).toBe(false);
  });
});

describe('global options', () => {
  it('when --json comes before the command name, then the command still prints JSON', async () => {
    const r = await runCli(['--json', 'validate', '-c', example('penguins', 'soma.yaml')]);
    expect(r.code).toBe(0);
    expect(r.json()).toMatchObject({ valid: true });
  });

  it('when --quiet is given, then a successful command prints nothing', async () => {
    const r = await runCli(['validate', '-c', example('penguins', 'soma.yaml'), '--quiet']);
    expect(r.code).toBe(0);
    expect(r.stdout + r.stderr).toBe('');
  });
});

describe('linear model reporting', () => {
  it('when a logistic model stops before converging, then train warns what to change and models show lists signed coefficients per class', async () => {
    const registry = tempDir('soma-conv-');
    const r = await runCli(['train', '-c', example('penguins', 'soma.yaml'), '--registry', registry, '--set', 'model.params.max_iter=2', '--set', 'evaluate.gates={}']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/warning: logistic did not converge: .*raise max_iter/);
    const shown = await runCli(['models', 'show', 'penguins', '--registry', registry]);
    expect(shown.stderr).toMatch(/coefficients for class Adelie/);
    expect(shown.stderr).toMatch(/coefficients for class Gentoo/);
    expect(shown.stderr).toMatch(/Beak Length \(mm\)\s+-?\d/);
  });
});

describe('tree model reporting', () => {
  it('when a random forest is trained, then its out-of-bag score and split and cover importance reach metrics.json, train and models show', async () => {
    const registry = tempDir('soma-rf-');
    const args = ['train', '-c', example('penguins', 'soma.yaml'), '--registry', registry, '--set', 'model.type=random_forest', '--set', 'model.params={n_estimators: 40}'];
    const r = await runCli([...args, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const out = r.json() as { path: string; metrics: Record<string, Record<string, number>> };
    expect(Object.keys(out.metrics)).toEqual(['train', 'validation', 'test', 'oob']);
    expect(out.metrics['oob']!['accuracy']).toBeGreaterThan(0.9);
    const metrics = JSON.parse(readFileSync(path.join(out.path, 'metrics.json'), 'utf8')) as { oob: Record<string, number>; feature_importance: Record<string, unknown> };
    expect(metrics.oob).toEqual(out.metrics['oob']);
    const imp = metrics.feature_importance as { kind: string; values: Record<string, number>; split: Record<string, number>; cover: Record<string, number> };
    expect(imp.kind).toBe('gain');
    expect(Object.keys(imp.split)).toEqual(Object.keys(imp.values));
    expect(Object.values(imp.split).reduce((a, b) => a + b, 0)).toBeGreaterThan(40);
    expect(Math.max(...Object.values(imp.cover))).toBeGreaterThan(0);
    const human = await runCli(['train', ...args.slice(1)]);
    expect(human.stderr).toMatch(/metric\s+train\s+validation\s+test\s+oob/);
    const shown = await runCli(['models', 'show', 'penguins', '--registry', registry]);
    expect(shown.stderr).toMatch(/metric\s+train\s+validation\s+test\s+oob\n/);
    expect(shown.stderr).toMatch(/feature importance \(gain, top \d+; splits and cover beside\)/);
    expect(shown.stderr).toMatch(/splits \d+ {2}cover \d/);
  });

  it('when gbdt trains on a terminal, then the progress bar shows the round with the train and validation metric', async () => {
    const registry = tempDir('soma-tty-');
    const r = await runCli(['train', '-c', example('cars', 'soma.yaml'), '--registry', registry, '--set', 'model.params.n_estimators=20', '--set', 'evaluate.gates={}'], { isTTY: true });
    expect(r.code, r.stderr).toBe(0);
    // Frames are drawn at most every 200 ms, and always the first and the last.
    expect(r.stderr).toMatch(/\r\x1b\[2Ktraining █░+ 1\/20 rmse train \d\.\d+ · validation \d\.\d+/);
    expect(r.stderr).toMatch(/training █{24} 20\/20 rmse train \d\.\d+ · validation \d\.\d+/);
    const piped = await runCli(['train', '-c', example('cars', 'soma.yaml'), '--registry', registry, '--set', 'model.params.n_estimators=20', '--set', 'evaluate.gates={}']);
    expect(piped.stderr).not.toMatch(/training/);
  });

  it('when early stopping is asked for without a validation split, then train warns that it had no effect', async () => {
    const registry = tempDir('soma-esr-');
    const r = await runCli(['train', '-c', example('cars', 'soma.yaml'), '--registry', registry, '--set', 'data.split={train: 0.8, validation: 0, test: 0.2}', '--set', 'model.params.early_stopping_rounds=5', '--set', 'evaluate.gates={}']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/warning: gbdt: early_stopping_rounds = 5 had no effect: the fit had no validation data/);
  });
});
