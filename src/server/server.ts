// `createServer({io, registry, refs, ...})`: soma's HTTP front end, the server's twin of
// createProgram. It serves registered versions straight from the registry with the pipeline's own
// prediction code, over three protocols (soma's, the Open Inference Protocol V2, MLflow's), and
// is tested in-process on port 0.
//
// Lifecycle: `listen()` binds at once and loads every served model in the background (readiness
// is false until they are loaded; `ready` settles then, and rejects if one cannot be loaded);
// `close()` stops accepting, lets requests in flight finish (answers then carry Connection:
// close), flushes the prediction logs and resolves. A thrown bug is answered 500 and the server
// goes on serving.

import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Output } from '../cli/io.js';
import type { Registry } from '../registry/store.js';
import { TokenCheck } from './auth.js';
import { defaultServeConfig, type RouteArm, type ServeConfig, type ServingOverrides } from './config.js';
import { ServeError } from './errors.js';
import { parseTarget } from './http.js';
import { PredictionLogs } from './log.js';
import { ServerMetrics } from './metrics.js';
import { ServedSet, type RefreshResult } from './models.js';
import { mlflowProtocol } from './protocols/mlflow.js';
import type { Protocol } from './protocols/protocol.js';
import { somaProtocol } from './protocols/soma.js';
import { v2Protocol } from './protocols/v2.js';
import { index, listModels, metrics, reload } from './routes/admin.js';
import { replyProblem, type Exchange, type RouteInfo, type ServerContext } from './routes/context.js';
import { live, modelReady, ready } from './routes/health.js';
import { predictRoute } from './routes/predict.js';
import { modelMetadata, serverMetadata } from './routes/v2.js';

export interface ServerOptions {
  /** Where notices go (swaps, load failures, bugs): the CLI's stderr. */
  io?: { stderr: Output };
  registry: Registry;
  /** REFs to serve, one per model: `name@production`, `name@^1.2`, `name@1.2.0`, `name`. */
  refs: readonly string[];
  /** serve.yaml, resolved (defaults when absent). */
  config?: ServeConfig;
  /** Command-line settings for every model. */
  serving?: ServingOverrides;
  /** --split, by model name. */
  splits?: ReadonlyMap<string, RouteArm[]>;
  /** Under --workers: how this worker reaches the others (summed metrics, reload everywhere). */
  cluster?: ClusterLink;
}

export interface ClusterLink {
  scrape(): Promise<{ contentType: string; text: string }>;
  reload(): Promise<RefreshResult[]>;
}

export interface ListenResult {
  url: string;
  host: string;
  port: number;
}

/** The routes, as GET / and `soma serve --json` list them. */
export const ROUTES: RouteInfo[] = [
  { method: 'POST', path: '/models/{name}/predict', does: 'soma: {"records": [...]} or {"columns": {...}} -> predictions with the id column and probabilities' },
  { method: 'POST', path: '/models/{name}/versions/{version}/predict', does: 'soma, one served version or arm' },
  { method: 'POST', path: '/v2/models/{name}/infer', does: 'Open Inference Protocol V2: one tensor per input column' },
  { method: 'POST', path: '/v2/models/{name}/versions/{version}/infer', does: 'V2, one served version or arm' },
  { method: 'GET', path: '/v2/models/{name}[/versions/{version}]', does: 'V2 model metadata: inputs from features.json, outputs' },
  { method: 'GET', path: '/v2/models/{name}[/versions/{version}]/ready', does: 'V2 model readiness' },
  { method: 'GET', path: '/v2/health/live', does: 'V2 liveness' },
  { method: 'GET', path: '/v2/health/ready', does: 'V2 readiness: every served model loaded' },
  { method: 'GET', path: '/v2', does: 'V2 server metadata' },
  { method: 'POST', path: '/invocations', does: 'MLflow scoring (the first served model): dataframe_split, dataframe_records, instances, inputs, text/csv' },
  { method: 'POST', path: '/models/{name}/invocations', does: 'MLflow scoring for one model' },
  { method: 'GET', path: '/ping', does: 'MLflow health' },
  { method: 'GET', path: '/health', does: 'MLflow health' },
  { method: 'GET', path: '/models', does: 'served models, their arms and versions' },
  { method: 'GET', path: '/metrics', does: 'Prometheus metrics' },
  { method: 'POST', path: '/admin/reload', does: 'resolve every served REF again and swap in new versions (as SIGHUP)' },
  { method: 'GET', path: '/', does: 'this route table' },
];

