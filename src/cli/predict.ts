// `soma predict REF --input F --output F`: streaming batch prediction, file to file, in parallel
// workers, under a lock on the output path.

import { InvalidArgumentError, type Command } from 'commander';
import { markDuckDBLoaded } from './lazy.js';
import type { CommandContext } from './context.js';
import { resolvePath } from './validate.js';
import { addCsvOptions, csvOptionsFrom, type CsvFlags } from './csv-options.js';

export function registerPredict(program: Command, ctx: CommandContext): void {
  const command = program
    .command('predict')
    .description('batch prediction from a registered model, file to file, in chunks')
    .argument('<ref>', 'model: name, name@1.2.0, name@^1.2, name@alias or name_v1.2.0')
    .requiredOption('--input <file>', 'input file or glob (CSV, TSV, Parquet, Arrow IPC, JSON, NDJSON)')
    .requiredOption('--output <file>', 'output file; format from its extension (.csv, .tsv, .parquet, .ndjson)')
    .option('--format <format>', 'input format when the extension does not say')
    .option('--create-dirs', "make the output's directory when it does not exist (otherwise exit 3)")
    .option('--chunk-rows <n>', 'rows per chunk (default 65536; models with lag, rolling or diff steps read the whole input as one chunk unless given)', (v) => wholeNumber('--chunk-rows', v, 1))
    .option('--workers <n>', 'worker threads, each holding the model (default: one per core; 0: predict on the main thread)', (v) => wholeNumber('--workers', v, 0))
    .option('--lock-timeout <seconds>', 'wait this long for another run writing the same output, then exit 6 naming it (default 60)', (v) => seconds('--lock-timeout', v))
    .option('--queue <url>', 'spread the work over soma worker processes through a BullMQ queue on Redis (redis://host:port): one job per input file; --output is then a directory (parts/ and manifest.json)')
    .option('--queue-name <name>', 'with --queue: the queue\'s name (default soma-predict), the one the workers take from');
  addCsvOptions(command).action(
    async (ref: string, flags: { input: string; output: string; format?: string; chunkRows?: number; workers?: number; lockTimeout?: number; createDirs?: boolean; queue?: string; queueName?: string } & CsvFlags, cmd: Command) => {
      const r = ctx.reporter(cmd);
      markDuckDBLoaded();
      if (flags.queue !== undefined) {
        const { predictOnQueue } = await import('../pipeline/predict-queue.js');
        const { checkQueueUrl } = await import('../queue/redis.js');
        checkQueueUrl(flags.queue);
        await ctx.interruptible(async (signal) => {
          const result = await predictOnQueue({
            ref,
            input: resolvePath(ctx, flags.input),
            output: resolvePath(ctx, flags.output),
            queue: flags.queue!,
            ...(flags.queueName ? { queueName: flags.queueName } : {}),
            registryDir: ctx.registryDir(cmd),
            ...(flags.format ? { format: flags.format } : {}),
            onProgress: (done, total) => r.progress('parts', done, total, 'parts'),
            signal,
          });
          r.endProgress();
          r.result(result, () => `${r.c.green('✓')} ${result.rows} predictions from ${result.id} in ${result.parts} parts → ${flags.output} (manifest.json) in ${result.seconds.toFixed(2)}s (${result.rows_per_s} rows/s)`);
        });
        return;
      }
      const { predict } = await import('../pipeline/predict.js');
      await ctx.interruptible(async (signal) => {
        const result = await predict({
          ref,
          input: resolvePath(ctx, flags.input),
          output: resolvePath(ctx, flags.output),
          registryDir: ctx.registryDir(cmd),
          ...(flags.format ? { format: flags.format } : {}),
          ...(flags.createDirs ? { createDirs: true } : {}),
          csv: csvOptionsFrom(flags),
          ...(flags.chunkRows ? { chunkRows: flags.chunkRows } : {}),
          ...(flags.workers !== undefined ? { workers: flags.workers } : {}),
          ...(flags.lockTimeout !== undefined ? { lockTimeoutMs: Math.round(flags.lockTimeout * 1000) } : {}),
          onProgress: (rows) => r.progress('predicting', rows, undefined, 'rows'),
          onWarning: (m) => r.warn(m),
          signal,
        });
        r.endProgress();
        r.result({ ...result, output: flags.output }, () => `${r.c.green('✓')} ${result.rows} predictions from ${result.id} → ${flags.output} in ${result.seconds.toFixed(2)}s (${result.rows_per_s} rows/s)`);
      });
    },
  );
}

function wholeNumber(flag: string, value: string, min: number): number {
  const n = Number(value);
  if (!/^\s*\d+\s*$/.test(value) || !Number.isSafeInteger(n) || n < min) throw new InvalidArgumentError(`${flag}: expected a whole number >= ${min}, got ${JSON.stringify(value)}`);
  return n;
}

function seconds(flag: string, value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0) throw new InvalidArgumentError(`${flag}: expected a number of seconds >= 0, got ${JSON.stringify(value)}`);
  return n;
}
