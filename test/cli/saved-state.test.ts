// Damaged saved state through the real CLI: for every model family, a registered version whose
// model/model.json (or the mlp's layers files) is altered and then re-signed, so every checksum
// passes (`soma models verify` says ok) and only the state itself is wrong. `soma predict` must
// exit 6 naming the file and the field, never exit 1 with a TypeError or 3 with a data error.

import { createHash } from 'node:crypto';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { example, runCli, tempDir } from '../helpers/cli.js';

type Json = Record<string, unknown>;

const base = tempDir('soma-saved-state-');
const out = tempDir('soma-saved-state-out-');

interface Family {
  name: string;
  args: string[];
  input: string;
}

const penguins = (type: string, params: string): string[] => ['-c', example('penguins', 'soma.yaml'), '--set', `model.type=${type}`, '--set', `model.params=${params}`];
const families: Family[] = [
  { name: 'gbdt', args: penguins('gbdt', '{n_estimators: 4, max_depth: 3}'), input: example('penguins', 'penguins.csv') },
  { name: 'random_forest', args: penguins('random_forest', '{n_estimators: 4, max_depth: 3}'), input: example('penguins', 'penguins.csv') },
  { name: 'decision_tree', args: penguins('decision_tree', '{max_depth: 3}'), input: example('penguins', 'penguins.csv') },
  { name: 'logistic', args: penguins('logistic', '{}'), input: example('penguins', 'penguins.csv') },
  { name: 'mlp', args: penguins('mlp', '{layers: [{units: 4}], epochs: 2}'), input: example('penguins', 'penguins.csv') },
  {
    name: 'linear',
    args: ['-c', example('cars', 'soma.yaml'), '--set', 'model.type=linear', '--set', 'model.params={}', '--set', 'preprocess=[{impute: {columns: numeric, strategy: median}}]'],
    input: example('cars', 'cars.csv'),
  },
];

const versionDir = (registry: string, name: string): string => path.join(registry, name, 'versions', '1.0.0');

/** A private copy of one family's registered model. */
function copyOf(name: string): string {
  const registry = path.join(tempDir('soma-saved-state-copy-'), 'registry');
  cpSync(path.join(base, name), path.join(registry, name), { recursive: true });
  return registry;
}

/**
 * Writes new bytes for one artifact and re-signs the version the way registration signs it:
 * metadata.json lists the artifact's size and sha256, and the `registered` event in events.jsonl
 * records the sha256 of metadata.json itself.
 */
function resign(registry: string, name: string, artifact: string, bytes: string | Buffer): void {
  const dir = versionDir(registry, name);
  writeFileSync(path.join(dir, artifact), bytes);
  const sha = (b: string | Buffer): string => createHash('sha256').update(b).digest('hex');
  const metadata = JSON.parse(readFileSync(path.join(dir, 'metadata.json'), 'utf8')) as { artifacts: { path: string; bytes: number; sha256: string }[] };
  const entry = metadata.artifacts.find((a) => a.path === artifact)!;
  entry.bytes = Buffer.byteLength(bytes);
  entry.sha256 = sha(bytes);
  const metadataText = `${JSON.stringify(metadata, null, 2)}\n`;
  writeFileSync(path.join(dir, 'metadata.json'), metadataText);
  const eventsPath = path.join(registry, name, 'events.jsonl');
  const events = readFileSync(eventsPath, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Json)
    .map((e) => (e['event'] === 'registered' ? { ...e, metadata_sha256: sha(metadataText) } : e));
  writeFileSync(eventsPath, `${events.map((e) => JSON.stringify(e)).join('\n')}\n`);
}

const modelJson = (registry: string, name: string): Json => JSON.parse(readFileSync(path.join(versionDir(registry, name), 'model', 'model.json'), 'utf8')) as Json;
const state = (m: Json): Json => m['state'] as Json;
const forest = (m: Json): Json => state(m)['forest'] as Json;
/** A base64 float64 array with one value fewer than `b64` holds. */
const shorter = (b64: string): string => Buffer.from(b64, 'base64').subarray(8).toString('base64');
/** The same float64 array with its first value NaN. */
const withNaN = (b64: string): string => {
  const a = new Float64Array(new Uint8Array(Buffer.from(b64, 'base64')).buffer);
  a[0] = NaN;
  return Buffer.from(a.buffer).toString('base64');
};

interface Damage {
  what: string;
  /** Changes the parsed model.json in place, or returns the whole new text. */
  edit: (m: Json) => string | void;
  /** What the error must say after the file name. */
  says: RegExp;
  /** The file the error names, when not model/model.json itself (the mlp's layers model). */
  file?: string;
}

