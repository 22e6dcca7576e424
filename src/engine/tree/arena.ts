// One shared WebAssembly memory per boosting fit, holding everything the wasm kernels touch: the
// binned rows and columns, the quantized gradients, the row index and its partition buffer, and
// the node histograms. A bump allocator hands out typed views; nothing is freed before the fit
// ends (the grower pools its histograms). Growing a shared memory never moves or detaches it, so
// views made earlier stay valid. Worker threads receive the memory itself and run the same kernels.

import { MAX_PAGES, newSharedMemory, treeKernels, type SharedWasmMemory, type TreeKernels } from './kernels.js';

const PAGE = 65536;
const ALIGN = 64;

export class TreeArena {
  private top = ALIGN; // address 0 stays unused, so no view starts at a null pointer
  private readonly buffers = new Set<SharedArrayBuffer>();

  private constructor(
    readonly memory: SharedWasmMemory,
    readonly kernels: TreeKernels,
  ) {
    this.buffers.add(memory.buffer);
  }

  /**
   * An arena able to hold `bytes` without growing (it grows later if needed), or null when this
   * runtime has no shared wasm memory or the data would not fit in 4 GiB.
   */
  static create(bytes: number): TreeArena | null {
    if (bytes > (MAX_PAGES - 16) * PAGE) return null;
    const memory = newSharedMemory(Math.ceil((bytes + 16 * ALIGN) / PAGE));
    if (memory === null) return null;
    const kernels = treeKernels(memory);
    return kernels === null ? null : new TreeArena(memory, kernels);
  }

  private alloc(bytes: number): { buffer: SharedArrayBuffer; at: number } {
    const at = this.top;
    const end = at + Math.ceil(Math.max(1, bytes) / ALIGN) * ALIGN;
    const have = this.memory.buffer.byteLength;
    if (end > have) {
      const pages = Math.ceil((end - have) / PAGE);
      if (have / PAGE + pages > MAX_PAGES) throw new RangeError(`tree arena: ${end} bytes exceed the 4 GiB wasm memory`);
      this.memory.grow(pages);
    }
    this.top = end;
    const buffer = this.memory.buffer;
    this.buffers.add(buffer);
    return { buffer, at };
  }

  private view<T>(Ctor: { new (buffer: SharedArrayBuffer, at: number, n: number): T; readonly BYTES_PER_ELEMENT: number }, n: number): T {
    const { buffer, at } = this.alloc(n * Ctor.BYTES_PER_ELEMENT);
    return new Ctor(buffer, at, n);
  }

  u8 = (n: number): Uint8Array => this.view(Uint8Array, n);
  u16 = (n: number): Uint16Array => this.view(Uint16Array, n);
  u32 = (n: number): Uint32Array => this.view(Uint32Array, n);
  i32 = (n: number): Int32Array => this.view(Int32Array, n);
  f64 = (n: number): Float64Array => this.view(Float64Array, n);

  /** Whether a view lies in this arena (so its byteOffset is its address for the kernels). */
  owns(view: ArrayBufferView): boolean {
    return view.buffer instanceof SharedArrayBuffer && this.buffers.has(view.buffer);
  }
}

/** Byte address of a view that lives in an arena's memory. */
export const addr = (view: ArrayBufferView): number => view.byteOffset;
