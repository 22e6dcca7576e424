// The served set: for each model the server was started with, which versions answer (its arms,
// by weight, and its shadows), each loaded once however many arms or models name it, and how the
// set follows the registry.
//
// A model's arms come from, in order: its routes.json in the registry (written by `soma models
// rollout`, versions pinned); serve.yaml's `models.<name>.routes` or --split (aliases or versions,
// resolved and followed); else the REF it was served by (one arm). Hot swaps: the model directory
// and its versions/ are watched (fs.watch, plus a stat of aliases.json, routes.json and versions/
// every `watchIntervalMs` where events are missed); on a change the arms are resolved again, any
// new version is loaded and its checksums verified in the background, and only then does the
// model's routing switch, in one assignment. A request reads the routing once, so it is answered
// wholly by the old version or wholly by the new one; a version that fails to load is reported
// and the old routing stays. Each version has its own batcher and cache, dropped with it.

import { watch, type FSWatcher } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { servingOfConfigYaml } from '../config/serving.js';
import { SomaError, errorMessage } from '../errors.js';
import { loadModel, type LoadedModel } from '../pipeline/loaded-model.js';
import { parseRef, type Ref } from '../registry/ref.js';
import { readRoutes, ROUTES_FILE } from '../registry/routes.js';
import type { Registry } from '../registry/store.js';
import { readVersionText } from '../registry/version-files.js';
import { Batcher } from './batcher.js';
import { PredictionCache } from './cache.js';
import { resolveServing, servingOverrides, type RouteArm, type ServeConfig, type ServingOverrides, type ServingSettings } from './config.js';
import type { AnswerColumn } from './input.js';
import type { ServerMetrics } from './metrics.js';
import { outputColumns, predictFeatures } from './predict.js';

/** One loaded version with everything that serves it. */
export interface ServedVersion {
  name: string;
  version: string;
  id: string;
  model: LoadedModel;
  settings: ServingSettings;
  batcher: Batcher;
  cache: PredictionCache | null;
  /** The output columns' names and kinds (V2 metadata). */
  outputs: AnswerColumn[];
  /** Bytes of the version's artifacts on disk. */
  artifactBytes: number;
  loadSeconds: number;
}

export interface Arm {
  /** How logs and metrics name it: the alias or version it was routed by. */
  label: string;
  weight: number;
  served: ServedVersion;
}

/** A model's routing at one moment; replaced whole, never changed in place. */
export interface Routing {
  arms: Arm[];
  weights: number[];
  shadow: Arm[];
  /** Whether the model has a traffic split (routes), so answers name their arm. */
  split: boolean;
  /** Where the arms came from. */
  source: 'registry' | 'config' | 'ref';
}

export class ServedModel {
  routing: Routing | null = null;
  /** The last refresh's failure, if it failed (the old routing stays). */
  lastError: string | null = null;
  /** Serialises refreshes of this model. */
  chain: Promise<unknown> = Promise.resolve();
  signature = '';

  constructor(
    readonly name: string,
    /** The REF it was served by, parsed. */
    readonly ref: Ref,
    /** Arms from serve.yaml or --split, if any. */
    readonly configArms: RouteArm[] | undefined,
    readonly configShadow: string[],
  ) {}

  /** A version being served (an arm or a shadow), by exact version or by arm label. */
  find(selector: string): Arm | undefined {
    const r = this.routing;
    if (!r) return undefined;
    const s = selector.toLowerCase();
    return [...r.arms, ...r.shadow].find((a) => a.label === s) ?? [...r.arms, ...r.shadow].find((a) => a.served.version === s);
  }

  /** Every distinct version being served. */
  versions(): ServedVersion[] {
    const r = this.routing;
    if (!r) return [];
    return [...new Set([...r.arms, ...r.shadow].map((a) => a.served))];
  }
}

export interface RefreshResult {
  name: string;
  changed: boolean;
  arms: { arm: string; version: string; weight: number }[];
  shadow: { arm: string; version: string }[];
  error?: string;
}

