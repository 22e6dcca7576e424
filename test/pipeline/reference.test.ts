// The reference profile `soma train` stores: its edges and counts are those recomputed from the
// training split (re-read and re-split from the config), the outputs are recorded for the train
// and test splits and match the registered model's own predictions counted on the stored edges,
// a version without a reference (as older soma wrote them) still loads and predicts, and a
// malformed one is an integrity error naming profile.json and the field.

import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { closeDuckDB } from '../../src/data/duckdb.js';
import { numericValues, type Column, type Frame } from '../../src/data/frame.js';
import { countOnEdges } from '../../src/monitor/histogram.js';
import { learnEdges, type CategoricalReference, type ColumnReference, type NumericReference, type ReferenceProfile } from '../../src/monitor/reference.js';
import { loadDataset } from '../../src/pipeline/dataset.js';
import { registerBuiltinTasks } from '../../src/tasks/index.js';
import { findTask } from '../../src/tasks/registry.js';
import { loadModel, predictFrame } from '../../src/pipeline/loaded-model.js';
import { predictRecords } from '../../src/pipeline/predict-records.js';
import { readReference } from '../../src/pipeline/reference.js';
import { chooseVersion } from '../../src/registry/bump.js';
import type { MetadataBody } from '../../src/registry/metadata.js';
import { Registry } from '../../src/registry/store.js';
import { SomaError } from '../../src/errors.js';
import { example, runCli, tempDir } from '../helpers/cli.js';

const registry = tempDir('soma-reference-');

beforeAll(async () => {
  for (const name of ['penguins', 'cars']) {
    const r = await runCli(['train', '-c', example(name, 'soma.yaml'), '--registry', registry, '--json']);
    expect(r.code, r.stderr).toBe(0);
  }
}, 120_000);

afterAll(async () => {
  await closeDuckDB();
});

/** The config's splits, read and split again exactly as train did. */
async function splits(configFile: string): Promise<{ train: Frame; test: Frame; seed: number; drop: string[] }> {
  const loaded = await loadConfig(configFile);
  registerBuiltinTasks();
  const data = await loadDataset(loaded.config, loaded.dir, loaded.config.task ? findTask(loaded.config.task) : undefined);
  const d = loaded.config.data;
  return { train: data.train, test: data.test!, seed: loaded.config.seed, drop: [d.target, ...(d.id ? [d.id] : []), ...d.drop] };
}

/** Checks one stored entry against the column it describes: edges learned again, every row counted again. */
function expectCounts(ref: ColumnReference, c: Column, seed: number, edges?: number[]): void {
  expect(ref.name).toBe(c.name);
  if (c.type === 'numeric' || c.type === 'datetime') {
    const r = ref as NumericReference;
    const values = numericValues(c);
    expect(r.edges).toEqual(edges ?? Array.from(learnEdges(values, seed)));
    const out = new Float64Array(r.edges.length + 2);
    countOnEdges(Float64Array.from(r.edges), values, out);
    expect(r.counts).toEqual(Array.from(out.subarray(0, r.edges.length + 1)));
    expect(r.missing).toBe(out[r.edges.length + 1]);
    expect(r.rows).toBe(values.length);
  } else if (c.type === 'categorical') {
    const r = ref as CategoricalReference;
    const counts = new Map<string, number>();
    let missing = 0;
    for (const code of c.codes) {
      if (code < 0) missing++;
      else counts.set(c.dictionary[code]!, (counts.get(c.dictionary[code]!) ?? 0) + 1);
    }
    expect(Object.fromEntries(r.categories.map((k, i) => [k, r.counts[i]]))).toEqual(Object.fromEntries(counts));
    expect([r.missing, r.other]).toEqual([missing, 0]);
  } else {
    throw new Error(`unexpected ${c.type} column`);
  }
}

