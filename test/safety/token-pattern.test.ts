// Item: a tfidf/hashing token_pattern cannot hang a run. A catastrophic-backtracking pattern such
// as (a+)+$ on a long text is refused before any text is tokenized (exit 2 naming the step, the
// key and why); accepted patterns are linear (see src/preprocess/token-pattern.ts).

import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/cli.js';
import { soma } from './helpers.js';

let dir: string;

function config(step: string, pattern: string): string {
  return [
    'name: notes',
    'task: classification',
    'seed: 1',
    'data:',
    '  source: notes.csv',
    '  target: label',
    '  types: {note: text}',
    '  split: {train: 0.6, validation: 0.2, test: 0.2}',
    'preprocess:',
    `  - ${step}: {columns: [note], token_pattern: ${JSON.stringify(pattern)}}`,
    'model: {type: logistic}',
    '',
  ].join('\n');
}

beforeAll(() => {
  dir = tempDir('soma-safety-regex-');
  // Long runs of one letter ending in a character the pattern cannot match: the worst case.
  const rows = ['note,label'];
  for (let i = 0; i < 60; i++) rows.push(`${'a'.repeat(40 + i)}! word${i % 3},${i % 2 === 0 ? 'yes' : 'no'}`);
  writeFileSync(path.join(dir, 'notes.csv'), `${rows.join('\n')}\n`);
  for (const step of ['tfidf', 'hashing']) {
    writeFileSync(path.join(dir, `${step}-bad.yaml`), config(step, '(a+)+$'));
    writeFileSync(path.join(dir, `${step}-ok.yaml`), config(step, '\\b\\w\\w+\\b'));
  }
});

describe('token_pattern that would backtrack catastrophically', () => {
  for (const step of ['tfidf', 'hashing']) {
    for (const command of ['validate', 'train']) {
      it(`when ${step}'s token_pattern is (a+)+$, then soma ${command} exits 2 naming the step and why, promptly`, async () => {
        const r = await soma([command, '-c', `${step}-bad.yaml`, '--registry', 'registry'].slice(0, command === 'train' ? 5 : 3), { cwd: dir, timeoutMs: 40_000 });
        expect(r.signal, 'killed by the test timeout: the pattern hung the run').toBeUndefined();
        expect(r.code, r.stderr).toBe(2);
        expect(r.stderr).toMatch(/token_pattern.*refused: the group \(a\+\) holds an unbounded repetition/);
        expect(r.stderr).toContain(step);
      }, 60_000);
    }

    it(`when ${step}'s token_pattern is scikit-learn's \\b\\w\\w+\\b, then soma train succeeds`, async () => {
      const r = await soma(['train', '-c', `${step}-ok.yaml`, '--registry', 'registry', '--fail-under', 'accuracy=0'], { cwd: dir, timeoutMs: 120_000 });
      expect(r.code, r.stderr).toBe(0);
    });
  }
});
