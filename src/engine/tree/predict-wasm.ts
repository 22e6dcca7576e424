// The complete-tree walk of walk-js.ts as hand-assembled WebAssembly (walk-wasm.ts drives it).
// The JavaScript walk pays for V8's bounds checks on every typed-array load; this one, over rows
// staged column-major in the kernel's memory, measured 1.9-2.1x faster (CPU time, 1M rows of
// synth_binary, 100 trees of depth 6: about 1.2 ns per tree level per row). Arithmetic is the
// JavaScript walk's: one float64 `>` per level against the same thresholds, the same default
// direction for missing values, and each row's leaf values added to its running sum in tree
// order, so raw scores are bit-identical.
// When the runtime has no WebAssembly, predictRaw (predictor.ts) keeps the JavaScript walk.

import { name, OP, section, sleb, uleb, vec, wasm, type WasmMemory } from '../wasm/assembler.js';

/** memarg: alignment (log2 bytes) and a constant offset. */
const mem = (align: number, offset = 0): number[] => [align, ...uleb(offset)];

/**
 * Split records of the complete layout, 16 bytes each (a power of two, so the next record's address
 * is a shift and an add): threshold (f64) at 0, the split feature as a byte offset into the staged
 * rows at 8, and 1 at 12 when missing values go right.
 */
export const SPLIT_BYTES = 16;

// walk(rows, count, blk, nF8, S, d, L, acc, G8, nOut): parameters, all i32 byte addresses or counts.
const P_ROWS = 0, P_COUNT = 1, P_BLK = 2, P_NF8 = 3, P_S = 4, P_D = 5, P_L = 6, P_ACC = 7, P_G8 = 8, P_NOUT = 9; // prettier-ignore
const N_PARAMS = 10;

/** Rows walked in lockstep, so their independent chains of dependent loads overlap (4 to 8 measured within 5%). */
const LANES = 8;

/**
 * One walk function. For block rows rows[0..count) (i32 indices), walks the complete tree whose
 * split records start at byte S for exactly d levels. Each row's position is the byte address p of
 * its slot's record, p = S + 16n, so a step is p = 2p + (16 - S) + 16 * (go right) with no other
 * arithmetic. The leaf reached, slot n >= 2^d - 1, holds nOut f64 values at L + 8 * n * nOut (L is
 * biased by the caller so leaf slots start at its first value); they are added to acc + row * G8,
 * 8 bytes apart.
 *
 * `missing`: rows may hold NaN, which compares false and so goes left unless the split's missing
 * flag sends it right. Without it the flag is not read (the caller passes only complete rows).
 * `multi`: nOut > 1 (a per-leaf loop); otherwise a single value.
 */
