// `soma compare REF REF...`: metrics with deltas, hyperparameters and input columns of registered
// versions side by side; an aligned table, Markdown (--md) or JSON (--json).

import type { Command } from 'commander';
import type { CommandContext } from './context.js';

export function registerCompare(program: Command, ctx: CommandContext): void {
  program
    .command('compare')
    .description('metrics (with deltas against the first), hyperparameters and input columns of versions side by side')
    .argument('<refs...>', 'two or more of: name, name@1.2.0, name@^1.2, name@alias, name_v1.2.0')
    .option('--split <split>', 'metrics of this split: train, validation or test (backtest for forecasters)', 'test')
    .option('--md', 'print GitHub-flavoured Markdown (for pull requests and CI summaries) on stdout')
    .action(async (refs: string[], flags: { split: string; md?: boolean }, cmd: Command) => {
      const r = ctx.reporter(cmd);
      const { compare } = await import('../pipeline/compare.js');
      const { renderComparisonMarkdown, renderComparisonTable } = await import('../evaluate/compare.js');
      const comparison = await compare({ refs, registryDir: ctx.registryDir(cmd), split: flags.split });
      for (const c of comparison.integrity) if (!c.ok) r.warn(`${c.id} fails its integrity check (loading it exits 6; its metrics may have been edited): ${c.problems.join('; ')}`);
      // Markdown is meant to be redirected into a file or a PR comment, so it goes to stdout.
      if (flags.md && !r.opts.json) ctx.io.stdout.write(renderComparisonMarkdown(comparison));
      else r.result(comparison, () => renderComparisonTable(comparison));
    });
}
