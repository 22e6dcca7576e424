// Small things users hit at a terminal, through the real CLI: help on stdout, a closed pipe,
// the profile's header, datetime ranges in one format per column, a next-step hint that can be
// pasted, and MAPE over a target with zeros reported as undefined instead of 3e13.

import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { repoRoot, runCli, tempDir } from '../helpers/cli.js';

const bin = path.join(repoRoot, 'bin', 'soma.js');
const weather = path.join(repoRoot, 'node_modules', 'vega-datasets', 'data', 'seattle-weather.csv');

describe('help and pipes', () => {
  it('when a command is asked for --help, then the help is on stdout (so `soma train --help | grep` finds it) and stderr is empty', async () => {
    const r = await runCli(['train', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/--config <file>/);
    expect(r.stderr).toBe('');
    const child = await execa('node', [bin, 'train', '--help'], { reject: false });
    expect(child.exitCode).toBe(0);
    expect(child.stdout.split('\n').filter((l) => l.includes('--set'))).toHaveLength(1);
  });

  it('when a usage error happens, then the message is on stderr and stdout is empty', async () => {
    const r = await runCli(['train', '--bogus']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown option '--bogus'/);
    expect(r.stdout).toBe('');
  });

  it('when the reader of stdout closes the pipe early (soma schema | head -1), then soma exits 0 without a stack trace', async () => {
    const child = execa('node', [bin, 'schema'], { reject: false, buffer: { stdout: false, stderr: true } });
    // Read one chunk, then close our end, as `head -1` does.
    await new Promise<void>((resolve) => child.stdout!.once('data', () => resolve()));
    child.stdout!.destroy();
    const done = await child;
    expect(done.stderr).toBe('');
    expect(done.exitCode).toBe(0);
  });
});

describe('soma profile output', () => {
  it('when a file is profiled, then the rows-and-columns header is printed once, after the file name', async () => {
    const r = await runCli(['profile', weather]);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stderr.split('\n');
    expect(lines[0]).toBe(`${weather}: 1461 rows, 6 columns`);
    expect(lines.filter((l) => /\d+ rows, \d+ columns/.test(l))).toHaveLength(1);
  });

  it('when a datetime column mixes midnights and times of day, then its min and max print in one format', async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'times.csv'), 'at,v\n2020-01-01 00:00:00,1\n2020-01-02 12:30:00,2\n2020-01-03 06:00:00,3\n');
    const r = await runCli(['profile', 'times.csv'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    const row = r.stderr.split('\n').find((l) => l.startsWith('at '))!;
    expect(row).toContain('2020-01-01T00:00:00Z');
    expect(row).toContain('2020-01-03T06:00:00Z');
    // A column of dates alone keeps the short form.
    const d = await runCli(['profile', weather]);
    expect(d.stderr.split('\n').find((l) => l.startsWith('date '))).toMatch(/2012-01-01\s+2015-12-31/);
  });
});

describe('soma init next step', () => {
  it('when the config path has a space, then the printed next command quotes it so it can be pasted', async () => {
    const dir = tempDir();
    mkdirSync(path.join(dir, 'my models'));
    const r = await runCli(['init', '--data', weather, '--target', 'weather', '-o', 'my models/weather.yaml'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain("next: soma train -c 'my models/weather.yaml'");
  });
});

describe('mape over a target with zeros', () => {
  it('when the regression target is 0 in some rows (Seattle precipitation), then mape is reported as undefined with why, not as 1e13', async () => {
    const dir = tempDir();
    copyFileSync(weather, path.join(dir, 'weather.csv'));
    writeFileSync(
      path.join(dir, 'soma.yaml'),
      'name: rain\ntask: regression\ndata: {source: weather.csv, target: precipitation}\nmodel: {type: gbdt, params: {n_estimators: 20}}\nevaluate: {metrics: [rmse, mae, mape]}\n',
    );
    const r = await runCli(['train', '--registry', path.join(dir, 'reg'), '--json'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    const out = r.json() as { metrics: Record<string, Record<string, number>> };
    for (const split of ['train', 'validation', 'test']) {
      expect(out.metrics[split]).toHaveProperty('rmse');
      expect(out.metrics[split]).not.toHaveProperty('mape');
    }
    expect(r.stderr).toMatch(/warning: mape is undefined \(not reported\) on train: the target is 0 in \d+ rows and MAPE divides by the target/);
    const human = await runCli(['train', '--registry', path.join(dir, 'reg')], { cwd: dir });
    expect(human.code, human.stderr).toBe(0);
    expect(human.stderr).not.toMatch(/e\+1\d/);
  });
});
