// Registers a tiny model the way the train pipeline will: artifacts in write(), the automatic bump
// in decide(), the metadata body in finalize().

import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { chooseVersion, decideBump, type BumpInputs, type VersionOverride } from '../../../src/registry/bump.js';
import type { RegisteredModel } from '../../../src/registry/register.js';
import type { Registry } from '../../../src/registry/store.js';
import { bodyFor } from './fixtures.js';

export async function registerTiny(
  registry: Registry,
  name: string,
  inputs: BumpInputs,
  opts: { override?: VersionOverride; payload?: string; onNotice?: (m: string) => void } = {},
): Promise<RegisteredModel> {
  return registry.register(
    name,
    {
      write: async (dir) => {
        await mkdir(join(dir, 'model'));
        await writeFile(join(dir, 'model', 'model.json'), JSON.stringify({ kind: 'logistic', payload: opts.payload ?? 'w' }));
        await writeFile(join(dir, 'preprocess.json'), '{"steps":[]}\n');
      },
      decide: ({ latest, existing }) => chooseVersion(existing, decideBump(latest, inputs), opts.override),
      finalize: ({ parent }) => bodyFor(inputs, parent),
    },
    { lockTimeoutMs: 20_000, onNotice: opts.onNotice },
  );
}
