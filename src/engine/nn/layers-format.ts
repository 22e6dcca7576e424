// The TensorFlow.js layers format (`model.json` topology + weights manifest, `weights.bin`) for
// the networks of network.ts: written and read here without loading TensorFlow.js, so saving
// and predicting stay fast, and checked against `tf.loadLayersModel` in the tests. Optional
// weight quantization uses the format's own encodings (float16, or uint8 with a per-tensor
// min and scale), which `tf.loadLayersModel` dequantizes on load.

import type { JsonObject, JsonValue } from '../../util/json.js';
import { ACTIVATIONS, type Activation } from './activations.js';
import type { Head } from './loss.js';
import { BN_EPSILON, BN_MOMENTUM, type DenseSpec, type NetworkSpec, type WeightTensor } from './network.js';

export type Quantization = 'none' | 'float16' | 'uint8';

export interface LayersModelFiles {
  /** The parsed `model.json`. */
  modelJson: JsonObject;
  /** The bytes of `weights.bin`. */
  weights: Uint8Array;
}

const HEAD_ACTIVATION: Record<Head, string> = { sigmoid: 'sigmoid', softmax: 'softmax', linear: 'linear' };

/** Builds model.json and weights.bin for a network and its tensors (in `Network.tensors()` order). */
export function toLayersModel(
  spec: NetworkSpec,
  tensors: readonly WeightTensor[],
  options: { quantize: Quantization; generatedBy: string; weightsPath?: string; keepFloat32?: (tensorName: string) => boolean },
): LayersModelFiles {
  const layers: JsonObject[] = [];
  const names: string[] = []; // the dense/batch-norm layer name each tensor index prefix maps to
  let counter = 0;
  const layerName = (kind: string): string => `${kind}_${++counter}`;
  const dense = (units: number, activation: string, useBias: boolean, first: boolean): JsonObject => {
    const name = layerName('dense');
    return {
      class_name: 'Dense',
      config: {
        name,
        trainable: true,
        ...(first ? { batch_input_shape: [null, spec.inputs] } : {}),
        dtype: 'float32',
        units,
        activation,
        use_bias: useBias,
        kernel_initializer: { class_name: 'Zeros', config: {} },
        bias_initializer: { class_name: 'Zeros', config: {} },
        kernel_regularizer: null,
        bias_regularizer: null,
        activity_regularizer: null,
        kernel_constraint: null,
        bias_constraint: null,
      },
    };
  };
  const all: Array<DenseSpec & { head?: Head }> = [...spec.hidden, { units: spec.outputs, activation: 'linear', dropout: 0, batchNorm: false, head: spec.head }];
  all.forEach((l, i) => {
    const d = dense(l.units, l.head ? HEAD_ACTIVATION[l.head] : l.batchNorm ? 'linear' : l.activation, !l.batchNorm, i === 0);
    layers.push(d);
    const denseName = (d['config'] as JsonObject)['name'] as string;
    let bnName = '';
    if (l.batchNorm) {
      bnName = layerName('batch_normalization');
      layers.push({
        class_name: 'BatchNormalization',
        config: { name: bnName, trainable: true, dtype: 'float32', axis: -1, momentum: BN_MOMENTUM, epsilon: BN_EPSILON, center: true, scale: true },
      });
      layers.push({ class_name: 'Activation', config: { name: layerName('activation'), trainable: true, dtype: 'float32', activation: l.activation } });
    }
    if (l.dropout > 0) layers.push({ class_name: 'Dropout', config: { name: layerName('dropout'), trainable: true, dtype: 'float32', rate: l.dropout } });
    names.push(`${denseName}|${bnName}`);
  });

  const manifest: JsonObject[] = [];
  const chunks: Uint8Array[] = [];
  for (const t of tensors) {
    const [index, field] = t.name.split('/') as [string, string];
    const [denseName, bnName] = names[Number(index)]!.split('|') as [string, string];
    const owner = field === 'kernel' || field === 'bias' ? denseName : bnName;
    const entry: JsonObject = { name: `${owner}/${field}`, shape: t.shape, dtype: 'float32' };
    const encoding = options.keepFloat32?.(t.name) ? 'none' : options.quantize;
    if (encoding === 'float16') {
      entry['quantization'] = { dtype: 'float16', original_dtype: 'float32' };
      const h = new Uint16Array(t.values.length);
      for (let i = 0; i < h.length; i++) h[i] = toHalf(t.values[i]!);
      chunks.push(new Uint8Array(h.buffer));
    } else if (encoding === 'uint8') {
      const { min, scale, q } = quantizeUint8(t.values);
      entry['quantization'] = { dtype: 'uint8', min, scale, original_dtype: 'float32' };
      chunks.push(q);
    } else {
      chunks.push(new Uint8Array(t.values.buffer, t.values.byteOffset, t.values.byteLength));
    }
    manifest.push(entry);
  }
  const size = chunks.reduce((s, c) => s + c.byteLength, 0);
  const weights = new Uint8Array(size);
  let o = 0;
  for (const c of chunks) {
    weights.set(c, o);
    o += c.byteLength;
  }
  return {
    modelJson: {
      format: 'layers-model',
      generatedBy: options.generatedBy,
      convertedBy: null,
      modelTopology: {
        class_name: 'Sequential',
        config: { name: 'soma_mlp', layers },
        keras_version: 'tfjs-layers 4.22.0',
        backend: 'tensor_flow.js',
      },
      weightsManifest: [{ paths: [options.weightsPath ?? 'weights.bin'], weights: manifest }],
    },
    weights,
  };
}