describe('reference profile', () => {
  it('when a classifier is trained, then every input column\'s edges and counts are those of the training split, and the target\'s classes are counted', async () => {
    const { resolved } = await loadModel(registry, 'penguins');
    const ref = (await readReference(resolved.dir))!;
    const { train, seed, drop } = await splits(example('penguins', 'soma.yaml'));
    const features = train.drop(drop);
    expect(ref.rows).toBe(train.rows);
    expect(ref.columns.map((c) => c.name)).toEqual(features.names);
    expect(ref.columns.map((c) => c.type)).toEqual(['categorical', 'numeric', 'numeric', 'numeric', 'numeric', 'categorical']);
    ref.columns.forEach((r, j) => expectCounts(r, features.columns[j]!, seed));
    // Some training rows miss a measurement or the sex: the missing counts are there.
    expect(ref.columns.reduce((a, c) => a + c.missing, 0)).toBeGreaterThan(0);
    expectCounts(ref.target!, train.column('Species')!, seed);
  });

  it('when a classifier is trained, then its outputs on train and test are recorded, and the model\'s own test predictions counted on the stored edges match', async () => {
    const model = await loadModel(registry, 'penguins');
    const ref = (await readReference(model.resolved.dir))!;
    const summary = model.resolved.metadata.summary as { rows: { train: number; test: number } };
    expect(ref.outputs.train.rows).toBe(summary.rows.train);
    expect(ref.outputs.test!.rows).toBe(summary.rows.test);
    const names = ['prediction', ...model.contract.classes.map((c) => `proba_${c}`)];
    for (const split of ['train', 'validation', 'test'] as const) expect(ref.outputs[split]!.columns.map((c) => c.name)).toEqual(names);
    const { test, train, drop } = await splits(example('penguins', 'soma.yaml'));
    for (const [split, frame] of [['test', test], ['train', train]] as const) {
      const p = predictFrame(model, frame.drop(drop));
      const k = model.contract.classes.length;
      const stored = ref.outputs[split]!.columns;
      const predicted: Column = { type: 'categorical', name: 'prediction', codes: Int32Array.from(p.values), dictionary: model.contract.classes };
      expectCounts(stored[0]!, predicted, 0);
      model.contract.classes.forEach((label, j) => {
        const proba = Float64Array.from({ length: frame.rows }, (_, i) => p.proba![i * k + j]!);
        // Every split is counted on the training outputs' edges.
        const trainEdges = (ref.outputs.train.columns[j + 1] as NumericReference).edges;
        expectCounts(stored[j + 1]!, { type: 'numeric', name: `proba_${label}`, values: proba }, 0, trainEdges);
      });
    }
  });

  it('when a regression with a date is trained, then the datetime input, the target values and the predicted values have references on train and test', async () => {
    const model = await loadModel(registry, 'cars-mpg');
    const ref = (await readReference(model.resolved.dir))!;
    const { train, test, seed, drop } = await splits(example('cars', 'soma.yaml'));
    const features = train.drop(drop);
    expect(ref.columns.find((c) => c.name === 'Year')?.type).toBe('datetime');
    ref.columns.forEach((r, j) => expectCounts(r, features.columns[j]!, seed));
    expectCounts(ref.target!, train.column('Miles_per_Gallon')!, seed);
    const trainEdges = (ref.outputs.train.columns[0] as NumericReference).edges;
    expect(ref.outputs.test!.columns.map((c) => c.name)).toEqual(['prediction']);
    const p = predictFrame(model, test.drop(drop));
    expectCounts(ref.outputs.test!.columns[0]!, { type: 'numeric', name: 'prediction', values: p.values }, seed, trainEdges);
  });
});

/** Registers `name` with the files of a trained version, its profile.json replaced by `profile`. */
async function registerWithProfile(name: string, from: string, profile: unknown): Promise<string> {
  const reg = new Registry(registry);
  const source = await reg.load(from);
  const registered = await reg.register(name, {
    write: async (dir) => {
      cpSync(source.dir, dir, { recursive: true });
      writeFileSync(path.join(dir, 'profile.json'), `${JSON.stringify(profile, null, 2)}\n`);
    },
    decide: ({ existing }) => chooseVersion(existing, { level: 'major', reason: 'test' }),
    finalize: (): MetadataBody => {
      const { name: _n, version: _v, id: _i, artifacts: _a, bump: _b, formatVersion: _f, ...body } = source.metadata as unknown as Record<string, unknown>;
      return body as unknown as MetadataBody;
    },
  });
  return registered.dir;
}

describe('versions without a reference', () => {
  it('when profile.json predates the reference (columns only), then the version loads, predicts through the CLI and in memory, and has no reference', async () => {
    const trained = JSON.parse(readFileSync(path.join((await new Registry(registry).load('penguins')).dir, 'profile.json'), 'utf8')) as { rows: number; columns: unknown; reference?: ReferenceProfile };
    expect(trained.reference?.formatVersion).toBe(1);
    const dir = await registerWithProfile('penguins-old', 'penguins', { rows: trained.rows, columns: trained.columns });
    expect(await readReference(dir)).toBeUndefined();
    const out = path.join(tempDir(), 'old.csv');
    const r = await runCli(['predict', 'penguins-old', '--input', example('penguins', 'penguins.csv'), '--output', out, '--registry', registry, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(out, 'utf8').trim().split('\n')).toHaveLength(345);
    const model = await loadModel(registry, 'penguins-old');
    expect(predictRecords(model, [{ Island: 'Biscoe', 'Beak Length (mm)': 47, 'Beak Depth (mm)': 15, 'Flipper Length (mm)': 215, 'Body Mass (g)': 5200, Sex: 'MALE' }]).rows).toBe(1);
    const show = await runCli(['models', 'show', 'penguins-old', '--registry', registry]);
    expect(show.code, show.stderr).toBe(0);
  });

  it('when the stored reference is malformed, then reading it is REGISTRY_INTEGRITY naming profile.json and the field, and the model still loads', async () => {
    const trained = JSON.parse(readFileSync(path.join((await new Registry(registry).load('penguins')).dir, 'profile.json'), 'utf8')) as { reference: { columns: { counts: number[] }[] } };
    trained.reference.columns[1]!.counts.push(1);
    const dir = await registerWithProfile('penguins-bad', 'penguins', trained);
    let error: SomaError | undefined;
    try {
      await readReference(dir);
    } catch (e) {
      error = e as SomaError;
    }
    expect(error).toBeInstanceOf(SomaError);
    expect(error!.code).toBe('REGISTRY_INTEGRITY');
    expect(error!.message).toMatch(/^.*penguins-bad\/versions\/1\.0\.0\/profile\.json: reference\.columns\[1\]\.counts: expected \d+ counts, got \d+ of them$/);
    expect((await loadModel(registry, 'penguins-bad')).contract.target).toBe('Species');
  });
});