const everyFamily: Damage[] = [
  { what: 'the document is null', edit: () => 'null\n', says: /document is null; expected an object/ },
  { what: 'the document is a list', edit: () => '[1, 2]\n', says: /document is \[1,2\]; expected an object/ },
  { what: 'the kind is unknown', edit: (m) => void (m['kind'] = 'boosted_turnips'), says: /kind is "boosted_turnips"; expected one of gbdt, xgboost/ },
  { what: 'the formatVersion is unsupported', edit: (m) => void (m['formatVersion'] = 99), says: /formatVersion is 99; expected 1/ },
  { what: 'the state is not an object', edit: (m) => void (m['state'] = 'trees'), says: /state is "trees"; expected an object/ },
];

const trees: Damage[] = [
  { what: 'a forest payload is not base64', edit: (m) => void (forest(m)['threshold'] = 'not base64!'), says: /state\.forest\.threshold is "not base64!"; expected base64 Float64Array data/ },
  { what: 'a leaf value is NaN', edit: (m) => void (forest(m)['value'] = withNaN(forest(m)['value'] as string)), says: /state\.forest\.value\[0\] is NaN; expected a finite number/ },
  { what: 'a node array is one short', edit: (m) => void (forest(m)['cover'] = shorter(forest(m)['cover'] as string)), says: /state\.forest is inconsistent \(node arrays differ in length\)/ },
  { what: 'a forest field is missing', edit: (m) => void delete forest(m)['feature'], says: /state\.forest\.feature is missing; expected base64 Int32Array data/ },
  { what: 'the feature names are missing', edit: (m) => void delete state(m)['names'], says: /state\.names is missing; expected a list of strings/ },
];

const damages: Record<string, Damage[]> = {
  gbdt: [
    ...trees,
    { what: 'the base score has the wrong length', edit: (m) => void (state(m)['baseScore'] = [0]), says: /state\.baseScore is \[0\]; expected a list of 3 numbers/ },
    { what: 'the loss is unknown', edit: (m) => void (state(m)['loss'] = 'hinge'), says: /state\.loss is "hinge"; expected one of squared_error/ },
    { what: 'a saved param is out of range', edit: (m) => void ((m['params'] as Json)['max_depth'] = -1), says: /gbdt: parameter max_depth = -1 is invalid/ },
  ],
  random_forest: [...trees, { what: 'the forest has the wrong class count', edit: (m) => void (state(m)['nClasses'] = 2), says: /state\.forest\.nOut is 3 \(nGroups 3\); expected 2/ }],
  decision_tree: [...trees, { what: 'the task is unknown', edit: (m) => void (state(m)['task'] = 'ranking'), says: /state\.task is "ranking"; expected one of classification, regression/ }],
  logistic: [
    { what: 'the coefficients are not base64', edit: (m) => void (state(m)['coef'] = '%%%'), says: /state\.coef is "%%%"; expected base64 Float64Array data/ },
    { what: 'a coefficient is NaN', edit: (m) => void (state(m)['coef'] = withNaN(state(m)['coef'] as string)), says: /state\.coef\[0\] is NaN; expected a finite number/ },
    { what: 'the coefficients are one short', edit: (m) => void (state(m)['coef'] = shorter(state(m)['coef'] as string)), says: /state\.coef is \d+ values long; expected base64 Float64Array data of \d+ values/ },
    { what: 'the intercepts are missing', edit: (m) => void delete state(m)['intercept'], says: /state\.intercept is missing; expected base64 Float64Array data/ },
    { what: 'the class count is not an integer', edit: (m) => void (state(m)['n_classes'] = 2.5), says: /state\.n_classes is 2\.5; expected an integer >= 2/ },
  ],
  linear: [
    { what: 'the coefficients are not base64', edit: (m) => void (state(m)['coef'] = 'not base64!'), says: /state\.coef is "not base64!"; expected base64 Float64Array data/ },
    { what: 'a coefficient is NaN', edit: (m) => void (state(m)['coef'] = withNaN(state(m)['coef'] as string)), says: /state\.coef\[0\] is NaN; expected a finite number/ },
    { what: 'the coefficients are one short', edit: (m) => void (state(m)['coef'] = shorter(state(m)['coef'] as string)), says: /state\.coef is \d+ values long; expected base64 Float64Array data of \d+ values/ },
    { what: 'the solver is missing', edit: (m) => void delete state(m)['solver'], says: /state\.solver is missing; expected one of qr, cholesky, coordinate_descent/ },
    { what: 'the intercept is not a number', edit: (m) => void (state(m)['intercept'] = 'zero'), says: /state\.intercept is "zero"; expected a finite number/ },
    { what: 'a feature name is not a string', edit: (m) => void ((state(m)['features'] as unknown[])[1] = 7), says: /state\.features\[1\] is 7; expected a string/ },
  ],
  mlp: [
    { what: 'the feature list is one short', edit: (m) => void (state(m)['features'] = (state(m)['features'] as string[]).slice(1)), says: /the network takes \d+ inputs but state\.features lists \d+/, file: 'model/tfjs/model.json' },
    { what: 'the class count is missing', edit: (m) => void delete state(m)['n_classes'], says: /state\.n_classes is missing; expected an integer >= 2/ },
    { what: 'the layers files are not listed', edit: (m) => void delete m['artifacts'], says: /artifacts is missing; expected a list of its layers files tfjs\/model\.json/ },
  ],
};

