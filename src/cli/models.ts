// `soma models list|show|promote|rollback|tag|history|verify|rm|gc|rollout`: what the registry holds and
// its lifecycle. Parsing and rendering only; the work is in pipeline/models.ts and lifecycle.ts.

import { InvalidArgumentError, type Command } from 'commander';
import type { CommandContext } from './context.js';

export function registerModels(program: Command, ctx: CommandContext): void {
  const models = program.command('models').description('the model registry: list, show, promote, roll back, tag, audit, verify, remove, roll out gradually');

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
      // The metadata as registered, plus the mutable registry state that belongs to this version.
      if (!shown.integrity.ok) r.warn(`${shown.id} fails its integrity check: ${shown.integrity.problems.join('; ')}`);
      r.result({ ...shown.metadata, aliases: shown.aliases, tags: shown.tags, integrity: shown.integrity }, () => renderModel(shown));
    });

  models
    .command('promote')
    .description('point an alias (production, staging, ...) at a version, optionally only if it meets gates')
    .argument('<ref>', 'the version to promote: name@1.2.0, name_v1.2.0, name@staging, name (latest)')
    .requiredOption('--to <alias>', 'the alias to set, e.g. production')
    .option('--reason <text>', 'why, recorded in the audit log')
    .option('--require <gate>', 'a gate on the recorded test metrics, e.g. "f1_macro >= 0.9" (repeatable; a failure exits 4)', collect, [])
    .action(async (ref: string, flags: { to: string; reason?: string; require: string[] }, cmd: Command) => {
      const r = ctx.reporter(cmd);
      const { promote, renderPromote } = await import('../pipeline/lifecycle.js');
      const result = await promote({ registryDir: ctx.registryDir(cmd), ref, alias: flags.to, require: flags.require, ...reason(flags), onNotice: (m) => r.warn(m), command: ctx.command });
      r.result(result, () => renderPromote(result));
    });

  models
    .command('rollback')
    .description('move an alias back to the version that held it before')
    .argument('<name>', 'model name')
    .requiredOption('--alias <alias>', 'the alias to roll back, e.g. production')
    .option('--reason <text>', 'why, recorded in the audit log')
    .action(async (name: string, flags: { alias: string; reason?: string }, cmd: Command) => {
      const r = ctx.reporter(cmd);
      const { rollback, renderRollback } = await import('../pipeline/lifecycle.js');
      const result = await rollback({ registryDir: ctx.registryDir(cmd), name, alias: flags.alias, ...reason(flags), onNotice: (m) => r.warn(m), command: ctx.command });
      r.result(result, () => renderRollback(result));
    });

  models
    .command('tag')
    .description('set (key=value) or remove (--remove key) tags of a version; kept in <model>/tags.json')
    .argument('<ref>', 'the version: name@1.2.0, name_v1.2.0, name@alias, name (latest)')
    .argument('[pairs...]', 'key=value pairs')
    .option('--remove <key>', 'remove this tag (repeatable)', collect, [])
    .option('--reason <text>', 'why, recorded in the audit log')
    .action(async (ref: string, pairs: string[], flags: { remove: string[]; reason?: string }, cmd: Command) => {
      const r = ctx.reporter(cmd);
      const { tag, renderTags } = await import('../pipeline/lifecycle.js');
      const result = await tag({ registryDir: ctx.registryDir(cmd), ref, pairs, remove: flags.remove, ...reason(flags), onNotice: (m) => r.warn(m), command: ctx.command });
      r.result(result, () => renderTags(result));
    });

  models
    .command('history')
    .description('the audit log: registrations, promotions, rollbacks, tags and removals (who, when, from, to, why)')
    .argument('<name>', 'model name')
    .option('--alias <alias>', 'only events about this alias')
    .action(async (name: string, flags: { alias?: string }, cmd: Command) => {
      const r = ctx.reporter(cmd);
      const { history, renderHistory } = await import('../pipeline/lifecycle.js');
      const result = await history({ registryDir: ctx.registryDir(cmd), name, ...(flags.alias !== undefined ? { alias: flags.alias } : {}) });
      r.result(result, () => renderHistory(result));
    });

  models
    .command('verify')
    .description('re-hash every artifact; exit 6 naming each changed, missing or unexpected file')
    .argument('[ref]', 'a model name (all its versions) or one version; default: every model')
    .action(async (ref: string | undefined, _opts: unknown, cmd: Command) => {
      const r = ctx.reporter(cmd);
      const { verify, renderVerify } = await import('../pipeline/lifecycle.js');
      const result = await verify({ registryDir: ctx.registryDir(cmd), ...(ref !== undefined ? { ref } : {}) });
      r.result(result, () => renderVerify(result));
    });

  models
    .command('rm')
    .description('remove one version (refused while an alias points to it, unless --force)')
    .argument('<ref>', 'the exact version: name@1.2.0 or name_v1.2.0')
    .option('--force', 'also remove the aliases that point to it')
    .option('--reason <text>', 'why, recorded in the audit log')
    .action(async (ref: string, flags: { force?: boolean; reason?: string }, cmd: Command) => {
      const r = ctx.reporter(cmd);
      const { removeModelVersion, renderRemove } = await import('../pipeline/lifecycle.js');
      const result = await removeModelVersion({ registryDir: ctx.registryDir(cmd), ref, force: Boolean(flags.force), ...reason(flags), onNotice: (m) => r.warn(m), command: ctx.command });
      r.result(result, () => renderRemove(result));
    });

  models
    .command('gc')
    .description('remove old versions, keeping the N newest of each model and every aliased one')
    .argument('[name]', 'only this model (default: every model)')
    .requiredOption('--keep <n>', 'how many of the newest versions to keep', parseCount)
    .option('--dry-run', 'only say what would be removed')
    .option('--reason <text>', 'why, recorded in the audit log')
    .action(async (name: string | undefined, flags: { keep: number; dryRun?: boolean; reason?: string }, cmd: Command) => {
      const r = ctx.reporter(cmd);
      const { gc, renderGc } = await import('../pipeline/lifecycle.js');
      const result = await gc({
        registryDir: ctx.registryDir(cmd),
        ...(name !== undefined ? { name } : {}),
        keep: flags.keep,
        dryRun: Boolean(flags.dryRun),
        ...reason(flags),
        onNotice: (m) => r.warn(m),
        command: ctx.command,
      });
      r.result(result, () => renderGc(result));
    });

  registerRollout(models, ctx);
}

