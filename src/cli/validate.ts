// `soma validate -c F`: schema-checks a config and lists every problem with file:line:col.

import type { Command } from 'commander';
import { SomaError } from '../errors.js';
import type { CommandContext } from './context.js';

export function registerValidate(program: Command, ctx: CommandContext): void {
  program
    .command('validate')
    .description('check a config against the schema; every problem with file:line:col (exit 0 or 2)')
    .option('-c, --config <file>', 'config file', 'soma.yaml')
    .option('--set <key=value>', 'override a config value (repeatable)', collect, [])
    .action(async (opts: { config: string; set: string[] }, cmd: Command) => {
      const r = ctx.reporter(cmd);
      const { readFile } = await import('node:fs/promises');
      const { checkConfig } = await import('../config/load.js');
      const { formatIssue } = await import('../config/issues.js');
      const { registerBuiltinEstimators } = await import('../models/index.js');
      registerBuiltinEstimators();
      const { registerBuiltinTasks } = await import('../tasks/index.js');
      registerBuiltinTasks();
      const file = resolvePath(ctx, opts.config);
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch {
        throw new SomaError('CONFIG_NOT_FOUND', `${opts.config}: cannot read config (no such file)`);
      }
      const { issues } = checkConfig(text, opts.config, { sets: opts.set });
      if (issues.length > 0) {
        throw new SomaError('CONFIG_INVALID', `${opts.config}: ${issues.length} problem${issues.length > 1 ? 's' : ''} in the config\n${issues.map(formatIssue).join('\n')}`, { details: { issues } });
      }
      r.result({ config: opts.config, valid: true, issues: [] }, () => `${r.c.green('✓')} ${opts.config} is valid`);
    });
}

export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

export function resolvePath(ctx: CommandContext, p: string): string {
  return p.startsWith('/') ? p : `${ctx.io.cwd}/${p}`;
}