beforeAll(async () => {
  for (const f of families) {
    const r = await runCli(['train', ...f.args, '--registry', base, '--set', `name=${f.name.replace('_', '-')}`, '--set', 'evaluate.gates={}', '--json']);
    expect(r.code, r.stderr).toBe(0);
  }
}, 120_000);

async function expectIntegrityFailure(registry: string, name: string, input: string, says: RegExp, file = 'model/model.json'): Promise<void> {
  const verify = await runCli(['models', 'verify', name, '--registry', registry]);
  expect(verify.code, `re-signed version should verify: ${verify.stderr}`).toBe(0);
  const r = await runCli(['predict', name, '--input', input, '--output', path.join(out, `${name}.csv`), '--registry', registry, '--json']);
  expect(r.code, r.stderr).toBe(6);
  const err = (r.json() as { error: { code: string; message: string; details: Json } }).error;
  expect(err.code).toBe('REGISTRY_INTEGRITY');
  expect(err.message.startsWith(`${file}: `), err.message).toBe(true);
  expect(err.message).toMatch(says);
  expect(err.details['file']).toBe(file);
}

describe('soma predict on damaged saved state', () => {
  for (const f of families) {
    const name = f.name.replace('_', '-');
    for (const d of [...everyFamily, ...damages[f.name]!]) {
      it(`when a ${f.name} model.json is re-signed after ${d.what}, then predict exits 6 naming ${d.file ?? 'model/model.json'} and the field`, async () => {
        const registry = copyOf(name);
        const m = modelJson(registry, name);
        const text = d.edit(m);
        resign(registry, name, 'model/model.json', typeof text === 'string' ? text : `${JSON.stringify(m, null, 2)}\n`);
        await expectIntegrityFailure(registry, name, f.input, d.says, d.file);
      });
    }
  }

  it('when the mlp weights file is one value short and re-signed, then predict exits 6 naming the layers file', async () => {
    const registry = copyOf('mlp');
    const weights = readFileSync(path.join(versionDir(registry, 'mlp'), 'model', 'tfjs', 'weights.bin'));
    resign(registry, 'mlp', 'model/tfjs/weights.bin', weights.subarray(4));
    await expectIntegrityFailure(registry, 'mlp', example('penguins', 'penguins.csv'), /the mlp's layers model \(with its weights\.bin\) does not read: /, 'model/tfjs/model.json');
  });

  it('when an mlp weight is NaN and re-signed, then predict exits 6 naming the layers file and the tensor', async () => {
    const registry = copyOf('mlp');
    const file = path.join(versionDir(registry, 'mlp'), 'model', 'tfjs', 'weights.bin');
    const weights = new Uint8Array(readFileSync(file));
    new DataView(weights.buffer).setFloat32(weights.length - 4, NaN, true);
    resign(registry, 'mlp', 'model/tfjs/weights.bin', Buffer.from(weights));
    await expectIntegrityFailure(registry, 'mlp', example('penguins', 'penguins.csv'), /tensor \S+ holds NaN at \d+; expected finite weights/, 'model/tfjs/model.json');
  });

  it('when preprocess.json has an unknown step and is re-signed, then predict exits 6 naming preprocess.json and the field', async () => {
    const registry = copyOf('gbdt');
    const p = JSON.parse(readFileSync(path.join(versionDir(registry, 'gbdt'), 'preprocess.json'), 'utf8')) as { steps: Json[] };
    p.steps[0]!['step'] = 'sharpen';
    resign(registry, 'gbdt', 'preprocess.json', `${JSON.stringify(p, null, 2)}\n`);
    await expectIntegrityFailure(registry, 'gbdt', example('penguins', 'penguins.csv'), /steps\[0\]\.step is "sharpen"; expected one of /, 'preprocess.json');
  });

  it('when preprocess.json has an unsupported formatVersion and is re-signed, then predict exits 6 naming preprocess.json', async () => {
    const registry = copyOf('gbdt');
    const p = JSON.parse(readFileSync(path.join(versionDir(registry, 'gbdt'), 'preprocess.json'), 'utf8')) as Json;
    p['formatVersion'] = 7;
    resign(registry, 'gbdt', 'preprocess.json', `${JSON.stringify(p, null, 2)}\n`);
    await expectIntegrityFailure(registry, 'gbdt', example('penguins', 'penguins.csv'), /formatVersion is 7; expected 1/, 'preprocess.json');
  });

  it('when the untouched models are predicted, then every family exits 0 (the copies, not the fixtures, were damaged)', async () => {
    for (const f of families) {
      const name = f.name.replace('_', '-');
      const r = await runCli(['predict', name, '--input', f.input, '--output', path.join(out, `${name}-ok.csv`), '--registry', base]);
      expect(r.code, r.stderr).toBe(0);
    }
  });
});
