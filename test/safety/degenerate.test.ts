// Item: degenerate data is called out. A constant target, a split with a single class, or an
// empty validation split gets a warning, and a gate judged on such a split fails instead of
// passing on one class (f1_macro is 1.0 when every test row is the class always predicted).

import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/cli.js';
import { soma } from './helpers.js';

let dir: string;

beforeAll(() => {
  dir = tempDir('soma-safety-degenerate-');
  const train = ['a,b,label'];
  const test = ['a,b,label'];
  const constant = ['a,b,y'];
  for (let i = 0; i < 200; i++) {
    const a = (i * 37) % 100 / 100;
    train.push(`${a},${(i * 11) % 7},${a > 0.5 ? 'high' : 'low'}`);
    constant.push(`${a},${(i * 11) % 7},5`);
  }
  for (let i = 0; i < 40; i++) test.push(`${0.6 + (i % 10) / 25},${i % 7},high`);
  writeFileSync(path.join(dir, 'train.csv'), `${train.join('\n')}\n`);
  writeFileSync(path.join(dir, 'test-one-class.csv'), `${test.join('\n')}\n`);
  writeFileSync(path.join(dir, 'constant.csv'), `${constant.join('\n')}\n`);
  writeFileSync(path.join(dir, 'one-class.yaml'), 'name: one-class\ntask: classification\nseed: 1\ndata:\n  train: train.csv\n  test: test-one-class.csv\n  target: label\nmodel: {type: logistic}\nevaluate:\n  metrics: [accuracy, f1_macro]\n  gates: {f1_macro: ">= 0.5"}\n');
  writeFileSync(path.join(dir, 'constant.yaml'), 'name: constant\ntask: regression\nseed: 1\ndata:\n  source: constant.csv\n  target: y\nmodel: {type: linear}\nevaluate:\n  gates: {rmse: "<= 1"}\n');
  writeFileSync(path.join(dir, 'no-validation.yaml'), 'name: no-validation\ntask: classification\nseed: 1\ndata:\n  source: train.csv\n  target: label\n  split: {train: 1.0, validation: 0, test: 0}\nmodel: {type: logistic}\nevaluate:\n  gates: {accuracy: ">= 0.5"}\n');
});

describe('degenerate splits', () => {
  it('when the test split holds a single class, then train warns and the f1_macro gate fails (exit 4) instead of passing at 1.0', async () => {
    const r = await soma(['train', '-c', 'one-class.yaml', '--registry', 'registry'], { cwd: dir });
    expect(r.stderr).toMatch(/the test split is degenerate: its target has a single class \("high" in all 40 rows\)/);
    expect(r.code, r.stderr).toBe(4);
    expect(r.stderr).toMatch(/f1_macro >= 0\.5000 on test: 1\.000 FAILED \(the test split is degenerate/);
  });

  it('when a regression target is constant, then train warns for every split and its gate fails', async () => {
    const r = await soma(['train', '-c', 'constant.yaml', '--registry', 'registry'], { cwd: dir });
    for (const split of ['train', 'validation', 'test']) expect(r.stderr).toMatch(new RegExp(`the ${split} split is degenerate: its target is constant \\(5 in all \\d+ rows\\)`));
    expect(r.code, r.stderr).toBe(4);
  });

  it('when the validation split is empty and gates judge it, then train warns and the gate fails', async () => {
    const r = await soma(['train', '-c', 'no-validation.yaml', '--registry', 'registry'], { cwd: dir });
    expect(r.stderr).toMatch(/the validation split is degenerate: it has no rows/);
    expect(r.code, r.stderr).toBe(4);
  });

  it('when every split has both classes, then nothing is said and the model registers', async () => {
    const r = await soma(['train', '-c', 'no-validation.yaml', '--registry', 'registry', '--set', 'data.split={train: 0.7, validation: 0.15, test: 0.15}'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(/split is degenerate/);
  });
});
