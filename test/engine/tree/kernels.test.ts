// The wasm tree kernels against the JavaScript loops they replace: histograms and partitions must
// agree exactly, so a quantized fit grows the same model with or without wasm.
// Needs dist/ built (`npx tsc -p .`, as `npm test` does) for the two-thread case.
import { describe, expect, it } from 'vitest';
import { TreeArena } from '../../../src/engine/tree/arena.js';
import { arenaHistograms } from '../../../src/engine/tree/arena-histograms.js';
import { binMatrix, fitBinMapper } from '../../../src/engine/tree/binning.js';
import { trainBoosting, type BoostParams } from '../../../src/engine/tree/boosting.js';
import { buildHistogram } from '../../../src/engine/tree/histogram.js';
import { PACK, quantize } from '../../../src/engine/tree/quantize.js';
import type { TrainData } from '../../../src/engine/tree/training.js';
import { createLoss } from '../../../src/engine/loss/index.js';
import { Rng } from '../../../src/engine/random.js';
import { newCandidate } from '../../../src/engine/tree/split.js';

function columnsOf(n: number, nF: number, seed: number, distinct = 0): Float64Array[] {
  const rng = new Rng(seed);
  return Array.from({ length: nF }, (_, j) =>
    Float64Array.from({ length: n }, () => {
      if (j % 3 === 1 && rng.next() < 0.07) return NaN;
      return distinct > 0 ? rng.int(distinct) : rng.normal();
    }),
  );
}

const base: BoostParams = {
  nEstimators: 6, learningRate: 0.3, maxDepth: 5, maxLeaves: 0, lossguide: false, minChildWeight: 1, minSamplesLeaf: 1,
  lambda: 1, alpha: 0, gamma: 0, subsample: 1, colsampleBytree: 1, maxBin: 256, seed: 11, earlyStoppingRounds: 0,
  maxCatToOnehot: 4, maxCatThreshold: 64, catSmooth: 10, threads: 1, quantized: true,
}; // prettier-ignore

describe('wasm histogram kernels', () => {
  for (const maxBin of [256, 700]) {
    it(`when rows are summed by the kernel (max_bin ${maxBin}), then every bin equals the JavaScript sum`, async () => {
      const n = 5000;
      const nF = 7;
      const columns = columnsOf(n, nF, 3, maxBin > 256 ? 650 : 0);
      const mapper = fitBinMapper(columns, columns.map(() => false), columns.map(() => 0), maxBin, 0);
      const arena = TreeArena.create(1 << 20);
      expect(arena).not.toBeNull();
      const binned = binMatrix(mapper, columns, arena!);
      expect(binned.bins instanceof Uint16Array).toBe(maxBin > 256);
      const plain = binMatrix(mapper, columns);
      const rng = new Rng(5);
      const packed = arena!.f64(n);
      for (let r = 0; r < n; r++) packed[r] = (rng.int(41) - 20) * PACK + rng.int(30);
      const idx = arena!.u32(n);
      // A scattered, node-like subset of rows in ascending order.
      let m = 0;
      for (let r = 0; r < n; r++) if (rng.next() < 0.4) idx[m++] = r;
      const gs = { nOut: 1, grad: new Float64Array(n), hess: new Float64Array(n), classOf: null, packed };
      const size = binned.offsets[nF]!;
      const builder = await arenaHistograms(binned, arena!, 1);
      const wasmHist = builder.newHistogram!(size).fill(7);
      const jsHist = new Float64Array(size);
      builder.build(gs, idx, 13, m - 5, null, 0, wasmHist);
      buildHistogram(plain, { ...gs, packed: Float64Array.from(packed) }, Uint32Array.from(idx), 13, m - 5, null, 0, jsHist);
      expect(wasmHist).toEqual(jsHist);
      const feats = Int32Array.of(0, 2, 6);
      builder.build(gs, idx, 0, m, feats, 3, wasmHist);
      buildHistogram(plain, { ...gs, packed: Float64Array.from(packed) }, Uint32Array.from(idx), 0, m, feats, 3, jsHist);
      for (const j of feats) {
        const [s, e] = [binned.offsets[j]!, binned.offsets[j + 1]!];
        expect(wasmHist.subarray(s, e)).toEqual(jsHist.subarray(s, e));
      }
      await builder.close();
    });
  }
});

