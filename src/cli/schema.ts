// `soma schema`: prints the config JSON Schema (the source of configs/soma.schema.json).

import type { Command } from 'commander';
import type { CommandContext } from './context.js';

export function registerSchema(program: Command, ctx: CommandContext): void {
  program
    .command('schema')
    .description('print the config JSON Schema (configs/soma.schema.json is its export)')
    .option('--markdown', 'print the parameter reference tables instead (the README section)')
    .action(async (opts: { markdown?: boolean }) => {
      const { registerBuiltinEstimators } = await import('../models/index.js');
      registerBuiltinEstimators();
      const { registerBuiltinTasks } = await import('../tasks/index.js');
      registerBuiltinTasks();
      if (opts.markdown) {
        const { renderReferenceMarkdown } = await import('../config/docs.js');
        ctx.io.stdout.write(`${renderReferenceMarkdown()}\n`);
        return;
      }
      const { buildConfigSchema } = await import('../config/schema.js');
      ctx.io.stdout.write(`${JSON.stringify(buildConfigSchema(), null, 2)}\n`);
    });
}