export function registerRollout(models: Command, ctx: CommandContext): void {
  models
    .command('rollout')
    .description('move traffic from one alias\'s version to another\'s in steps, judged on the prediction log; roll back by itself when the new one is worse')
    .argument('<name>', 'model name')
    .requiredOption('--to <alias>', 'the alias whose version takes over, e.g. staging')
    .option('--from <alias>', 'the alias serving now (default production)')
    .option('--steps <percents>', 'shares of traffic for the new version, ending at 100 (default 10,25,50,100)', parseSteps)
    .requiredOption('--every <duration>', 'how long each step runs before it is judged: 30s, 10m, 1h', parseDuration)
    .option('--max-error-rate <x>', 'roll back when the new version\'s error rate (5xx and 422) exceeds the old one\'s by more than this (default 0.01)', (v) => parseFraction('--max-error-rate', v))
    .option('--max-p99-ms <ms>', 'roll back when the new version\'s p99 latency exceeds the old one\'s by more than this many ms', (v) => parseMs('--max-p99-ms', v))
    .option('--min-requests <n>', 'requests the new version needs in a step to be judged (default 20)', parseCount)
    .option('--log-dir <dir>', 'the --log-dir the servers write the prediction log to')
    .option('--no-promote', 'leave all traffic on the new version through routes.json instead of promoting --from to it')
    .option('--reason <text>', 'why, recorded in the audit log')
    .action(async (name: string, flags: { to: string; from?: string; steps?: number[]; every: number; maxErrorRate?: number; maxP99Ms?: number; minRequests?: number; logDir?: string; promote: boolean; reason?: string }, cmd: Command) => {
      const r = ctx.reporter(cmd);
      const { rollout, renderRollout } = await import('../pipeline/rollout.js');
      const { SomaError } = await import('../errors.js');
      const { resolvePath } = await import('./validate.js');
      const result = await ctx.interruptible((signal) =>
        rollout({
          registryDir: ctx.registryDir(cmd),
          name,
          to: flags.to,
          ...(flags.from !== undefined ? { from: flags.from } : {}),
          ...(flags.steps ? { steps: flags.steps } : {}),
          everyMs: flags.every,
          ...(flags.maxErrorRate !== undefined ? { maxErrorRate: flags.maxErrorRate } : {}),
          ...(flags.maxP99Ms !== undefined ? { maxP99Ms: flags.maxP99Ms } : {}),
          ...(flags.minRequests !== undefined ? { minRequests: flags.minRequests } : {}),
          ...(flags.logDir !== undefined ? { logDir: resolvePath(ctx, flags.logDir) } : {}),
          promote: flags.promote,
          ...reason(flags),
          command: ctx.command,
          signal,
          onStep: (s) => r.note(s.verdict === 'running' ? `  ${s.step}% of ${name} traffic to ${flags.to}` : `  ${s.step}%: ${s.verdict}${s.why ? ` (${s.why})` : ''}`),
        }),
      );
      if (result.outcome === 'rolled_back') {
        throw new SomaError('GATE_FAILED', renderRollout(result), { details: result as unknown as Record<string, unknown> });
      }
      r.result(result, () => renderRollout(result));
    });
}

function parseSteps(value: string): number[] {
  const steps = value.split(',').map((s) => Number(s.trim()));
  if (steps.some((s) => !Number.isFinite(s))) throw new InvalidArgumentError(`expected percentages such as 10,25,50,100, got ${JSON.stringify(value)}`);
  return steps;
}

/** `30s`, `10m`, `1h`, `500ms`, or seconds -> milliseconds. */
function parseDuration(value: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/.exec(value);
  if (!m) throw new InvalidArgumentError(`expected a duration such as 30s, 10m or 1h, got ${JSON.stringify(value)}`);
  const ms = Number(m[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[(m[2] ?? 's') as 'ms' | 's' | 'm' | 'h'];
  if (ms <= 0) throw new InvalidArgumentError(`expected a duration above 0, got ${JSON.stringify(value)}`);
  return ms;
}

function parseFraction(flag: string, value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !(n >= 0 && n <= 1)) throw new InvalidArgumentError(`${flag}: expected a share from 0 to 1, got ${JSON.stringify(value)}`);
  return n;
}

function parseMs(flag: string, value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !(n >= 0)) throw new InvalidArgumentError(`${flag}: expected milliseconds >= 0, got ${JSON.stringify(value)}`);
  return n;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function reason(flags: { reason?: string }): { reason?: string } {
  return flags.reason !== undefined ? { reason: flags.reason } : {};
}

function parseCount(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n)) {
    throw new InvalidArgumentError(`expected a whole number >= 0, got ${JSON.stringify(value)}`);
  }
  return n;
}