describe('wasm histograms of sparse nodes on two threads', () => {
  it('when a node of scattered rows is gathered and summed by two threads, then every build equals the JavaScript sum', async () => {
    const n = 400_000;
    const nF = 7;
    const columns = columnsOf(n, nF, 6);
    const mapper = fitBinMapper(columns, columns.map(() => false), columns.map(() => 0), 256, 0);
    const arena = TreeArena.create(64 << 20)!;
    const binned = binMatrix(mapper, columns, arena);
    const plain = binMatrix(mapper, columns);
    const builder = await arenaHistograms(binned, arena, 2);
    try {
      const rng = new Rng(9);
      const packed = arena.f64(n);
      for (let r = 0; r < n; r++) packed[r] = (rng.int(41) - 20) * PACK + rng.int(30);
      // Every 9th row: a node of 44k rows, under 1/8 of the data (gathered) and big enough for threads.
      const idx = arena.u32(n);
      let m = 0;
      for (let r = 0; r < n; r += 9) idx[m++] = r;
      const gs = { nOut: 1, grad: new Float64Array(n), hess: new Float64Array(n), classOf: null, packed };
      const size = binned.offsets[nF]!;
      const jsHist = new Float64Array(size);
      buildHistogram(plain, { ...gs, packed: Float64Array.from(packed) }, Uint32Array.from(idx), 0, m, null, 0, jsHist);
      const wasmHist = builder.newHistogram!(size);
      for (let rep = 0; rep < 30; rep++) {
        builder.build(gs, idx, 0, m, null, 0, wasmHist);
        expect(wasmHist).toEqual(jsHist);
      }
    } finally {
      await builder.close();
    }
  });
});

describe('wasm partition', () => {
  it('when a large node is partitioned by two threads, then the ids come out as the serial stable partition', async () => {
    const n = 150_000;
    const columns = columnsOf(n, 3, 9);
    const rng = new Rng(8);
    columns.push(Float64Array.from({ length: n }, () => rng.int(12)));
    const mapper = fitBinMapper(columns, [false, false, false, true], [0, 0, 0, 12], 256, 0);
    const arena = TreeArena.create(8 << 20)!;
    const binned = binMatrix(mapper, columns, arena);
    const builder = await arenaHistograms(binned, arena, 2);
    try {
      const idx = arena.u32(n);
      const tmp = arena.u32(n);
      for (let r = 0; r < n; r++) idx[r] = r;
      const serial = (ids: number[], f: number, goesLeft: (b: number) => boolean): number[] => {
        const nv = binned.nBins[f]! - 1;
        const col = binned.columns![f]!;
        const left = ids.filter((r) => (col[r] === nv ? false : goesLeft(col[r]!)));
        return [...left, ...ids.filter((r) => !left.includes(r))];
      };
      let expected = Array.from(idx);
      const mid = builder.partition!(idx, 0, n, { ...newCandidate(1), feature: 1, bin: 90, defaultLeft: false }, binned.columns![1]!, binned.nBins[1]! - 1, tmp);
      const left1 = expected.filter((r) => binned.columns![1]![r]! <= 90);
      expected = [...left1, ...expected.filter((r) => binned.columns![1]![r]! > 90)];
      expect(mid).toBe(left1.length);
      expect(Array.from(idx)).toEqual(expected);
      // A categorical split of the right block (more than PARALLEL_MIN_PARTITION rows).
      const catLeft = Uint8Array.from({ length: 12 }, (_, c) => (c % 4 === 1 ? 1 : 0));
      const rightIds = expected.slice(mid);
      expect(rightIds.length).toBeGreaterThan(65_536);
      const mid2 = builder.partition!(idx, mid, n, { ...newCandidate(1), feature: 3, catLeft }, binned.columns![3]!, binned.nBins[3]! - 1, tmp);
      const want = serial(rightIds, 3, (b) => catLeft[b] === 1);
      expect(Array.from(idx.subarray(mid))).toEqual(want);
      expect(mid2 - mid).toBe(rightIds.filter((r) => catLeft[binned.columns![3]![r]!] === 1).length);
    } finally {
      await builder.close();
    }
  });
});

