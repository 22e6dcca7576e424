// Where the registry lives: `--registry DIR`, else SOMA_REGISTRY, else ./artifacts/registry.
// Kept apart from store.ts so the CLI resolves it without loading the registry itself.

import { resolve as resolvePath } from 'node:path';

/** Where the registry lives when neither `--registry` nor SOMA_REGISTRY says otherwise (relative to cwd). */
export const DEFAULT_REGISTRY_DIR = 'artifacts/registry';

/** SOMA_REGISTRY when set (relative to cwd), else ./artifacts/registry; always absolute. */
export function defaultRegistryDir(env: Readonly<Record<string, string | undefined>>, cwd: string): string {
  const fromEnv = env.SOMA_REGISTRY;
  return resolvePath(cwd, fromEnv !== undefined && fromEnv.trim() !== '' ? fromEnv : DEFAULT_REGISTRY_DIR);
}

/** An explicit `--registry DIR` wins over the environment and the default. */
export function resolveRegistryDir(explicit: string | undefined, env: Readonly<Record<string, string | undefined>>, cwd: string): string {
  return explicit !== undefined && explicit !== '' ? resolvePath(cwd, explicit) : defaultRegistryDir(env, cwd);
}
