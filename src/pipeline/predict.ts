// `soma predict REF --input F --output F`: streams the input in chunks through the saved pipeline
// and model and writes predictions atomically (temporary file, then rename), so memory does not
// grow with the file and a failed run never leaves a half-written output.

import { SomaError } from '../errors.js';
import { Frame, type Column } from '../data/frame.js';
import { readFrameChunks, type SchemaColumn } from '../data/read.js';
import { openFrameWriter } from '../data/write.js';
import { loadModel, predictFrame } from './loaded-model.js';

export interface PredictOptions {
  ref: string;
  input: string;
  output: string;
  registryDir: string;
  format?: string;
  chunkRows?: number;
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
}

export async function predict(options: PredictOptions): Promise<PredictResult> {
  const t0 = performance.now();
  const model = await loadModel(options.registryDir, options.ref);
  const { contract } = model;
  const schema: SchemaColumn[] = contract.columns.map((c) => ({ name: c.name, type: c.type, ...(c.categories ? { categories: c.categories } : {}) }));
  const idColumn = contract.id;

  const writer = await openFrameWriter(options.output);
  let rows = 0;
  try {
    const chunks = readFrameChunks(options.input, {
      ...(options.format ? { format: options.format } : {}),
      schema,
      ...(idColumn ? { passThrough: [idColumn] } : {}),
      ...(options.chunkRows ? { chunkRows: options.chunkRows } : {}),
      onInfo: (info) => {
        if (info.extraColumns.length > 0) options.onWarning?.(`${options.input}: ignoring ${info.extraColumns.length} column(s) the model does not use: ${info.extraColumns.slice(0, 10).join(', ')}`);
      },
    });
    for await (const chunk of chunks) {
      if (options.signal?.aborted) throw new SomaError('ABORTED', 'prediction interrupted; no output was written');
      const features = idColumn ? chunk.drop([idColumn]) : chunk;
      const p = predictFrame(model, features);
      const out: Column[] = [];
      if (idColumn) out.push(chunk.column(idColumn)!);
      if (contract.task === 'classification') {
        out.push({ type: 'categorical', name: 'prediction', codes: Int32Array.from(p.values), dictionary: contract.classes });
        const k = contract.classes.length;
        if (p.proba) {
          contract.classes.forEach((label, j) => {
            const col = new Float64Array(chunk.rows);
            for (let i = 0; i < chunk.rows; i++) col[i] = p.proba![i * k + j]!;
            out.push({ type: 'numeric', name: `proba_${label}`, values: col });
          });
        }
      } else {
        out.push({ type: 'numeric', name: 'prediction', values: p.values });
      }
      await writer.append(new Frame(out));
      rows += chunk.rows;
      options.onProgress?.(rows);
    }
    await writer.close();
  } catch (e) {
    await writer.abort();
    throw e;
  }
  const seconds = (performance.now() - t0) / 1000;
  return {
    ref: options.ref,
    id: model.resolved.id,
    version: model.resolved.version,
    rows,
    seconds: Math.round(seconds * 1000) / 1000,
    rows_per_s: seconds > 0 ? Math.round(rows / seconds) : rows,
    output: options.output,
  };
}
