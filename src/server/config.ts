// What `soma serve` is told: serve.yaml (`--config`) checked with the config machinery
// (file:line:col), the command line's overrides, and each model's settings resolved in one order:
// the command line, then serve.yaml's `models.<name>`, then its `serving`, then the served
// version's own `model.serving` (from its config.yaml), then the defaults below.
//
//   host: 127.0.0.1            port: 8080            workers: 1
//   max_body: 10mb             log_dir: DIR          log_max_bytes: 67108864
//   watch: true                watch_interval_ms: 2000
//   serving: {batch_size: 32, max_latency_ms: 2, cache_size: 0, max_queue: 1024, log_sample: 1}
//   models:
//     penguins:
//       cache_size: 1000
//       routes: {production: 90, staging: 10}     # weighted split over aliases or versions
//       shadow: [canary]                          # gets a copy of the traffic; answers not returned

import path from 'node:path';
import { SomaError } from '../errors.js';
import { SERVING_PROPERTIES } from '../config/serving.js';
import { loadYamlFile } from '../config/yaml-check.js';
import type { JsonObject, JsonValue } from '../util/json.js';
import { isJsonObject } from '../util/json.js';

/** The resolved settings of one served version. */
export interface ServingSettings {
  batchSize: number;
  maxLatencyMs: number;
  cacheSize: number;
  maxQueue: number;
  logSample: number;
}

export const DEFAULT_SERVING: ServingSettings = { batchSize: 32, maxLatencyMs: 2, cacheSize: 0, maxQueue: 1024, logSample: 1 };

/** One arm of a traffic split: an alias (`production`), an exact version or `latest`, and its weight. */
export interface RouteArm {
  arm: string;
  weight: number;
  /** Pinned exact version (a rollout pins what it compares); absent: resolve `arm` and follow it. */
  version?: string;
}

/** Settings as written (snake_case keys of SERVING_PROPERTIES), any subset. */
export type ServingOverrides = Partial<ServingSettings>;

export interface ModelServeConfig extends ServingOverrides {
  routes?: RouteArm[];
  shadow?: string[];
}

export interface ServeConfig {
  host: string;
  port: number;
  workers: number;
  maxBodyBytes: number;
  /** Prediction log root (`<dir>/<model>/`); absent: each model's `serving/` directory in the registry. */
  logDir?: string;
  logMaxBytes: number;
  /** Follow the registry (alias, route and version changes) on its own; false: only on SIGHUP or POST /admin/reload. */
  watch: boolean;
  watchIntervalMs: number;
  /** For every model. */
  serving: ServingOverrides;
  /** By model name. */
  models: Record<string, ModelServeConfig>;
  /** Bearer token required on every route but health (never read from serve.yaml: --token or SOMA_SERVE_TOKEN). */
  token?: string;
}

export const DEFAULT_MAX_BODY = 10 * 1024 * 1024;

export function defaultServeConfig(): ServeConfig {
  return { host: '127.0.0.1', port: 8080, workers: 1, maxBodyBytes: DEFAULT_MAX_BODY, logMaxBytes: 64 * 1024 * 1024, watch: true, watchIntervalMs: 2000, serving: {}, models: {} };
}

const SIZE_PATTERN = '^\\s*\\d+(\\.\\d+)?\\s*([kKmMgG][bB]?|[bB])?\\s*$';

const ARM_NAME = '^([a-z][a-z0-9_-]{0,63}|(0|[1-9]\\d*)\\.(0|[1-9]\\d*)\\.(0|[1-9]\\d*))$';

export function serveConfigSchema(): JsonObject {
  const modelProperties: JsonObject = {
    ...SERVING_PROPERTIES,
    routes: {
      type: 'object',
      minProperties: 1,
      description: 'Traffic split over aliases or exact versions, by weight (e.g. {production: 90, staging: 10})',
      propertyNames: { pattern: ARM_NAME },
      additionalProperties: { type: 'number', minimum: 0 },
    },
    shadow: {
      anyOf: [{ type: 'string', pattern: ARM_NAME }, { type: 'array', items: { type: 'string', pattern: ARM_NAME }, uniqueItems: true }],
      description: 'Aliases or versions that get a copy of every request; their answers are logged, never returned',
    },
  };
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: 'soma serve config',
    type: 'object',
    additionalProperties: false,
    properties: {
      host: { type: 'string', minLength: 1, description: 'Interface to bind (default 127.0.0.1)' },
      port: { type: 'integer', minimum: 0, maximum: 65535, description: 'Port (default 8080; 0 picks a free one)' },
      workers: { type: 'integer', minimum: 1, maximum: 64, description: 'Processes sharing the port (default 1)' },
      max_body: { anyOf: [{ type: 'integer', minimum: 1 }, { type: 'string', pattern: SIZE_PATTERN }], description: 'Largest request body: bytes, or 512kb, 10mb (default 10mb)' },
      log_dir: { type: 'string', minLength: 1, description: 'Prediction log root, relative to this file (default: each model\'s serving/ directory in the registry)' },
      log_max_bytes: { type: 'integer', minimum: 1024, description: 'A prediction log file rotates past this size (default 64 MiB)' },
      watch: { type: 'boolean', description: 'Swap versions when the registry changes (default true); false: only on SIGHUP or POST /admin/reload' },
      watch_interval_ms: { type: 'integer', minimum: 50, description: 'How often the registry is polled for alias and route changes, beside file-system events (default 2000)' },
      serving: { type: 'object', additionalProperties: false, properties: SERVING_PROPERTIES, description: 'Settings for every served model' },
      models: {
        type: 'object',
        description: 'Settings by model name',
        propertyNames: { pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]*$' },
        additionalProperties: { type: 'object', additionalProperties: false, properties: modelProperties },
      },
    },
  };
}

