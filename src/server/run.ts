// Running `soma serve` until it is stopped: one server in this process, or a cluster of workers;
// the ready report (URL, what each model routes to, the routes), SIGHUP as reload, SIGTERM and
// SIGINT as a graceful stop. The CLI command calls this and renders the report.

import type { CliIO } from '../cli/io.js';
import { Registry } from '../registry/store.js';
import { startCluster, type ServeSpec } from './cluster.js';
import { summariseServed, type ServedSummary } from './models.js';
import { ROUTES, startServer } from './server.js';
import type { RouteInfo } from './routes/context.js';

export interface ReadyInfo {
  url: string;
  host: string;
  port: number;
  pid: number;
  workers: number;
  models: ServedSummary[];
  routes: RouteInfo[];
}

export interface RunServeOptions {
  spec: ServeSpec;
  io: Pick<CliIO, 'stderr' | 'onInterrupt' | 'onHangup'>;
  onReady(info: ReadyInfo): void;
  onStopped(): void;
}

/** Serves until SIGTERM/SIGINT, then stops gracefully and resolves. */
export async function runServe(o: RunServeOptions): Promise<void> {
  const notice = (m: string): void => void o.io.stderr.write(m.endsWith('\n') ? m : `${m}\n`);
  const { spec } = o;
  let stop: () => Promise<void>;
  let reload: () => Promise<unknown>;
  if (spec.config.workers > 1) {
    const c = await startCluster(spec, spec.config.workers, notice);
    o.onReady({ url: c.url, host: c.host, port: c.port, pid: process.pid, workers: c.workers, models: c.models, routes: ROUTES });
    stop = c.close;
    reload = c.reload;
  } else {
    const { server, url, host, port } = await startServer({
      io: { stderr: o.io.stderr },
      registry: new Registry(spec.registryDir),
      refs: spec.refs,
      config: spec.config,
      serving: spec.serving,
      splits: new Map(spec.splits),
    });
    o.onReady({ url, host, port, pid: process.pid, workers: 1, models: summariseServed(server.served), routes: ROUTES });
    stop = () => server.close();
    reload = () => server.reload();
  }
  await new Promise<void>((resolve) => {
    const offHangup = o.io.onHangup?.(() => void reload());
    const offInterrupt = o.io.onInterrupt?.(() => {
      offHangup?.();
      resolve();
    }, ['SIGINT', 'SIGTERM']);
    if (!o.io.onInterrupt) void offInterrupt;
  });
  await stop();
  o.onStopped();
}
