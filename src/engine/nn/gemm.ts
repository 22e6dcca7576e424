// The one matrix kernel the network needs, as WebAssembly SIMD (f32x4) assembled here from opcodes:
//   C[m, j] = act(bias[j] + sum_p L[m*lsm + p*lsp] * R[p*rs + j])
// With strides it serves the forward pass (L = activations, R = weights), the weight gradient
// (L = activations read transposed, R = output gradients) and the input gradient (R = transposed
// weights). V8 does not vectorise JavaScript, and these products are nearly all of an MLP's cost,
// so they run as register-tiled wasm (2 rows x 16 columns: 8 accumulators, 4 weight vectors and 2
// broadcasts stay in the 16 SIMD registers). Buffers live in the kernel's memory, addressed by
// f32 element offsets; column counts (J) and the column strides are multiples of 4.
// When the runtime has no wasm SIMD, the same arithmetic runs as plain JavaScript.

import { name as str, section, sleb, uleb, vec, wasm, type WasmMemory, type WasmModule } from '../wasm/assembler.js';


const GET = 0x20;
const SET = 0x21;
const I32_CONST = 0x41;
const I32_ADD = 0x6a;
const I32_SUB = 0x6b;
const I32_MUL = 0x6c;
const I32_EQZ = 0x45;
const BLOCK = 0x02;
const LOOP = 0x03;
const IF = 0x04;
const END = 0x0b;
const BR = 0x0c;
const BR_IF = 0x0d;
const VOID = 0x40;
const T_I32 = 0x7f;
const T_V128 = 0x7b;
const simd = (op: number, ...imm: number[]): number[] => [0xfd, ...uleb(op), ...imm];
const v128Load = (offset: number): number[] => simd(0x00, 4, ...uleb(offset));
const v128Store = (offset: number): number[] => simd(0x0b, 4, ...uleb(offset));
const load32Splat = simd(0x09, 2, 0);
const f32x4Add = simd(0xe4);
const f32x4Mul = simd(0xe6);
const f32x4Max = simd(0xe9);
const f32x4Gt = simd(0x44);
const v128And = simd(0x4e);
const v128Zero = simd(0x0c, ...new Array<number>(16).fill(0));

// Parameter indices (all i32, byte addresses and byte strides).
const P_L = 0, P_LSM = 1, P_LSP = 2, P_R = 3, P_RS = 4, P_C = 5, P_CS = 6, P_BIAS = 7, P_MB = 8, P_P = 9, P_JB = 10, P_RELU = 11, P_MASK = 12, P_USEMASK = 13; // prettier-ignore
const N_PARAMS = 14;
// i32 locals after the params (L_MROW: the mask row, laid out as C).
const L_JB = 14, L_LP = 15, L_RP = 16, L_P = 17, L_LROW = 18, L_CROW = 19, L_JOFF = 20, L_MROW = 21; // prettier-ignore
const N_I32_LOCALS = 8;