/** Reads back what `toLayersModel` wrote: the network's shape and its (dequantized) tensors. */
export function fromLayersModel(files: LayersModelFiles): { spec: NetworkSpec; tensors: WeightTensor[] } {
  const fail = (why: string): never => {
    throw new Error(`layers model: ${why}`);
  };
  const topology = obj(files.modelJson['modelTopology'], 'modelTopology', fail);
  const config = obj(topology['config'], 'modelTopology.config', fail);
  const rawLayers = config['layers'];
  if (topology['class_name'] !== 'Sequential' || !Array.isArray(rawLayers)) fail('expected a Sequential model with a layers list');
  const dense: Array<{ units: number; activation: string; bias: boolean; bn: string; act: string; dropout: number; name: string; inputs: number }> = [];
  for (const raw of rawLayers as JsonValue[]) {
    const layer = obj(raw, 'layer', fail);
    const c = obj(layer['config'], 'layer config', fail);
    const cls = layer['class_name'];
    const name = String(c['name']);
    if (cls === 'Dense') {
      const shape = c['batch_input_shape'];
      dense.push({
        units: int(c['units'], 'units', fail),
        activation: String(c['activation']),
        bias: c['use_bias'] !== false,
        bn: '',
        act: String(c['activation']),
        dropout: 0,
        name,
        inputs: Array.isArray(shape) ? int(shape[1] ?? null, 'batch_input_shape', fail) : -1,
      });
    } else {
      const cur = dense[dense.length - 1] ?? fail(`${String(cls)} before any Dense layer`);
      if (cls === 'BatchNormalization') cur.bn = name;
      else if (cls === 'Activation') cur.act = String(c['activation']);
      else if (cls === 'Dropout') cur.dropout = Number(c['rate']);
      else fail(`unsupported layer class ${String(cls)}`);
    }
  }
  if (dense.length === 0 || dense[0]!.inputs <= 0) fail('no Dense layer with an input shape');
  const out = dense[dense.length - 1]!;
  const head = (Object.keys(HEAD_ACTIVATION) as Head[]).find((h) => HEAD_ACTIVATION[h] === out.activation) ?? fail(`output activation ${out.activation}`);
  const hidden: DenseSpec[] = dense.slice(0, -1).map((d) => {
    if (!(ACTIVATIONS as readonly string[]).includes(d.act)) fail(`activation ${d.act}`);
    return { units: d.units, activation: d.act as Activation, dropout: d.dropout, batchNorm: d.bn !== '' };
  });
  const spec: NetworkSpec = { inputs: dense[0]!.inputs, hidden, outputs: out.units, head };

  // Tensors by name, decoded in manifest order from the concatenated weight bytes.
  const groups = files.modelJson['weightsManifest'];
  if (!Array.isArray(groups)) fail('weightsManifest is not a list');
  const byName = new Map<string, Float32Array>();
  let offset = 0;
  for (const g of groups as JsonValue[]) {
    for (const w of obj(g, 'manifest group', fail)['weights'] as JsonValue[]) {
      const e = obj(w, 'weight entry', fail);
      const shape = e['shape'] as number[];
      const n = shape.reduce((a, b) => a * b, 1);
      const q = e['quantization'] === undefined ? null : obj(e['quantization'], 'quantization', fail);
      const bytesPer = q === null ? 4 : q['dtype'] === 'float16' ? 2 : q['dtype'] === 'uint8' ? 1 : fail(`quantization dtype ${String(q['dtype'])}`);
      const end = offset + n * bytesPer;
      if (end > files.weights.byteLength) fail(`weights.bin holds ${files.weights.byteLength} bytes, the manifest needs more`);
      const bytes = files.weights.slice(offset, end); // a copy: aligned for the typed views below
      let values: Float32Array;
      if (q === null) values = new Float32Array(bytes.buffer);
      else if (bytesPer === 2) values = Float32Array.from(new Uint16Array(bytes.buffer), fromHalf);
      else {
        const min = Number(q['min']);
        const scale = Number(q['scale']);
        values = Float32Array.from(bytes, (v) => v * scale + min);
      }
      byName.set(String(e['name']), values);
      offset = end;
    }
  }
  const tensors: WeightTensor[] = [];
  const take = (layer: string, field: string, index: number, shape: number[]): void => {
    const v = byName.get(`${layer}/${field}`) ?? fail(`missing weight ${layer}/${field}`);
    if (v.length !== shape.reduce((a, b) => a * b, 1)) fail(`weight ${layer}/${field} has ${v.length} values, expected shape [${shape.join(', ')}]`);
    tensors.push({ name: `${index}/${field}`, shape, values: v });
  };
  let K = spec.inputs;
  dense.forEach((d, i) => {
    take(d.name, 'kernel', i, [K, d.units]);
    if (d.bias) take(d.name, 'bias', i, [d.units]);
    if (d.bn) for (const f of ['gamma', 'beta', 'moving_mean', 'moving_variance']) take(d.bn, f, i, [d.units]);
    K = d.units;
  });
  return { spec, tensors };
}