describe('wasm quantize', () => {
  for (const threads of [1, 2]) {
    it(`when gradients are quantized by the kernel on ${threads} thread(s), then the packed values equal the JavaScript ones`, async () => {
      const n = 120_000;
      const columns = columnsOf(n, 2, 4);
      const arena = TreeArena.create(16 << 20)!;
      const binned = binMatrix(fitBinMapper(columns, [false, false], [0, 0], 256, 0), columns, arena);
      const builder = await arenaHistograms(binned, arena, threads);
      try {
        const rng = new Rng(12);
        const grad = arena.f64(n);
        const hess = arena.f64(n);
        for (let r = 0; r < n; r++) {
          grad[r] = rng.normal() * 3;
          hess[r] = rng.next() * 0.25;
        }
        const idx = arena.u32(n);
        let m = 0;
        for (let r = 0; r < n; r++) if (rng.next() < 0.8) idx[m++] = r;
        const packed = arena.f64(n);
        const viaKernel = builder.quantize!(grad, hess, idx, m, packed, 0x9badf00d);
        const jsPacked = new Float64Array(n);
        const viaJs = quantize(Float64Array.from(grad), Float64Array.from(hess), Uint32Array.from(idx), m, jsPacked, 0x9badf00d);
        expect(viaKernel).toEqual(viaJs);
        expect(packed).toEqual(jsPacked);
      } finally {
        await builder.close();
      }
    });
  }
});

describe('quantized boosting with and without the wasm kernels', () => {
  const n = 4000;
  const cases: [string, Partial<BoostParams>, 'binary' | 'softmax' | 'regression', boolean][] = [
    ['binary, missing values', {}, 'binary', false],
    ['row and column sampling', { subsample: 0.7, colsampleBytree: 0.6 }, 'binary', false],
    ['native categorical splits', {}, 'binary', true],
    ['two-byte bins (max_bin 600)', { maxBin: 600 }, 'regression', false],
    ['multiclass, leaf-wise', { lossguide: true, maxLeaves: 12, maxDepth: 0 }, 'softmax', false],
  ];
  for (const [label, extra, task, categorical] of cases) {
    it(`when fitted both ways (${label}), then the forests are identical`, async () => {
      const columns = columnsOf(n, 6, 17, extra.maxBin ? 900 : 0);
      const rng = new Rng(2);
      if (categorical) columns[5] = Float64Array.from({ length: n }, () => rng.int(9));
      const s = columns[0]!.map((v, i) => (v === v ? v : 0) + 0.5 * (columns[2]![i]! || 0) + (categorical && columns[5]![i]! % 3 === 0 ? 1 : 0));
      const y =
        task === 'regression' ? s : task === 'binary' ? s.map((v) => (v > 0.2 ? 1 : 0)) : s.map((v) => (v < -0.5 ? 0 : v < 0.5 ? 1 : 2));
      const train: TrainData = {
        columns,
        categorical: columns.map((_, j) => categorical && j === 5),
        cardinality: columns.map((_, j) => (categorical && j === 5 ? 9 : 0)),
        y,
        weight: null,
      };
      const loss = task === 'regression' ? createLoss('squared_error') : task === 'binary' ? createLoss('binary_logistic') : createLoss('softmax', { nClasses: 3 });
      const p = { ...base, ...extra };
      const viaWasm = await trainBoosting(train, loss, p);
      const viaJs = await trainBoosting(train, loss, { ...p, wasmKernels: false });
      expect(viaWasm.forest.treeRoots.length).toBeGreaterThan(0);
      expect(viaWasm.forest).toEqual(viaJs.forest);
    });
  }
});
