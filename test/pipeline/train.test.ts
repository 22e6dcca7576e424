// `train` called in-process, as a server or a test would: the runs directory, working directory
// and abort signal come only from its options, never from process.env, process.cwd() or handlers.

import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isSomaError } from '../../src/errors.js';
import { train, type TrainOptions } from '../../src/pipeline/train.js';
import { readJournal } from '../../src/search/journal.js';
import { example, tempDir } from '../helpers/cli.js';

function writeSearchConfig(dir: string): string {
  const file = path.join(dir, 'soma.yaml');
  writeFileSync(
    file,
    `name: peng
seed: 1
data:
  source: ${example('penguins', 'penguins.csv')}
  target: Species
preprocess:
  - impute: {columns: numeric, strategy: median}
model:
  type: gbdt
  params: {n_estimators: 5}
search:
  method: random
  trials: 2
  cv: {folds: 2}
  space:
    max_depth: [2, 3]
`,
  );
  return file;
}

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
const listenerCounts = (): number[] => SIGNALS.map((s) => process.listenerCount(s));

describe('train in-process with injected runs directory, cwd and signal', () => {
  // A bogus SOMA_RUNS in this process's environment: a pipeline that read it would write there.
  let bogus: string;
  let saved: string | undefined;
  beforeEach(() => {
    saved = process.env['SOMA_RUNS'];
    bogus = path.join(tempDir('soma-bogus-runs-'), 'never');
    process.env['SOMA_RUNS'] = bogus;
  });
  afterEach(() => {
    if (saved === undefined) delete process.env['SOMA_RUNS'];
    else process.env['SOMA_RUNS'] = saved;
  });

  it('when train runs twice with a runs dir from options, then each study is journalled there, SOMA_RUNS is ignored and no signal handler is added', async () => {
    const dir = tempDir();
    const config = writeSearchConfig(dir);
    const registryDir = path.join(dir, 'reg');
    const before = listenerCounts();
    const base: Omit<TrainOptions, 'runsDir'> = { config, registryDir, command: 'in-process test', cwd: dir };

    const first = await train({ ...base, runsDir: path.join(dir, 'runs-a') });
    const second = await train({ ...base, runsDir: path.join(dir, 'runs-b') });

    expect(first.version).toBe('1.0.0');
    expect(second.version).not.toBe('1.0.0');
    expect(readdirSync(path.join(registryDir, 'peng', 'versions')).sort()).toEqual([first.version, second.version].sort());
    for (const runs of ['runs-a', 'runs-b']) {
      const studies = readdirSync(path.join(dir, runs, 'peng'));
      expect(studies).toHaveLength(1);
      expect(existsSync(path.join(dir, runs, 'peng', studies[0]!, 'journal.jsonl'))).toBe(true);
    }
    expect(existsSync(bogus)).toBe(false);
    // Nothing under the process's working directory either: the runs dir is only what was given.
    expect(existsSync(path.join(process.cwd(), 'artifacts', 'runs', 'peng'))).toBe(false);
    expect(listenerCounts()).toEqual(before);
  });

  it('when the signal is already aborted, then train stops with ABORTED, registers nothing and names the config relative to the injected cwd', async () => {
    const dir = tempDir();
    const config = writeSearchConfig(dir);
    const registryDir = path.join(dir, 'reg');
    for (const runs of ['runs-a', 'runs-b']) {
      const runsDir = path.join(dir, runs);
      const error = await train({ config, registryDir, runsDir, command: 'in-process test', cwd: dir, signal: AbortSignal.abort() }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(isSomaError(error) && error.code).toBe('ABORTED');
      // The hint is relative to the cwd given (the process's own cwd is the repository root).
      expect(isSomaError(error) && error.hint).toBe('soma tune -c soma.yaml --resume');
      // The study was started (its journal is there to resume) and not one trial ran.
      const [study] = readdirSync(path.join(runsDir, 'peng'));
      const events = readJournal(path.join(runsDir, 'peng', study!, 'journal.jsonl')).map((e) => e['event']);
      expect(events).toEqual(['study']);
    }
    expect(existsSync(path.join(registryDir, 'peng', 'versions'))).toBe(false);
    expect(existsSync(bogus)).toBe(false);
  });
});
