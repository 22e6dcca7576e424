// `soma worker --queue URL [--concurrency N] [--stall-timeout S]`: takes the prediction jobs
// `soma predict --queue` puts on a BullMQ queue, on any machine that sees the registry and the
// files, until Ctrl-C or SIGTERM (running jobs finish first; a second signal stops at once and
// the jobs are picked up by other workers once their locks expire).

import { InvalidArgumentError, type Command } from 'commander';
import { markDuckDBLoaded } from './lazy.js';
import type { CommandContext } from './context.js';

interface WorkerFlags {
  queue: string;
  queueName?: string;
  concurrency: number;
  stallTimeout: number;
}

export function registerWorker(program: Command, ctx: CommandContext): void {
  program
    .command('worker')
    .description('process the batch prediction jobs of soma predict --queue (BullMQ on Redis) until stopped')
    .requiredOption('--queue <url>', 'the queue\'s Redis: redis://[:password@]host[:port][/db]')
    .option('--queue-name <name>', 'the queue (default soma-predict); the same as soma predict --queue-name')
    .option('--concurrency <n>', 'jobs at once, each on a worker thread (default 1)', (v) => positive('--concurrency', v, true), 1)
    .option('--stall-timeout <seconds>', 'a job whose worker stops renewing its lock this long is given to another worker (default 30)', (v) => positive('--stall-timeout', v, false), 30)
    .action(async (flags: WorkerFlags, cmd: Command) => {
      const r = ctx.reporter(cmd);
      markDuckDBLoaded();
      const { runWorker } = await import('../pipeline/predict-queue.js');
      const { redactUrl } = await import('../util/url.js');
      const controller = new AbortController();
      // A stop signal ends the loop normally: stopping is what a worker is for, not a failure.
      const stop = (): void => controller.abort();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      try {
        r.note(`worker on ${redactUrl(flags.queue)} (concurrency ${flags.concurrency}); Ctrl-C to stop`);
        const out = await runWorker({
          queue: flags.queue,
          ...(flags.queueName ? { queueName: flags.queueName } : {}),
          registryDir: ctx.registryDir(cmd),
          concurrency: flags.concurrency,
          stallTimeoutS: flags.stallTimeout,
          signal: controller.signal,
          onJob: (event, d, detail) => r.note(`${event} ${d.ref} ${d.input} → ${d.part} (${detail})`),
        });
        r.result(out, () => `${r.c.green('✓')} worker stopped: ${out.completed} jobs done, ${out.failed} failed attempts`);
      } finally {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
      }
    });
}

function positive(flag: string, value: string, integer: boolean): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) throw new InvalidArgumentError(`${flag}: expected ${integer ? 'a whole number' : 'a number'} > 0, got ${JSON.stringify(value)}`);
  return n;
}