function walkFunction(missing: boolean, multi: boolean, lanes: number): number[] {
  // i32 locals after the params.
  let next = N_PARAMS;
  const row = Array.from({ length: lanes }, () => next++);
  const base = Array.from({ length: lanes }, () => next++);
  const p = Array.from({ length: lanes }, () => next++);
  const step = next++; // 16 - S
  const s = next++;
  const a = next++;
  const l = next++;
  const k = next++;
  const nI32 = next - N_PARAMS;
  const vLocal = N_PARAMS + nI32; // one f64 local (the feature value, read twice when missing)
  const b: number[] = [];
  const add = (...ops: number[]): void => {
    b.push(...ops);
  };
  add(OP.i32const, ...sleb(16), OP.get, P_S, OP.i32sub, OP.set, step);
  // Single-value leaves: address L + (p - S) / 2, so fold -S/2 into L once.
  if (!multi) add(OP.get, P_L, OP.get, P_S, OP.i32const, 1, OP.i32shrU, OP.i32sub, OP.set, P_L);

  /** The rows loop, `w` rows per pass until fewer than `w` remain. */
  const pass = (w: number): void => {
    add(OP.block, OP.void, OP.loop, OP.void);
    add(OP.get, P_COUNT, OP.i32const, ...sleb(w), OP.i32ltU, OP.brIf, 1);
    for (let j = 0; j < w; j++) {
      add(OP.get, P_ROWS, OP.i32load, ...mem(2, 4 * j), OP.tee, row[j]!);
      add(OP.get, P_NF8, OP.i32mul, OP.get, P_BLK, OP.i32add, OP.set, base[j]!);
      add(OP.get, P_S, OP.set, p[j]!);
    }
    add(OP.get, P_D, OP.set, s);
    add(OP.block, OP.void, OP.loop, OP.void);
    add(OP.get, s, OP.i32eqz, OP.brIf, 1);
    for (let j = 0; j < w; j++) {
      // go right = value > threshold (| missing and the split sends missing right)
      add(OP.get, p[j]!, OP.i32load, ...mem(2, 8), OP.get, base[j]!, OP.i32add, OP.f64load, ...mem(3));
      if (missing) add(OP.tee, vLocal);
      add(OP.get, p[j]!, OP.f64load, ...mem(3), OP.f64gt);
      if (missing) add(OP.get, vLocal, OP.get, vLocal, OP.f64ne, OP.get, p[j]!, OP.i32load, ...mem(2, 12), OP.i32and, OP.i32or);
      add(OP.i32const, 4, OP.i32shl);
      add(OP.get, p[j]!, OP.i32const, 1, OP.i32shl, OP.i32add, OP.get, step, OP.i32add, OP.set, p[j]!);
    }
    add(OP.get, s, OP.i32const, 1, OP.i32sub, OP.set, s);
    add(OP.br, 0, OP.end, OP.end);
    for (let j = 0; j < w; j++) {
      // a = acc + row * G8; l = L + 8n * nOut = L + ((p - S) >> 1) * nOut
      add(OP.get, P_ACC, OP.get, row[j]!, OP.get, P_G8, OP.i32mul, OP.i32add, OP.set, a);
      if (multi) add(OP.get, p[j]!, OP.get, P_S, OP.i32sub, OP.i32const, 1, OP.i32shrU, OP.get, P_NOUT, OP.i32mul);
      else add(OP.get, p[j]!, OP.i32const, 1, OP.i32shrU);
      add(OP.get, P_L, OP.i32add, OP.set, l);
      if (!multi) {
        add(OP.get, a, OP.get, a, OP.f64load, ...mem(3), OP.get, l, OP.f64load, ...mem(3), OP.f64add, OP.f64store, ...mem(3));
      } else {
        add(OP.get, P_NOUT, OP.set, k);
        add(OP.block, OP.void, OP.loop, OP.void);
        add(OP.get, k, OP.i32eqz, OP.brIf, 1);
        add(OP.get, a, OP.get, a, OP.f64load, ...mem(3), OP.get, l, OP.f64load, ...mem(3), OP.f64add, OP.f64store, ...mem(3));
        add(OP.get, a, OP.i32const, 8, OP.i32add, OP.set, a);
        add(OP.get, l, OP.i32const, 8, OP.i32add, OP.set, l);
        add(OP.get, k, OP.i32const, 1, OP.i32sub, OP.set, k);
        add(OP.br, 0, OP.end, OP.end);
      }
    }
    add(OP.get, P_ROWS, OP.i32const, ...sleb(4 * w), OP.i32add, OP.set, P_ROWS);
    add(OP.get, P_COUNT, OP.i32const, ...sleb(w), OP.i32sub, OP.set, P_COUNT);
    add(OP.br, 0, OP.end, OP.end);
  };
  pass(lanes);
  pass(1);
  add(OP.end);
  const locals = vec([[nI32, OP.i32], [1, 0x7c]]);
  const func = [...locals, ...b];
  return [...uleb(func.length), ...func];
}

/**
 * scan(stage, CS, nF, n, flags, clean, missing) -> number of complete rows. Rows 0..n-1 of nF
 * column-major f64 columns CS bytes apart: lists the rows with no NaN in `clean` and the others in
 * `missing` (i32 each, in row order), using `flags` (n i32) as scratch. The NaN test runs feature by
 * feature over contiguous memory; the lists are written without branches.
 */
function scanFunction(): number[] {
  const STAGE = 0, CS = 1, NF = 2, N = 3, FLAGS = 4, CLEAN = 5, MISSING = 6; // prettier-ignore
  const RB = 7, END = 8, COL = 9, F = 10, NC = 11, NM = 12, FL = 13, A = 14, V = 15; // prettier-ignore
  const b: number[] = [];
  const add = (...ops: number[]): void => {
    b.push(...ops);
  };
  const loopWhileLess = (counter: number, limit: number, body: () => void, step: number): void => {
    add(OP.block, OP.void, OP.loop, OP.void);
    add(OP.get, counter, OP.get, limit, OP.i32ltU, OP.i32eqz, OP.brIf, 1);
    body();
    add(OP.get, counter, OP.i32const, ...sleb(step), OP.i32add, OP.set, counter);
    add(OP.br, 0, OP.end, OP.end);
  };
  // END = 4n: flags byte length.
  add(OP.get, N, OP.i32const, 2, OP.i32shl, OP.set, END);
  add(OP.i32const, 0, OP.set, RB);
  loopWhileLess(RB, END, () => add(OP.get, FLAGS, OP.get, RB, OP.i32add, OP.i32const, 0, OP.i32store, ...mem(2)), 4);
  add(OP.get, STAGE, OP.set, COL, OP.i32const, 0, OP.set, F);
  add(OP.get, N, OP.i32const, 3, OP.i32shl, OP.set, END);
  loopWhileLess(F, NF, () => {
    add(OP.i32const, 0, OP.set, RB);
    loopWhileLess(RB, END, () => {
      // flags[r] |= (v != v), with RB = 8r
      add(OP.get, COL, OP.get, RB, OP.i32add, OP.f64load, ...mem(3), OP.tee, V, OP.get, V, OP.f64ne, OP.set, FL);
      add(OP.get, FLAGS, OP.get, RB, OP.i32const, 1, OP.i32shrU, OP.i32add, OP.tee, A);
      add(OP.get, A, OP.i32load, ...mem(2), OP.get, FL, OP.i32or, OP.i32store, ...mem(2));
    }, 8);
    add(OP.get, COL, OP.get, CS, OP.i32add, OP.set, COL);
  }, 1);
  add(OP.i32const, 0, OP.set, NC, OP.i32const, 0, OP.set, NM, OP.i32const, 0, OP.set, RB);
  add(OP.get, N, OP.set, END);
  loopWhileLess(RB, END, () => {
    // Write row r to both lists; only the list it belongs to advances.
    add(OP.get, FLAGS, OP.get, RB, OP.i32const, 2, OP.i32shl, OP.i32add, OP.i32load, ...mem(2), OP.set, FL);
    add(OP.get, CLEAN, OP.get, NC, OP.i32const, 2, OP.i32shl, OP.i32add, OP.get, RB, OP.i32store, ...mem(2));
    add(OP.get, MISSING, OP.get, NM, OP.i32const, 2, OP.i32shl, OP.i32add, OP.get, RB, OP.i32store, ...mem(2));
    add(OP.get, NC, OP.get, FL, OP.i32const, 1, OP.i32xor, OP.i32add, OP.set, NC);
    add(OP.get, NM, OP.get, FL, OP.i32add, OP.set, NM);
  }, 1);
  add(OP.get, NC, OP.end);
  const locals = vec([[8, OP.i32], [1, 0x7c]]);
  const func = [...locals, ...b];
  return [...uleb(func.length), ...func];
}

