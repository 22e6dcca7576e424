// `soma serve --workers N`: N processes sharing one port (node:cluster; the primary accepts and
// hands connections to the workers in turn). Each worker loads every served model once and
// follows the registry itself. The primary only supervises:
// - it reports ready (URL, routes) when every worker is, and fails if one cannot load its models;
// - `GET /metrics` in any worker answers the sum over all workers (prom-client's
//   AggregatorRegistry: counters and histograms add up, gauges too; the version gauge takes the max);
// - `POST /admin/reload` in any worker, or SIGHUP to the primary, reloads in every worker;
// - SIGTERM/SIGINT: every worker stops accepting, finishes its requests, exits 0; then the primary;
// - a worker that dies otherwise is started again (at most 5 times a minute).

import cluster, { type Worker } from 'node:cluster';
import { fileURLToPath } from 'node:url';
import { AggregatorRegistry } from 'prom-client';
import { SomaError, type SomaErrorCode } from '../errors.js';
import { Registry } from '../registry/store.js';
import type { RouteArm, ServeConfig, ServingOverrides } from './config.js';
import { summariseServed, type RefreshResult, type ServedSummary } from './models.js';
import { createServer, type ClusterLink, type ListenResult } from './server.js';

/** Everything a worker needs to build the same server, as JSON. */
export interface ServeSpec {
  registryDir: string;
  refs: string[];
  config: ServeConfig;
  serving: ServingOverrides;
  splits: [string, RouteArm[]][];
}

const SPEC_ENV = 'SOMA_SERVE_SPEC';

type ToPrimary =
  | { type: 'soma:ready'; url: string; host: string; port: number; models: ServedSummary[] }
  | { type: 'soma:failed'; error: { code?: SomaErrorCode; message: string; hint?: string } }
  | { type: 'soma:scrape'; id: number }
  | { type: 'soma:reload'; id: number }
  | { type: 'soma:reloaded'; id: number; results: RefreshResult[] }
  | { type: 'soma:notice'; message: string };

type ToWorker =
  | { type: 'soma:scraped'; id: number; contentType: string; text: string; error?: string }
  | { type: 'soma:reload'; id: number }
  | { type: 'soma:reload-done'; id: number; results: RefreshResult[] }
  | { type: 'soma:shutdown' };

export interface ClusterHandle extends ListenResult {
  workers: number;
  /** What each model routes to, as the first worker ready reported it. */
  models: ServedSummary[];
  /** Reloads in every worker (SIGHUP). */
  reload(): Promise<RefreshResult[]>;
  /** Stops every worker gracefully; resolves when all have exited. */
  close(): Promise<void>;
}

/** Starts `n` workers for `spec`; resolves when all are ready, rejects (having stopped them) when one fails. */
export function startCluster(spec: ServeSpec, n: number, notice: (message: string) => void): Promise<ClusterHandle> {
  const aggregator = new AggregatorRegistry();
  const exec = fileURLToPath(new URL('./worker-main.js', import.meta.url));
  cluster.setupPrimary({ exec, args: [], silent: false });
  const env = { [SPEC_ENV]: JSON.stringify(spec) };
  let closing = false;
  const crashes: number[] = [];
  let nextReload = 0;
  const reloads = new Map<number, { pending: number; results: RefreshResult[]; done: (r: RefreshResult[]) => void }>();

  const reloadAll = (): Promise<RefreshResult[]> =>
    new Promise((resolve) => {
      const id = nextReload++;
      const workers = Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined && w.isConnected());
      if (workers.length === 0) return resolve([]);
      reloads.set(id, { pending: workers.length, results: [], done: resolve });
      for (const w of workers) w.send({ type: 'soma:reload', id } satisfies ToWorker);
    });

  const fork = (): Worker => {
    const w = cluster.fork(env);
    w.on('message', (m: ToPrimary) => {
      if (m.type === 'soma:notice') notice(m.message);
      else if (m.type === 'soma:scrape') {
        aggregator.clusterMetrics().then(
          (text) => w.send({ type: 'soma:scraped', id: m.id, contentType: aggregator.contentType, text } satisfies ToWorker),
          (e: Error) => w.send({ type: 'soma:scraped', id: m.id, contentType: '', text: '', error: e.message } satisfies ToWorker),
        );
      } else if (m.type === 'soma:reload') {
        void reloadAll().then((results) => w.send({ type: 'soma:reload-done', id: m.id, results } satisfies ToWorker));
      } else if (m.type === 'soma:reloaded') {
        const r = reloads.get(m.id);
        if (!r) return;
        // Every worker serves the same models; one failure anywhere is reported.
        if (r.results.length === 0 || m.results.some((x) => x.error)) r.results = m.results;
        if (--r.pending === 0) {
          reloads.delete(m.id);
          r.done(r.results);
        }
      }
    });
    return w;
  };

  return new Promise<ClusterHandle>((resolve, reject) => {
    let readyCount = 0;
    let first: (ListenResult & { models: ServedSummary[] }) | undefined;
    let started = false;
    const workers: Worker[] = [];
    const stopAll = (): Promise<void> =>
      new Promise<void>((done) => {
        closing = true;
        const alive = Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined);
        if (alive.length === 0) return done();
        let left = alive.length;
        for (const w of alive) {
          w.once('exit', () => {
            if (--left === 0) done();
          });
          if (w.isConnected()) w.send({ type: 'soma:shutdown' } satisfies ToWorker);
          else w.kill('SIGTERM');
        }
      });
    const onMessage = (w: Worker, m: ToPrimary): void => {
      if (m.type === 'soma:ready') {
        first ??= { url: m.url, host: m.host, port: m.port, models: m.models };
        if (!started && ++readyCount === n) {
          started = true;
          resolve({ ...first, workers: n, reload: reloadAll, close: stopAll });
        }
      } else if (m.type === 'soma:failed' && !started) {
        started = true;
        const e = m.error;
        void stopAll().then(() => reject(e.code ? new SomaError(e.code, e.message, e.hint ? { hint: e.hint } : {}) : new Error(e.message)));
      }
      void w;
    };
    cluster.on('message', onMessage);
    cluster.on('exit', (w, code, signal) => {
      if (closing) return;
      if (!started) {
        started = true;
        void stopAll().then(() => reject(new Error(`serve worker ${w.process.pid} exited (${signal ?? code}) while starting`)));
        return;
      }
      const now = Date.now();
      crashes.push(now);
      while (crashes.length > 0 && crashes[0]! < now - 60_000) crashes.shift();
      if (crashes.length > 5) {
        notice(`serve worker ${w.process.pid} exited (${signal ?? code}); more than 5 exits in a minute, not restarting it`);
        return;
      }
      notice(`serve worker ${w.process.pid} exited (${signal ?? code}); starting another`);
      fork();
    });
    for (let i = 0; i < n; i++) workers.push(fork());
  });
}