export class SomaServer {
  readonly http: Server;
  readonly served: ServedSet;
  readonly metrics: ServerMetrics;
  /** Settles when every served model has loaded; rejects when one cannot be. */
  readonly ready: Promise<void>;
  private readonly ctx: ServerContext;
  private readonly logs: PredictionLogs;
  private readonly config: ServeConfig;
  private inFlight = 0;
  private idle: (() => void) | null = null;
  private startLoading!: () => void;
  private closing: Promise<void> | null = null;

  constructor(options: ServerOptions) {
    const config = options.config ?? defaultServeConfig();
    this.config = config;
    const stderr = options.io?.stderr;
    const notice = (m: string): void => void stderr?.write(`${m.endsWith('\n') ? m : `${m}\n`}`);
    const registry = options.registry;
    let served: ServedSet | undefined;
    this.metrics = new ServerMetrics({
      queues: () => (served ? served.servedVersions().map((v) => ({ model: v.name, version: v.version, depth: v.batcher.depth })) : []),
      caches: () => (served ? served.servedVersions().flatMap((v) => (v.cache ? [{ model: v.name, version: v.version, entries: v.cache.size }] : [])) : []),
      arms: () => (served ? [...served.models.values()].flatMap((m) => (m.routing ? [...m.routing.arms, ...m.routing.shadow.map((s) => ({ ...s, label: `shadow:${s.label}` }))].map((a) => ({ model: m.name, version: a.served.version, arm: a.label })) : [])) : []),
    });
    served = new ServedSet({ registry, refs: options.refs, config, cli: options.serving ?? {}, splits: options.splits ?? new Map(), metrics: this.metrics, onNotice: notice });
    this.served = served;
    this.logs = new PredictionLogs((model) => (config.logDir ? join(config.logDir, model) : join(registry.modelDir(model), 'serving')), {
      maxBytes: config.logMaxBytes,
      onError: notice,
    });
    const token = new TokenCheck(config.token);
    const cluster = options.cluster;
    this.ctx = {
      served,
      metrics: this.metrics,
      token,
      logs: this.logs,
      maxBodyBytes: config.maxBodyBytes,
      notice,
      scrape: () => (cluster ? cluster.scrape() : this.metrics.scrape()),
      reload: () => (cluster ? cluster.reload() : this.reload()),
      routes: () => ROUTES,
      closing: false,
    };
    this.ready = new Promise<void>((resolve, reject) => {
      this.startLoading = () => {
        served.start().then(() => {
          if (config.watch) served.watch(config.watchIntervalMs);
          resolve();
        }, reject);
      };
    });
    // A failed start is the caller's to handle (ready rejects); never an unhandled rejection.
    this.ready.catch(() => undefined);
    this.http = createHttpServer({ keepAliveTimeout: 5000 }, (req, res) => this.handle(req, res));
  }

  /** Binds and starts loading the models; resolves with the bound URL (port 0 picks a free port). */
  listen(port = this.config.port, host = this.config.host): Promise<ListenResult> {
    return new Promise<ListenResult>((resolve, reject) => {
      const onError = (e: Error): void => reject(e);
      this.http.once('error', onError);
      this.http.listen(port, host, () => {
        this.http.removeListener('error', onError);
        const addr = this.http.address() as AddressInfo;
        this.startLoading();
        const shown = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
        resolve({ url: `http://${shown}:${addr.port}`, host: addr.address, port: addr.port });
      });
    });
  }

  /** Resolves every served REF again and swaps in what changed. */
  reload(): Promise<RefreshResult[]> {
    return this.served.refresh();
  }

