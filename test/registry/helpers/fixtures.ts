// Small hand-built fixtures for registry tests: temp dirs, a metadata body, bump inputs.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { BumpInputs } from '../../../src/registry/bump.js';
import type { MetadataBody } from '../../../src/registry/metadata.js';

export async function makeTempDir(prefix = 'soma-registry-'): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

export function penguinInputs(overrides: Partial<BumpInputs> = {}): BumpInputs {
  return {
    task: 'classification',
    target: 'species',
    algorithm: 'logistic',
    features: [
      { name: 'island', type: 'categorical' },
      { name: 'bill_length_mm', type: 'numeric' },
      { name: 'body_mass_g', type: 'numeric' },
    ],
    preprocess_sha256: 'a'.repeat(64),
    hyperparameters: { max_iter: 100, l2: 0.1 },
    data_sha256: 'd'.repeat(64),
    rows: 344,
    ...overrides,
  };
}

/** A metadata body consistent with `inputs`, as the train pipeline would build it. */
export function bodyFor(inputs: BumpInputs, parent: string | null = null): MetadataBody {
  return {
    description: 'Penguin species from body measurements',
    task: inputs.task,
    algorithm: inputs.algorithm,
    framework: 'soma test',
    created_at: new Date().toISOString(),
    training_duration_s: 0.5,
    trained_on: { source: 'penguins.csv', sha256: inputs.data_sha256, rows: inputs.rows ?? 0 },
    target: inputs.target,
    features: inputs.features.map((f) => ({ name: f.name, type: f.type })),
    hyperparameters: inputs.hyperparameters,
    metrics: { test: { accuracy: 0.97 } },
    lineage: { parent, config_sha256: null, preprocess_sha256: inputs.preprocess_sha256, git_commit: null, git_dirty: null, command: 'soma train' },
    timings: { load_s: 0.1, preprocess_s: 0.1, fit_s: 0.2, evaluate_s: 0.1, total_s: 0.5 },
    summary: {},
  };
}
