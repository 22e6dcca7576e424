// The Open Inference Protocol's metadata routes: the server's (`GET /v2`) and a model's
// (`GET /v2/models/{name}[/versions/{v}]`): its served versions, its inputs from features.json
// (numbers as FP64, categories, text and datetimes as BYTES, with soma's type and categories in
// `parameters`; the id column last, as it is required and passed through) and the outputs the task writes.

import { ServeError } from '../errors.js';
import { v2Protocol } from '../protocols/v2.js';
import { VERSION } from '../../version.js';
import { reply, replyProblem, type Exchange, type ServerContext } from './context.js';

export function serverMetadata(ctx: ServerContext, ex: Exchange): void {
  reply(ctx, ex, 200, { name: 'soma', version: VERSION, extensions: [] });
}

export function modelMetadata(ctx: ServerContext, ex: Exchange, name: string, selector: string | undefined): void {
  try {
    ctx.token.check(ex.req);
    const served = ctx.served.get(name);
    if (!served) throw new ServeError('HTTP_NOT_FOUND', `model '${name}' is not served here`, { hint: `served models: ${[...ctx.served.models.keys()].join(', ')}` });
    ex.model = served.name;
    if (!served.routing) throw new ServeError('HTTP_NOT_READY', `${served.name} is still loading`, { headers: { 'retry-after': '1' } });
    const arm = selector !== undefined ? served.find(selector) : served.routing.arms[0];
    if (!arm) throw new ServeError('HTTP_NOT_FOUND', `${served.name} does not serve version '${selector}'`, { hint: `served versions: ${served.versions().map((v) => v.version).join(', ')}` });
    const v = arm.served;
    ex.version = v.version;
    const contract = v.model.contract;
    reply(ctx, ex, 200, {
      name: served.name,
      versions: served.versions().map((x) => x.version),
      platform: `soma-${v.model.resolved.metadata.algorithm}`,
      inputs: [
        ...contract.columns.map((c) => ({
          name: c.name,
          datatype: c.type === 'numeric' ? 'FP64' : 'BYTES',
          shape: [-1],
          parameters: { soma_type: c.type, ...(c.categories ? { categories: c.categories } : {}) },
        })),
        // The id column is read (and required) as soma predict reads it, and passed through to the outputs.
        ...(contract.id ? [{ name: contract.id, datatype: 'BYTES', shape: [-1], parameters: { soma_type: 'id' } }] : []),
      ],
      outputs: v.outputs.map((o) => ({ name: o.name, datatype: o.kind === 'number' ? 'FP64' : 'BYTES', shape: [-1] })),
      parameters: { version: v.version, id: v.id, task: contract.task, arm: arm.label, ...(contract.id ? { id_column: contract.id } : {}) },
    });
  } catch (e) {
    replyProblem(ctx, ex, v2Protocol, e);
  }
}
