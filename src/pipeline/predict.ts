// `soma predict REF --input F --output F`: batch prediction for terminals and cron jobs.
//
// The main thread streams the input in chunks through DuckDB (CSV, Parquet, NDJSON, globs), hands
// each chunk's model inputs to a pool of worker threads that each loaded the model once, and
// appends their predictions to the output in input order. At most 2 chunks per worker are in
// flight (read but not yet written), so memory does not grow with the input. The output is
// written atomically (temporary file, then rename) while holding `<output>.lock`, so overlapping
// runs on one path take turns; every finished run is recorded in the model's predictions.jsonl.

import { availableParallelism } from 'node:os';

import { SomaError } from '../errors.js';
import { Frame, type Column } from '../data/frame.js';
import { readFrameChunks, type CsvOptions } from '../data/read.js';
import { openFrameWriter } from '../data/write.js';
import { checkOutputTarget } from '../data/output-target.js';
import { appendPredictionRun, sweepStaleOutputTemps, withOutputLock } from '../registry/runs.js';
import { Registry } from '../registry/store.js';
import { ignoredColumnsNotice, inputSchema, splitIdColumn } from './contract.js';
import { loadModel } from './loaded-model.js';
import { minorGc, PredictPool, predictionColumns } from './predict-worker.js';

export interface PredictOptions {
  ref: string;
  input: string;
  output: string;
  registryDir: string;
  format?: string;
  /** CSV/TSV dialect of the input; what it leaves open is sniffed. */
  csv?: CsvOptions;
  chunkRows?: number;
  /** Make the output's directory when missing (`--create-dirs`); otherwise a missing one is exit 3. */
  createDirs?: boolean;
  /** Worker threads; 0 predicts on the main thread. Default: the number of cores. */
  workers?: number;
  /** How long to wait for another run holding `<output>.lock` (default 60 s). */
  lockTimeoutMs?: number;
  /** Recorded in the output lock so a waiting run can name what holds it. */
  command?: string;
  onProgress?: (rows: number) => void;
  onWarning?: (message: string) => void;
  signal?: AbortSignal;
}

export interface PredictResult {
  ref: string;
  id: string;
  version: string;
  rows: number;
  seconds: number;
  rows_per_s: number;
  output: string;
  workers: number;
}

export const DEFAULT_LOCK_TIMEOUT_MS = 60_000;

/** The default worker count: one per core the process may use. */
export function defaultWorkers(): number {
  return Math.max(1, availableParallelism());
}

/** Where a chunk's predictions will come from: the pool, or computed here. */
interface InFlight {
  /** Pass-through columns (the id), kept on this thread and written first. */
  passThrough: Column[];
  result: Promise<Column[]>;
}

