// Operator routes: `GET /` (the route table), `GET /models` (what each served model routes to),
// `GET /metrics` (Prometheus) and `POST /admin/reload` (resolve every served REF again and swap in
// what changed, as SIGHUP does). All need the token when one is set.

import { somaProtocol } from '../protocols/soma.js';
import { VERSION } from '../../version.js';
import { describeRouting } from '../models.js';
import { reply, replyProblem, type Exchange, type ServerContext } from './context.js';

export function index(ctx: ServerContext, ex: Exchange): void {
  try {
    ctx.token.check(ex.req);
    reply(ctx, ex, 200, { name: 'soma', version: VERSION, ready: ctx.served.ready, routes: ctx.routes() });
  } catch (e) {
    replyProblem(ctx, ex, somaProtocol, e);
  }
}

export function listModels(ctx: ServerContext, ex: Exchange): void {
  try {
    ctx.token.check(ex.req);
    reply(ctx, ex, 200, {
      models: [...ctx.served.models.values()].map((m) => ({
        name: m.name,
        ready: m.routing !== null,
        routing: m.routing ? describeRouting(m.routing) : null,
        source: m.routing?.source ?? null,
        arms: m.routing ? m.routing.arms.map((a) => ({ arm: a.label, version: a.served.version, id: a.served.id, weight: a.weight })) : [],
        shadow: m.routing ? m.routing.shadow.map((a) => ({ arm: a.label, version: a.served.version, id: a.served.id })) : [],
        last_error: m.lastError,
      })),
    });
  } catch (e) {
    replyProblem(ctx, ex, somaProtocol, e);
  }
}

export async function metrics(ctx: ServerContext, ex: Exchange): Promise<void> {
  try {
    ctx.token.check(ex.req);
    const { contentType, text } = await ctx.scrape();
    ex.status = 200;
    ex.res.writeHead(200, { 'content-type': contentType, 'content-length': Buffer.byteLength(text) });
    ex.res.end(text);
    ctx.metrics.request('', '', ex.route, 200, (performance.now() - ex.t0) / 1000);
  } catch (e) {
    replyProblem(ctx, ex, somaProtocol, e);
  }
}

export async function reload(ctx: ServerContext, ex: Exchange): Promise<void> {
  try {
    ctx.token.check(ex.req);
    const results = await ctx.reload();
    const failed = results.some((r) => r.error !== undefined);
    reply(ctx, ex, failed ? 409 : 200, { reloaded: !failed, models: results });
  } catch (e) {
    replyProblem(ctx, ex, somaProtocol, e);
  }
}
