// Batch prediction in worker threads: the worker entry (loads the model once, then turns each
// chunk of input columns it is sent into prediction columns), the pool the main thread drives, and
// the per-chunk step both the workers and the in-process path share.
//
// Chunks travel as Frame columns whose typed arrays are transferred, not copied, in both
// directions. The worker code runs only when this module is started as a worker with our
// workerData, so the main thread can import the pool and the shared step from the same file.

import v8 from 'node:v8';
import vm from 'node:vm';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';

import { Frame, type Column } from '../data/frame.js';
import { workerUrl } from '../engine/worker-url.js';
import { SomaError, type SomaErrorCode } from '../errors.js';
import { loadModel, predictFrame, type LoadedModel } from './loaded-model.js';

/**
 * A young-generation collection, when V8 lets us ask for one; called once per chunk on every
 * thread. Each chunk leaves megabytes of dead typed arrays (and, on the main thread, DuckDB result
 * chunks whose native memory is freed only when their small wrappers are collected, which V8
 * cannot see), and each isolate lets tens of megabytes of such garbage pile up before collecting
 * on its own, so with three isolates peak memory kept growing with the input. A scavenge costs
 * well under a millisecond here (measured: a bare DuckDB scan of 3M rows peaks at 280 MB RSS
 * without, 109 MB with a minor GC every 64k rows).
 */
export const minorGc: (() => void) | undefined = (() => {
  try {
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as (options?: { type: 'minor' | 'major' }) => void;
    v8.setFlagsFromString('--no-expose-gc');
    return typeof gc === 'function' ? () => gc({ type: 'minor' }) : undefined;
  } catch {
    return undefined;
  }
})();

/** The output columns for one chunk of model inputs, as the model's task writes them (classification: `prediction`, then `proba_<class>`). */
export function predictionColumns(model: LoadedModel, features: Frame): Column[] {
  return model.task.predictionColumns(predictFrame(model, features), model.contract.classes, features.rows);
}

/** The buffers of a frame's typed columns, each once (a repeated buffer makes postMessage throw). */
function transferList(columns: readonly Column[]): ArrayBuffer[] {
  const seen = new Set<ArrayBuffer>();
  for (const c of columns) {
    const arr = c.type === 'categorical' ? c.codes : c.type === 'text' ? undefined : c.values;
    if (arr && arr.buffer instanceof ArrayBuffer) seen.add(arr.buffer);
  }
  return [...seen];
}

interface Setup {
  kind: 'soma-predict';
  registryDir: string;
  /** The exact `name@x.y.z` the main thread resolved, so a concurrent promote cannot change it. */
  ref: string;
}

type ToWorker = { id: number; columns: Column[] };
type FromWorker =
  | { type: 'ready' }
  | { type: 'result'; id: number; columns: Column[] }
  | { type: 'error'; id: number | null; error: WireError };

interface WireError {
  code?: SomaErrorCode;
  message: string;
  hint?: string;
  details?: Record<string, unknown>;
  stack?: string;
}

function toWire(e: unknown): WireError {
  if (e instanceof SomaError) {
    return { code: e.code, message: e.message, ...(e.hint ? { hint: e.hint } : {}), ...(e.details ? { details: e.details } : {}) };
  }
  const err = e instanceof Error ? e : new Error(String(e));
  return { message: err.message, ...(err.stack ? { stack: err.stack } : {}) };
}

function fromWire(w: WireError): Error {
  if (w.code) return new SomaError(w.code, w.message, { ...(w.hint ? { hint: w.hint } : {}), ...(w.details ? { details: w.details } : {}) });
  const e = new Error(`prediction worker: ${w.message}`);
  if (w.stack) e.stack = w.stack;
  return e;
}

// ---------------------------------------------------------------------------------------------
// The worker side

