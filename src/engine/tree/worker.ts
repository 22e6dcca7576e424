// worker_threads entry. Histogram workers wait on a shared control block and build their chunk of
// features (or, on the wasm arena, of rows) for the announced node; bagging workers grow whole
// random-forest trees by index on request.

import { parentPort, workerData } from 'node:worker_threads';
import type { BinnedData } from './binning.js';
import { contextFromBinned, growBaggedTree } from './bagged-tree.js';
import type { BaggingWorkerSetup } from './bagging-workers.js';
import { buildHistogram, type GradientSet } from './histogram.js';
import { chunk, CTRL, type WorkerSetup } from './parallel.js';
import { runArenaHistogramWorker, type ArenaWorkerSetup } from './arena-histograms.js';

const setup = workerData as WorkerSetup | BaggingWorkerSetup | ArenaWorkerSetup;
if (setup.kind === 'bagging') runBagging(setup);
else if (setup.kind === 'arena-histogram') runArenaHistogramWorker(setup, () => parentPort!.postMessage('ready'));
else runHistograms(setup);

function runBagging(s: BaggingWorkerSetup): void {
  const nF = s.nFeatures;
  const bins = s.binsBytes === 1 ? new Uint8Array(s.bins) : new Uint16Array(s.bins);
  const rows = bins.length / Math.max(1, nF);
  // A private column-major copy keeps node partitioning in cache.
  const columns = Array.from({ length: nF }, (_, j) => {
    const c = s.binsBytes === 1 ? new Uint8Array(rows) : new Uint16Array(rows);
    for (let i = 0; i < rows; i++) c[i] = bins[i * nF + j]!;
    return c;
  });
  const data: BinnedData = {
    rows,
    nFeatures: nF,
    bins,
    nBins: s.nBins,
    offsets: s.offsets,
    shift: s.shift,
    mapper: { nFeatures: nF, nValueBins: s.nValueBins, categorical: s.categorical, thresholds: s.thresholds },
    columns,
  };
  const ctx = contextFromBinned(data, s.y, s.weight, s.nClasses, s.params);
  parentPort!.postMessage('ready');
  parentPort!.on('message', (t: number) => {
    const { nodes, oob } = growBaggedTree(ctx, t);
    parentPort!.postMessage({ t, nodes, oob }, [oob.buffer as ArrayBuffer]);
  });
}

function runHistograms(s: WorkerSetup): void {
  const ctrl = new Int32Array(s.ctrl);
  const data: BinnedData = {
    rows: 0,
    nFeatures: s.nFeatures,
    bins: s.binsBytes === 1 ? new Uint8Array(s.bins) : new Uint16Array(s.bins),
    nBins: s.nBins,
    offsets: s.offsets,
    shift: s.shift,
    // Only the split scan needs the mapper, and histogram workers never split.
    mapper: { nFeatures: s.nFeatures, nValueBins: new Int32Array(0), categorical: new Uint8Array(0), thresholds: [] },
  };
  const gs: GradientSet = {
    nOut: s.nOut,
    grad: new Float64Array(s.grad),
    hess: new Float64Array(s.hess),
    classOf: s.classOf ? new Int32Array(s.classOf) : null,
    packed: s.packed ? new Float64Array(s.packed) : null,
  };
  const idx = new Uint32Array(s.idx);
  const features = new Int32Array(s.features);
  const hist = new Float64Array(s.hist);
  const mine = new Int32Array(s.nFeatures);
  const threads = ctrl[CTRL.threads]!;

  // Read the generation before saying ready: the first node may be announced the moment after.
  let seen = Atomics.load(ctrl, CTRL.generation);
  parentPort!.postMessage('ready');
  for (;;) {
    Atomics.wait(ctrl, CTRL.generation, seen);
    seen = Atomics.load(ctrl, CTRL.generation);
    if (Atomics.load(ctrl, CTRL.stop) === 1) break;
    const nA = ctrl[CTRL.nActive]!;
    const [a0, a1] = chunk(nA, threads, s.worker);
    for (let a = a0; a < a1; a++) mine[a - a0] = features[a]!;
    if (a1 > a0) buildHistogram(data, gs, idx, ctrl[CTRL.start]!, ctrl[CTRL.end]!, mine, a1 - a0, hist);
    Atomics.add(ctrl, CTRL.done, 1);
    Atomics.notify(ctrl, CTRL.done);
  }
}
