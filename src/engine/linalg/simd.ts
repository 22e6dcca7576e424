// A WebAssembly SIMD micro-kernel for the Gram matrix: 2 x 4 tiles of dot products over f64x2
// lanes. V8 does not vectorise JavaScript, and the Gram matrix is the whole cost of a ridge fit
// on tall data, so this one loop is written as wasm (assembled here from opcodes: no toolchain,
// no file to load). When the runtime lacks wasm SIMD, callers fall back to the scalar kernel.

import { name, OP, section, sleb, uleb, vec, wasm, type WasmMemory } from '../wasm/assembler.js';

const v128load = [0xfd, 0x00, 3, 0]; // align 2^3, offset 0
const f64x2add = [0xfd, ...uleb(0xf0)];
const f64x2mul = [0xfd, ...uleb(0xf2)];
const lane = (i: number) => [0xfd, 0x21, i]; // f64x2.extract_lane

/**
 * tile(pa, pb, p0, p1, p2, p3, len, out): given byte addresses of f64 columns a, b, x0..x3 and an
 * even row count len, writes the 8 dot products [a.x0, a.x1, a.x2, a.x3, b.x0, b.x1, b.x2, b.x3]
 * as f64 at byte address out. Each accumulator holds two partial sums (even and odd rows), added
 * together at the end.
 */
function tileModule(): Uint8Array {
  const A = 16;
  const Bv = 17;
  const X = 18;
  const acc = (i: number) => 8 + i;
  const body: number[] = [];
  body.push(OP.block, OP.void, OP.loop, OP.void);
  body.push(OP.get, 6, OP.i32eqz, OP.brIf, 1);
  body.push(OP.get, 0, ...v128load, OP.set, A);
  body.push(OP.get, 1, ...v128load, OP.set, Bv);
  for (let k = 0; k < 4; k++) {
    body.push(OP.get, 2 + k, ...v128load, OP.set, X);
    body.push(OP.get, acc(k), OP.get, A, OP.get, X, ...f64x2mul, ...f64x2add, OP.set, acc(k));
    body.push(OP.get, acc(4 + k), OP.get, Bv, OP.get, X, ...f64x2mul, ...f64x2add, OP.set, acc(4 + k));
  }
  for (let p = 0; p < 6; p++) body.push(OP.get, p, OP.i32const, ...sleb(16), OP.i32add, OP.set, p);
  body.push(OP.get, 6, OP.i32const, ...sleb(2), OP.i32sub, OP.set, 6);
  body.push(OP.br, 0, OP.end, OP.end);
  for (let k = 0; k < 8; k++) {
    body.push(OP.get, 7, OP.get, acc(k), ...lane(0), OP.get, acc(k), ...lane(1), OP.f64add, OP.f64store, 3, ...uleb(8 * k));
  }
  body.push(OP.end);
  const locals = vec([[11, OP.v128]]);
  const func = [...locals, ...body];
  const bytes = [
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec([[0x60, ...vec(Array.from({ length: 8 }, () => [OP.i32])), 0]])),
    ...section(3, vec([[0]])),
    ...section(5, vec([[0x00, 1]])),
    ...section(7, vec([[...name('tile'), 0x00, 0], [...name('memory'), 0x02, 0]])),
    ...section(10, vec([[...uleb(func.length), ...func]])),
  ]; // prettier-ignore
  return Uint8Array.from(bytes);
}

export interface SimdTile {
  /** Wasm memory as f64 (re-read after `ensure`, growing replaces the buffer). */
  f64: Float64Array;
  /** Grows memory to hold at least `doubles` f64 values. */
  ensure(doubles: number): void;
  /** 8 dot products of columns a, b against x0..x3 (element offsets into f64), written at `out`. */
  tile(a: number, b: number, x0: number, x1: number, x2: number, x3: number, len: number, out: number): void;
}

let cached: SimdTile | null | undefined;

/** The SIMD tile kernel, or null when this runtime has no wasm SIMD. */
export function simdTile(): SimdTile | null {
  if (cached !== undefined) return cached;
  cached = null;
  try {
    if (!wasm) return null;
    const bytes = tileModule();
    if (!wasm.validate(bytes)) return null;
    const inst = new wasm.Instance(new wasm.Module(bytes), {});
    const memory = inst.exports.memory as WasmMemory;
    const fn = inst.exports.tile as (...args: number[]) => void;
    const k: SimdTile = {
      f64: new Float64Array(memory.buffer),
      ensure(doubles: number) {
        const bytesNeeded = doubles * 8;
        if (memory.buffer.byteLength < bytesNeeded) {
          memory.grow(Math.ceil((bytesNeeded - memory.buffer.byteLength) / 65536));
        }
        if (k.f64.buffer !== memory.buffer) k.f64 = new Float64Array(memory.buffer);
      },
      tile: (a, b, x0, x1, x2, x3, len, out) => fn(a * 8, b * 8, x0 * 8, x1 * 8, x2 * 8, x3 * 8, len, out * 8),
    };
    cached = k;
  } catch {
    cached = null;
  }
  return cached;
}
