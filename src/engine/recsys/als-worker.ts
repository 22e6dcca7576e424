// worker_threads entry for fitAlsThreads: waits on the shared control block and solves its block
// of rows of each announced half-step in shared memory (see als-parallel.ts).

import { parentPort, workerData } from 'node:worker_threads';
import { ALS_CTRL, blockRange, viewCsr, type AlsWorkerSetup } from './als-parallel.js';
import { solveRows, workspace } from './als.js';

const s = workerData as AlsWorkerSetup;
const byUser = viewCsr(s.byUser);
const byItem = viewCsr(s.byItem);
const X = new Float32Array(s.X);
const Y = new Float32Array(s.Y);
const gram = new Float64Array(s.gram);
const ctrl = new Int32Array(s.ctrl);
const ws = workspace(s.factors);

let generation = Atomics.load(ctrl, ALS_CTRL.generation);
parentPort!.postMessage('ready');
for (;;) {
  Atomics.wait(ctrl, ALS_CTRL.generation, generation);
  generation = Atomics.load(ctrl, ALS_CTRL.generation);
  if (Atomics.load(ctrl, ALS_CTRL.stop) === 1) break;
  const side = Atomics.load(ctrl, ALS_CTRL.side);
  const [m, A, B] = side === 0 ? [byUser, X, Y] : [byItem, Y, X];
  const [from, to] = blockRange(m.rows, s.threads, s.block);
  solveRows(m, A, B, s.factors, s.alpha, s.cgSteps, gram, ws, from, to);
  Atomics.add(ctrl, ALS_CTRL.done, 1);
  Atomics.notify(ctrl, ALS_CTRL.done);
}
