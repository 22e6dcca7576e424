// `soma tune` and `soma train` with a search: section, end to end on the penguins example.
// Uses worker threads and bin/soma.js: build first (npx tsc -p .).

import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { example, repoRoot, runCli, tempDir } from '../helpers/cli.js';

interface TuneJson {
  study: string;
  best: { number: number; params: Record<string, unknown>; score: number };
  trials: { number: number; params: Record<string, unknown>; score: number | null; state: string; error?: string; budget?: number }[];
  families: { family: string; trials: number; best_score: number | null }[];
  replayed: number;
  interrupted: number;
  journal: string;
}

function writeConfig(dir: string, model: string, search: string): string {
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
${model}
search:
${search}
`,
  );
  return file;
}

const gbdtSearch = (trials: number): [string, string] => [
  '  type: gbdt\n  params: {n_estimators: 30}',
  `  method: bayesian\n  trials: ${trials}\n  startup: 4\n  metric: log_loss\n  cv: {folds: 3}\n  space:\n    max_depth: {int: [2, 6]}\n    learning_rate: {loguniform: [0.01, 0.5]}`,
];

describe('soma tune', () => {
  it('when a grid has an invalid value, then --json lists every grid point once, the bad ones failed with their error, and the best is among the good', async () => {
    const dir = tempDir();
    const cfg = writeConfig(dir, '  type: gbdt\n  params: {n_estimators: 10}', '  method: grid\n  cv: {folds: 3}\n  space:\n    max_depth: [2, -1]\n    learning_rate: [0.1, 0.3]');
    const r = await runCli(['tune', '-c', cfg, '--runs-dir', path.join(dir, 'runs'), '--json']);
    expect(r.code).toBe(0);
    const j = r.json() as TuneJson;
    expect(j.trials.map((t) => [t.number, t.params, t.state])).toEqual([
      [0, { max_depth: 2, learning_rate: 0.1 }, 'complete'],
      [1, { max_depth: 2, learning_rate: 0.3 }, 'complete'],
      [2, { max_depth: -1, learning_rate: 0.1 }, 'failed'],
      [3, { max_depth: -1, learning_rate: 0.3 }, 'failed'],
    ]);
    expect(j.trials[2]!.error).toMatch(/max_depth/);
    expect(j.trials[2]!.score).toBeNull();
    expect([0, 1]).toContain(j.best.number);
    expect(j.best.score).toBe(Math.max(j.trials[0]!.score!, j.trials[1]!.score!));
    expect(existsSync(j.journal)).toBe(true);
    expect(j.journal.startsWith(path.join(dir, 'runs', 'peng'))).toBe(true);
  });

  it('when the same study runs with n_jobs 1 and 2, then the suggested params and the scores are identical', async () => {
    const dir = tempDir();
    const cfg = writeConfig(dir, ...gbdtSearch(10));
    const one = await runCli(['tune', '-c', cfg, '--runs-dir', path.join(dir, 'runs'), '--study', 'one', '--json']);
    const two = await runCli(['tune', '-c', cfg, '--runs-dir', path.join(dir, 'runs'), '--study', 'two', '--n-jobs', '2', '--json']);
    expect(one.code).toBe(0);
    expect(two.code).toBe(0);
    const view = (j: TuneJson): unknown => j.trials.map((t) => [t.number, t.params, t.score, t.state]);
    expect((one.json() as TuneJson).trials).toHaveLength(10);
    expect(view(two.json() as TuneJson)).toEqual(view(one.json() as TuneJson));
  });

  it('when the study process is killed with SIGKILL mid-study, then --resume completes it with no trial lost or duplicated and the same result as an uninterrupted run', async () => {
    const dir = tempDir();
    const runs = path.join(dir, 'runs');
    const cfg = writeConfig(dir, ...gbdtSearch(24));
    const journal = path.join(runs, 'peng', 'crash', 'journal.jsonl');
    const child = spawn(process.execPath, [path.join(repoRoot, 'bin', 'soma.js'), 'tune', '-c', cfg, '--runs-dir', runs, '--study', 'crash', '--json'], { stdio: 'ignore' });
    const finishedLines = (): number => (existsSync(journal) ? readFileSync(journal, 'utf8').split('\n').filter((l) => l.includes('"event":"finished"')).length : 0);
    const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
    const t0 = Date.now();
    while (finishedLines() < 6 && Date.now() - t0 < 30_000) await new Promise((r) => setTimeout(r, 20));
    child.kill('SIGKILL');
    await exited;
    const before = finishedLines();
    expect(before).toBeGreaterThanOrEqual(6);
    expect(before).toBeLessThan(24);

    const resumed = await runCli(['tune', '-c', cfg, '--runs-dir', runs, '--resume', '--json']);
    expect(resumed.code).toBe(0);
    const j = resumed.json() as TuneJson;
    expect(j.study).toBe('crash');
    expect(j.trials.map((t) => t.number)).toEqual(Array.from({ length: 24 }, (_, i) => i));
    expect(j.trials.every((t) => t.state === 'complete')).toBe(true);
    expect(j.replayed).toBe(before);
    // Every trial finished exactly once in the journal, across both runs.
    const finished = readFileSync(journal, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { event: string; trial?: number }).filter((e) => e.event === 'finished').map((e) => e.trial!);
    expect([...finished].sort((a, b) => a - b)).toEqual(Array.from({ length: 24 }, (_, i) => i));

    const fresh = await runCli(['tune', '-c', cfg, '--runs-dir', runs, '--study', 'fresh', '--json']);
    const view = (x: TuneJson): unknown => x.trials.map((t) => [t.params, t.score]);
    expect(view(j)).toEqual(view(fresh.json() as TuneJson));
  });

  it('when trials is raised on resume, then the study is extended: every earlier trial is replayed, none re-run', async () => {
    const dir = tempDir();
    const runs = path.join(dir, 'runs');
    const cfg = writeConfig(dir, '  type: logistic', '  method: bayesian\n  trials: 8\n  cv: {folds: 3}\n  space:\n    alpha: {loguniform: [0.001, 10]}');
    const first = await runCli(['tune', '-c', cfg, '--runs-dir', runs, '--study', 'grow', '--json']);
    expect(first.code).toBe(0);
    const more = await runCli(['tune', '-c', cfg, '--runs-dir', runs, '--study', 'grow', '--resume', '--set', 'search.trials=44', '--json']);
    expect(more.code).toBe(0);
    const a = first.json() as TuneJson;
    const b = more.json() as TuneJson;
    expect(b.replayed).toBe(8); // the default start-up would have grown from 5 to 11 trials
    expect(b.trials.map((t) => t.number)).toEqual(Array.from({ length: 44 }, (_, i) => i));
    expect(b.trials.slice(0, 8)).toEqual(a.trials);
  });

  it('when model.type lists families, then the study compares them and reports one row per family', async () => {
    const dir = tempDir();
    const cfg = writeConfig(
      dir,
      '  type: [gbdt, logistic]\n  params: {n_estimators: 10}',
      '  method: random\n  trials: 8\n  cv: {folds: 3}\n  space:\n    gbdt: {max_depth: {int: [2, 4]}}\n    logistic: {alpha: {loguniform: [0.01, 10]}}',
    );
    const r = await runCli(['tune', '-c', cfg, '--runs-dir', path.join(dir, 'runs'), '--json']);
    expect(r.code).toBe(0);
    const j = r.json() as TuneJson;
    expect(j.families.map((f) => f.family).sort()).toEqual(['gbdt', 'logistic']);
    expect(j.families.reduce((s, f) => s + f.trials, 0)).toBe(8);
    expect(j.trials).toHaveLength(8);
    for (const t of j.trials) expect(Object.keys(t.params).sort()).toEqual(t.params['model.type'] === 'gbdt' ? ['max_depth', 'model.type'] : ['alpha', 'model.type']);
  });

  it('when the space names a param the model does not have, then it is a config error with a suggestion', async () => {
    const dir = tempDir();
    const cfg = writeConfig(dir, '  type: gbdt', '  method: random\n  space:\n    max_dept: {int: [2, 4]}');
    const r = await runCli(['tune', '-c', cfg, '--runs-dir', path.join(dir, 'runs'), '--json']);
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/max_dept/);
    expect(r.stdout).toMatch(/did you mean \\"max_depth\\"/);
  });

  it('when the method is hyperband, then weak trials are pruned and only survivors run at the full budget', async () => {
    const dir = tempDir();
    const cfg = writeConfig(dir, '  type: gbdt\n  params: {n_estimators: 27}', '  method: hyperband\n  metric: log_loss\n  cv: {folds: 3}\n  hyperband: {min: 3, max: 27, eta: 3}\n  space:\n    max_depth: {int: [1, 6]}\n    learning_rate: {loguniform: [0.01, 0.5]}');
    const r = await runCli(['tune', '-c', cfg, '--runs-dir', path.join(dir, 'runs'), '--json']);
    expect(r.code).toBe(0);
    const j = r.json() as TuneJson;
    // Brackets for 3..27, eta 3: 9@3, 5@9, 3@27 configurations.
    expect(j.trials).toHaveLength(17);
    expect(j.trials.filter((t) => t.state === 'pruned').length).toBeGreaterThan(0);
    const best = j.trials.find((t) => t.number === j.best.number)!;
    expect(best.budget).toBe(27);
  });
});

describe('soma train with search:', () => {
  it('when model.type is a list but there is no search:, then train says a search is needed', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'soma.yaml');
    writeFileSync(file, `name: peng\ndata: {source: ${example('penguins', 'penguins.csv')}, target: Species}\nmodel: {type: [gbdt, logistic]}\n`);
    const r = await runCli(['train', '-c', file, '--registry', path.join(dir, 'reg'), '--json'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/needs a search: section/);
  });

  it('when the config has search:, then train tunes, refits the best on train + validation and registers it with search.json and summary.search', async () => {
    const dir = tempDir();
    const cfg = writeConfig(dir, '  type: [gbdt, logistic]\n  params: {n_estimators: 10}', '  method: random\n  trials: 6\n  cv: {folds: 3}\n  space:\n    logistic: {alpha: {loguniform: [0.01, 10]}}\n    gbdt: {max_depth: [2, 3]}');
    const reg = path.join(dir, 'reg');
    const r = await runCli(['train', '-c', cfg, '--registry', reg, '--json'], { cwd: dir });
    expect(r.code).toBe(0);
    const out = r.json() as { path: string };
    const search = JSON.parse(readFileSync(path.join(out.path, 'search.json'), 'utf8')) as TuneJson;
    expect(search.trials).toHaveLength(6);
    const meta = JSON.parse(readFileSync(path.join(out.path, 'metadata.json'), 'utf8')) as {
      algorithm: string;
      hyperparameters: Record<string, unknown>;
      summary: { search: { best: { params: Record<string, unknown> }; trials: number }; rows: { train: number; validation: number } };
      artifacts: { path: string }[] | Record<string, unknown>;
    };
    expect(meta.summary.search.trials).toBe(6);
    expect(meta.algorithm).toBe(search.best.params['model.type']);
    if (meta.algorithm === 'logistic') expect(meta.hyperparameters['alpha']).toBe(search.best.params['alpha']);
    // Refit on train + validation: no rows left in validation.
    expect(meta.summary.rows.validation).toBe(0);
    expect(existsSync(path.join(dir, 'artifacts', 'runs', 'peng'))).toBe(true);
  });

  it('when train gets --runs-dir, or SOMA_RUNS in its environment, then the study journal goes there (the flag wins)', async () => {
    const dir = tempDir();
    const cfg = writeConfig(dir, '  type: gbdt\n  params: {n_estimators: 5}', '  method: random\n  trials: 2\n  cv: {folds: 2}\n  space:\n    max_depth: [2, 3]');
    const reg = path.join(dir, 'reg');
    const flagged = await runCli(['train', '-c', cfg, '--registry', reg, '--runs-dir', 'by-flag', '--json'], { cwd: dir, env: { SOMA_RUNS: 'by-env' } });
    expect(flagged.code).toBe(0);
    expect(readdirSync(path.join(dir, 'by-flag', 'peng'))).toHaveLength(1);
    expect(existsSync(path.join(dir, 'by-env'))).toBe(false);
    const fromEnv = await runCli(['train', '-c', cfg, '--registry', reg, '--json'], { cwd: dir, env: { SOMA_RUNS: 'by-env' } });
    expect(fromEnv.code).toBe(0);
    const [study] = readdirSync(path.join(dir, 'by-env', 'peng'));
    const search = JSON.parse(readFileSync(path.join((fromEnv.json() as { path: string }).path, 'search.json'), 'utf8')) as TuneJson;
    expect(search.journal).toBe(path.join(dir, 'by-env', 'peng', study!, 'journal.jsonl'));
    expect(existsSync(path.join(dir, 'artifacts', 'runs'))).toBe(false);
  });
});
