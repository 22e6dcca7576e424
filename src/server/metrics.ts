// The server's Prometheus metrics (prom-client), on a registry of its own so several servers in
// one process (tests) never share counters: requests by model, version, route and status;
// latency histograms whose buckets start at 0.1 ms; micro-batch rows, requests and predictor
// time; queue depth; cache hits and misses; model loads and their time; the version each arm
// serves; and prom-client's process metrics (CPU, resident memory, heap, event-loop lag).
// With --workers N, each worker keeps its own and the primary sums them on scrape (cluster.ts).

import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Seconds: 0.1 ms .. 10 s, dense below 5 ms where single-row requests live. */
const LATENCY_BUCKETS = [0.0001, 0.00025, 0.0005, 0.00075, 0.001, 0.0015, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const ROW_BUCKETS = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 4096, 16384];

/** What the metrics read live at scrape time. */
export interface MetricsSource {
  /** Requests waiting for a batch, per served version. */
  queues(): Iterable<{ model: string; version: string; depth: number }>;
  /** Prediction cache entries, per served version with a cache. */
  caches(): Iterable<{ model: string; version: string; entries: number }>;
  /** The version each arm of each served model answers with (1 per line). */
  arms(): Iterable<{ model: string; version: string; arm: string }>;
}

export class ServerMetrics {
  readonly registry = new Registry();
  private readonly requests: Counter<'model' | 'version' | 'route' | 'status'>;
  private readonly latency: Histogram<'model' | 'version' | 'route'>;
  private readonly batchRows: Histogram<'model' | 'version'>;
  private readonly batchRequests: Histogram<'model' | 'version'>;
  private readonly batchSeconds: Histogram<'model' | 'version'>;
  private readonly cacheHits: Counter<'model' | 'version'>;
  private readonly cacheMisses: Counter<'model' | 'version'>;
  private readonly loads: Counter<'model' | 'version' | 'result'>;
  private readonly loadSeconds: Gauge<'model' | 'version'>;
  private readonly shadow: Counter<'model' | 'version' | 'status'>;
  private readonly logged: Counter<'model'>;
  /** Label children by joined label values: prom-client hashes a label object on every call otherwise. */
  private readonly children = new Map<string, { inc(n?: number): void } & { observe?(v: number): void }>();

  constructor(source: MetricsSource) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, eventLoopMonitoringPrecision: 10 });
    // Gauges that prom-client names like counters; `promtool check metrics` rejects them.
    for (const name of ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total']) this.registry.removeSingleMetric(name);
    this.requests = new Counter({ name: 'soma_http_requests_total', help: 'HTTP requests answered, by model, version, route and status', labelNames: ['model', 'version', 'route', 'status'], registers });
    this.latency = new Histogram({ name: 'soma_http_request_duration_seconds', help: 'Time from a request\'s arrival to its answer, in seconds', labelNames: ['model', 'version', 'route'], buckets: LATENCY_BUCKETS, registers });
    this.batchRows = new Histogram({ name: 'soma_batch_rows', help: 'Rows per predictor call (micro-batch)', labelNames: ['model', 'version'], buckets: ROW_BUCKETS, registers });
    this.batchRequests = new Histogram({ name: 'soma_batch_requests', help: 'Requests per predictor call (micro-batch)', labelNames: ['model', 'version'], buckets: ROW_BUCKETS, registers });
    this.batchSeconds = new Histogram({ name: 'soma_batch_duration_seconds', help: 'Predictor time per micro-batch, in seconds', labelNames: ['model', 'version'], buckets: LATENCY_BUCKETS, registers });
    this.cacheHits = new Counter({ name: 'soma_cache_hits_total', help: 'Rows answered from the prediction cache', labelNames: ['model', 'version'], registers });
    this.cacheMisses = new Counter({ name: 'soma_cache_misses_total', help: 'Rows looked up in the prediction cache and not found', labelNames: ['model', 'version'], registers });
    this.loads = new Counter({ name: 'soma_model_loads_total', help: 'Model version loads (with checksum verification), by result', labelNames: ['model', 'version', 'result'], registers });
    this.loadSeconds = new Gauge({ name: 'soma_model_load_seconds', help: 'Seconds the last load of a version took (resolve, verify checksums, rebuild)', labelNames: ['model', 'version'], registers, aggregator: 'max' });
    this.shadow = new Counter({ name: 'soma_shadow_requests_total', help: 'Copies of requests answered by a shadow version (not returned)', labelNames: ['model', 'version', 'status'], registers });
    this.logged = new Counter({ name: 'soma_prediction_log_records_total', help: 'Records written to the prediction log', labelNames: ['model'], registers });
    new Gauge({
      name: 'soma_queue_depth',
      help: 'Requests waiting for a micro-batch, per served version',
      labelNames: ['model', 'version'],
      registers,
      collect() {
        this.reset();
        for (const q of source.queues()) this.set({ model: q.model, version: q.version }, q.depth);
      },
    });
    new Gauge({
      name: 'soma_cache_entries',
      help: 'Rows held in the prediction cache, per served version',
      labelNames: ['model', 'version'],
      registers,
      collect() {
        this.reset();
        for (const c of source.caches()) this.set({ model: c.model, version: c.version }, c.entries);
      },
    });
    new Gauge({
      name: 'soma_served_version_info',
      help: 'The version each arm of a served model answers with (value 1)',
      labelNames: ['model', 'version', 'arm'],
      registers,
      aggregator: 'max',
      collect() {
        this.reset();
        for (const a of source.arms()) this.set({ model: a.model, version: a.version, arm: a.arm }, 1);
      },
    });
  }

  request(model: string, version: string, route: string, status: number, seconds: number): void {
    const key = `r\u0000${model}\u0000${version}\u0000${route}\u0000${status}`;
    let c = this.children.get(key);
    if (!c) {
      c = this.requests.labels(model, version, route, String(status));
      this.children.set(key, c);
    }
    c.inc();
    const lkey = `l\u0000${model}\u0000${version}\u0000${route}`;
    let h = this.children.get(lkey);
    if (!h) {
      h = this.latency.labels(model, version, route) as unknown as { inc(): void; observe(v: number): void };
      this.children.set(lkey, h);
    }
    h.observe!(seconds);
  }

  batch(model: string, version: string, rows: number, requests: number, seconds: number): void {
    this.batchRows.labels(model, version).observe(rows);
    this.batchRequests.labels(model, version).observe(requests);
    this.batchSeconds.labels(model, version).observe(seconds);
  }

  cache(model: string, version: string, hits: number, misses: number): void {
    if (hits > 0) this.cacheHits.labels(model, version).inc(hits);
    if (misses > 0) this.cacheMisses.labels(model, version).inc(misses);
  }

  load(model: string, version: string, ok: boolean, seconds: number): void {
    this.loads.labels(model, version, ok ? 'ok' : 'failed').inc();
    if (ok) this.loadSeconds.labels(model, version).set(seconds);
  }

  shadowAnswer(model: string, version: string, status: number): void {
    this.shadow.labels(model, version, String(status)).inc();
  }

  loggedRecord(model: string): void {
    this.logged.labels(model).inc();
  }

  /** The scrape, in the Prometheus text format. */
  async scrape(): Promise<{ contentType: string; text: string }> {
    return { contentType: this.registry.contentType, text: await this.registry.metrics() };
  }
}
