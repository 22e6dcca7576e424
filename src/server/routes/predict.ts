// The prediction route, the same for every protocol: read the body, let the protocol turn it into
// rows, pick the version (the one named in the path, else the traffic split's arm for the request
// key), check the rows against that version's contract, answer from the cache or through the
// version's micro-batcher, and answer in the protocol's shape with the version in
// X-Soma-Model-Version. After the answer has gone out: the prediction log record (sampled) and
// the shadow versions' copies.

import type { Frame } from '../../data/frame.js';
import { PREDICTION_LOG_VERSION, type PredictionLogRecord } from '../../monitor/prediction-log.js';
import { logLine, type LogHead } from '../log-record.js';
import type { JsonValue } from '../../util/json.js';
import { rowKeys } from '../cache.js';
import { problemOf, ServeError } from '../errors.js';
import { readBody } from '../http.js';
import { answerColumn, type Answer, type AnswerColumn } from '../input.js';
import type { Arm, ServedModel, ServedVersion } from '../models.js';
import { idValueOf, prepareRows, type PreparedRows } from '../predict.js';
import type { ParsedRequest, Protocol } from '../protocols/protocol.js';
import { chooseArm } from '../routing.js';
import { reply, replyProblem, type Exchange, type ServerContext } from './context.js';

/** Answers POST .../predict, .../infer or /invocations for `modelName` (and `selector`, a version or arm named in the path). */
export async function predictRoute(ctx: ServerContext, ex: Exchange, protocol: Protocol, modelName: string, selector: string | undefined): Promise<void> {
  let served: ServedModel | undefined;
  let arm: Arm | undefined;
  let parsed: ParsedRequest | undefined;
  let key: string | undefined;
  let logged = false;
  try {
    ctx.token.check(ex.req);
    served = ctx.served.get(modelName);
    if (!served) throw unknownModel(ctx, modelName);
    ex.model = served.name;
    const routing = served.routing;
    if (!routing) throw new ServeError('HTTP_NOT_READY', `${served.name} is still loading`, { headers: { 'retry-after': '1' } });
    if (selector !== undefined) {
      arm = served.find(selector);
      if (!arm) throw unknownVersion(served, selector);
    }
    const body = await readBody(ex.req, ctx.maxBodyBytes);
    parsed = protocol.parse(body, ex.req);
    if (!arm) {
      const header = ex.req.headers['x-soma-key'];
      key = typeof header === 'string' && header !== '' ? header : idValueOf(parsed.rows, routing.arms[0]!.served.model.contract.id);
      arm = routing.arms.length === 1 ? routing.arms[0]! : routing.arms[chooseArm(served.name, routing.weights, key)]!;
    }
    const v = arm.served;
    ex.version = v.version;
    const armLabel = routing.split || selector !== undefined ? arm.label : null;
    // On every answer from here, failures included: which version judged the rows.
    ex.res.setHeader('x-soma-model-version', v.version);
    if (armLabel !== null) ex.res.setHeader('x-soma-arm', armLabel);
    const prepared = prepareRows(v.model, parsed.rows);
    const { columns, cached } = await predictPrepared(ctx, v, prepared);
    const answer: Answer = { model: v.name, version: v.version, id: v.id, arm: armLabel, rows: prepared.rows, cached, columns: [...prepared.passThrough.map(answerColumn), ...columns] };
    reply(ctx, ex, 200, protocol.answer(answer, parsed));
    logged = true;
    afterAnswer(ctx, ex, protocol, served, routing.shadow, parsed, key, armLabel, v, prepared, answer);
  } catch (e) {
    const p = replyProblem(ctx, ex, protocol, e);
    if (!logged && served && (arm || served.routing)) {
      const v = arm?.served ?? served.routing!.arms[0]!.served;
      const sampled = Math.random() < v.settings.logSample;
      if (sampled) {
        logRecord(ctx, ex, protocol.name, v, arm && served.routing?.split ? arm.label : null, key, p.status, p.code, 0, false, null, null, null);
      }
    }
  }
}

/** The answer columns for checked rows: every row from the cache, or all predicted through the batcher (and stored). */
async function predictPrepared(ctx: ServerContext, v: ServedVersion, prepared: PreparedRows): Promise<{ columns: AnswerColumn[]; cached: boolean }> {
  const cache = v.cache;
  let keys: string[] | undefined;
  if (cache && prepared.rows > 0) {
    keys = rowKeys(prepared.features);
    const beforeHits = cache.hits;
    const beforeMisses = cache.misses;
    const rows = cache.lookup(keys);
    ctx.metrics.cache(v.name, v.version, cache.hits - beforeHits, cache.misses - beforeMisses);
    if (rows) return { columns: fromRows(v.outputs, rows), cached: true };
  }
  const columns = (await v.batcher.submit(prepared.features)).map(answerColumn);
  if (cache && keys) cache.store(keys, toRows(columns, prepared.rows));
  return { columns, cached: false };
}

