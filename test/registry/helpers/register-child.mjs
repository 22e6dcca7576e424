// Child process for the concurrency test: registers one version of "race" into a shared registry
// using the compiled registry modules, starting at a shared wall-clock instant to maximise overlap.
// argv: <compiled registry dir> <registry root> <start at, epoch ms> <index> [hang]
// With `hang`, the child prints HOLDING from inside the locked section and waits to be killed.

import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const [compiled, root, startAt, index, mode] = process.argv.slice(2);
const { Registry } = await import(pathToFileURL(join(compiled, 'store.js')).href);
const { chooseVersion, decideBump } = await import(pathToFileURL(join(compiled, 'bump.js')).href);

const inputs = {
  task: 'classification',
  target: 'species',
  algorithm: 'logistic',
  features: [{ name: 'bill_length_mm', type: 'numeric' }],
  preprocess_sha256: null,
  hyperparameters: { l2: 0.1 },
  data_sha256: 'd'.repeat(64),
  rows: 10,
};

while (Date.now() < Number(startAt)) await new Promise((r) => setTimeout(r, 1));

const registry = new Registry(root);
const result = await registry.register(
  'race',
  {
    write: async (dir) => {
      await mkdir(join(dir, 'model'));
      // Unique, sizeable content per child so a mix-up between versions would show in checksums.
      await writeFile(join(dir, 'model', 'model.json'), JSON.stringify({ child: Number(index), pad: 'x'.repeat(200_000 + Number(index)) }));
      await writeFile(join(dir, 'preprocess.json'), JSON.stringify({ child: Number(index) }));
    },
    decide: ({ latest, existing }) => chooseVersion(existing, decideBump(latest, inputs)),
    finalize: async ({ parent }) => {
      if (mode === 'hang') {
        process.stdout.write('HOLDING\n');
        await new Promise(() => setInterval(() => {}, 1000));
      }
      return {
      description: `child ${index}`,
      task: inputs.task,
      algorithm: inputs.algorithm,
      framework: 'soma test',
      created_at: new Date().toISOString(),
      training_duration_s: 0,
      trained_on: { source: 'x.csv', sha256: inputs.data_sha256, rows: inputs.rows },
      target: inputs.target,
      features: inputs.features,
      hyperparameters: inputs.hyperparameters,
      metrics: {},
      lineage: { parent, config_sha256: null, preprocess_sha256: null, git_commit: null, git_dirty: null, command: 'child' },
      timings: { load_s: 0, preprocess_s: 0, fit_s: 0, evaluate_s: 0, total_s: 0 },
      summary: { child: Number(index) },
      };
    },
  },
  { lockTimeoutMs: 20_000 },
);
process.stdout.write(JSON.stringify({ index: Number(index), version: result.version, dir: result.dir }) + '\n');
