// worker_threads entry for data-parallel network gradients: waits on the shared control block,
// computes its shard's gradient of each announced batch with a replica of the network, and
// reports it through shared memory (see parallel.ts).

import { parentPort, workerData } from 'node:worker_threads';
import { Network } from './network.js';
import { loadShard, NN_CTRL, shardRange, type NnWorkerSetup } from './parallel.js';

const s = workerData as NnWorkerSetup;
const net = new Network(s.spec, s.maxRows, s.seed);
const ctrl = new Int32Array(s.ctrl);
const xs = new Float32Array(s.xs);
const ys = new Float64Array(s.ys);
const ws = s.ws ? new Float64Array(s.ws) : null;
const order = new Int32Array(s.order);
const params = new Float32Array(s.params);
const P = net.paramCount;
const grads = new Float32Array(s.grads, s.shard * P * 4, P);
const losses = new Float64Array(s.losses);
const yb = new Float64Array(s.maxRows);
const wb = ws ? new Float64Array(s.maxRows) : null;

let generation = Atomics.load(ctrl, NN_CTRL.generation);
parentPort!.postMessage('ready');
for (;;) {
  Atomics.wait(ctrl, NN_CTRL.generation, generation);
  generation = Atomics.load(ctrl, NN_CTRL.generation);
  if (Atomics.load(ctrl, NN_CTRL.stop) === 1) break;
  const start = Atomics.load(ctrl, NN_CTRL.start);
  const rows = Atomics.load(ctrl, NN_CTRL.rows);
  const [from, to] = shardRange(rows, s.threads, s.shard);
  if (to > from) {
    net.paramView().set(params);
    loadShard(net, xs, s.inputs, ys, ws, order, start, from, to, yb, wb);
    net.forward(to - from, true);
    losses[s.shard] = net.backward(to - from, yb, 0, wb, s.l2);
    grads.set(net.gradView());
  } else {
    losses[s.shard] = 0;
    grads.fill(0);
  }
  Atomics.add(ctrl, NN_CTRL.done, 1);
  Atomics.notify(ctrl, NN_CTRL.done);
}
