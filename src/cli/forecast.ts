// `soma forecast REF --history FILE [--future FILE] [--horizon N] --output FILE`: future rows from
// a registered forecaster (task: forecasting).

import { InvalidArgumentError, type Command } from 'commander';
import { markDuckDBLoaded } from './lazy.js';
import type { CommandContext } from './context.js';
import { resolvePath } from './validate.js';

export function registerForecast(program: Command, ctx: CommandContext): void {
  program
    .command('forecast')
    .description('forecast every series of a history file with a registered forecaster (task: forecasting)')
    .argument('<ref>', 'model: name, name@1.2.0, name@^1.2, name@alias or name_v1.2.0')
    .requiredOption('--history <file>', 'the series\' history: the training columns (time, series keys, target, known and static columns)')
    .option('--future <file>', 'known columns for the periods ahead (series keys, time, known columns): needed when the model uses forecast.known')
    .option('--horizon <n>', 'periods ahead (default and maximum: the trained forecast.horizon)', (v) => positive('--horizon', v))
    .requiredOption('--output <file>', 'where the rows go (series keys, time, forecast, lower_L, upper_L), format from the extension')
    .addHelpText(
      'after',
      `
Each series is forecast from its own last period. Timestamps off the model's frequency, duplicated
(series, time) rows, gaps (unless the model was trained with forecast.gaps: zero or previous) and
a missing --future value are data errors (exit 3). Local families (naive, seasonal_naive, ets,
theta) are estimated on the given history; global ones use the saved model.`,
    )
    .action(async (ref: string, flags: { history: string; future?: string; horizon?: number; output: string }, cmd: Command) => {
      const r = ctx.reporter(cmd);
      markDuckDBLoaded();
      const { forecast } = await import('../pipeline/forecast.js');
      const result = await forecast({
        ref,
        registryDir: ctx.registryDir(cmd),
        history: resolvePath(ctx, flags.history),
        ...(flags.future !== undefined ? { future: resolvePath(ctx, flags.future) } : {}),
        ...(flags.horizon !== undefined ? { horizon: flags.horizon } : {}),
        output: resolvePath(ctx, flags.output),
        onWarning: (m) => r.warn(m),
      });
      r.result({ ...result, output: flags.output }, () => `${r.c.green('✓')} ${result.rows} forecasts (${result.series} series × ${result.horizon} periods, ${result.family}) from ${result.id} → ${flags.output}`);
    });
}

function positive(flag: string, value: string): number {
  const n = Number(value);
  if (!/^\s*\d+\s*$/.test(value) || !Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError(`${flag}: expected a whole number >= 1, got ${JSON.stringify(value)}`);
  return n;
}
