// Automatic versions through the real CLI: retraining an unchanged tree-model config is a patch
// with "nothing changed", whether the config leaves n_jobs to its default, sets it, or changes
// only it (threads cannot change the fitted model).

import { copyFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { example, runCli, tempDir } from '../helpers/cli.js';

interface Trained {
  version: string;
  bump: { level: string; reason: string };
}

async function train(dir: string, registry: string, sets: string[] = []): Promise<Trained> {
  const r = await runCli(['train', '-c', 'soma.yaml', '--registry', registry, '--json', ...sets.flatMap((s) => ['--set', s])], { cwd: dir });
  expect(r.code, r.stderr).toBe(0);
  return r.json() as Trained;
}

function carsConfig(params: string): string {
  const dir = tempDir('soma-versions-');
  copyFileSync(example('cars', 'cars.csv'), path.join(dir, 'cars.csv'));
  writeFileSync(
    path.join(dir, 'soma.yaml'),
    `name: cars\ntask: regression\ndata: {source: cars.csv, target: Miles_per_Gallon, id: Name}\nmodel: {type: gbdt, params: ${params}}\n`,
  );
  return dir;
}

describe('automatic versions of a retrained gbdt', () => {
  it('when an unchanged config with n_jobs left unset is trained twice, then the second is a patch: nothing changed', async () => {
    const dir = carsConfig('{n_estimators: 20, max_depth: 3}');
    const registry = path.join(dir, 'registry');
    expect((await train(dir, registry)).version).toBe('1.0.0');
    const second = await train(dir, registry);
    expect(second).toMatchObject({ version: '1.0.1', bump: { level: 'patch', reason: 'nothing changed (rerun)' } });
  });

  it('when the config sets n_jobs, then a rerun is a patch, and so is a change of n_jobs alone', async () => {
    const dir = carsConfig('{n_estimators: 20, max_depth: 3, n_jobs: 2}');
    const registry = path.join(dir, 'registry');
    await train(dir, registry);
    expect(await train(dir, registry)).toMatchObject({ version: '1.0.1', bump: { level: 'patch', reason: 'nothing changed (rerun)' } });
    expect(await train(dir, registry, ['model.params.n_jobs=1'])).toMatchObject({ version: '1.0.2', bump: { level: 'patch', reason: 'nothing changed (rerun)' } });
    // A real hyperparameter change still moves the minor.
    const changed = await train(dir, registry, ['model.params.max_depth=4']);
    expect(changed.bump.level).toBe('minor');
    expect(changed.bump.reason).toBe('hyperparameters changed: max_depth 3 → 4');
  });
});
