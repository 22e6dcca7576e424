// `soma db init [--storage URL | -c soma.yaml]`: creates or migrates soma's tables in a shared
// study's PostgreSQL (what the first `soma tune` on it would do), so a DBA can run it once with
// rights the workers' user need not have. Prints {storage, schema_version, migrated_from}.

import type { Command } from 'commander';
import { SomaError } from '../errors.js';
import type { CommandContext } from './context.js';
import { resolvePath } from './validate.js';

interface DbFlags {
  storage?: string;
  config: string;
}

export function registerDb(program: Command, ctx: CommandContext): void {
  const db = program.command('db').description('shared study storage (PostgreSQL)');
  db.command('init')
    .description('create or migrate soma\'s tables in the study storage (search.storage, or --storage URL); safe to rerun')
    .option('--storage <url>', 'postgresql://user[:password]@host[:port]/database (default: the config\'s search.storage)')
    .option('-c, --config <file>', 'config whose search.storage to use', 'soma.yaml')
    .action(async (flags: DbFlags, cmd: Command) => {
      const r = ctx.reporter(cmd);
      let url = flags.storage;
      if (url === undefined) {
        const { loadConfig } = await import('../config/load.js');
        const loaded = await loadConfig(resolvePath(ctx, flags.config), { sets: [] });
        url = loaded.config.search?.storage;
        if (url === undefined) throw new SomaError('USAGE', `${flags.config}: no search.storage to initialise`, { hint: 'pass --storage postgresql://user@host/db, or set search.storage in the config' });
      }
      const { checkStorageUrl, createPool, redactUrl, storageError } = await import('../search/pg-connect.js');
      const { ensureSchema } = await import('../search/pg-schema.js');
      checkStorageUrl(url, flags.storage !== undefined ? '--storage' : 'search.storage');
      const pool = createPool(url, 1);
      let state: { from: number; to: number };
      try {
        state = await ensureSchema(pool, url);
      } catch (e) {
        throw storageError(e, url);
      } finally {
        await pool.end().catch(() => {});
      }
      const shown = redactUrl(url);
      r.result({ storage: shown, schema_version: state.to, migrated_from: state.from }, () =>
        state.from === state.to ? `${r.c.green('✓')} ${shown}: schema version ${state.to}, already current` : `${r.c.green('✓')} ${shown}: schema version ${state.from} -> ${state.to}`,
      );
    });
}
