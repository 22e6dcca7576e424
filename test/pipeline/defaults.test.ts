// Out-of-the-box behaviour on real files (issue #17): a config with no model: trains gbdt and says
// so; a linear model with no preprocess: gets imputation and scaling, so the cars file (missing
// horsepower, a categorical origin) trains as it is; an mlp's epochs follow the table's size.

import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { autoEpochs } from '../../src/models/mlp.js';
import { example, runCli, tempDir } from '../helpers/cli.js';

function carsProject(model: string): string {
  const dir = tempDir('soma-defaults-');
  copyFileSync(example('cars', 'cars.csv'), path.join(dir, 'cars.csv'));
  writeFileSync(path.join(dir, 'soma.yaml'), `name: mpg\ntask: regression\ndata: {source: cars.csv, target: Miles_per_Gallon, id: Name}\n${model}`);
  return dir;
}

const train = (dir: string) => runCli(['train', '--registry', path.join(dir, 'registry'), '--json'], { cwd: dir });

describe('no model: in the config', () => {
  it('when the config has no model section, then soma trains gbdt and says which family it chose', async () => {
    const dir = carsProject('');
    const r = await train(dir);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('no model: in the config, so soma trains gbdt');
    const out = r.json() as { algorithm?: string; path: string; metrics: { test: { r2: number } } };
    const meta = JSON.parse(readFileSync(path.join(out.path, 'metadata.json'), 'utf8')) as { algorithm: string };
    expect(meta.algorithm).toBe('gbdt');
    expect(out.metrics.test.r2).toBeGreaterThan(0.7);
  }, 120_000);
});

describe('default preprocessing of the linear families', () => {
  it('when linear trains on cars with no preprocess: section, then the missing horsepower is imputed, numbers scaled, and the steps are recorded', async () => {
    const dir = carsProject('model: {type: linear}\n');
    const r = await train(dir);
    expect(r.code, r.stderr).toBe(0);
    const out = r.json() as { path: string; metrics: { test: { r2: number } } };
    const meta = JSON.parse(readFileSync(path.join(out.path, 'metadata.json'), 'utf8')) as { summary: { default_preprocess: { name: string }[] } };
    expect(meta.summary.default_preprocess.map((s) => s.name)).toEqual(['impute', 'impute', 'scale']);
    const steps = JSON.parse(readFileSync(path.join(out.path, 'preprocess.json'), 'utf8')) as unknown;
    expect(JSON.stringify(steps)).toContain('impute');
    expect(out.metrics.test.r2).toBeGreaterThan(0.7);
  }, 120_000);

  it('when the config lists its own steps, then only those are fitted (a missing value then fails naming the feature)', async () => {
    const dir = carsProject('preprocess:\n  - scale: {columns: numeric}\nmodel: {type: linear}\n');
    const r = await train(dir);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('Horsepower');
  }, 120_000);
});

describe('mlp epochs: auto', () => {
  it('when a table is one batch an epoch, then 200 epochs; when it is 1,000 batches, then 20', () => {
    expect(autoEpochs(1)).toBe(200);
    expect(autoEpochs(7)).toBe(200);
    expect(autoEpochs(400)).toBe(50);
    expect(autoEpochs(1000)).toBe(20);
    expect(autoEpochs(50_000)).toBe(20);
  });
});