/** `10mb`, `512kb`, `1048576` -> bytes; USAGE naming `what` when it is not a size. */
export function parseSize(value: string | number, what: string): number {
  if (typeof value === 'number') return value;
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kKmMgG]?)[bB]?\s*$/.exec(value);
  if (!m) throw new SomaError('USAGE', `${what}: expected a size such as 1048576, 512kb or 10mb, got ${JSON.stringify(value)}`, { details: { value } });
  const unit = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[m[2]!.toLowerCase() as '' | 'k' | 'm' | 'g'];
  const bytes = Math.floor(Number(m[1]) * unit);
  if (bytes < 1) throw new SomaError('USAGE', `${what}: must be at least 1 byte, got ${JSON.stringify(value)}`, { details: { value } });
  return bytes;
}

/** serve.yaml, checked and resolved over the defaults. */
export async function loadServeConfig(file: string): Promise<ServeConfig> {
  const raw = await loadYamlFile(file, serveConfigSchema(), 'serve config');
  const out = defaultServeConfig();
  if (typeof raw['host'] === 'string') out.host = raw['host'];
  if (typeof raw['port'] === 'number') out.port = raw['port'];
  if (typeof raw['workers'] === 'number') out.workers = raw['workers'];
  if (raw['max_body'] !== undefined) out.maxBodyBytes = parseSize(raw['max_body'] as string | number, `${file}: max_body`);
  if (typeof raw['log_dir'] === 'string') out.logDir = path.resolve(path.dirname(path.resolve(file)), raw['log_dir']);
  if (typeof raw['log_max_bytes'] === 'number') out.logMaxBytes = raw['log_max_bytes'];
  if (typeof raw['watch'] === 'boolean') out.watch = raw['watch'];
  if (typeof raw['watch_interval_ms'] === 'number') out.watchIntervalMs = raw['watch_interval_ms'];
  if (isJsonObject(raw['serving'])) out.serving = servingOverrides(raw['serving']);
  if (isJsonObject(raw['models'])) {
    for (const [name, m] of Object.entries(raw['models'])) {
      if (!isJsonObject(m)) continue;
      const model: ModelServeConfig = servingOverrides(m);
      if (isJsonObject(m['routes'])) model.routes = Object.entries(m['routes']).map(([arm, weight]) => ({ arm, weight: weight as number }));
      const shadow = m['shadow'];
      if (typeof shadow === 'string') model.shadow = [shadow];
      else if (Array.isArray(shadow)) model.shadow = shadow.filter((s): s is string => typeof s === 'string');
      out.models[name.toLowerCase()] = model;
    }
  }
  return out;
}

/** The serving keys of a map as written (snake_case) -> settings; unknown keys are ignored (the schema rejects them where it applies). */
export function servingOverrides(m: Readonly<Record<string, JsonValue | undefined>>): ServingOverrides {
  const out: ServingOverrides = {};
  const num = (k: string): number | undefined => (typeof m[k] === 'number' ? (m[k] as number) : undefined);
  const set = <K extends keyof ServingSettings>(key: K, v: number | undefined): void => {
    if (v !== undefined) out[key] = v;
  };
  set('batchSize', num('batch_size'));
  set('maxLatencyMs', num('max_latency_ms'));
  set('cacheSize', num('cache_size'));
  set('maxQueue', num('max_queue'));
  set('logSample', num('log_sample'));
  return out;
}

/** Settings of one version of `name`: the command line, serve.yaml's model and global entries, the version's own, the defaults. */
export function resolveServing(config: ServeConfig, name: string, fromVersion: ServingOverrides, cli: ServingOverrides = {}): ServingSettings {
  return { ...DEFAULT_SERVING, ...fromVersion, ...config.serving, ...pickServing(config.models[name] ?? {}), ...cli };
}

function pickServing(m: ModelServeConfig): ServingOverrides {
  const out: ServingOverrides = {};
  for (const k of ['batchSize', 'maxLatencyMs', 'cacheSize', 'maxQueue', 'logSample'] as const) if (m[k] !== undefined) out[k] = m[k];
  return out;
}

/**
 * `--split production=90,staging=10` or `--split penguins:production=90,staging=10` -> the model
 * (undefined: the only served one) and its arms; USAGE naming the flag's text when malformed.
 */
export function parseSplit(text: string): { model: string | undefined; arms: RouteArm[] } {
  const colon = text.indexOf(':');
  const model = colon > 0 ? text.slice(0, colon).trim().toLowerCase() : undefined;
  const body = colon > 0 ? text.slice(colon + 1) : text;
  const arms: RouteArm[] = [];
  const armRe = new RegExp(ARM_NAME);
  for (const part of body.split(',')) {
    const m = /^\s*([^=\s]+)\s*=\s*(\d+(?:\.\d+)?)\s*$/.exec(part);
    if (!m || !armRe.test(m[1]!.toLowerCase())) {
      throw new SomaError('USAGE', `--split ${text}: expected [MODEL:]ARM=WEIGHT,ARM=WEIGHT (an alias or x.y.z version and a number), got ${JSON.stringify(part)}`, { details: { value: text } });
    }
    arms.push({ arm: m[1]!.toLowerCase(), weight: Number(m[2]) });
  }
  if (arms.every((a) => a.weight === 0)) throw new SomaError('USAGE', `--split ${text}: at least one weight must be above 0`, { details: { value: text } });
  if (new Set(arms.map((a) => a.arm)).size !== arms.length) throw new SomaError('USAGE', `--split ${text}: an arm is named twice`, { details: { value: text } });
  return { model, arms };
}
