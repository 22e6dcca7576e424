// `soma import xgboost MODEL.json --name N --features features.json`: register a model another
// tool trained (see pipeline/import-xgboost.ts for what the features file holds).

import type { Command } from 'commander';
import { SomaError } from '../errors.js';
import type { CommandContext } from './context.js';
import { resolvePath } from './validate.js';

interface ImportFlags {
  name: string;
  features: string;
  data?: string;
  description?: string;
  bump?: string;
  version?: string;
}

export function registerImport(program: Command, ctx: CommandContext): void {
  const imp = program.command('import').description('register a model trained by another tool as a soma version');
  imp
    .command('xgboost')
    .description('register an XGBoost JSON model (gbtree booster; reg:squarederror, reg:absoluteerror, reg:pseudohubererror, count:poisson, binary:logistic, multi:softprob, multi:softmax) as a gbdt version')
    .argument('<model>', 'the XGBoost model file (booster.save_model("model.json"))')
    .requiredOption('--name <name>', 'model name in the registry')
    .requiredOption('--features <file>', 'JSON: {"target": "y", "classes": [...], "features": [{"name": "x", "type": "numeric"}, {"name": "c", "type": "categorical", "categories": ["a", "b"]}]}, in the model\'s feature order (soma\'s own features.json also works)')
    .option('--data <file>', 'labelled data to score the model on (the features file\'s columns and target); recorded as the version\'s test metrics, so compare and promotion gates have numbers')
    .option('--description <text>', 'description recorded in metadata.json')
    .option('--bump <level>', 'force the version bump: major, minor or patch')
    .option('--version <x.y.z>', 'register exactly this version')
    .action(async (model: string, flags: ImportFlags, cmd: Command) => {
      const r = ctx.reporter(cmd);
      if (flags.data) (await import('./lazy.js')).markDuckDBLoaded();
      if (flags.bump !== undefined && !['major', 'minor', 'patch'].includes(flags.bump)) {
        throw new SomaError('USAGE', `--bump ${flags.bump}: expected major, minor or patch`);
      }
      const { importXgboost } = await import('../pipeline/import-xgboost.js');
      const result = await importXgboost({
        model: resolvePath(ctx, model),
        name: flags.name,
        features: resolvePath(ctx, flags.features),
        registryDir: ctx.registryDir(cmd),
        command: ctx.command,
        ...(flags.data ? { data: resolvePath(ctx, flags.data) } : {}),
        ...(flags.description ? { description: flags.description } : {}),
        ...(flags.bump ? { bump: flags.bump as 'major' | 'minor' | 'patch' } : {}),
        ...(flags.version ? { version: flags.version } : {}),
      });
      r.result(result, () => `registered ${result.id}: XGBoost ${result.xgboost_version} ${result.objective}, ${result.trees} trees over ${result.features} features -> ${result.path}`);
    });
}
