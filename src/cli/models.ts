// `soma models list|show`: what the registry holds.

import type { Command } from 'commander';
import type { CommandContext } from './main.js';

export function registerModels(program: Command, ctx: CommandContext): void {
  const models = program.command('models').description('the model registry: list and show versions');

  models
    .command('list')
    .description('models in the registry, or the versions of one model')
    .argument('[name]', 'list the versions of this model')
    .action(async (name: string | undefined, _opts: unknown, cmd: Command) => {
      const r = ctx.reporter(cmd);
      const { listModels, listVersions, renderModelList, renderVersionList } = await import('../pipeline/models.js');
      const dir = ctx.registryDir(cmd);
      if (name === undefined) {
        const rows = await listModels(dir);
        r.result({ registry: dir, models: rows }, () => renderModelList(rows, dir));
      } else {
        const rows = await listVersions(dir, name);
        r.result({ registry: dir, name, versions: rows }, () => renderVersionList(name, rows));
      }
    });

  models
    .command('show')
    .description('metadata, metrics and feature importance of a version')
    .argument('<ref>', 'name, name@1.2.0, name@^1.2, name@alias or name_v1.2.0')
    .action(async (ref: string, _opts: unknown, cmd: Command) => {
      const r = ctx.reporter(cmd);
      const { showModel, renderModel } = await import('../pipeline/models.js');
      const shown = await showModel(ctx.registryDir(cmd), ref);
      r.result(shown.metadata, () => renderModel(shown));
    });
}
