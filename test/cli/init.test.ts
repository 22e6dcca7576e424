import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot, runCli, tempDir } from '../helpers/cli.js';

const weather = path.join(repoRoot, 'node_modules', 'vega-datasets', 'data', 'seattle-weather.csv');
const cars = path.join(repoRoot, 'examples', 'cars', 'cars.csv');

describe('soma init', () => {
  it('when given a data file and a categorical target, then it writes a classification config that trains', async () => {
    const dir = tempDir();
    const r = await runCli(['init', '--data', weather, '--target', 'weather', '--json'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.json()).toMatchObject({ task: 'classification', rows: 1461, config: 'soma.yaml' });
    const text = readFileSync(path.join(dir, 'soma.yaml'), 'utf8');
    expect(text.split('\n')[0]).toMatch(/^# yaml-language-server: \$schema=.*configs\/soma\.schema\.json$/);
    const validated = await runCli(['validate'], { cwd: dir });
    expect(validated.code, validated.stderr).toBe(0);
    const trained = await runCli(['train', '--registry', path.join(dir, 'reg'), '--json'], { cwd: dir, env: { SOMA_DEBUG: '1' } });
    expect(trained.code, trained.stderr).toBe(0);
    expect(trained.json()).toMatchObject({ version: '1.0.0' });
  });

  it('when the target is a continuous number, then the task is regression and free text is dropped', async () => {
    const dir = tempDir();
    const r = await runCli(['init', '--data', cars, '--target', 'Miles_per_Gallon', '-o', 'mpg.yaml', '--json'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.json()).toMatchObject({ task: 'regression', dropped: ['Name'], name: 'mpg' });
  });

  it('when the config exists, then it refuses to overwrite without --force (exit 2)', async () => {
    const dir = tempDir();
    expect((await runCli(['init', '--data', cars, '--target', 'Origin'], { cwd: dir })).code).toBe(0);
    const again = await runCli(['init', '--data', cars, '--target', 'Origin'], { cwd: dir });
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/already exists \(pass --force/);
    expect((await runCli(['init', '--data', cars, '--target', 'Origin', '--force'], { cwd: dir })).code).toBe(0);
  });

  it('when the target column does not exist, then it exits 3 listing the columns', async () => {
    const r = await runCli(['init', '--data', cars, '--target', 'mpg'], { cwd: tempDir() });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/no column "mpg" for --target \(columns: Name, Miles_per_Gallon/);
  });
});
