// Distributed batch prediction on a BullMQ queue (Redis): `soma predict REF --input GLOB --output
// DIR --queue URL` puts one job per input file on the queue and waits; `soma worker --queue URL`
// processes, started on any machine that sees the registry and the files, take jobs, load the
// version (verifying its checksums), predict and write the job's part atomically (predict's own
// temporary file + rename). When every job is done the enqueuer commits the output directory by
// writing manifest.json (parts, row counts) last, atomically: a directory without it is not done.
//
// Job ids are derived from the version, the output directory and each input file (path, size,
// modification time), so rerunning the same command finds the same jobs (BullMQ keeps one job per
// id): done parts are not redone, failed ones are retried, none is duplicated or lost. A job that
// fails is retried up to ATTEMPTS times with its error recorded; a worker killed mid-job stops
// renewing its lock and BullMQ's stalled-job check hands the job to another worker.

import { createHash } from 'node:crypto';
import { mkdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { Queue, UnrecoverableError, Worker, type Job } from 'bullmq';
import { isSomaErrorCode, SomaError } from '../errors.js';
import { inputFiles } from '../data/glob.js';
import { writeFileAtomic } from '../registry/atomic.js';
import { checkRedis, redisConnection, redisError } from '../queue/redis.js';
import { redactUrl } from '../util/url.js';
import { loadModel } from './loaded-model.js';
import { predict } from './predict.js';

/** The default queue name; --queue-name gives another (one per registry, team or environment). */
export const QUEUE_NAME = 'soma-predict';
/** Tries per job before it fails for good (the first run and two retries). */
export const ATTEMPTS = 3;

/** What a job carries: everything a worker needs, nothing machine-specific but the paths. */
export interface PredictJobData {
  batch: string;
  /** The exact version (`name@1.2.0`) and its id, which the worker's registry must hold. */
  ref: string;
  id: string;
  input: string;
  part: string;
  format?: string;
}

export interface PartResult {
  input: string;
  part: string;
  rows: number;
}

export interface QueuedPredictOptions {
  ref: string;
  input: string;
  /** The output directory: parts/ and manifest.json. */
  output: string;
  queue: string;
  /** Default QUEUE_NAME. */
  queueName?: string;
  registryDir: string;
  format?: string;
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
}

export interface QueuedPredictResult {
  ref: string;
  id: string;
  version: string;
  batch: string;
  rows: number;
  parts: number;
  seconds: number;
  rows_per_s: number;
  output: string;
  manifest: string;
  queue: string;
}

interface Manifest {
  ref: string;
  id: string;
  batch: string;
  rows: number;
  parts: PartResult[];
  created_at: string;
}

/** Enqueues the input's files, waits for every part and commits the directory with its manifest. */
export async function predictOnQueue(o: QueuedPredictOptions): Promise<QueuedPredictResult> {
  const t0 = performance.now();
  // The version is resolved (and verified) here, so every job names one exact version.
  const model = await loadModel(o.registryDir, o.ref);
  const ref = `${model.resolved.name}@${model.resolved.version}`;
  const id = model.resolved.id;
  const files = await inputFiles(o.input);
  const outDir = path.resolve(o.output);
  const manifestPath = path.join(outDir, 'manifest.json');
  const existing = await readManifest(manifestPath);
  if (existing && existing.id !== id) {
    throw new SomaError('USAGE', `${manifestPath}: the directory holds predictions of ${existing.ref}, not ${ref}`, { hint: 'choose another --output directory (or remove that one)' });
  }
  const stamps = await Promise.all(files.map(async (f) => {
    const s = await stat(f);
    return [path.resolve(f), s.size, s.mtimeMs] as const;
  }));
  const batch = createHash('sha256').update(JSON.stringify([id, outDir, stamps])).digest('hex').slice(0, 16);
  await mkdir(path.join(outDir, 'parts'), { recursive: true });
  const jobs: PredictJobData[] = files.map((f, i) => ({
    batch,
    ref,
    id,
    input: path.resolve(f),
    part: path.join(outDir, 'parts', `part-${String(i).padStart(5, '0')}-${path.basename(f).replace(/\.[^.]*$/, '')}.parquet`),
    ...(o.format ? { format: o.format } : {}),
  }));

  await checkRedis(o.queue);
  const connection = redisConnection(o.queue);
  const queueName = o.queueName ?? QUEUE_NAME;
  const queue = new Queue<PredictJobData, PartResult>(queueName, { connection });
  try {
    for (const [i, data] of jobs.entries()) {
      const jobId = `${batch}-${i}`;
      const old = await queue.getJob(jobId);
      // A rerun: a failed job goes round again; a waiting, running or done one is left as it is.
      if (old && (await old.getState()) === 'failed') await old.retry('failed');
      else if (!old) await queue.add('predict', data, { jobId, attempts: ATTEMPTS, backoff: { type: 'exponential', delay: 500 }, removeOnComplete: false, removeOnFail: false });
    }
    const results: (PartResult | undefined)[] = new Array(jobs.length);
    let done = 0;
    for (;;) {
      if (o.signal?.aborted) throw new SomaError('ABORTED', `prediction interrupted: the jobs of batch ${batch} stay on the queue; rerun the same command to wait for them`);
      for (let i = 0; i < jobs.length; i++) {
        if (results[i]) continue;
        const stale = await queue.getJob(`${batch}-${i}`);
        if (!stale) throw new SomaError('INTERNAL', `${redactUrl(o.queue)}: job ${batch}-${i} vanished from queue ${queueName}`);
        const state = await stale.getState();
        if (state === 'completed') {
          results[i] = (await queue.getJob(`${batch}-${i}`))?.returnvalue ?? stale.returnvalue;
          o.onProgress?.(++done, jobs.length);
        } else if (state === 'failed') {
          // The job was read before its state: read it again, now that it has failed for good, so
          // its attempts and reason are the last attempt's, not those of one still running then.
          const job = (await queue.getJob(`${batch}-${i}`)) ?? stale;
          const coded = /^([A-Z_]+): ([\s\S]*)$/.exec(job.failedReason ?? '');
          const code = coded && isSomaErrorCode(coded[1]!) && coded[1] !== 'INTERNAL' ? coded[1] : 'DATA_UNREADABLE';
          throw new SomaError(code, `${jobs[i]!.input}: its prediction job failed ${job.attemptsMade} time(s): ${coded ? coded[2] : job.failedReason}`, {
            hint: 'fix the cause and rerun the same command: finished parts are kept, failed jobs are retried',
            details: { job: job.id ?? null, attempts: job.attemptsMade, stacktrace: (job.stacktrace ?? []).slice(-1) },
          });
        }
      }
      if (done === jobs.length) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const parts = results as PartResult[];
    const rows = parts.reduce((s, p) => s + p.rows, 0);
    const manifest: Manifest = { ref, id, batch, rows, parts, created_at: new Date().toISOString() };
    await writeFileAtomic(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
    const seconds = (performance.now() - t0) / 1000;
    return { ref: o.ref, id, version: model.resolved.version, batch, rows, parts: parts.length, seconds: +seconds.toFixed(3), rows_per_s: Math.round(rows / Math.max(seconds, 1e-9)), output: outDir, manifest: manifestPath, queue: redactUrl(o.queue) };
  } catch (e) {
    throw e instanceof SomaError ? e : redisError(e, o.queue);
  } finally {
    await queue.close().catch(() => {});
    connection.disconnect();
  }
}

async function readManifest(file: string): Promise<Manifest | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as Manifest;
  } catch {
    return undefined;
  }
}

export interface WorkerOptions {
  queue: string;
  queueName?: string;
  registryDir: string;
  concurrency: number;
  /** Seconds a job's lock lives without renewal: a worker silent that long lost its job. */
  stallTimeoutS: number;
  onJob?: (event: 'started' | 'completed' | 'failed', data: PredictJobData, detail: string) => void;
  signal: AbortSignal;
}

/** `soma worker`: takes prediction jobs until the signal aborts, then finishes running ones. */
export async function runWorker(o: WorkerOptions): Promise<{ completed: number; failed: number }> {
  await checkRedis(o.queue);
  const connection = redisConnection(o.queue);
  let completed = 0;
  let failed = 0;
  const lockDuration = Math.max(1000, Math.round(o.stallTimeoutS * 1000));
  const worker = new Worker<PredictJobData, PartResult>(
    o.queueName ?? QUEUE_NAME,
    async (job: Job<PredictJobData, PartResult>) => {
      const d = job.data;
      o.onJob?.('started', d, `attempt ${job.attemptsMade + 1}`);
      const model = await loadModel(o.registryDir, d.ref);
      if (model.resolved.id !== d.id) {
        // Another registry under the same name and version: retrying cannot help.
        throw new UnrecoverableError(`${d.ref}: this worker's registry (${o.registryDir}) holds ${model.resolved.id}, the job wants ${d.id}`);
      }
      try {
        // One worker thread per job: the main thread stays free to renew the job's lock.
        const r = await predict({ ref: d.ref, input: d.input, output: d.part, registryDir: o.registryDir, workers: 1, ...(d.format ? { format: d.format } : {}) });
        return { input: d.input, part: d.part, rows: r.rows };
      } catch (e) {
        // The code travels in the recorded reason, so the enqueuer exits as a local run would.
        if (e instanceof SomaError) throw new Error(`${e.code}: ${e.message}`, { cause: e });
        throw e;
      }
    },
    { connection, concurrency: o.concurrency, lockDuration, stalledInterval: lockDuration, maxStalledCount: 2, autorun: true },
  );
  worker.on('completed', (job) => {
    completed++;
    o.onJob?.('completed', job.data, `${job.returnvalue.rows} rows`);
  });
  worker.on('failed', (job, err) => {
    failed++;
    if (job) o.onJob?.('failed', job.data, err.message);
  });
  worker.on('error', () => {});
  await new Promise<void>((resolve) => {
    if (o.signal.aborted) resolve();
    o.signal.addEventListener('abort', () => resolve(), { once: true });
  });
  await worker.close();
  connection.disconnect();
  return { completed, failed };
}