async function runWorker(setup: Setup): Promise<void> {
  const port = parentPort!;
  let model: LoadedModel;
  try {
    model = await loadModel(setup.registryDir, setup.ref);
  } catch (e) {
    port.postMessage({ type: 'error', id: null, error: toWire(e) } satisfies FromWorker);
    return;
  }
  port.on('message', (msg: ToWorker) => {
    try {
      const columns = predictionColumns(model, new Frame(msg.columns));
      port.postMessage({ type: 'result', id: msg.id, columns } satisfies FromWorker, transferList(columns));
      minorGc?.();
    } catch (e) {
      port.postMessage({ type: 'error', id: msg.id, error: toWire(e) } satisfies FromWorker);
    }
  });
  port.postMessage({ type: 'ready' } satisfies FromWorker);
}

if (!isMainThread && (workerData as Partial<Setup> | null)?.kind === 'soma-predict') {
  void runWorker(workerData as Setup);
}

// ---------------------------------------------------------------------------------------------
// The main-thread side

interface Pending {
  resolve: (columns: Column[]) => void;
  reject: (e: Error) => void;
}

interface Slot {
  worker: Worker;
  pending: Map<number, Pending>;
}

/**
 * N worker threads, each holding the model. `run` sends one chunk's input columns to the least
 * busy worker (their buffers are transferred: the caller must not use them afterwards) and
 * resolves to its prediction columns. Any worker failure fails every outstanding chunk.
 */
export class PredictPool {
  private nextId = 0;
  private failure: Error | undefined;

  /** Settles when every worker has loaded the model; rejects with the first failure. */
  readonly ready: Promise<void>;
  private readonly slots: Slot[] = [];

  /**
   * Starts `size` workers loading the model `exactRef` (a `name@x.y.z`, so a concurrent promote
   * cannot change what they load). Returns at once; await `ready` before `run`, or `close` to
   * let the workers go without waiting for them.
   */
  constructor(size: number, registryDir: string, exactRef: string) {
    const url = workerUrl(import.meta.url, './predict-worker.js');
    const setup: Setup = { kind: 'soma-predict', registryDir, ref: exactRef };
    const ready: Promise<void>[] = [];
    for (let i = 0; i < size; i++) {
      const slot: Slot = { worker: new Worker(url, { workerData: setup }), pending: new Map() };
      this.slots.push(slot);
      ready.push(this.listen(slot));
    }
    this.ready = Promise.all(ready).then(() => undefined);
  }

  get size(): number {
    return this.slots.length;
  }

  /** Routes a worker's messages; resolves once it has loaded the model, rejects if it cannot. */
  private listen(slot: Slot): Promise<void> {
    const { worker } = slot;
    let started = false;
    return new Promise<void>((resolve, reject) => {
      worker.on('message', (m: FromWorker) => {
        if (m.type === 'ready') {
          started = true;
          resolve();
        } else if (m.type === 'result') {
          const p = slot.pending.get(m.id);
          slot.pending.delete(m.id);
          p?.resolve(m.columns);
        } else {
          const err = fromWire(m.error);
          if (m.id === null) {
            if (!started) reject(err);
            this.fail(err);
            return;
          }
          const p = slot.pending.get(m.id);
          slot.pending.delete(m.id);
          p?.reject(err);
        }
      });
      worker.on('error', (e) => {
        if (!started) reject(e);
        this.fail(e);
      });
      worker.on('exit', (code) => {
        if (!started) reject(new Error(`prediction worker exited with code ${code} while loading the model`));
        if (slot.pending.size > 0) this.fail(new Error(`prediction worker exited with code ${code}`));
      });
    });
  }

  private fail(e: Error): void {
    this.failure ??= e;
    for (const slot of this.slots) {
      for (const p of slot.pending.values()) p.reject(this.failure);
      slot.pending.clear();
    }
  }

  run(columns: Column[]): Promise<Column[]> {
    if (this.failure) return Promise.reject(this.failure);
    let slot = this.slots[0]!;
    for (const s of this.slots) if (s.pending.size < slot.pending.size) slot = s;
    const id = this.nextId++;
    return new Promise<Column[]>((resolve, reject) => {
      slot.pending.set(id, { resolve, reject });
      slot.worker.postMessage({ id, columns } satisfies ToWorker, transferList(columns));
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }
}
