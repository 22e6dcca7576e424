// The mlp estimator: learns XOR, repeats under a seed, early stopping restores the best weights,
// save/load through the registry's version files predicts identically, the saved layers model
// loads in TensorFlow.js and predicts the same, quantized saves stay within a stated tolerance,
// checkpoints, abort, and accuracy floors on iris (real data).

import { describe, expect, it } from 'vitest';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { numericMatrix, takeRows, type FeatureMatrix } from '../../src/engine/matrix.js';
import { takeTarget, type Target } from '../../src/tasks/task.js';
import { Rng } from '../../src/engine/random.js';
import { Mlp, mlpSpec } from '../../src/models/mlp.js';
import { SomaError } from '../../src/errors.js';
import { readModelArtifacts, writeVersionFiles } from '../../src/registry/version-files.js';
import { fromLayersModel } from '../../src/engine/nn/layers-format.js';
import type { JsonObject } from '../../src/util/json.js';
import { toDense } from '../../src/engine/sparse.js';
import { SKLEARN_DATA } from '../engine/tree/datasets.js';

function xor(copies: number): { X: FeatureMatrix; y: Target } {
  const a: number[] = [];
  const b: number[] = [];
  const t: number[] = [];
  for (let c = 0; c < copies; c++) {
    for (const [p, q] of [[0, 0], [0, 1], [1, 0], [1, 1]] as const) {
      a.push(p);
      b.push(q);
      t.push(p ^ q);
    }
  }
  return { X: numericMatrix(['a', 'b'], [Float64Array.from(a), Float64Array.from(b)]), y: { task: 'classification', values: Float64Array.from(t), nClasses: 2 } };
}

function iris(): { X: FeatureMatrix; y: Target } {
  const lines = readFileSync(`${SKLEARN_DATA}/iris.csv`, 'utf8').trim().split('\n').slice(1);
  const cols = [0, 1, 2, 3].map((j) => Float64Array.from(lines, (l) => Number(l.split(',')[j])));
  return { X: numericMatrix(['sepal_length', 'sepal_width', 'petal_length', 'petal_width'], cols), y: { task: 'classification', values: Float64Array.from(lines, (l) => Number(l.split(',')[4])), nClasses: 3 } };
}

/** A noisy two-moons-like binary problem with a train/validation split. */
function noisy(rows: number, seed: number): { X: FeatureMatrix; y: Target } {
  const rng = new Rng(seed);
  const x1 = new Float64Array(rows);
  const x2 = new Float64Array(rows);
  const x3 = new Float64Array(rows);
  const y = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    x1[i] = rng.normal() * 10 + 50; // deliberately far from standard scale
    x2[i] = rng.normal();
    x3[i] = rng.normal() * 0.01;
    y[i] = Math.sin((x1[i]! - 50) / 5) + x2[i]! + 30 * x3[i]! + rng.normal() * 0.8 > 0 ? 1 : 0;
  }
  return { X: numericMatrix(['x1', 'x2', 'x3'], [x1, x2, x3]), y: { task: 'classification', values: y, nClasses: 2 } };
}

function split<T extends { X: FeatureMatrix; y: Target }>(d: T, from: number, to: number): { X: FeatureMatrix; y: Target } {
  const idx = Int32Array.from({ length: to - from }, (_, i) => from + i);
  return { X: takeRows(d.X, idx), y: takeTarget(d.y, idx) };
}

function accuracy(pred: Float64Array, y: Target): number {
  let ok = 0;
  for (let i = 0; i < pred.length; i++) if (pred[i] === y.values[i]) ok++;
  return ok / pred.length;
}

/** toJSON + artifacts through the registry's version-file writer and reader, then fromJSON. */
async function saveLoad(m: Mlp, dir: string): Promise<Mlp> {
  const json = JSON.parse(JSON.stringify(m.toJSON()));
  await writeVersionFiles(dir, { model: json, modelArtifacts: m.artifacts(), preprocess: {}, features: {}, metrics: {}, profile: {}, config: '', report: '' });
  const files = await readModelArtifacts(dir, json.artifacts);
  return mlpSpec.fromJSON(json, files) as Mlp;
}

