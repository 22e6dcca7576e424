// Element-wise activations of a dense layer and their derivatives, over the real columns of a
// row-major buffer whose rows are `stride` floats apart (the padding columns are left alone so
// they stay zero). GELU is the exact erf form, as TensorFlow.js's `gelu` computes it.

import { erf } from '../special.js';

export const ACTIVATIONS = ['relu', 'tanh', 'sigmoid', 'gelu', 'linear'] as const;
export type Activation = (typeof ACTIVATIONS)[number];

const INV_SQRT2 = Math.SQRT1_2;
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

/** out[i, j] = act(z[i, j]) for the first `cols` columns of `rows` rows (z and out may alias). */
export function activate(act: Activation, f: Float32Array, z: number, out: number, rows: number, cols: number, stride: number): void {
  for (let i = 0; i < rows; i++) {
    const zo = z + i * stride;
    const oo = out + i * stride;
    switch (act) {
      case 'relu':
        for (let j = 0; j < cols; j++) {
          const v = f[zo + j]!;
          f[oo + j] = v > 0 ? v : 0;
        }
        break;
      case 'tanh':
        for (let j = 0; j < cols; j++) f[oo + j] = Math.tanh(f[zo + j]!);
        break;
      case 'sigmoid':
        for (let j = 0; j < cols; j++) f[oo + j] = 1 / (1 + Math.exp(-f[zo + j]!));
        break;
      case 'gelu':
        for (let j = 0; j < cols; j++) {
          const v = f[zo + j]!;
          f[oo + j] = 0.5 * v * (1 + erf(v * INV_SQRT2));
        }
        break;
      case 'linear':
        if (zo !== oo) for (let j = 0; j < cols; j++) f[oo + j] = f[zo + j]!;
        break;
    }
  }
}

/**
 * g[i, j] *= act'(z[i, j]), given the pre-activation z and the activation a = act(z) (whichever is
 * cheaper to differentiate from: tanh and sigmoid use a, gelu uses z, relu either).
 */
export function activateBackward(act: Activation, f: Float32Array, z: number, a: number, g: number, rows: number, cols: number, stride: number): void {
  if (act === 'linear') return;
  for (let i = 0; i < rows; i++) {
    const zo = z + i * stride;
    const ao = a + i * stride;
    const go = g + i * stride;
    switch (act) {
      case 'relu':
        for (let j = 0; j < cols; j++) if (!(f[ao + j]! > 0)) f[go + j] = 0;
        break;
      case 'tanh':
        for (let j = 0; j < cols; j++) {
          const v = f[ao + j]!;
          f[go + j] *= 1 - v * v;
        }
        break;
      case 'sigmoid':
        for (let j = 0; j < cols; j++) {
          const v = f[ao + j]!;
          f[go + j] *= v * (1 - v);
        }
        break;
      case 'gelu':
        for (let j = 0; j < cols; j++) {
          const v = f[zo + j]!;
          f[go + j] *= 0.5 * (1 + erf(v * INV_SQRT2)) + v * INV_SQRT_2PI * Math.exp(-0.5 * v * v);
        }
        break;
    }
  }
}