export interface ServedSetOptions {
  registry: Registry;
  refs: readonly string[];
  config: ServeConfig;
  /** Command-line settings for every model (win over serve.yaml and the versions' own). */
  cli: ServingOverrides;
  /** --split by model name. */
  splits: ReadonlyMap<string, RouteArm[]>;
  metrics: ServerMetrics;
  onNotice(message: string): void;
}

export class ServedSet {
  readonly models = new Map<string, ServedModel>();
  /** Loaded versions by `name@x.y.z`, shared by every arm and model that serves them. */
  private readonly loaded = new Map<string, Promise<ServedVersion>>();
  private watchers: FSWatcher[] = [];
  private poll: NodeJS.Timeout | null = null;
  private debounce = new Map<string, NodeJS.Timeout>();
  private closed = false;
  /** The first failure of the initial load, rethrown by start(). */
  private startError: unknown;

  constructor(private readonly o: ServedSetOptions) {
    for (const text of o.refs) {
      const ref = parseRef(text);
      if (this.models.has(ref.name)) throw new SomaError('USAGE', `model ${ref.name} is given twice (${text}); serve one REF per model and split its traffic with --split or serve.yaml routes`);
      const conf = o.config.models[ref.name];
      const arms = o.splits.get(ref.name) ?? conf?.routes;
      this.models.set(ref.name, new ServedModel(ref.name, ref, arms, conf?.shadow ?? []));
    }
    for (const name of o.splits.keys()) {
      if (!this.models.has(name)) throw new SomaError('USAGE', `--split names model ${name}, which is not served (served: ${[...this.models.keys()].join(', ')})`);
    }
  }

  get ready(): boolean {
    for (const m of this.models.values()) if (!m.routing) return false;
    return true;
  }

  get(name: string): ServedModel | undefined {
    return this.models.get(name.toLowerCase());
  }

  /** Loads every model's arms; rejects with the first failure (nothing is served then). */
  async start(): Promise<void> {
    const results = await Promise.all([...this.models.values()].map((m) => this.refreshModel(m)));
    const failed = results.find((r) => r.error !== undefined);
    if (failed) throw this.startError ?? new SomaError('INTERNAL', failed.error!);
  }

  /** Resolves every model's arms again and swaps in what changed (SIGHUP, POST /admin/reload). */
  refresh(): Promise<RefreshResult[]> {
    return Promise.all([...this.models.values()].map((m) => this.refreshModel(m)));
  }

  private refreshModel(m: ServedModel): Promise<RefreshResult> {
    const next = m.chain.then(() => this.refreshNow(m));
    m.chain = next.catch(() => undefined);
    return next;
  }

  private async refreshNow(m: ServedModel): Promise<RefreshResult> {
    try {
      const wanted = await this.wantedArms(m);
      const current = m.routing;
      const same =
        current !== null &&
        current.source === wanted.source &&
        sameArms(current.arms, wanted.arms) &&
        sameArms(current.shadow, wanted.shadow);
      if (same) return result(m, false);
      // Load (and verify) every version first; only then switch, in one assignment.
      const arms: Arm[] = [];
      for (const a of wanted.arms) arms.push({ label: a.arm, weight: a.weight, served: await this.acquire(m.name, a.version) });
      const shadow: Arm[] = [];
      for (const a of wanted.shadow) shadow.push({ label: a.arm, weight: 0, served: await this.acquire(m.name, a.version) });
      if (this.closed) return result(m, false);
      const before = current ? describeRouting(current) : null;
      m.routing = { arms, weights: arms.map((a) => a.weight), shadow, split: wanted.source !== 'ref', source: wanted.source };
      m.lastError = null;
      this.prune();
      if (before !== null) this.o.onNotice(`${m.name}: now serving ${describeRouting(m.routing)} (was ${before})`);
      return result(m, true);
    } catch (e) {
      const message = errorMessage(e);
      m.lastError = message;
      if (m.routing) this.o.onNotice(`${m.name}: kept ${describeRouting(m.routing)}: ${message}`);
      else this.startError ??= e;
      return { ...result(m, false), error: message };
    }
  }

