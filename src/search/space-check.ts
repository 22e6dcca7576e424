// Checks a parsed search space against what it tunes, before any trial runs: every model param
// must be one the families it applies to know, and every preprocess key must name a step, so a
// typo fails at once with the known names instead of failing every trial.

import { SomaError } from '../errors.js';
import { suggest } from '../config/suggest.js';
import { FAMILY_PARAM, type SearchSpace } from './space.js';

export interface SpaceTargets {
  /** The model families of the study (the config's `model.type`, one or a list). */
  families: readonly string[];
  /** The names of the preprocessing steps, in order (a key may name one by index or by name). */
  steps: readonly string[];
  /** The params a family takes (the property names of its params schema). */
  paramsOf: (family: string) => readonly string[];
}

/** Throws CONFIG_INVALID naming the space key, what it asked for and what exists. */
export function checkSpace(space: SearchSpace, targets: SpaceTargets): void {
  const { families, steps } = targets;
  for (const d of space.dims) {
    if (d.name === FAMILY_PARAM) continue;
    if (d.name.startsWith('preprocess.')) {
      const [, which, param] = d.name.split('.');
      const ok = /^\d+$/.test(which!) ? Number(which) < steps.length : steps.includes(which!);
      if (!ok || !param) {
        throw new SomaError('CONFIG_INVALID', `search.space.${d.name}: no preprocessing step "${which}" (expected preprocess.<index or step name>.<param>; steps: ${steps.map((s, i) => `${i}:${s}`).join(', ') || 'none'})`);
      }
      continue;
    }
    const name = d.name.startsWith('model.params.') ? d.name.slice('model.params.'.length) : d.name;
    const applies = d.condition ? d.condition.values.map(String) : families;
    const known = [...new Set(applies.flatMap(targets.paramsOf))];
    if (!known.includes(name)) {
      const near = suggest(name, known);
      throw new SomaError('CONFIG_INVALID', `search.space.${d.name}: ${applies.join(', ')} ha${applies.length > 1 ? 've' : 's'} no param "${name}" (expected one of ${known.join(', ')})`, {
        ...(near ? { hint: `did you mean "${near}"?` } : {}),
      });
    }
  }
}