// ---------------------------------------------------------------------------------------------
// The worker side (run by worker-main.ts)

/** Builds this worker's server from the primary's spec, listens, and serves until told to stop. */
export async function runWorker(): Promise<void> {
  const send = (m: ToPrimary): void => void process.send?.(m);
  const spec = JSON.parse(process.env[SPEC_ENV] ?? 'null') as ServeSpec | null;
  if (!spec) {
    send({ type: 'soma:failed', error: { message: `${SPEC_ENV} is not set: this module is started by soma serve --workers` } });
    process.exit(1);
  }
  let nextId = 0;
  const scrapes = new Map<number, (r: { contentType: string; text: string }) => void>();
  const reloads = new Map<number, (r: RefreshResult[]) => void>();
  const link: ClusterLink = {
    scrape: () =>
      new Promise((resolve) => {
        const id = nextId++;
        scrapes.set(id, resolve);
        send({ type: 'soma:scrape', id });
      }),
    reload: () =>
      new Promise((resolve) => {
        const id = nextId++;
        reloads.set(id, resolve);
        send({ type: 'soma:reload', id });
      }),
  };
  const server = createServer({
    io: { stderr: { write: (s: string) => send({ type: 'soma:notice', message: s.replace(/\n$/, '') }) } },
    registry: new Registry(spec.registryDir),
    refs: spec.refs,
    config: spec.config,
    serving: spec.serving,
    splits: new Map(spec.splits),
    cluster: link,
  });
  AggregatorRegistry.setRegistries([server.metrics.registry]);
  // Constructing one adds the listener that answers the primary's metric requests.
  new AggregatorRegistry();
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    void server.close().then(() => process.exit(0));
  };
  process.on('message', (m: ToWorker) => {
    if (m.type === 'soma:scraped') {
      const r = scrapes.get(m.id);
      scrapes.delete(m.id);
      r?.(m.error ? { contentType: 'text/plain', text: `# metrics from the other workers could not be gathered: ${m.error}\n` } : { contentType: m.contentType, text: m.text });
    } else if (m.type === 'soma:reload') {
      void server.reload().then((results) => send({ type: 'soma:reloaded', id: m.id, results }));
    } else if (m.type === 'soma:reload-done') {
      const r = reloads.get(m.id);
      reloads.delete(m.id);
      r?.(m.results);
    } else if (m.type === 'soma:shutdown') stop();
  });
  // Ctrl-C reaches the whole process group: stop gracefully on it too; SIGHUP is the primary's.
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  process.on('SIGHUP', () => undefined);
  process.on('disconnect', stop);
  try {
    const bound = await server.listen(spec.config.port, spec.config.host);
    await server.ready;
    send({ type: 'soma:ready', ...bound, models: summariseServed(server.served) });
  } catch (e) {
    const err = e instanceof SomaError ? { code: e.code, message: e.message, ...(e.hint ? { hint: e.hint } : {}) } : { message: e instanceof Error ? e.message : String(e) };
    send({ type: 'soma:failed', error: err });
    await server.close();
    process.exit(1);
  }
}