describe('mlp', () => {
  it('when trained on XOR, then it classifies all four points', async () => {
    const { X, y } = xor(8);
    const m = await new Mlp({ layers: [{ units: 8, activation: 'tanh' }], learning_rate: 0.05, epochs: 300, batch_size: 8, seed: 1 }, 'classification').fit(X, y);
    expect(Array.from(m.predict(X))).toEqual(Array.from(y.values));
  });

  it('when the same seed runs twice, then the weights and predictions repeat exactly; another seed differs', async () => {
    const d = noisy(600, 2);
    const params: JsonObject = { layers: [{ units: 16, activation: 'relu', dropout: 0.2 }, { units: 8, activation: 'gelu', batch_norm: true }], epochs: 5, batch_size: 32, seed: 7 };
    const p1 = (await new Mlp(params, 'classification').fit(d.X, d.y)).predictProba(d.X);
    const p2 = (await new Mlp(params, 'classification').fit(d.X, d.y)).predictProba(d.X);
    const p3 = (await new Mlp({ ...params, seed: 8 }, 'classification').fit(d.X, d.y)).predictProba(d.X);
    expect(Array.from(p2)).toEqual(Array.from(p1));
    expect(Array.from(p3)).not.toEqual(Array.from(p1));
  });

  it('when validation loss stops improving, then training stops early and the best epoch\'s weights are restored', async () => {
    const d = noisy(400, 3);
    const train = split(d, 0, 300);
    const val = split(d, 300, 400);
    // A wide net with a high rate overfits 300 rows fast, so the validation loss turns up.
    const params = { layers: [{ units: 128, activation: 'relu' }, { units: 128, activation: 'relu' }], learning_rate: 0.01, epochs: 200, batch_size: 16, early_stopping: 5, seed: 4 };
    const losses: number[] = [];
    const m = await new Mlp(params, 'classification').fit(train.X, train.y, { validation: val, onProgress: (p) => losses.push(p.validation!) });
    const s = m.summary();
    expect(s.stopped_early).toBe(true);
    const best = s.best_epoch as number;
    expect(s.epochs_run).toBe(best + 5);
    expect(Math.min(...losses)).toBe(losses[best - 1]);
    // The restored model's validation log loss is the best epoch's (up to the float32 fold of standardisation).
    const p = m.predictProba(val.X);
    let ll = 0;
    for (let i = 0; i < val.X.rows; i++) ll -= Math.log(p[i * 2 + val.y.values[i]!]!);
    expect(ll / val.X.rows).toBeCloseTo(losses[best - 1]!, 4);
    expect(ll / val.X.rows).toBeLessThan(losses[losses.length - 1]!);
  });

  it('when saved through the version files and loaded, then it predicts identically', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'soma-mlp-'));
    try {
      const d = noisy(500, 5);
      const m = await new Mlp({ layers: [{ units: 12, activation: 'relu' }, { units: 6, activation: 'tanh', batch_norm: true, dropout: 0.1 }], epochs: 4, batch_size: 64 }, 'classification').fit(d.X, d.y);
      const loaded = await saveLoad(m, dir);
      expect(Array.from(loaded.predictProba(d.X))).toEqual(Array.from(m.predictProba(d.X)));
      expect(Array.from(loaded.predict(d.X))).toEqual(Array.from(m.predict(d.X)));
      expect(loaded.summary().epochs_run).toBe(4);
      const stored = JSON.parse(await readFile(join(dir, 'model/model.json'), 'utf8'));
      expect(stored.artifacts).toEqual(['tfjs/model.json', 'tfjs/weights.bin']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('when the layers files are missing, then loading says which files it needs', () => {
    expect(() => mlpSpec.fromJSON({ kind: 'mlp', formatVersion: 1, params: {}, state: { task: 'classification', features: ['a'], n_classes: 2 } })).toThrow(/tfjs\/model.json/);
  });

  it('when the saved layers model is loaded with tf.loadLayersModel from its files, then it predicts as soma does within 1e-5 (quantized ones too)', async () => {
    const tf = await import('@tensorflow/tfjs');
    await tf.setBackend('cpu');
    const dir = await mkdtemp(join(tmpdir(), 'soma-mlp-tf-'));
    try {
      const { X, y } = iris();
      for (const [task, layers, quantize] of [
        ['classification', [{ units: 10, activation: 'relu', dropout: 0.1 }, { units: 8, activation: 'gelu', batch_norm: true }, { units: 5, activation: 'sigmoid' }], 'none'],
        ['classification', [{ units: 10, activation: 'relu' }, { units: 8, activation: 'relu' }], 'uint8'],
        ['regression', [{ units: 9, activation: 'tanh' }], 'float16'],
      ] as const) {
        const target: Target = task === 'classification' ? y : { task, values: toDense(X.columns[0]!), nClasses: 0 };
        const Xin = task === 'classification' ? X : numericMatrix(X.names.slice(1), X.columns.slice(1));
        const m = await new Mlp({ layers: layers as unknown as JsonObject[], epochs: 30, batch_size: 16, learning_rate: 0.01, seed: 3, quantize }, task).fit(Xin, target);
        await writeVersionFiles(dir, { model: m.toJSON(), modelArtifacts: m.artifacts(), preprocess: {}, features: {}, metrics: {}, profile: {}, config: '', report: '' });
        // A custom IOHandler reading the two files from the version directory.
        const handler = {
          load: async () => {
            const modelJson = JSON.parse(await readFile(join(dir, 'model/tfjs/model.json'), 'utf8'));
            const bin = await readFile(join(dir, 'model/tfjs/weights.bin'));
            return { modelTopology: modelJson.modelTopology, weightSpecs: modelJson.weightsManifest[0].weights, weightData: bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength) };
          },
        };
        const model = await tf.loadLayersModel(handler);
        const rows: number[][] = [];
        const dense = Xin.columns.map(toDense);
        for (let i = 0; i < Xin.rows; i++) rows.push(dense.map((c) => c[i]!));
        const out = (model.predict(tf.tensor2d(rows)) as import('@tensorflow/tfjs').Tensor).dataSync();
        const ours = task === 'classification' ? m.predictProba(Xin) : m.predict(Xin);
        expect(out.length).toBe(ours.length);
        const tol = task === 'classification' ? 1e-5 : 1e-5 * 8; // regression values are ~8 (sepal length): relative 1e-5
        for (let i = 0; i < ours.length; i++) expect(Math.abs(out[i]! - ours[i]!)).toBeLessThanOrEqual(tol);
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('when quantized, then predictions stay within the stated tolerance and the change is reported', async () => {
    const d = noisy(800, 6);
    const train = split(d, 0, 600);
    const val = split(d, 600, 800);
    const params = { layers: [{ units: 32, activation: 'relu' }, { units: 16, activation: 'relu' }], epochs: 10, batch_size: 32, seed: 2 };
    const plain = await new Mlp(params, 'classification').fit(train.X, train.y, { validation: val });
    const p0 = plain.predictProba(val.X);
    // Stated tolerances on probabilities: float16 0.01, uint8 0.05; accuracy within 2 points.
    for (const [q, tol] of [['float16', 0.01], ['uint8', 0.05]] as const) {
      const m = await new Mlp({ ...params, quantize: q }, 'classification').fit(train.X, train.y, { validation: val });
      const p = m.predictProba(val.X);
      let worst = 0;
      for (let i = 0; i < p.length; i++) worst = Math.max(worst, Math.abs(p[i]! - p0[i]!));
      expect(worst).toBeLessThanOrEqual(tol);
      expect(Math.abs(accuracy(m.predict(val.X), val.y) - accuracy(plain.predict(val.X), val.y))).toBeLessThanOrEqual(0.02);
      const info = m.summary().quantization as JsonObject;
      expect(info.dtype).toBe(q);
      expect(info.on).toBe('validation');
      expect(info.change).toBeCloseTo((info.after as number) - (info.before as number), 12);
      expect(info.max_output_change as number).toBeGreaterThan(0);
      // The first layer (3 x 32 kernel + 32 bias, carrying the folded standardisation) stays float32.
      const bytes = m.artifacts().find((a) => a.path === 'tfjs/weights.bin')!.bytes.byteLength;
      const rest = 32 * 16 + 16 + 16 * 1 + 1;
      expect(bytes).toBe((3 * 32 + 32) * 4 + rest * (q === 'float16' ? 2 : 1));
      // What is saved is what predicts: a reload gives the same quantized outputs.
      const dir = await mkdtemp(join(tmpdir(), 'soma-mlp-q-'));
      try {
        expect(Array.from((await saveLoad(m, dir)).predictProba(val.X))).toEqual(Array.from(p));
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    }
  });

  it('when checkpoint_every is set, then epoch_N and best checkpoints are saved as layers models', async () => {
    const d = noisy(300, 8);
    const m = await new Mlp({ layers: [{ units: 8 }], epochs: 6, checkpoint_every: 2, batch_size: 32 }, 'classification').fit(split(d, 0, 200).X, split(d, 0, 200).y, { validation: split(d, 200, 300) });
    const paths = m.artifacts().map((a) => a.path);
    for (const c of ['epoch_2', 'epoch_4', 'epoch_6', 'best']) {
      expect(paths).toContain(`checkpoints/${c}/model.json`);
      expect(paths).toContain(`checkpoints/${c}/weights.bin`);
    }
    expect(m.summary().checkpoints).toEqual(['epoch_2', 'epoch_4', 'epoch_6', 'best']);
    // Every checkpoint reads back as a layers model of the same network.
    const files = new Map(m.artifacts().map((a) => [a.path, a.bytes] as const));
    const best = fromLayersModel({ modelJson: JSON.parse(new TextDecoder().decode(files.get('checkpoints/best/model.json')!)), weights: files.get('checkpoints/best/weights.bin')! });
    const final = fromLayersModel({ modelJson: JSON.parse(new TextDecoder().decode(files.get('tfjs/model.json')!)), weights: files.get('tfjs/weights.bin')! });
    expect(best.spec).toEqual(final.spec);
    const e6 = fromLayersModel({ modelJson: JSON.parse(new TextDecoder().decode(files.get('checkpoints/epoch_6/model.json')!)), weights: files.get('checkpoints/epoch_6/weights.bin')! });
    // Without early stopping the saved model is the last epoch's.
    expect(final.tensors.length).toBeGreaterThan(0);
    expect(e6.tensors.map((t) => t.name)).toEqual(final.tensors.map((t) => t.name));
    e6.tensors.forEach((t, i) => expect(Array.from(t.values)).toEqual(Array.from(final.tensors[i]!.values)));
  });

  it('when trained on iris, then test accuracy is at least 0.9 and progress is reported per epoch', async () => {
    const { X, y } = iris();
    const rng = new Rng(1);
    const order = rng.shuffle(Int32Array.from({ length: X.rows }, (_, i) => i));
    const tr = order.subarray(0, 105);
    const te = order.subarray(105);
    const seen: number[] = [];
    const m = await new Mlp({ layers: [{ units: 16, activation: 'relu' }], epochs: 100, batch_size: 16, learning_rate: 0.01, seed: 0 }, 'classification').fit(takeRows(X, tr), takeTarget(y, tr), {
      onProgress: (p) => seen.push(p.iteration),
    });
    expect(seen).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    expect(accuracy(m.predict(takeRows(X, te)), takeTarget(y, te))).toBeGreaterThanOrEqual(0.9);
    const proba = m.predictProba(takeRows(X, te));
    for (let i = 0; i < te.length; i++) expect(proba[i * 3]! + proba[i * 3 + 1]! + proba[i * 3 + 2]!).toBeCloseTo(1, 6);
  });

  it('when a regressor fits a smooth function, then its error is far below the target variance', async () => {
    const rng = new Rng(3);
    const x = Float64Array.from({ length: 2000 }, () => rng.next() * 6 - 3);
    const t = x.map((v) => 100 + 20 * Math.sin(v));
    const m = await new Mlp({ layers: [{ units: 32, activation: 'tanh' }, { units: 32, activation: 'tanh' }], epochs: 60, learning_rate: 0.005, batch_size: 64, schedule: 'cosine' }, 'regression').fit(numericMatrix(['x'], [x]), { task: 'regression', values: t, nClasses: 0 });
    const p = m.predict(numericMatrix(['x'], [x]));
    let mse = 0;
    for (let i = 0; i < x.length; i++) mse += (p[i]! - t[i]!) ** 2;
    expect(mse / x.length).toBeLessThan(0.02 * 200); // target variance is 200
  });

  it('when the abort signal fires, then fit throws ABORTED', async () => {
    const d = noisy(2000, 9);
    const ac = new AbortController();
    const m = new Mlp({ epochs: 1000, batch_size: 8 }, 'classification');
    const run = m.fit(d.X, d.y, { signal: ac.signal, onProgress: (p) => p.iteration === 2 && ac.abort() });
    await expect(run).rejects.toSatisfy((e: unknown) => e instanceof SomaError && e.code === 'ABORTED');
  });

  it('when rows carry sample weights, then zero-weight rows do not steer the fit', async () => {
    const d = noisy(400, 10);
    // Flip the labels of the second half and give those rows weight 0: only the true labels are learned.
    const flipped = Float64Array.from(d.y.values, (v, i) => (i >= 200 ? 1 - v : v));
    const w = Float64Array.from({ length: 400 }, (_, i) => (i < 200 ? 1 : 0));
    const params = { layers: [{ units: 8 }], epochs: 60, batch_size: 50, learning_rate: 0.01, seed: 1 };
    const weighted = await new Mlp(params, 'classification').fit(d.X, { ...d.y, values: flipped }, { sampleWeight: w });
    const unweighted = await new Mlp(params, 'classification').fit(d.X, { ...d.y, values: flipped });
    const half = split(d, 0, 200);
    const acc = (m: Mlp): number => accuracy(m.predict(half.X), half.y);
    expect(acc(weighted)).toBeGreaterThan(acc(unweighted) + 0.1);
  });

  it('when a model artifact path leaves model/, then the version-file writer and reader refuse it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'soma-mlp-path-'));
    try {
      for (const path of ['../escape.bin', '/abs.bin', 'a/../../b', 'model.json', '']) {
        await expect(writeVersionFiles(dir, { model: {}, modelArtifacts: [{ path, bytes: new Uint8Array(1) }], preprocess: {}, features: {}, metrics: {}, profile: {}, config: '', report: '' })).rejects.toThrow(/not a plain relative path/);
        await expect(readModelArtifacts(dir, [path])).rejects.toThrow(/not a plain relative path/);
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('when n_jobs is 2, then worker threads share each batch, the run repeats, and it learns as one thread does', async () => {
    // Needs the built worker (dist/engine/nn/worker.js; npm test builds first).
    const d = noisy(3000, 12);
    const train = split(d, 0, 2400);
    const test = split(d, 2400, 3000);
    const params = { layers: [{ units: 32, activation: 'relu' }, { units: 16, activation: 'tanh' }], epochs: 8, batch_size: 256, seed: 5 };
    const one = await new Mlp(params, 'classification').fit(train.X, train.y);
    const two = await new Mlp({ ...params, n_jobs: 2 }, 'classification').fit(train.X, train.y);
    const again = await new Mlp({ ...params, n_jobs: 2 }, 'classification').fit(train.X, train.y);
    expect(one.summary().threads).toBe(1);
    expect(two.summary().threads).toBe(2);
    const p1 = one.predictProba(test.X);
    const p2 = two.predictProba(test.X);
    expect(Array.from(again.predictProba(test.X))).toEqual(Array.from(p2));
    // Same data, same batches, same initial weights: only the order of float sums differs.
    let worst = 0;
    for (let i = 0; i < p1.length; i++) worst = Math.max(worst, Math.abs(p1[i]! - p2[i]!));
    expect(worst).toBeLessThan(1e-3);
    expect(Math.abs(accuracy(one.predict(test.X), test.y) - accuracy(two.predict(test.X), test.y))).toBeLessThanOrEqual(0.01);
  });

  it('when a layer uses batch norm, then n_jobs falls back to one thread', async () => {
    const d = noisy(1000, 13);
    const m = await new Mlp({ layers: [{ units: 8, batch_norm: true }], epochs: 1, batch_size: 256, n_jobs: 2 }, 'classification').fit(d.X, d.y);
    expect(m.summary().threads).toBe(1);
  });

  it('when params are wrong, then the error names the parameter and what is accepted', () => {
    expect(() => new Mlp({ layers: [{ units: 0 }] }, 'classification')).toThrow(/layers\[0\]\.units = 0/);
    expect(() => new Mlp({ layers: [{ units: 4, activation: 'swish' }] }, 'classification')).toThrow(/relu\|tanh\|sigmoid\|gelu\|linear/);
    expect(() => new Mlp({ optimizer: 'rmsprop' }, 'classification')).toThrow(/optimizer/);
    expect(() => new Mlp({ n_layers: 3 }, 'classification')).toThrow(/unknown parameter "n_layers"/);
  });

  it('when a feature has a missing value, then fit asks for an impute step', async () => {
    const X = numericMatrix(['a'], [Float64Array.of(1, NaN, 3)]);
    await expect(new Mlp({}, 'classification').fit(X, { task: 'classification', values: Float64Array.of(0, 1, 0), nClasses: 2 })).rejects.toSatisfy(
      (e: unknown) => e instanceof SomaError && e.code === 'DATA_BAD_VALUE' && /feature "a".*row 1/.test(e.message) && /impute/.test(e.hint ?? ''),
    );
  });
});