  /** The arms a model should have now, with exact versions. */
  private async wantedArms(m: ServedModel): Promise<{ source: Routing['source']; arms: ResolvedArm[]; shadow: ResolvedArm[] }> {
    const stored = await readRoutes(this.o.registry, m.name);
    if (stored) return { source: 'registry', arms: stored.arms, shadow: stored.shadow };
    const shadow = await Promise.all(m.configShadow.map(async (label) => ({ arm: label, version: await this.resolveArm(m, label), weight: 0 })));
    if (m.configArms) {
      const arms = await Promise.all(m.configArms.map(async (a) => ({ arm: a.arm, weight: a.weight, version: a.version ?? (await this.resolveArm(m, a.arm)) })));
      return { source: 'config', arms, shadow };
    }
    const resolved = await this.o.registry.resolve(m.ref);
    return { source: 'ref', arms: [{ arm: refLabel(m.ref), version: resolved.version, weight: 1 }], shadow };
  }

  private async resolveArm(m: ServedModel, label: string): Promise<string> {
    return (await this.o.registry.resolve(`${m.name}@${label}`)).version;
  }

  /** The loaded version `name@version`, loading (and verifying) it once. */
  private acquire(name: string, version: string): Promise<ServedVersion> {
    const key = `${name}@${version}`;
    let p = this.loaded.get(key);
    if (!p) {
      p = this.load(name, version);
      this.loaded.set(key, p);
      p.catch(() => this.loaded.delete(key));
    }
    return p;
  }

  private async load(name: string, version: string): Promise<ServedVersion> {
    const t0 = performance.now();
    let model: LoadedModel;
    let ownSettings: ServingOverrides;
    try {
      model = await loadModel(this.o.registry.root, `${name}@${version}`);
      ownSettings = servingOverrides(servingOfConfigYaml(await readVersionText(model.resolved.dir, 'config')));
    } catch (e) {
      this.o.metrics.load(name, version, false, 0);
      throw e;
    }
    const settings = resolveServing(this.o.config, name, ownSettings, this.o.cli);
    const stackRows = !model.pipeline.readsRowHistory();
    const metrics = this.o.metrics;
    const batcher = new Batcher({
      batchSize: settings.batchSize,
      maxLatencyMs: settings.maxLatencyMs,
      maxQueue: settings.maxQueue,
      stackRows,
      predict: (features) => predictFeatures(model, features),
      onBatch: (rows, requests, seconds) => metrics.batch(name, version, rows, requests, seconds),
    });
    const loadSeconds = (performance.now() - t0) / 1000;
    metrics.load(name, version, true, loadSeconds);
    return {
      name,
      version,
      id: model.resolved.id,
      model,
      settings,
      batcher,
      cache: settings.cacheSize > 0 && stackRows ? new PredictionCache(settings.cacheSize) : null,
      outputs: outputColumns(model),
      artifactBytes: model.resolved.metadata.artifacts.reduce((a, x) => a + x.bytes, 0),
      loadSeconds,
    };
  }

  /** Forgets versions no model routes to any more (requests still holding them finish first). */
  private prune(): void {
    const used = new Set<string>();
    for (const m of this.models.values()) for (const v of m.versions()) used.add(`${v.name}@${v.version}`);
    for (const key of [...this.loaded.keys()]) if (!used.has(key)) this.loaded.delete(key);
  }

  /** Every distinct served version (for metrics and shutdown). */
  servedVersions(): ServedVersion[] {
    const out = new Set<ServedVersion>();
    for (const m of this.models.values()) for (const v of m.versions()) out.add(v);
    return [...out];
  }

