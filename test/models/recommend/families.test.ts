import { describe, expect, it } from 'vitest';
import { csrFromTriplets, normalizeRows, transpose, type Csr } from '../../../src/engine/recsys/csr.js';
import { makeScorer } from '../../../src/engine/recsys/scorers.js';
import { Rng } from '../../../src/engine/random.js';
import { recommendationSpecs, isRecommender, type InteractionData, type Recommender } from '../../../src/models/recommend/index.js';
import { TensorFile, writeTensorFile } from '../../../src/models/recommend/tensor-file.js';
import { isSomaError } from '../../../src/errors.js';
import type { EstimatorJSON } from '../../../src/models/estimator.js';

function data(seed = 1): InteractionData {
  const rng = new Rng(seed);
  const nU = 40;
  const nI = 30;
  const e: [number, number, number][] = [];
  for (let u = 0; u < nU; u++) for (let i = 0; i < nI - 2; i++) if (rng.next() < (i < 10 ? 0.5 : 0.15)) e.push([u, i, 1 + rng.int(9) / 2]);
  const { matrix } = csrFromTriplets(Int32Array.from(e, (x) => x[0]), Int32Array.from(e, (x) => x[1]), Float64Array.from(e, (x) => x[2]), nU, nI);
  // Attributes: three genres, items 28 and 29 (cold: nobody rated them) share item 0's.
  const f: [number, number, number][] = [];
  for (let i = 0; i < nI; i++) f.push([i, i % 3, 1], [i, 3 + (i % 2), 0.5]);
  const features = csrFromTriplets(Int32Array.from(f, (x) => x[0]), Int32Array.from(f, (x) => x[1]), Float64Array.from(f, (x) => x[2]), nI, 5).matrix;
  return { byUser: matrix, byItem: transpose(matrix), explicit: true, itemFeatures: normalizeRows(features) };
}

const PARAMS: Record<string, Record<string, unknown>> = {
  mf: { factors: 4, epochs: 5 },
  als: { factors: 4, iterations: 3 },
  hybrid: { parts: [{ type: 'als', weight: 0.5, params: { factors: 3, iterations: 2 } }, { type: 'mf', weight: 0.5, params: { factors: 3, epochs: 3 } }, { type: 'content', weight: 0.2 }] },
};

async function fitted(name: string, d: InteractionData): Promise<Recommender> {
  const spec = recommendationSpecs.find((s) => s.name === name)!;
  const m = spec.create((PARAMS[name] ?? {}) as never, 'recommendation');
  if (!isRecommender(m)) throw new Error('not a recommender');
  return m.fitInteractions(d);
}

function reload(name: string, m: Recommender): Recommender {
  const json = JSON.parse(JSON.stringify(m.toJSON())) as EstimatorJSON;
  const files = new Map((m.artifacts?.() ?? []).map((a) => [a.path, a.bytes]));
  expect([...files.keys()].sort()).toEqual([...(json.artifacts ?? [])].sort());
  const back = recommendationSpecs.find((s) => s.name === name)!.fromJSON(json, files);
  if (!isRecommender(back)) throw new Error('not a recommender');
  return back;
}

function scores(m: Recommender, history: Csr, u: number): Float64Array {
  const out = new Float64Array(history.cols);
  makeScorer(m.scorer(history), history.cols).score(u, out);
  return out;
}