export async function predict(options: PredictOptions): Promise<PredictResult> {
  const t0 = performance.now();
  const workers = options.workers ?? defaultWorkers();
  if (!Number.isInteger(workers) || workers < 0) {
    throw new SomaError('USAGE', `--workers ${options.workers}: expected a whole number >= 0 (0 predicts on the main thread)`, { details: { value: options.workers ?? null } });
  }
  // Before anything is loaded: a typo that points the output at the input must not cost the rows.
  await checkOutputTarget(options.output, [options.input], { ...(options.createDirs ? { createDirs: true } : {}) });
  for (const p of await sweepStaleOutputTemps(options.output)) options.onWarning?.(`removed ${p}, left by a run that was killed`);
  const model = await loadModel(options.registryDir, options.ref);
  const { contract, resolved } = model;
  const schema = inputSchema(contract);
  const idColumn = contract.id;
  const exactRef = `${resolved.name}@${resolved.version}`;
  // Time-series steps take a row's history from the rows predicted with it: unless the caller
  // bounds the chunks, the whole input is one chunk, so predictions do not depend on chunking.
  const wholeInput = options.chunkRows === undefined && model.pipeline.readsRowHistory();
  if (wholeInput) {
    options.onWarning?.(`${exactRef} has time-series steps (lag, rolling, diff): reading ${options.input} as one chunk so every row sees its history; --chunk-rows N bounds memory, each chunk then being its own history`);
  }
  const chunkRows = wholeInput ? Infinity : options.chunkRows;

  const abortError = (): SomaError => new SomaError('ABORTED', 'prediction interrupted; no output was written');
  let rows = 0;
  let usedWorkers = 0;
  let seconds = 0;

  await withOutputLock(
    options.output,
    async () => {
      const writer = await openFrameWriter(options.output);
      let pool: PredictPool | undefined;
      let starting: PredictPool | undefined;
      const queue: InFlight[] = [];
      try {
        const chunks = readFrameChunks(options.input, {
          ...(options.format ? { format: options.format } : {}),
          ...(options.csv ? { csv: options.csv } : {}),
          schema,
          ...(idColumn ? { passThrough: [idColumn] } : {}),
          ...(chunkRows ? { chunkRows } : {}),
          onInfo: (info) => {
            if (info.extraColumns.length > 0) options.onWarning?.(ignoredColumnsNotice(options.input, info.extraColumns));
          },
        });

        const writeHead = async (): Promise<void> => {
          const head = queue.shift()!;
          const predicted = await head.result;
          const frame = new Frame([...head.passThrough, ...predicted]);
          await writer.append(frame);
          rows += frame.rows;
          options.onProgress?.(rows);
        };
        const submit = (chunk: Frame): void => {
          const { passThrough, features } = splitIdColumn(contract, chunk);
          let result: Promise<Column[]>;
          if (pool) {
            result = pool.run([...features.columns]);
          } else {
            try {
              result = Promise.resolve(predictionColumns(model, features));
            } catch (e) {
              result = Promise.reject(e);
            }
          }
          // A later chunk can fail while an earlier one is awaited; it is rethrown when its turn comes.
          result.catch(() => undefined);
          queue.push({ passThrough, result });
        };

        // Workers load the model while the second chunk is read; an input that fits in one chunk
        // is predicted here instead, and the workers are let go unused.
        let held: Frame | undefined;
        let decided = workers === 0;
        for await (const chunk of chunks) {
          if (options.signal?.aborted) throw abortError();
          minorGc?.();
          if (!decided) {
            if (held === undefined) {
              held = chunk;
              starting = new PredictPool(workers, options.registryDir, exactRef);
              starting.ready.catch(() => undefined); // awaited below, or moot with a one-chunk input
              continue;
            }
            await starting!.ready;
            pool = starting!;
            usedWorkers = pool.size;
            decided = true;
            submit(held);
            held = undefined;
          }
          submit(chunk);
          while (queue.length >= Math.max(2, 2 * usedWorkers)) await writeHead();
        }
        if (held !== undefined) submit(held);
        while (queue.length > 0) {
          if (options.signal?.aborted) throw abortError();
          await writeHead();
        }
        await writer.close();
      } catch (e) {
        await writer.abort();
        throw e;
      } finally {
        await starting?.close();
      }
      seconds = (performance.now() - t0) / 1000;
      await appendPredictionRun(new Registry(options.registryDir), resolved.name, {
        at: new Date().toISOString(),
        version: resolved.version,
        id: resolved.id,
        ref: options.ref,
        input: options.input,
        output: options.output,
        rows,
        seconds: Math.round(seconds * 1000) / 1000,
        workers: usedWorkers,
      });
    },
    {
      timeoutMs: options.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS,
      command: options.command ?? `soma predict ${options.ref} --input ${options.input} --output ${options.output}`,
      ...(options.onWarning ? { onNotice: options.onWarning } : {}),
    },
  );

  return {
    ref: options.ref,
    id: resolved.id,
    version: resolved.version,
    rows,
    seconds: Math.round(seconds * 1000) / 1000,
    rows_per_s: seconds > 0 ? Math.round(rows / seconds) : rows,
    output: options.output,
    workers: usedWorkers,
  };
}
