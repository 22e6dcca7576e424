// `soma recommend REF (--users FILE | --user ID | --all-users | --similar ITEM)`: top-k lists
// from a registered recommender, streamed to --output (user, rank, item, score) or printed.

import { InvalidArgumentError, type Command } from 'commander';
import { markDuckDBLoaded } from './lazy.js';
import type { CommandContext } from './context.js';
import { resolvePath } from './validate.js';

export function registerRecommend(program: Command, ctx: CommandContext): void {
  program
    .command('recommend')
    .description('top-k item lists from a registered recommender (task: recommendation), or items similar to one item')
    .argument('<ref>', 'model: name, name@1.2.0, name@^1.2, name@alias or name_v1.2.0')
    .option('--users <file>', 'a file with a column of user ids (CSV, Parquet, ...): a list per row')
    .option('--user-column <name>', 'the user id column of --users (default: the training data\'s user column)')
    .option('--user <id>', 'one user')
    .option('--all-users', 'every user the model knows')
    .option('--similar <item>', 'the items most similar to this item instead of lists for users')
    .option('--k <n>', 'list length (default 10)', (v) => positive('--k', v), 10)
    .option('--exclude-seen', 'leave out items the user interacted with in training (the default)', true)
    .option('--no-exclude-seen', 'keep the items the user interacted with in training')
    .option('--output <file>', 'write rows (user, rank, item, score) to this file (format from the extension), streaming')
    .addHelpText(
      'after',
      `
Unknown users, and users without any training interaction, get the most popular items (counted in
the result as unknown_users and empty_histories). An unknown --similar item is a data error (exit 3).`,
    )
    .action(async (ref: string, flags: { users?: string; userColumn?: string; user?: string; allUsers?: boolean; similar?: string; k: number; excludeSeen: boolean; output?: string }, cmd: Command) => {
      const r = ctx.reporter(cmd);
      markDuckDBLoaded();
      const { recommend } = await import('../pipeline/recommend.js');
      const result = await recommend({
        ref,
        registryDir: ctx.registryDir(cmd),
        ...(flags.users !== undefined ? { usersFile: resolvePath(ctx, flags.users) } : {}),
        ...(flags.userColumn !== undefined ? { userColumn: flags.userColumn } : {}),
        ...(flags.user !== undefined ? { user: flags.user } : {}),
        ...(flags.allUsers ? { allUsers: true } : {}),
        ...(flags.similar !== undefined ? { similar: flags.similar } : {}),
        k: flags.k,
        excludeSeen: flags.excludeSeen,
        ...(flags.output !== undefined ? { output: resolvePath(ctx, flags.output) } : {}),
        onWarning: (m) => r.warn(m),
        onProgress: (done, total) => r.progress('recommending', done, total, 'users'),
      });
      r.endProgress();
      r.result(flags.output !== undefined ? { ...result, output: flags.output } : result, () => {
        if (result.similar) return [`items similar to ${result.similar.item} (${result.id}):`, ...result.similar.items.map((s, i) => `${String(i + 1).padStart(3)}. ${s.item}  ${s.score.toPrecision(4)}`)].join('\n');
        if (result.output !== undefined) return `${r.c.green('✓')} ${result.rows} recommendations for ${result.users} users from ${result.id} → ${flags.output}`;
        return (result.lists ?? [])
          .map((l) => [`user ${l.user}${l.fallback ? ` (${l.fallback.replace('_', ' ')}: most popular items)` : ''}:`, ...l.items.map((s, i) => `${String(i + 1).padStart(3)}. ${s.item}  ${s.score.toPrecision(4)}`)].join('\n'))
          .join('\n');
      });
    });
}

function positive(flag: string, value: string): number {
  const n = Number(value);
  if (!/^\s*\d+\s*$/.test(value) || !Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError(`${flag}: expected a whole number >= 1, got ${JSON.stringify(value)}`);
  return n;
}