/** One tile function: `rows` rows (1 or 2) by `vecs` f32x4 vectors (1 or 4) per block. */
function tileFunction(rows: number, vecs: number): number[] {
  const vbase = N_PARAMS + N_I32_LOCALS;
  const acc = (r: number, v: number): number => vbase + r * vecs + v;
  const w = (v: number): number => vbase + rows * vecs + v;
  const s = (r: number): number => vbase + rows * vecs + vecs + r;
  const nV128 = rows * vecs + vecs + rows;
  const b: number[] = [];
  const add = (...ops: number[]): void => {
    b.push(...ops);
  };
  add(GET, P_L, SET, L_LROW, GET, P_C, SET, L_CROW, GET, P_MASK, SET, L_MROW);
  add(BLOCK, VOID, LOOP, VOID);
  add(GET, P_MB, I32_EQZ, BR_IF, 1);
  add(I32_CONST, 0, SET, L_JOFF, GET, P_JB, SET, L_JB);
  add(BLOCK, VOID, LOOP, VOID);
  add(GET, L_JB, I32_EQZ, BR_IF, 1);
  // Accumulators start from the bias (a zero vector when the caller wants a plain product).
  for (let r = 0; r < rows; r++) {
    for (let v = 0; v < vecs; v++) add(GET, P_BIAS, GET, L_JOFF, I32_ADD, ...v128Load(16 * v), SET, acc(r, v));
  }
  add(GET, L_LROW, SET, L_LP, GET, P_R, GET, L_JOFF, I32_ADD, SET, L_RP, GET, P_P, SET, L_P);
  add(BLOCK, VOID, LOOP, VOID);
  add(GET, L_P, I32_EQZ, BR_IF, 1);
  add(GET, L_LP, ...load32Splat, SET, s(0));
  if (rows === 2) add(GET, L_LP, GET, P_LSM, I32_ADD, ...load32Splat, SET, s(1));
  for (let v = 0; v < vecs; v++) {
    add(GET, L_RP, ...v128Load(16 * v), SET, w(v));
    for (let r = 0; r < rows; r++) add(GET, acc(r, v), GET, s(r), GET, w(v), ...f32x4Mul, ...f32x4Add, SET, acc(r, v));
  }
  add(GET, L_LP, GET, P_LSP, I32_ADD, SET, L_LP);
  add(GET, L_RP, GET, P_RS, I32_ADD, SET, L_RP);
  add(GET, L_P, I32_CONST, ...sleb(1), I32_SUB, SET, L_P);
  add(BR, 0, END, END);
  // ReLU fused into the store: the forward pass of a ReLU layer needs no second sweep.
  add(GET, P_RELU, IF, VOID);
  for (let r = 0; r < rows; r++) for (let v = 0; v < vecs; v++) add(GET, acc(r, v), ...v128Zero, ...f32x4Max, SET, acc(r, v));
  add(END);
  // The ReLU derivative of the layer below fused into the input-gradient product: keep entries
  // where the mask matrix (that layer's activations, laid out as C) is positive.
  add(GET, P_USEMASK, IF, VOID);
  for (let r = 0; r < rows; r++) {
    for (let v = 0; v < vecs; v++) {
      add(GET, acc(r, v), GET, L_MROW);
      if (r === 1) add(GET, P_CS, I32_ADD);
      add(GET, L_JOFF, I32_ADD, ...v128Load(16 * v), ...v128Zero, ...f32x4Gt, ...v128And, SET, acc(r, v));
    }
  }
  add(END);
  for (let r = 0; r < rows; r++) {
    for (let v = 0; v < vecs; v++) {
      add(GET, L_CROW);
      if (r === 1) add(GET, P_CS, I32_ADD);
      add(GET, L_JOFF, I32_ADD, GET, acc(r, v), ...v128Store(16 * v));
    }
  }
  add(GET, L_JOFF, I32_CONST, ...sleb(16 * vecs), I32_ADD, SET, L_JOFF);
  add(GET, L_JB, I32_CONST, ...sleb(1), I32_SUB, SET, L_JB);
  add(BR, 0, END, END);
  add(GET, L_LROW, GET, P_LSM, I32_CONST, ...sleb(rows), I32_MUL, I32_ADD, SET, L_LROW);
  add(GET, L_CROW, GET, P_CS, I32_CONST, ...sleb(rows), I32_MUL, I32_ADD, SET, L_CROW);
  add(GET, L_MROW, GET, P_CS, I32_CONST, ...sleb(rows), I32_MUL, I32_ADD, SET, L_MROW);
  add(GET, P_MB, I32_CONST, ...sleb(1), I32_SUB, SET, P_MB);
  add(BR, 0, END, END);
  add(END);
  const locals = vec([[N_I32_LOCALS, T_I32], [nV128, T_V128]]);
  const func = [...locals, ...b];
  return [...uleb(func.length), ...func];
}

const VARIANTS: ReadonlyArray<readonly [string, number, number]> = [
  ['r2v4', 2, 4],
  ['r1v4', 1, 4],
  ['r2v1', 2, 1],
  ['r1v1', 1, 1],
];

function gemmModule(): Uint8Array {
  const type = [0x60, ...vec(Array.from({ length: N_PARAMS }, () => [T_I32])), 0];
  const bytes = [
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec([type])),
    ...section(3, vec(VARIANTS.map(() => [0]))),
    ...section(5, vec([[0x00, 1]])),
    ...section(7, vec([...VARIANTS.map(([n], i) => [...str(n), 0x00, i]), [...str('memory'), 0x02, 0]])),
    ...section(10, vec(VARIANTS.map(([, r, v]) => tileFunction(r, v)))),
  ]; // prettier-ignore
  return Uint8Array.from(bytes);
}

type TileFn = (l: number, lsm: number, lsp: number, r: number, rs: number, c: number, cs: number, bias: number, mb: number, p: number, jb: number, relu: number, mask: number, useMask: number) => void;

/**
 * A float32 arena plus the product kernel over it. Offsets are f32 element indices into `f32`;
 * `alloc` hands out 16-byte aligned regions, zero-filled.
 */
export class Gemm {
  f32: Float32Array;
  /** Whether the wasm SIMD kernel runs (else the JavaScript fallback). */
  readonly simd: boolean;
  private memory: WasmMemory | null;
  private fns: Record<string, TileFn> | null;
  private top = 0;

  constructor(forceScalar = false) {
    const k = forceScalar ? null : instantiate();
    this.simd = k !== null;
    this.memory = k?.memory ?? null;
    this.fns = k?.fns ?? null;
    this.f32 = this.memory ? new Float32Array(this.memory.buffer) : new Float32Array(1 << 14);
  }

  /** Reserves `n` floats (rounded up to a multiple of 4) and returns their offset. */
  alloc(n: number): number {
    const off = this.top;
    this.top += Math.ceil(n / 4) * 4;
    this.ensure(this.top);
    this.f32.fill(0, off, this.top);
    return off;
  }

  /** The current allocation mark, for `release`. */
  mark(): number {
    return this.top;
  }

  /** Frees every region allocated after `mark` (scratch for one prediction call). */
  release(mark: number): void {
    this.top = mark;
  }

