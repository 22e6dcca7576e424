// Item: resource guards before the allocation, and sources that never end. A one-hot encoding or
// polynomial expansion whose output would pass the dense-cell budget is refused at fit (exit 3
// naming the step, the columns and the size) instead of growing until the kernel kills the run;
// a FIFO or /dev/zero as a source ends with its error instead of hanging after printing it.

import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/cli.js';
import { penguinsProject, soma, trainPenguins } from './helpers.js';

let dir: string;

beforeAll(() => {
  dir = tempDir('soma-safety-guards-');
  // 20,000 rows with a category each: one-hot would be 20,000 x 20,000 doubles (3 GiB).
  const rows = ['city,x,label'];
  for (let i = 0; i < 24_000; i++) rows.push(`c${i},${i % 97},${i % 2 ? 'yes' : 'no'}`);
  writeFileSync(path.join(dir, 'cities.csv'), `${rows.join('\n')}\n`);
  const wide = ['label,' + Array.from({ length: 60 }, (_, j) => `f${j}`).join(',')];
  for (let i = 0; i < 20_000; i++) wide.push(`${i % 2 ? 'yes' : 'no'},${Array.from({ length: 60 }, (_, j) => (i * (j + 1)) % 101).join(',')}`);
  writeFileSync(path.join(dir, 'wide.csv'), `${wide.join('\n')}\n`);
  const config = (name: string, source: string, step: string): string =>
    `name: ${name}\ntask: classification\nseed: 1\ndata:\n  source: ${source}\n  target: label\n  split: {train: 0.8, validation: 0.1, test: 0.1}\npreprocess:\n  - ${step}\nmodel: {type: logistic}\n`;
  writeFileSync(path.join(dir, 'onehot.yaml'), config('cities', 'cities.csv', 'onehot: {columns: [city], max_categories: 1000000}'));
  writeFileSync(path.join(dir, 'poly.yaml'), config('wide', 'wide.csv', 'polynomial: {columns: numeric, degree: 3}'));
  writeFileSync(path.join(dir, 'zero.yaml'), config('zero', '/dev/zero', 'scale: {columns: numeric}').replace('  target: label\n', '  target: label\n  format: csv\n'));
  execFileSync('mkfifo', [path.join(dir, 'pipe.csv')]);
  writeFileSync(path.join(dir, 'fifo.yaml'), config('fifo', 'pipe.csv', 'scale: {columns: numeric}'));
});

describe('dense outputs over the budget', () => {
  it('when onehot would make 19,000 columns over 19,000 rows, then train exits 3 naming onehot, the column and the size, promptly', async () => {
    const r = await soma(['train', '-c', 'onehot.yaml', '--registry', 'registry'], { cwd: dir, timeoutMs: 90_000 });
    expect(r.signal).toBeUndefined();
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toMatch(/preprocess onehot: "city" \(\d+ columns\) would add \d+ dense columns x \d+ rows = .* cells \(\d+\.\d GiB\), over the budget/);
  }, 120_000);

  it('when polynomial would make 39,650 products of 60 columns, then train exits (2: too many terms) before listing them', async () => {
    const r = await soma(['train', '-c', 'poly.yaml', '--registry', 'registry'], { cwd: dir, timeoutMs: 90_000 });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/polynomial: 60 columns at degree 3 make 39650 terms \(at most 2000\)/);
  }, 120_000);
});

describe('sources that never end', () => {
  for (const config of ['zero.yaml', 'fifo.yaml']) {
    it(`when data.source is ${config === 'zero.yaml' ? '/dev/zero' : 'a FIFO'}, then train exits 3 naming it and the process ends`, async () => {
      const r = await soma(['train', '-c', config, '--registry', 'registry'], { cwd: dir, timeoutMs: 30_000 });
      expect(r.signal, 'the process hung after its error').toBeUndefined();
      expect(r.code, r.stderr).toBe(3);
      expect(r.stderr).toMatch(/it is a (character device|FIFO \(named pipe\)), not a regular file/);
    });
  }

  it('when predict reads /dev/zero or a FIFO, then it exits 3 and ends', async () => {
    const project = penguinsProject('soma-safety-guards-predict-');
    await trainPenguins(project, path.join(project, 'registry'));
    for (const input of ['/dev/zero', path.join(dir, 'pipe.csv')]) {
      const r = await soma(['predict', 'penguins', '--input', input, '--format', 'csv', '--output', 'out/p.csv', '--registry', 'registry', '--workers', '0'], { cwd: project, timeoutMs: 30_000 });
      expect(r.signal).toBeUndefined();
      expect(r.code, r.stderr).toBe(3);
      expect(r.stderr).toContain('not a regular file');
    }
  }, 120_000);
});
