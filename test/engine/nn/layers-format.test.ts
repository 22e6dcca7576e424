// The TensorFlow.js layers format writer/reader: half-precision conversion, uint8 quantization
// and a model round trip (model.json + weights.bin back to the same network and tensors).

import { describe, expect, it } from 'vitest';
import { fromHalf, fromLayersModel, quantizeUint8, roundTrip, toHalf, toLayersModel } from '../../../src/engine/nn/layers-format.js';
import { Network, type NetworkSpec } from '../../../src/engine/nn/network.js';

describe('float16', () => {
  it('when converting exactly representable values, then they survive unchanged', () => {
    for (const v of [0, 1, -2, 0.5, 65504, 2 ** -24, -(2 ** -14), 1 + 2 ** -10]) expect(fromHalf(toHalf(v))).toBe(v);
    expect(toHalf(1)).toBe(0x3c00);
    expect(toHalf(-2)).toBe(0xc000);
  });

  it('when a value falls between halves, then it rounds to nearest, ties to even', () => {
    expect(fromHalf(toHalf(1 + 2 ** -11))).toBe(1); // tie: even mantissa (1.0)
    expect(fromHalf(toHalf(1 + 3 * 2 ** -11))).toBe(1 + 2 ** -9); // tie: rounds up to even
    expect(fromHalf(toHalf(1 + 2 ** -11 + 2 ** -20))).toBe(1 + 2 ** -10);
    expect(fromHalf(toHalf(1e6))).toBe(Infinity);
    expect(fromHalf(toHalf(2 ** -26))).toBe(0);
  });
});

describe('uint8 quantization', () => {
  it('when quantizing, then every value is within half a step of the original', () => {
    const v = Float32Array.from({ length: 100 }, (_, i) => Math.sin(i) * 3);
    const { scale } = quantizeUint8(v);
    const back = roundTrip(v, 'uint8');
    for (let i = 0; i < v.length; i++) expect(Math.abs(back[i]! - v[i]!)).toBeLessThanOrEqual(scale / 2 + 1e-6);
  });

  it('when all values are equal, then they come back exactly', () => {
    expect(Array.from(roundTrip(Float32Array.of(0.25, 0.25), 'uint8'))).toEqual([0.25, 0.25]);
  });
});

describe('layers model', () => {
  const spec: NetworkSpec = {
    inputs: 3,
    hidden: [
      { units: 5, activation: 'relu', dropout: 0.2, batchNorm: false },
      { units: 4, activation: 'gelu', dropout: 0, batchNorm: true },
    ],
    outputs: 3,
    head: 'softmax',
  };

  it('when written and read back, then the shape and the tensors are the same', () => {
    const net = new Network(spec, 4, 7);
    net.initialize();
    const tensors = net.tensors();
    const files = toLayersModel(spec, tensors, { quantize: 'none', generatedBy: 'test' });
    const layers = ((files.modelJson['modelTopology'] as { config: { layers: Array<{ class_name: string }> } }).config.layers).map((l) => l.class_name);
    expect(layers).toEqual(['Dense', 'Dropout', 'Dense', 'BatchNormalization', 'Activation', 'Dense']);
    expect(files.weights.byteLength).toBe(tensors.reduce((s, t) => s + t.values.length * 4, 0));
    const back = fromLayersModel(files);
    expect(back.spec).toEqual(spec);
    expect(back.tensors.map((t) => t.name)).toEqual(tensors.map((t) => t.name));
    back.tensors.forEach((t, i) => expect(Array.from(t.values)).toEqual(Array.from(tensors[i]!.values)));
  });

  it('when quantized, then the file is smaller and reads back as the round-tripped values', () => {
    const net = new Network(spec, 4, 7);
    net.initialize();
    const tensors = net.tensors();
    for (const q of ['float16', 'uint8'] as const) {
      const files = toLayersModel(spec, tensors, { quantize: q, generatedBy: 'test' });
      expect(files.weights.byteLength).toBe(tensors.reduce((s, t) => s + t.values.length * (q === 'float16' ? 2 : 1), 0));
      const back = fromLayersModel(files);
      expect(back.tensors.map((t) => t.name)).toEqual(tensors.map((t) => t.name));
      back.tensors.forEach((t, i) => expect(Array.from(t.values)).toEqual(Array.from(roundTrip(tensors[i]!.values, q))));
    }
  });

  it('when weights.bin is shorter than the manifest says, then reading fails with the reason', () => {
    const net = new Network(spec, 4, 7);
    const files = toLayersModel(spec, net.tensors(), { quantize: 'none', generatedBy: 'test' });
    expect(() => fromLayersModel({ ...files, weights: files.weights.subarray(0, 10) })).toThrow(/weights.bin holds 10 bytes/);
  });
});