const VARIANTS: ReadonlyArray<readonly [string, boolean, boolean]> = [
  ['clean1', false, false],
  ['missing1', true, false],
  ['cleanN', false, true],
  ['missingN', true, true],
];

function walkModule(lanes: number): Uint8Array {
  const walkType = [0x60, ...vec(Array.from({ length: N_PARAMS }, () => [OP.i32])), 0];
  const scanType = [0x60, ...vec(Array.from({ length: 7 }, () => [OP.i32])), 1, OP.i32];
  const bytes = [
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec([walkType, scanType])),
    ...section(3, vec([...VARIANTS.map(() => [0]), [1]])),
    ...section(5, vec([[0x00, 1]])),
    ...section(7, vec([...VARIANTS.map(([n], i) => [...name(n), 0x00, i]), [...name('scan'), 0x00, VARIANTS.length], [...name('memory'), 0x02, 0]])),
    ...section(10, vec([...VARIANTS.map(([, m, multi]) => walkFunction(m, multi, lanes)), scanFunction()])),
  ]; // prettier-ignore
  return Uint8Array.from(bytes);
}

/** (rows, count, blk, nF8, S, d, L, acc, G8, nOut), all byte addresses into the kernel's memory. */
export type WalkFn = (rows: number, count: number, blk: number, nF8: number, S: number, d: number, L: number, acc: number, G8: number, nOut: number) => void;

export interface TreeWalkKernel {
  /** The kernel's memory; views over it must be re-made after `ensure` (growing replaces the buffer). */
  readonly memory: WasmMemory;
  /** Grows memory to at least `bytes`. */
  ensure(bytes: number): void;
  /** Complete rows, one value per leaf. */
  readonly clean1: WalkFn;
  /** Rows that may hold NaN, one value per leaf. */
  readonly missing1: WalkFn;
  readonly cleanN: WalkFn;
  readonly missingN: WalkFn;
  /** (stage, CS, nF, n, flags, clean, missing) -> complete rows; see scanFunction. */
  readonly scan: (stage: number, cs: number, nF: number, n: number, flags: number, clean: number, missing: number) => number;
  /** Whatever the caller last loaded into memory (walk-wasm.ts keeps its forest image there). */
  loaded: object | null;
}

/**
 * A fresh kernel instance (own memory), or null when this runtime has no WebAssembly. Each thread
 * makes its own; instances are cheap (a few kilobytes of code).
 */
export function treeWalkKernel(lanes = LANES): TreeWalkKernel | null {
  try {
    if (!wasm) return null;
    const bytes = walkModule(lanes);
    if (!wasm.validate(bytes)) return null;
    const inst = new wasm.Instance(new wasm.Module(bytes), {});
    const memory = inst.exports.memory as WasmMemory;
    const fn = (n: string): WalkFn => inst.exports[n] as WalkFn;
    return {
      memory,
      ensure(bytesNeeded: number) {
        if (memory.buffer.byteLength < bytesNeeded) memory.grow(Math.ceil((bytesNeeded - memory.buffer.byteLength) / 65536));
      },
      clean1: fn('clean1'),
      missing1: fn('missing1'),
      cleanN: fn('cleanN'),
      missingN: fn('missingN'),
      scan: inst.exports.scan as TreeWalkKernel['scan'],
      loaded: null,
    };
  } catch {
    return null;
  }
}
