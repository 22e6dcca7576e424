// Health checks, open even when a token is set: liveness (the process answers), readiness (every
// served model has loaded; false until then), per model readiness, and MLflow's /ping and /health.

import { ServeError } from '../errors.js';
import type { Protocol } from '../protocols/protocol.js';
import { reply, replyProblem, type Exchange, type ServerContext } from './context.js';

export function live(ctx: ServerContext, ex: Exchange): void {
  reply(ctx, ex, 200, { live: true });
}

export function ready(ctx: ServerContext, ex: Exchange): void {
  const ok = ctx.served.ready && !ctx.closing;
  reply(ctx, ex, ok ? 200 : 503, { ready: ok, ...(ctx.closing ? { closing: true } : {}) }, ok ? undefined : { 'retry-after': '1' });
}

/** GET /v2/models/{name}[/versions/{v}]/ready */
export function modelReady(ctx: ServerContext, ex: Exchange, protocol: Protocol, name: string, selector: string | undefined): void {
  const served = ctx.served.get(name);
  if (!served) {
    replyProblem(ctx, ex, protocol, new ServeError('HTTP_NOT_FOUND', `model '${name}' is not served here`, { hint: `served models: ${[...ctx.served.models.keys()].join(', ')}` }));
    return;
  }
  ex.model = served.name;
  if (selector !== undefined && served.routing && !served.find(selector)) {
    replyProblem(ctx, ex, protocol, new ServeError('HTTP_NOT_FOUND', `${served.name} does not serve version '${selector}'`));
    return;
  }
  const ok = served.routing !== null && !ctx.closing;
  reply(ctx, ex, ok ? 200 : 503, { name: served.name, ...(selector !== undefined ? { version: selector } : {}), ready: ok });
}
