// Item: column names are data, not JavaScript. Columns named after Object.prototype's members
// read, train, predict and evaluate like any other (as features, as the target, as category
// values and text words); a header that names a column twice is an error naming it (exit 3),
// never a renamed copy (`label_1`) that leaks the target into the features.

import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/cli.js';
import { soma } from './helpers.js';

let dir: string;

/** A deterministic generator (no Math.random: the files are the same on every run). */
function lcg(seed: number): () => number {
  let s = seed;
  return () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
}

beforeAll(() => {
  dir = tempDir('soma-safety-columns-');
  const r = lcg(7);
  const rows = ['toString,__proto__,hasOwnProperty,valueOf,note,constructor'];
  const pick = <T>(xs: T[]): T => xs[Math.floor(r() * xs.length)]!;
  for (let i = 0; i < 150; i++) {
    const a = r();
    rows.push(`${a.toFixed(3)},${pick(['constructor', '__proto__', 'toString'])},${r().toFixed(3)},${pick(['hasOwnProperty', 'valueOf'])},${pick(['constructor toString', '__proto__ hasOwnProperty words', 'valueOf isPrototypeOf'])},${a > 0.5 ? '__proto__' : 'constructor'}`);
  }
  writeFileSync(path.join(dir, 'protos.csv'), `${rows.join('\n')}\n`);
  const config = (name: string, source: string, target: string, model: string, extra = ''): string =>
    `name: ${name}\ntask: classification\nseed: 1\ndata:\n  source: ${source}\n  target: ${target}\n${extra}  split: {train: 0.6, validation: 0.2, test: 0.2}\npreprocess:\n  - onehot: {columns: categorical}\nmodel: ${model}\n`;
  writeFileSync(path.join(dir, 'logistic.yaml'), config('protos', 'protos.csv', 'constructor', '{type: logistic}', '  types: {note: categorical, hasOwnProperty: numeric}\n'));
  writeFileSync(path.join(dir, 'gbdt.yaml'), `${config('protos-gbdt', 'protos.csv', 'constructor', '{type: gbdt, params: {n_estimators: 10}}', '  types: {note: text, valueOf: categorical}\n').replace('  - onehot: {columns: categorical}\n', '  - tfidf: {columns: [note]}\n  - target: {columns: [valueOf]}\n')}`);
  const dup = ['a,b,label,label'];
  const dupCase = ['a,Label,b,label'];
  for (let i = 0; i < 60; i++) {
    const y = i % 2 ? 'yes' : 'no';
    dup.push(`${i % 5},${i % 3},${y},${y}`);
    dupCase.push(`${i % 5},${y},${i % 3},${y}`);
  }
  writeFileSync(path.join(dir, 'dup.csv'), `${dup.join('\n')}\n`);
  writeFileSync(path.join(dir, 'dup-case.csv'), `${dupCase.join('\n')}\n`);
  writeFileSync(path.join(dir, 'dup.yaml'), config('dup', 'dup.csv', 'label', '{type: logistic}'));
  writeFileSync(path.join(dir, 'dup-case.yaml'), config('dup-case', 'dup-case.csv', 'Label', '{type: logistic}'));
});

describe('columns named after Object.prototype members', () => {
  for (const [file, name] of [['logistic.yaml', 'protos'], ['gbdt.yaml', 'protos-gbdt']] as const) {
    it(`when features, the target, categories and words are constructor, toString, __proto__, hasOwnProperty, valueOf (${file}), then train, predict and evaluate work`, async () => {
      const t = await soma(['train', '-c', file, '--registry', 'registry', '--json'], { cwd: dir });
      expect(t.code, t.stderr).toBe(0);
      const trained = JSON.parse(t.stdout) as { metrics: { test: { accuracy: number } } };
      expect(trained.metrics.test.accuracy).toBeGreaterThan(0.8);
      const p = await soma(['predict', name, '--input', 'protos.csv', '--output', `${name}-predictions.csv`, '--registry', 'registry', '--workers', '0'], { cwd: dir });
      expect(p.code, p.stderr).toBe(0);
      const lines = readFileSync(path.join(dir, `${name}-predictions.csv`), 'utf8').trim().split('\n');
      expect(lines[0]).toBe('prediction,proba___proto__,proba_constructor');
      expect(lines).toHaveLength(151);
      expect(lines.slice(1).every((l) => /^(__proto__|constructor),[0-9.e-]+,[0-9.e-]+$/.test(l))).toBe(true);
      const e = await soma(['evaluate', name, '--data', 'protos.csv', '--registry', 'registry'], { cwd: dir });
      expect(e.code, e.stderr).toBe(0);
    });
  }
});

describe('a header that names a column twice', () => {
  it('when the target appears twice, then train and profile exit 3 naming it instead of training on the copy', async () => {
    for (const args of [['train', '-c', 'dup.yaml', '--registry', 'registry'], ['profile', 'dup.csv']]) {
      const r = await soma(args, { cwd: dir });
      expect(r.code, r.stderr).toBe(3);
      expect(r.stderr).toMatch(/dup\.csv: the header names a column more than once: "label"/);
    }
  });

  it('when two names differ only in case, then it exits 3 naming both', async () => {
    const r = await soma(['train', '-c', 'dup-case.yaml', '--registry', 'registry'], { cwd: dir });
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toContain('"Label/label"');
  });
});