  private ensure(floats: number): void {
    const need = floats * 4;
    if (this.memory) {
      if (this.memory.buffer.byteLength < need) this.memory.grow(Math.ceil((need - this.memory.buffer.byteLength) / 65536));
      if (this.f32.buffer !== this.memory.buffer) this.f32 = new Float32Array(this.memory.buffer);
    } else if (this.f32.length < floats) {
      const grown = new Float32Array(Math.max(floats, this.f32.length * 2));
      grown.set(this.f32);
      this.f32 = grown;
    }
  }

  /**
   * C[m*cs + j] = act(bias[j] + sum_{p<P} L[m*lsm + p*lsp] * R[p*rs + j]) for m < M, j < J.
   * J, rs, cs and the offsets of R, C and bias must be multiples of 4 (bias holds J floats).
   * With `mask` (an offset, -1 = none), entries whose mask[m*cs + j] is not > 0 become 0: the
   * ReLU derivative, given the ReLU's outputs laid out as C.
   */
  run(l: number, lsm: number, lsp: number, r: number, rs: number, c: number, cs: number, bias: number, M: number, P: number, J: number, relu: boolean, mask = -1): void {
    if (J % 4 !== 0 || rs % 4 !== 0 || cs % 4 !== 0 || r % 4 !== 0 || c % 4 !== 0 || bias % 4 !== 0 || (mask >= 0 && mask % 4 !== 0)) {
      throw new Error(`gemm: column count and strides must be multiples of 4 (J=${J}, rs=${rs}, cs=${cs})`);
    }
    if (M === 0 || J === 0) return;
    if (!this.fns) {
      scalarGemm(this.f32, l, lsm, lsp, r, rs, c, cs, bias, M, P, J, relu, mask);
      return;
    }
    const f = this.fns;
    const rl = relu ? 1 : 0;
    const m2 = M >> 1;
    const j16 = J >> 4;
    const j4 = (J - j16 * 16) >> 2;
    // Byte addresses and strides for the kernel.
    const L = l * 4, LSM = lsm * 4, LSP = lsp * 4, R = r * 4, RS = rs * 4, C = c * 4, CS = cs * 4, B = bias * 4; // prettier-ignore
    const um = mask >= 0 ? 1 : 0;
    const K = um ? mask * 4 : 0;
    if (m2 > 0) {
      if (j16 > 0) f.r2v4!(L, LSM, LSP, R, RS, C, CS, B, m2, P, j16, rl, K, um);
      if (j4 > 0) f.r2v1!(L, LSM, LSP, R + j16 * 64, RS, C + j16 * 64, CS, B + j16 * 64, m2, P, j4, rl, K + j16 * 64, um);
    }
    if (M & 1) {
      const Lm = L + 2 * m2 * LSM;
      const Cm = C + 2 * m2 * CS;
      const Km = K + 2 * m2 * CS;
      if (j16 > 0) f.r1v4!(Lm, LSM, LSP, R, RS, Cm, CS, B, 1, P, j16, rl, Km, um);
      if (j4 > 0) f.r1v1!(Lm, LSM, LSP, R + j16 * 64, RS, Cm + j16 * 64, CS, B + j16 * 64, 1, P, j4, rl, Km + j16 * 64, um);
    }
  }
}

/** The compiled module, shared by every instance (each network gets its own memory); null = no SIMD. */
let compiled: WasmModule | null | undefined;

function instantiate(): { memory: WasmMemory; fns: Record<string, TileFn> } | null {
  try {
    if (compiled === undefined) {
      compiled = null;
      if (!wasm) return null;
      const bytes = gemmModule();
      if (!wasm.validate(bytes)) return null;
      compiled = new wasm.Module(bytes);
    }
    if (compiled === null || !wasm) return null;
    const inst = new wasm.Instance(compiled, {});
    const fns: Record<string, TileFn> = {};
    for (const [n] of VARIANTS) fns[n] = inst.exports[n] as TileFn;
    return { memory: inst.exports.memory as WasmMemory, fns };
  } catch {
    return null;
  }
}

/** The same product in plain JavaScript (float32 storage, accumulating in float64). */
export function scalarGemm(f: Float32Array, l: number, lsm: number, lsp: number, r: number, rs: number, c: number, cs: number, bias: number, M: number, P: number, J: number, relu: boolean, mask = -1): void {
  for (let m = 0; m < M; m++) {
    const co = c + m * cs;
    for (let j = 0; j < J; j++) f[co + j] = f[bias + j]!;
    for (let p = 0; p < P; p++) {
      const a = f[l + m * lsm + p * lsp]!;
      if (a === 0) continue;
      const ro = r + p * rs;
      for (let j = 0; j < J; j++) f[co + j] += a * f[ro + j]!;
    }
    if (relu) for (let j = 0; j < J; j++) if (f[co + j]! < 0) f[co + j] = 0;
    if (mask >= 0) for (let j = 0; j < J; j++) if (!(f[mask + m * cs + j]! > 0)) f[co + j] = 0;
  }
}
