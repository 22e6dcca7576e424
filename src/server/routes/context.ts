// What every route handler is given: the served set, the metrics, the token check, the prediction
// logs and the server's limits, plus one request's bookkeeping (its route, model and version for
// the metrics, and when it arrived).

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TokenCheck } from '../auth.js';
import { problemOf, type Problem } from '../errors.js';
import { sendJson } from '../http.js';
import type { PredictionLogs } from '../log.js';
import type { ServerMetrics } from '../metrics.js';
import type { RefreshResult, ServedSet } from '../models.js';
import type { Protocol } from '../protocols/protocol.js';

export interface ServerContext {
  served: ServedSet;
  metrics: ServerMetrics;
  token: TokenCheck;
  logs: PredictionLogs;
  maxBodyBytes: number;
  /** Notices for the operator (stderr): swaps, load failures, bugs. */
  notice(message: string): void;
  /** The /metrics scrape (summed over workers under --workers). */
  scrape(): Promise<{ contentType: string; text: string }>;
  /** Re-resolves every served model (in every worker under --workers). */
  reload(): Promise<RefreshResult[]>;
  /** The route table, for GET / and 404 hints. */
  routes(): RouteInfo[];
  /** True once shutdown began: answers carry Connection: close. */
  closing: boolean;
}

export interface RouteInfo {
  method: 'GET' | 'POST';
  path: string;
  does: string;
}

/** One request being answered. */
export interface Exchange {
  req: IncomingMessage;
  res: ServerResponse;
  /** performance.now() when the request arrived. */
  t0: number;
  /** Metric labels: the route family, and the model and version that answered ('' when none). */
  route: string;
  model: string;
  version: string;
  status: number;
}

/** Answers with `body` and records the request's metrics. */
export function reply(ctx: ServerContext, ex: Exchange, status: number, body: unknown, headers?: Record<string, string>): void {
  ex.status = status;
  sendJson(ex.res, status, body, ctx.closing ? { ...headers, connection: 'close' } : headers);
  ctx.metrics.request(ex.model, ex.version, ex.route, status, (performance.now() - ex.t0) / 1000);
}

/** Answers a failure in the protocol's words; a bug (500) also goes to the operator with its stack. */
export function replyProblem(ctx: ServerContext, ex: Exchange, protocol: Pick<Protocol, 'error'>, e: unknown): Problem {
  const p = problemOf(e);
  if (p.internal) ctx.notice(`internal error answering ${ex.req.method} ${ex.req.url}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  reply(ctx, ex, p.status, protocol.error(p), p.headers);
  return p;
}
