// What soma's hand-assembled WebAssembly kernels share: the few WebAssembly members they use (the
// project's type libraries, ES2023 and Node 20 types, do not declare the global) and the binary
// encoding helpers that build a module from opcodes, so no toolchain or file is needed.

export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}

export interface WasmModule {
  readonly __wasmModule?: never;
}

interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (module: WasmModule, imports: object) => { exports: Record<string, unknown> };
}

/** The runtime's WebAssembly object, typed with just what the kernels use; undefined without wasm. */
export const wasm: WasmApi | undefined = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;

/**
 * The WebAssembly opcodes soma's kernels use (one byte each; loads and stores take their memarg,
 * alignment then offset, after the opcode), and the value types.
 */
export const OP = {
  block: 0x02,
  loop: 0x03,
  if: 0x04,
  end: 0x0b,
  br: 0x0c,
  brIf: 0x0d,
  drop: 0x1a,
  select: 0x1b,
  get: 0x20,
  set: 0x21,
  tee: 0x22,
  i32load: 0x28,
  i64load: 0x29,
  f64load: 0x2b,
  i32load8u: 0x2d,
  i32load16u: 0x2f,
  i32store: 0x36,
  i64store: 0x37,
  f64store: 0x39,
  i32const: 0x41,
  i32eqz: 0x45,
  i32eq: 0x46,
  i32ltU: 0x49,
  i32leU: 0x4d,
  i32geU: 0x4f,
  f64ne: 0x62,
  f64gt: 0x64,
  i32add: 0x6a,
  i32sub: 0x6b,
  i32mul: 0x6c,
  i32and: 0x71,
  i32or: 0x72,
  i32xor: 0x73,
  i32shl: 0x74,
  i32shrU: 0x76,
  f64add: 0xa0,
  void: 0x40,
  i32: 0x7f,
  i64: 0x7e,
  f64: 0x7c,
  v128: 0x7b,
} as const;

/** Unsigned LEB128. */
export function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

/** Signed LEB128 (small constants only). */
export function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}

/** A module section: id, byte length, body. */
export const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body];
/** A length-prefixed vector of encoded items. */
export const vec = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
/** A length-prefixed ASCII name. */
export const name = (s: string): number[] => [...uleb(s.length), ...Array.from(s, (c) => c.charCodeAt(0))];