function obj(v: JsonValue | undefined, what: string, fail: (why: string) => never): JsonObject {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return fail(`${what} is not an object`);
  return v;
}

function int(v: JsonValue | undefined, what: string, fail: (why: string) => never): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) return fail(`${what} = ${JSON.stringify(v)} is not a positive integer`);
  return v;
}

/** Per-tensor affine uint8 quantization: value ~ q * scale + min. */
export function quantizeUint8(values: Float32Array): { min: number; scale: number; q: Uint8Array } {
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (!Number.isFinite(min)) min = max = 0;
  const scale = max > min ? (max - min) / 255 : 1;
  const q = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) q[i] = Math.max(0, Math.min(255, Math.round((values[i]! - min) / scale)));
  return { min, scale, q };
}

/** What a tensor becomes after a save in the given encoding and a load (as tf.loadLayersModel decodes it). */
export function roundTrip(values: Float32Array, quantize: Quantization): Float32Array {
  if (quantize === 'none') return Float32Array.from(values);
  if (quantize === 'float16') return Float32Array.from(values, (v) => fromHalf(toHalf(v)));
  const { min, scale, q } = quantizeUint8(values);
  return Float32Array.from(q, (v) => v * scale + min);
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** float32 -> IEEE half bits, rounding to nearest even; overflow becomes infinity. */
export function toHalf(x: number): number {
  f32[0] = x;
  const b = u32[0]!;
  const sign = (b >>> 16) & 0x8000;
  const exp = (b >>> 23) & 0xff;
  let mant = b & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant !== 0 ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    const half = mant >>> shift;
    const rem = mant & ((1 << shift) - 1);
    const mid = 1 << (shift - 1);
    return sign | (rem > mid || (rem === mid && (half & 1) === 1) ? half + 1 : half);
  }
  const half = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  // Rounding may carry into the exponent, which is still the right half value.
  return sign | (rem > 0x1000 || (rem === 0x1000 && (half & 1) === 1) ? half + 1 : half);
}

/** IEEE half bits -> number. */
export function fromHalf(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >>> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 0x1f) return mant === 0 ? sign * Infinity : NaN;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}
