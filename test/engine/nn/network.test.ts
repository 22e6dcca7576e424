// The network's backward pass against central finite differences of its loss, for every head,
// activation and batch norm; padding stays zero; snapshot/restore and tensors round trip.

import { describe, expect, it } from 'vitest';
import { Network, type NetworkSpec } from '../../../src/engine/nn/network.js';
import { Rng } from '../../../src/engine/random.js';

function fill(net: Network, rows: number, seed: number): Float64Array {
  const rng = new Rng(seed);
  const f = net.gemm.f32;
  for (let i = 0; i < rows * net.spec.inputs; i++) f[net.X + i] = rng.normal();
  const y = new Float64Array(rows);
  for (let i = 0; i < rows; i++) y[i] = net.spec.head === 'linear' ? rng.normal() : rng.int(net.spec.head === 'sigmoid' ? 2 : net.spec.outputs);
  return y;
}

/** Mean loss of a training-mode forward pass (batch norm uses batch statistics, as in backward). */
function meanLoss(net: Network, rows: number, y: Float64Array): number {
  net.forward(rows, true);
  return net.lossOnly(rows, y, 0) / rows;
}

const cases: Array<[string, NetworkSpec]> = [
  ['softmax over tanh and gelu with batch norm', { inputs: 3, hidden: [{ units: 5, activation: 'tanh', dropout: 0, batchNorm: false }, { units: 6, activation: 'gelu', dropout: 0, batchNorm: true }], outputs: 3, head: 'softmax' }],
  ['sigmoid over sigmoid and linear', { inputs: 4, hidden: [{ units: 7, activation: 'sigmoid', dropout: 0, batchNorm: false }, { units: 3, activation: 'linear', dropout: 0, batchNorm: false }], outputs: 1, head: 'sigmoid' }],
  ['mse over relu (fused) and batch-normed tanh', { inputs: 5, hidden: [{ units: 18, activation: 'relu', dropout: 0, batchNorm: false }, { units: 4, activation: 'tanh', dropout: 0, batchNorm: true }], outputs: 1, head: 'linear' }],
];

describe('network gradients', () => {
  for (const [label, spec] of cases) {
    it(`when the head is ${label}, then backward matches finite differences`, () => {
      const rows = 7;
      const net = new Network(spec, rows, 3);
      net.initialize();
      // Non-zero biases and batch-norm scales, so every parameter's gradient is exercised.
      const rng = new Rng(11);
      const p0 = net.paramView();
      for (let i = 0; i < p0.length; i++) if (p0[i] === 0 && rng.next() < 0.5) p0[i] = 0.1 * rng.normal();
      // ...but padding columns must stay zero: re-zero them through a tensors round trip.
      net.setTensors(net.tensors());
      const y = fill(net, rows, 5);
      net.forward(rows, true);
      net.backward(rows, y, 0, null, 0);
      const grad = Float64Array.from(net.gradView());
      const params = net.paramView();
      const h = label.includes('relu') ? 2e-3 : 1e-2; // smaller steps across ReLU, whose kinks a wide step may cross
      let checked = 0;
      for (let i = 0; i < params.length; i++) {
        const v = params[i]!;
        params[i] = v + h;
        const up = meanLoss(net, rows, y);
        params[i] = v - h;
        const down = meanLoss(net, rows, y);
        params[i] = v;
        const fd = (up - down) / (2 * h);
        expect(Math.abs(fd - grad[i]!), `param ${i}: fd ${fd} vs ${grad[i]}`).toBeLessThanOrEqual(3e-3 + 3e-2 * Math.abs(fd));
        if (grad[i] !== 0) checked++;
      }
      expect(checked).toBeGreaterThan(params.length / 2);
    });
  }

  it('when an L2 penalty is set, then it adds alpha * W to the kernel gradients only', () => {
    const spec = cases[1]![1];
    const net = new Network(spec, 4, 1);
    net.initialize();
    const y = fill(net, 4, 2);
    net.forward(4, true);
    net.backward(4, y, 0, null, 0);
    const plain = Float64Array.from(net.gradView());
    net.forward(4, true);
    net.backward(4, y, 0, null, 0.5);
    const pen = net.gradView();
    const W = net.paramView();
    const kernelLen = spec.inputs * 8; // 7 units padded to 8
    for (let i = 0; i < kernelLen; i++) expect(pen[i]!).toBeCloseTo(plain[i]! + 0.5 * W[i]!, 5);
    for (let i = kernelLen; i < kernelLen + 8; i++) expect(pen[i]!).toBeCloseTo(plain[i]!, 6); // bias
  });
});

describe('network state', () => {
  it('when trained a step, then the padding of every tensor stays exactly zero', () => {
    const spec: NetworkSpec = { inputs: 3, hidden: [{ units: 5, activation: 'relu', dropout: 0.5, batchNorm: false }], outputs: 3, head: 'softmax' };
    const net = new Network(spec, 6, 9);
    net.initialize();
    const y = fill(net, 6, 1);
    net.forward(6, true);
    net.backward(6, y, 0, null, 0);
    const g = net.gradView();
    // Layer 0 kernel is 3 x 8 (5 real columns): columns 5..7 are padding.
    for (let k = 0; k < 3; k++) for (let j = 5; j < 8; j++) expect(g[k * 8 + j]).toBe(0);
  });

  it('when restored from a snapshot, then predictions repeat exactly', () => {
    const spec: NetworkSpec = { inputs: 2, hidden: [{ units: 4, activation: 'tanh', dropout: 0, batchNorm: true }], outputs: 1, head: 'sigmoid' };
    const net = new Network(spec, 5, 4);
    net.initialize();
    fill(net, 5, 3);
    net.forward(5, true); // moves the batch-norm running statistics
    const snap = net.snapshot();
    const out1 = new Float64Array(10);
    net.predictRows(5, out1, 0);
    net.paramView().fill(0.3);
    net.forward(5, true);
    net.restore(snap);
    const out2 = new Float64Array(10);
    net.predictRows(5, out2, 0);
    expect(Array.from(out2)).toEqual(Array.from(out1));
  });
});