  /** Starts following the registry: file-system events on each model's directory, and a periodic stat. */
  watch(intervalMs: number): void {
    for (const m of this.models.values()) {
      const dir = this.o.registry.modelDir(m.name);
      for (const d of [dir, join(dir, 'versions')]) {
        try {
          const w = watch(d, { persistent: false }, () => this.changed(m));
          w.on('error', () => w.close());
          this.watchers.push(w);
        } catch {
          // No events here (the directory is missing, or the platform has no watcher): the poll covers it.
        }
      }
    }
    this.poll = setInterval(() => void this.pollOnce(), intervalMs);
    this.poll.unref();
  }

  private changed(m: ServedModel): void {
    if (this.closed) return;
    const t = this.debounce.get(m.name);
    if (t) clearTimeout(t);
    this.debounce.set(
      m.name,
      setTimeout(() => {
        this.debounce.delete(m.name);
        void this.refreshModel(m);
      }, 25),
    );
  }

  private async pollOnce(): Promise<void> {
    for (const m of this.models.values()) {
      const dir = this.o.registry.modelDir(m.name);
      const parts = await Promise.all([join(dir, 'aliases.json'), join(dir, ROUTES_FILE), join(dir, 'versions')].map((p) => stat(p).then((s) => `${s.mtimeMs}:${s.size}:${s.ino}`, () => '-')));
      const sig = parts.join('|');
      if (m.signature !== '' && sig !== m.signature) this.changed(m);
      m.signature = sig;
    }
  }

  /** Stops watching and flushes every batcher. */
  close(): void {
    this.closed = true;
    for (const w of this.watchers) w.close();
    this.watchers = [];
    if (this.poll) clearInterval(this.poll);
    for (const t of this.debounce.values()) clearTimeout(t);
    this.debounce.clear();
    for (const v of this.servedVersions()) v.batcher.flushAll();
  }
}

interface ResolvedArm {
  arm: string;
  version: string;
  weight: number;
}

function sameArms(a: readonly Arm[], b: readonly ResolvedArm[]): boolean {
  return a.length === b.length && a.every((x, i) => x.label === b[i]!.arm && x.served.version === b[i]!.version && x.weight === b[i]!.weight);
}

function result(m: ServedModel, changed: boolean): RefreshResult {
  const r = m.routing;
  return {
    name: m.name,
    changed,
    arms: r ? r.arms.map((a) => ({ arm: a.label, version: a.served.version, weight: a.weight })) : [],
    shadow: r ? r.shadow.map((a) => ({ arm: a.label, version: a.served.version })) : [],
    ...(m.lastError ? { error: m.lastError } : {}),
  };
}

/** `production → 1.2.0` or `production 90% → 1.2.0, staging 10% → 1.3.0`. */
export function describeRouting(r: Routing): string {
  const total = r.weights.reduce((a, b) => a + b, 0) || 1;
  const arms = r.arms.map((a) => (r.arms.length > 1 ? `${a.label} ${round((100 * a.weight) / total)}% → ${a.served.version}` : `${a.label} → ${a.served.version}`));
  const shadow = r.shadow.map((a) => `shadow ${a.label} → ${a.served.version}`);
  return [...arms, ...shadow].join(', ');
}

function round(x: number): number {
  return Math.round(x * 10) / 10;
}

/** The label of a REF's single arm: its alias, version or range, or `latest`. */
function refLabel(ref: Ref): string {
  switch (ref.kind) {
    case 'latest':
      return 'latest';
    case 'version':
      return ref.version;
    case 'range':
      return ref.range;
    case 'alias':
      return ref.alias;
  }
}

/** What a served model routes to, for the ready report and GET /models. */
export interface ServedSummary {
  name: string;
  routing: string;
  arms: { arm: string; version: string; weight: number }[];
  shadow: { arm: string; version: string }[];
}

export function summariseServed(served: ServedSet): ServedSummary[] {
  return [...served.models.values()].map((m) => ({
    name: m.name,
    routing: m.routing ? describeRouting(m.routing) : '(not loaded)',
    arms: m.routing ? m.routing.arms.map((a) => ({ arm: a.label, version: a.served.version, weight: a.weight })) : [],
    shadow: m.routing ? m.routing.shadow.map((a) => ({ arm: a.label, version: a.served.version })) : [],
  }));
}
