// The validation policy (pipeline/refit.ts): a validated fit on the training split, then a refit on
// training + validation at the size it chose, recorded in the metadata; `refit: false` keeps the
// validated model. Real CLI, real fixture (scikit-learn's breast cancer set).

import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { refitDecision, REFIT_MAX_ROWS } from '../../src/pipeline/refit.js';
import { repoRoot, runCli, tempDir } from '../helpers/cli.js';

describe('refitDecision', () => {
  it('when refit is auto, then small tables refit and tables above the cap keep the validated fit', () => {
    expect(refitDecision('auto', 800, 150).refit).toBe(true);
    expect(refitDecision('auto', REFIT_MAX_ROWS, 1)).toMatchObject({ refit: false, reason: expect.stringContaining(`more than ${REFIT_MAX_ROWS}`) });
    expect(refitDecision(true, REFIT_MAX_ROWS * 10, 10).refit).toBe(true);
    expect(refitDecision(false, 100, 20).refit).toBe(false);
  });
  it('when there are no validation rows, then there is nothing to refit on', () => {
    expect(refitDecision(true, 100, 0)).toMatchObject({ refit: false, reason: expect.stringContaining('no validation rows') });
  });
});

interface Policy {
  refit: boolean;
  reason: string;
  validated_best_iteration?: number;
  refit_rows?: number;
  refit_params?: Record<string, unknown>;
}

async function trainCancer(training: string, params = ''): Promise<{ policy: Policy; hyperparameters: Record<string, unknown>; rows: { train: number; validation: number }; model: { params: Record<string, unknown>; state: { iterations: number } }; metrics: { train: Record<string, number>; validation: Record<string, number> } }> {
  const dir = tempDir('soma-refit-');
  // The counted CSV with a header: x0..x29 and the class.
  const lines = readFileSync(path.join(repoRoot, 'test', 'fixtures', 'sklearn', 'breast_cancer.csv'), 'utf8').split('\n').filter((l) => l !== '');
  writeFileSync(path.join(dir, 'cancer.csv'), [[...Array.from({ length: 30 }, (_, i) => `x${i}`), 'target'].join(','), ...lines.slice(1)].join('\n') + '\n');
  writeFileSync(
    path.join(dir, 'soma.yaml'),
    `name: cancer\ntask: classification\ndata: {source: cancer.csv, target: target}\nmodel: {type: gbdt${params ? `, params: ${params}` : ''}${training ? `, training: ${training}` : ''}}\n`,
  );
  const r = await runCli(['train', '--registry', path.join(dir, 'registry'), '--json', '--quiet'], { cwd: dir });
  expect(r.code, r.stderr).toBe(0);
  const out = r.json() as { path: string };
  const meta = JSON.parse(readFileSync(path.join(out.path, 'metadata.json'), 'utf8')) as { hyperparameters: Record<string, unknown>; summary: { validation_policy: Policy; rows: { train: number; validation: number } }; metrics: { train: Record<string, number>; validation: Record<string, number> } };
  const model = JSON.parse(readFileSync(path.join(out.path, 'model', 'model.json'), 'utf8')) as { params: Record<string, unknown>; state: { iterations: number } };
  return { policy: meta.summary.validation_policy, hyperparameters: meta.hyperparameters, rows: meta.summary.rows, model, metrics: meta.metrics };
}

describe('the validation split by default', () => {
  it('when a small table trains with early stopping, then the saved model is refitted on training + validation at the best round, and the metadata says so', async () => {
    const { policy, rows, model, hyperparameters } = await trainCancer('', '{early_stopping_rounds: 5, n_estimators: 300}');
    expect(policy.refit).toBe(true);
    expect(policy.refit_rows).toBe(rows.train + rows.validation);
    expect(policy.validated_best_iteration).toBeGreaterThan(0);
    expect(policy.refit_params).toEqual({ n_estimators: policy.validated_best_iteration, early_stopping_rounds: 0 });
    // The kept model grew exactly the rounds the validated fit chose, with nothing to stop on;
    // the version's hyperparameters stay the configured ones.
    expect(model.state.iterations).toBe(policy.validated_best_iteration);
    expect(model.params['n_estimators']).toBe(policy.validated_best_iteration);
    expect(hyperparameters['n_estimators']).toBe(300);
  }, 120_000);

  it('when refit is false, then the validated model is the one kept', async () => {
    const { policy, model } = await trainCancer('{refit: false}', '{early_stopping_rounds: 5, n_estimators: 300}');
    expect(policy).toMatchObject({ refit: false, reason: 'model.training.refit is false' });
    expect(policy.refit_rows).toBeUndefined();
    expect(model.params['n_estimators']).toBe(300);
    expect(model.state.iterations).toBeGreaterThanOrEqual(policy.validated_best_iteration!);
  }, 120_000);
});