describe('recommendation families', () => {
  for (const spec of recommendationSpecs) {
    it(`when ${spec.name} is saved and loaded, then it scores, predicts and finds similar items exactly as before`, async () => {
      const d = data();
      const m = await fitted(spec.name, d);
      const back = reload(spec.name, m);
      for (const u of [0, 7, 39]) expect(scores(back, d.byUser, u)).toEqual(scores(m, d.byUser, u));
      const users = Int32Array.of(0, 5, -1, 3);
      const items = Int32Array.of(1, 2, 3, -1);
      expect(back.predictPairs(users, items)).toEqual(m.predictPairs(users, items));
      const a = new Float64Array(30);
      const b = new Float64Array(30);
      m.similarTo(4, a);
      back.similarTo(4, b);
      expect(b).toEqual(a);
      expect(back.rankable()).toEqual(m.rankable());
    });
  }

  it('when the families rank, then only content and a hybrid with content may rank the cold items', async () => {
    const d = data();
    for (const spec of recommendationSpecs) {
      const m = await fitted(spec.name, d);
      const cold = m.rankable()[28]! + m.rankable()[29]!;
      expect(cold > 0, spec.name).toBe(spec.name === 'content' || spec.name === 'hybrid');
    }
  });

  it('when biases and mf predict an unknown user or item, then they fall back to the known terms (global mean and the known bias)', async () => {
    const d = data();
    const b = await fitted('biases', d);
    const p = b.predictPairs(Int32Array.of(-1, -1), Int32Array.of(-1, 3));
    const json = b.toJSON().state as { global_mean: number };
    expect(p[0]).toBe(json.global_mean);
    expect(p[1]).not.toBe(json.global_mean);
  });

  it('when content or a content hybrid is fitted without item attributes, then the error says to set data.items', async () => {
    const { itemFeatures: _f, ...bare } = data();
    for (const name of ['content', 'hybrid']) {
      const spec = recommendationSpecs.find((s) => s.name === name)!;
      const m = spec.create((name === 'hybrid' ? {} : {}) as never, 'recommendation') as Recommender;
      await expect(m.fitInteractions(bare)).rejects.toThrow(/data\.items/);
    }
  });
});

describe('tensor files', () => {
  const file = writeTensorFile({ a: Float32Array.of(1, 2, 3, 4, 5, 6), b: Int32Array.of(0, 2) }, { a: [2, 3] });

  it('when read back, then every field has its type, shape and values', () => {
    const t = TensorFile.read('model/tensors.bin', file);
    expect(Array.from(t.finite('a', 'float32', [2, 3]))).toEqual([1, 2, 3, 4, 5, 6]);
    expect(Array.from(t.indices('b', [-1], 3))).toEqual([0, 2]);
  });

  const code = (f: () => unknown): string => {
    try {
      f();
    } catch (e) {
      if (isSomaError(e)) return `${e.code} ${e.exitCode} ${e.message}`;
      throw e;
    }
    return 'no error';
  };

  it('when an artifact is truncated, retyped, reshaped or holds bad values, then the reader fails with exit 6 naming the file and the field', () => {
    expect(code(() => TensorFile.read('model/tensors.bin', file.subarray(0, file.length - 8)))).toMatch(/REGISTRY_INTEGRITY 6 model\/tensors\.bin: field "b".*runs past the end/);
    expect(code(() => TensorFile.read('model/tensors.bin', Uint8Array.of(1, 2, 3)))).toMatch(/REGISTRY_INTEGRITY 6 model\/tensors\.bin: not a soma tensor file/);
    const t = TensorFile.read('model/tensors.bin', file);
    expect(code(() => t.take('a', 'float64', [2, 3]))).toMatch(/field "a" is float32, expected float64/);
    expect(code(() => t.take('a', 'float32', [3, 2]))).toMatch(/field "a" has shape 2 x 3, expected 3 x 2/);
    expect(code(() => t.take('c', 'float32', [1]))).toMatch(/field "c" is missing \(fields: a, b\)/);
    expect(code(() => t.indices('b', [-1], 2))).toMatch(/field "b" holds 2 at position 1/);
    const nan = TensorFile.read('x.bin', writeTensorFile({ v: Float64Array.of(1, NaN) }));
    expect(code(() => nan.finite('v', 'float64', [2]))).toMatch(/x\.bin: field "v" holds NaN at position 1/);
  });

  it('when a model\'s tensor file belongs to a different catalog size, then loading it names the field and both shapes', async () => {
    const d = data();
    const m = await fitted('mf', d);
    const json = m.toJSON();
    const state = { ...(json.state as Record<string, number>), items: 31 };
    const files = new Map((m.artifacts?.() ?? []).map((a) => [a.path, a.bytes]));
    expect(code(() => recommendationSpecs.find((s) => s.name === 'mf')!.fromJSON({ ...json, state }, files))).toMatch(/REGISTRY_INTEGRITY 6 model\/tensors\.bin: field "trained" has shape 30, expected 31/);
  });
});
