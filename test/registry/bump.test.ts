import { describe, expect, it } from 'vitest';

import { SomaError } from '../../src/errors.js';
import { chooseVersion, decideBump } from '../../src/registry/bump.js';
import { penguinInputs } from './helpers/fixtures.js';

const prev = penguinInputs();

describe('decideBump', () => {
  it('when there is no previous version, then it is the first version', () => {
    expect(decideBump(undefined, prev)).toEqual({ level: 'initial', reason: 'first version' });
  });

  it('when nothing changed, then it is a patch rerun', () => {
    expect(decideBump(prev, penguinInputs())).toEqual({ level: 'patch', reason: 'nothing changed (rerun)' });
  });

  it('when only the data changed, then it is a patch naming the data', () => {
    const d = decideBump(prev, penguinInputs({ data_sha256: 'e'.repeat(64), rows: 350 }));
    expect(d).toEqual({ level: 'patch', reason: 'training data changed (rows 344 → 350)' });
  });

  it('when the task changes, then it is major', () => {
    const d = decideBump(prev, penguinInputs({ task: 'regression' }));
    expect(d.level).toBe('major');
    expect(d.reason).toContain('task changed: classification → regression');
  });

  it('when the target changes, then it is major', () => {
    const d = decideBump(prev, penguinInputs({ target: 'sex' }));
    expect(d.level).toBe('major');
    expect(d.reason).toContain("target changed: 'species' → 'sex'");
  });

  it('when the model family changes, then it is major', () => {
    const d = decideBump(prev, penguinInputs({ algorithm: 'gbdt' }));
    expect(d).toEqual({ level: 'major', reason: 'model family changed: logistic → gbdt' });
  });

  it('when a feature is removed, then it is major naming the feature', () => {
    const d = decideBump(prev, penguinInputs({ features: prev.features.filter((f) => f.name !== 'island') }));
    expect(d).toEqual({ level: 'major', reason: "feature 'island' removed" });
  });

  it('when a feature is renamed, then it is major naming both names', () => {
    const features = prev.features.map((f) => (f.name === 'island' ? { ...f, name: 'isle' } : f));
    const d = decideBump(prev, penguinInputs({ features }));
    expect(d.level).toBe('major');
    expect(d.reason).toBe("feature 'island' removed; feature 'isle' added");
  });

  it('when a feature is retyped, then it is major naming both types', () => {
    const features = prev.features.map((f) => (f.name === 'island' ? { ...f, type: 'text' } : f));
    expect(decideBump(prev, penguinInputs({ features }))).toEqual({ level: 'major', reason: "feature 'island' retyped: categorical → text" });
  });

  it('when a feature is added, then it is minor', () => {
    const d = decideBump(prev, penguinInputs({ features: [...prev.features, { name: 'sex', type: 'categorical' }] }));
    expect(d).toEqual({ level: 'minor', reason: "feature 'sex' added" });
  });

  it('when the features are only reordered, then nothing changed', () => {
    expect(decideBump(prev, penguinInputs({ features: [...prev.features].reverse() })).level).toBe('patch');
  });

  it('when preprocessing changes, then it is minor', () => {
    expect(decideBump(prev, penguinInputs({ preprocess_sha256: 'b'.repeat(64) }))).toEqual({ level: 'minor', reason: 'preprocessing changed' });
  });

  it('when hyperparameters change, then it is minor listing each change', () => {
    const d = decideBump({ ...prev, hyperparameters: { max_depth: 6, eta: 0.1 } }, penguinInputs({ hyperparameters: { max_depth: 8, eta: 0.1, subsample: 0.8 } }));
    expect(d).toEqual({ level: 'minor', reason: 'hyperparameters changed: max_depth 6 → 8, subsample (unset) → 0.8' });
  });

  it('when hyperparameters differ only in key order, then nothing changed', () => {
    expect(decideBump(prev, penguinInputs({ hyperparameters: { l2: 0.1, max_iter: 100 } })).level).toBe('patch');
  });

  it('when only ignored params differ (the previous one recorded n_jobs, the rerun leaves it unset), then nothing changed', () => {
    const before = { ...prev, hyperparameters: { max_iter: 100, l2: 0.1, n_jobs: 0 } };
    expect(decideBump(before, penguinInputs(), { ignoreParams: ['n_jobs'] })).toEqual({ level: 'patch', reason: 'nothing changed (rerun)' });
    expect(decideBump(before, penguinInputs({ hyperparameters: { max_iter: 100, l2: 0.1, n_jobs: 4 } }), { ignoreParams: ['n_jobs'] }).level).toBe('patch');
    // Not ignored, the same difference is a change.
    expect(decideBump(before, penguinInputs()).reason).toBe('hyperparameters changed: n_jobs 0 → (unset)');
  });

  it('when major and minor changes come together, then major wins and both are named', () => {
    const d = decideBump(prev, penguinInputs({ algorithm: 'gbdt', hyperparameters: { max_iter: 200, l2: 0.1 } }));
    expect(d).toEqual({ level: 'major', reason: 'model family changed: logistic → gbdt; hyperparameters changed: max_iter 100 → 200' });
  });
});

describe('chooseVersion', () => {
  const decision = { level: 'minor' as const, reason: 'preprocessing changed' };

  it('when the model is new, then the version is 1.0.0', () => {
    expect(chooseVersion([], { level: 'initial', reason: 'first version' })).toEqual({ version: '1.0.0', bump: { level: 'initial', reason: 'first version' } });
  });

  it('when versions exist, then the bump starts from the highest by semver', () => {
    expect(chooseVersion(['1.9.0', '1.10.0', '1.2.0'], decision).version).toBe('1.11.0');
  });

  it('when --bump is given, then it overrides the rule and the reason says so', () => {
    const c = chooseVersion(['1.2.0'], decision, { bump: 'major' });
    expect(c.version).toBe('2.0.0');
    expect(c.bump.level).toBe('major');
    expect(c.bump.reason).toContain('--bump major');
    expect(c.bump.reason).toContain('preprocessing changed');
  });

  it('when --version names a new version, then it is used', () => {
    expect(chooseVersion(['1.2.0'], decision, { version: '3.0.0' })).toMatchObject({ version: '3.0.0', bump: { level: 'major' } });
  });

  it('when --version names an existing version, then REGISTRY_CONFLICT', () => {
    expect(() => chooseVersion(['1.0.0', '1.2.0'], decision, { version: '1.2.0' })).toThrow(SomaError);
    try {
      chooseVersion(['1.0.0', '1.2.0'], decision, { version: '1.2.0' });
    } catch (e) {
      expect((e as SomaError).code).toBe('REGISTRY_CONFLICT');
      expect((e as SomaError).exitCode).toBe(6);
      expect((e as SomaError).hint).toContain('1.2.1');
    }
  });

  it('when --bump is not a level, then USAGE', () => {
    expect(() => chooseVersion(['1.0.0'], decision, { bump: 'huge' })).toThrow(/invalid --bump 'huge'/);
  });
});