/** Cached rows back into answer columns (the outputs after the id column). */
function fromRows(outputs: readonly AnswerColumn[], rows: readonly JsonValue[][]): AnswerColumn[] {
  const offset = outputs.length - (rows[0]?.length ?? 0);
  return outputs.slice(offset).map((o, j) => ({ name: o.name, kind: o.kind, values: rows.map((r) => r[j]!) }));
}

function toRows(columns: readonly AnswerColumn[], n: number): JsonValue[][] {
  const out: JsonValue[][] = [];
  for (let i = 0; i < n; i++) out.push(columns.map((c) => c.values[i]!));
  return out;
}

/** After the answer: its log record (if sampled) and the shadows' copies, off the request's path. */
function afterAnswer(
  ctx: ServerContext,
  ex: Exchange,
  protocol: Protocol,
  served: ServedModel,
  shadow: readonly Arm[],
  parsed: ParsedRequest,
  key: string | undefined,
  armLabel: string | null,
  v: ServedVersion,
  prepared: PreparedRows,
  answer: Answer,
): void {
  const latency = performance.now() - ex.t0;
  if (Math.random() < v.settings.logSample) {
    const ids = prepared.passThrough.length > 0 ? answer.columns[0]!.values : null;
    const outputs: Record<string, JsonValue[]> = {};
    for (let j = prepared.passThrough.length; j < answer.columns.length; j++) outputs[answer.columns[j]!.name] = answer.columns[j]!.values;
    logRecord(ctx, ex, protocol.name, v, armLabel, key, 200, null, prepared.rows, answer.cached, ids, prepared.features, outputs, latency);
  }
  for (const s of shadow) setImmediate(() => void shadowCopy(ctx, protocol, served, s, parsed, key));
}

/** A shadow version's answer to a copy of the request: logged and counted, never returned. */
async function shadowCopy(ctx: ServerContext, protocol: Protocol, served: ServedModel, s: Arm, parsed: ParsedRequest, key: string | undefined): Promise<void> {
  const t0 = performance.now();
  const v = s.served;
  const ex = { t0 } as Exchange;
  const label = `shadow:${s.label}`;
  try {
    const prepared = prepareRows(v.model, parsed.rows);
    const { columns, cached } = await predictPrepared(ctx, v, prepared);
    ctx.metrics.shadowAnswer(served.name, v.version, 200);
    if (Math.random() < v.settings.logSample) {
      const outputs: Record<string, JsonValue[]> = {};
      for (const c of columns) outputs[c.name] = c.values;
      const ids = prepared.passThrough.length > 0 ? answerColumn(prepared.passThrough[0]!).values : null;
      logRecord(ctx, ex, protocol.name, v, label, key, 200, null, prepared.rows, cached, ids, prepared.features, outputs);
    }
  } catch (e) {
    const p = problemOf(e);
    ctx.metrics.shadowAnswer(served.name, v.version, p.status);
    if (p.internal) ctx.notice(`internal error in shadow ${label} of ${served.name}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    if (Math.random() < v.settings.logSample) logRecord(ctx, ex, protocol.name, v, label, key, p.status, p.code, 0, false, null, null, null);
  }
}

function logRecord(
  ctx: ServerContext,
  ex: Pick<Exchange, 't0'>,
  route: PredictionLogRecord['route'],
  v: ServedVersion,
  arm: string | null,
  key: string | undefined,
  status: number,
  error: string | null,
  rows: number,
  cached: boolean,
  ids: JsonValue[] | null,
  inputs: Frame | null,
  outputs: Record<string, JsonValue[]> | null,
  latencyMs = performance.now() - ex.t0,
): void {
  const head: LogHead = {
    v: PREDICTION_LOG_VERSION,
    at: new Date().toISOString(),
    model: v.name,
    version: v.version,
    route,
    arm,
    key: key ?? null,
    status,
    error,
    latency_ms: Math.round(latencyMs * 1000) / 1000,
    rows,
    cached,
    ids,
  };
  ctx.logs.writer(v.name).appendLine(head.at, logLine(head, inputs, outputs));
  ctx.metrics.loggedRecord(v.name);
}

function unknownModel(ctx: ServerContext, name: string): ServeError {
  const names = [...ctx.served.models.keys()];
  return new ServeError('HTTP_NOT_FOUND', `model '${name}' is not served here`, { hint: `served models: ${names.join(', ')}`, details: { model: name, served: names } });
}

function unknownVersion(served: ServedModel, selector: string): ServeError {
  const versions = served.versions().map((v) => v.version);
  const arms = served.routing ? [...served.routing.arms, ...served.routing.shadow].map((a) => a.label) : [];
  return new ServeError('HTTP_NOT_FOUND', `${served.name} does not serve version '${selector}'`, {
    hint: `served versions: ${versions.join(', ')}${arms.length ? `; arms: ${arms.join(', ')}` : ''}`,
    details: { model: served.name, version: selector, versions, arms },
  });
}
