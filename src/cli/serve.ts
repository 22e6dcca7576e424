// `soma serve REF...`: online prediction over HTTP. Parses options, builds the server's settings
// (serve.yaml, then the command line), starts src/server/ (one process, or --workers N sharing the
// port), prints the URL and routes once every model is loaded, reloads on SIGHUP and stops
// cleanly on SIGTERM/SIGINT (stops accepting, finishes requests in flight, exits 0).

import { InvalidArgumentError, type Command } from 'commander';
import { SomaError } from '../errors.js';
import type { CommandContext } from './context.js';
import { resolvePath } from './validate.js';

interface ServeFlags {
  host?: string;
  port?: number;
  workers?: number;
  config?: string;
  maxBody?: string;
  token?: string;
  logDir?: string;
  split: string[];
  batchSize?: number;
  maxLatencyMs?: number;
  cacheSize?: number;
  logSample?: number;
}

export function registerServe(program: Command, ctx: CommandContext): void {
  program
    .command('serve')
    .description('serve registered models over HTTP: soma\'s route, the Open Inference Protocol V2 and MLflow /invocations, with micro-batching, a cache, hot swaps, traffic splits and /metrics')
    .argument('<refs...>', 'models to serve, one REF each: name@production, name@^1.2, name@1.2.0, name')
    .option('--host <host>', 'interface to bind (default 127.0.0.1: this machine only)')
    .option('--port <port>', 'port (default 8080; 0 picks a free one)', (v) => whole('--port', v, 0, 65535))
    .option('--workers <n>', 'processes sharing the port, each loading the models once (default 1)', (v) => whole('--workers', v, 1, 64))
    .option('--config <file>', 'serve.yaml: host, port, workers, max_body, log_dir, serving defaults and per-model settings, routes and shadows')
    .option('--max-body <size>', 'largest request body, e.g. 512kb, 10mb (default 10mb); larger ones get 413')
    .option('--token <token>', 'require Authorization: Bearer <token> on every route but health (default: $SOMA_SERVE_TOKEN)')
    .option('--log-dir <dir>', 'write the prediction log under DIR/<model>/ (default: each model\'s serving/ directory in the registry)')
    .option('--split <arms>', 'traffic split, e.g. production=90,staging=10 (with several models: name:production=90,staging=10); repeatable', collect, [])
    .option('--batch-size <n>', 'most rows per predictor call when batching concurrent requests; 1 turns batching off (default 32)', (v) => whole('--batch-size', v, 1, 1_000_000))
    .option('--max-latency-ms <ms>', 'longest a partial batch waits for concurrent requests (default 2)', (v) => number('--max-latency-ms', v, 0, 10_000))
    .option('--cache-size <n>', 'prediction cache rows per served version (default 0: no cache)', (v) => whole('--cache-size', v, 0, 100_000_000))
    .option('--log-sample <share>', 'share of requests written to the prediction log, 0..1 (default 1)', (v) => number('--log-sample', v, 0, 1))
    .addHelpText(
      'after',
      `
Routes: POST /models/{name}/predict (soma), POST /v2/models/{name}/infer (Open Inference V2),
POST /invocations (MLflow), GET /v2/health/live|ready, /ping, /metrics, POST /admin/reload.
Statuses: 400 malformed body, 422 data that does not fit the model (column, row and value named),
404 unknown model or version, 413 body over --max-body, 503 queue full (Retry-After), 401/403 token.
SIGHUP reloads (as POST /admin/reload does); promote/rollback are picked up without it.

Examples:
  soma serve penguins@production
  soma serve penguins@production --split production=90,staging=10 --port 9000
  curl -s localhost:8080/models/penguins/predict -d '{"records": [{"Island": "Dream", "Body Mass (g)": 3500}]}'`,
    )
    .action(async (refs: string[], flags: ServeFlags, cmd: Command) => {
      const r = ctx.reporter(cmd);
      const { defaultServeConfig, loadServeConfig, parseSize, parseSplit } = await import('../server/config.js');
      const config = flags.config ? await loadServeConfig(resolvePath(ctx, flags.config)) : defaultServeConfig();
      if (flags.host !== undefined) config.host = flags.host;
      if (flags.port !== undefined) config.port = flags.port;
      if (flags.workers !== undefined) config.workers = flags.workers;
      if (flags.maxBody !== undefined) config.maxBodyBytes = parseSize(flags.maxBody, '--max-body');
      if (flags.logDir !== undefined) config.logDir = resolvePath(ctx, flags.logDir);
      const token = flags.token ?? ctx.io.env['SOMA_SERVE_TOKEN'];
      if (token !== undefined && token !== '') config.token = token;
      const serving = {
        ...(flags.batchSize !== undefined ? { batchSize: flags.batchSize } : {}),
        ...(flags.maxLatencyMs !== undefined ? { maxLatencyMs: flags.maxLatencyMs } : {}),
        ...(flags.cacheSize !== undefined ? { cacheSize: flags.cacheSize } : {}),
        ...(flags.logSample !== undefined ? { logSample: flags.logSample } : {}),
      };
      const { parseRef } = await import('../registry/ref.js');
      const splits = new Map<string, { arm: string; weight: number }[]>();
      for (const text of flags.split) {
        const s = parseSplit(text);
        const model = s.model ?? (refs.length === 1 ? parseRef(refs[0]!).name : undefined);
        if (model === undefined) throw new SomaError('USAGE', `--split ${text}: name the model (NAME:ARM=W,...) when serving several`);
        splits.set(model, s.arms);
      }
      const registryDir = ctx.registryDir(cmd);
      const { runServe } = await import('../server/run.js');
      await runServe({
        spec: { registryDir, refs, config, serving, splits: [...splits] },
        io: ctx.io,
        onReady: (info) =>
          r.result(info, () =>
            [
              `${r.c.green('✓')} serving at ${info.url}${info.workers > 1 ? ` (${info.workers} workers)` : ''}`,
              ...info.models.map((m) => `  ${m.name}: ${m.routing}`),
              '  routes:',
              ...info.routes.map((x) => `    ${x.method.padEnd(4)} ${x.path}`),
            ].join('\n'),
          ),
        onStopped: () => r.note('stopped: every request answered'),
      });
    });
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function whole(flag: string, value: string, min: number, max: number): number {
  const n = Number(value);
  if (!/^\s*\d+\s*$/.test(value) || !Number.isSafeInteger(n) || n < min || n > max) throw new InvalidArgumentError(`${flag}: expected a whole number from ${min} to ${max}, got ${JSON.stringify(value)}`);
  return n;
}

function number(flag: string, value: string, min: number, max: number): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < min || n > max) throw new InvalidArgumentError(`${flag}: expected a number from ${min} to ${max}, got ${JSON.stringify(value)}`);
  return n;
}