  /** Stops accepting, finishes the requests in flight, flushes the logs. Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.ctx.closing = true;
      const stopped = new Promise<void>((resolve) => this.http.close(() => resolve()));
      this.http.closeIdleConnections();
      this.served.close();
      if (this.inFlight > 0) await new Promise<void>((resolve) => (this.idle = resolve));
      this.http.closeIdleConnections();
      await stopped;
      await this.logs.close();
    })();
    return this.closing;
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    this.inFlight++;
    res.once('close', () => {
      if (--this.inFlight === 0 && this.idle) this.idle();
    });
    const ex: Exchange = { req, res, t0: performance.now(), route: 'other', model: '', version: '', status: 0 };
    let protocol: Protocol = somaProtocol;
    try {
      const { segments: s } = parseTarget(req.url);
      const method = req.method ?? 'GET';
      const n = s.length;
      // /v2/...
      if (s[0] === 'v2') {
        protocol = v2Protocol;
        if (n === 1) return this.get(ex, method, 'v2_metadata', () => serverMetadata(this.ctx, ex));
        if (n === 3 && s[1] === 'health' && (s[2] === 'live' || s[2] === 'ready')) return this.get(ex, method, 'health', () => (s[2] === 'live' ? live(this.ctx, ex) : ready(this.ctx, ex)));
        if (s[1] === 'models' && n >= 3) {
          const name = s[2]!;
          const versioned = s[3] === 'versions' && n >= 5;
          const version = versioned ? s[4] : undefined;
          const rest = s.slice(versioned ? 5 : 3);
          if (rest.length === 0) return this.get(ex, method, 'v2_metadata', () => modelMetadata(this.ctx, ex, name, version));
          if (rest.length === 1 && rest[0] === 'ready') return this.get(ex, method, 'health', () => modelReady(this.ctx, ex, v2Protocol, name, version));
          if (rest.length === 1 && rest[0] === 'infer') return this.post(ex, method, 'v2', () => predictRoute(this.ctx, ex, v2Protocol, name, version));
        }
      } else if (n === 1 && s[0] === 'invocations') {
        protocol = mlflowProtocol;
        const first = this.served.models.keys().next().value!;
        return this.post(ex, method, 'mlflow', () => predictRoute(this.ctx, ex, mlflowProtocol, first, undefined));
      } else if (n === 1 && (s[0] === 'ping' || s[0] === 'health')) {
        protocol = mlflowProtocol;
        return this.get(ex, method, 'health', () => ready(this.ctx, ex));
      } else if (s[0] === 'models') {
        if (n === 1) return this.get(ex, method, 'admin', () => listModels(this.ctx, ex));
        if (n === 3 && s[2] === 'predict') return this.post(ex, method, 'soma', () => predictRoute(this.ctx, ex, somaProtocol, s[1]!, undefined));
        if (n === 5 && s[2] === 'versions' && s[4] === 'predict') return this.post(ex, method, 'soma', () => predictRoute(this.ctx, ex, somaProtocol, s[1]!, s[3]!));
        if (n === 3 && s[2] === 'invocations') {
          protocol = mlflowProtocol;
          return this.post(ex, method, 'mlflow', () => predictRoute(this.ctx, ex, mlflowProtocol, s[1]!, undefined));
        }
      } else if (n === 1 && s[0] === 'metrics') {
        return this.get(ex, method, 'metrics', () => metrics(this.ctx, ex));
      } else if (n === 2 && s[0] === 'admin' && s[1] === 'reload') {
        return this.post(ex, method, 'admin', () => reload(this.ctx, ex));
      } else if (n === 0) {
        return this.get(ex, method, 'admin', () => index(this.ctx, ex));
      }
      throw new ServeError('HTTP_NOT_FOUND', `no route ${method} ${req.url?.slice(0, 200)}`, { hint: 'GET / lists the routes' });
    } catch (e) {
      replyProblem(this.ctx, ex, protocol, e);
    }
  }

  private get(ex: Exchange, method: string, route: string, run: () => void | Promise<void>): void {
    this.dispatch(ex, method, 'GET', route, run);
  }

  private post(ex: Exchange, method: string, route: string, run: () => void | Promise<void>): void {
    this.dispatch(ex, method, 'POST', route, run);
  }

  private dispatch(ex: Exchange, method: string, allowed: 'GET' | 'POST', route: string, run: () => void | Promise<void>): void {
    ex.route = route;
    if (method !== allowed && !(allowed === 'GET' && method === 'HEAD')) {
      throw new ServeError('HTTP_METHOD_NOT_ALLOWED', `${method} is not allowed here; use ${allowed}`, { headers: { allow: allowed } });
    }
    const out = run();
    if (out instanceof Promise) {
      out.catch((e: unknown) => {
        // Handlers answer their own failures; anything reaching here is a bug, answered if still possible.
        if (!ex.res.headersSent) replyProblem(this.ctx, ex, somaProtocol, e);
        else this.ctx.notice(`internal error after answering ${ex.req.method} ${ex.req.url}: ${String(e)}`);
      });
    }
  }
}

/** A server for `refs` from `registry`; call listen() to bind it. */
export function createServer(options: ServerOptions): SomaServer {
  return new SomaServer(options);
}

/** createServer + listen + wait until every model is loaded (closing it again if one cannot be). */
export async function startServer(options: ServerOptions & { port?: number; host?: string }): Promise<{ server: SomaServer } & ListenResult> {
  const server = createServer(options);
  const bound = await server.listen(options.port, options.host);
  try {
    await server.ready;
  } catch (e) {
    await server.close();
    throw e;
  }
  return { server, ...bound };
}
