import { describe, expect, it } from 'vitest';
import { checkSpace, type SpaceTargets } from '../../src/search/space-check.js';
import { parseSpace } from '../../src/search/space.js';

const params: Record<string, string[]> = { gbdt: ['max_depth', 'learning_rate'], logistic: ['alpha'] };
const targets = (families: string[]): SpaceTargets => ({ families, steps: ['impute', 'scale'], paramsOf: (f) => params[f] ?? [] });
const check = (space: Record<string, unknown>, families = ['gbdt']): void => checkSpace(parseSpace(space as never, families.length > 1 ? families : [], new Set(Object.keys(params))), targets(families));

describe('checkSpace', () => {
  it('when every key names a known param or step, then it passes', () => {
    expect(() => check({ max_depth: [2, 3], 'model.params.learning_rate': [0.1], 'preprocess.1.with_mean': [true], 'preprocess.impute.strategy': ['mean'] })).not.toThrow();
    expect(() => check({ gbdt: { max_depth: [2] }, logistic: { alpha: [1] } }, ['gbdt', 'logistic'])).not.toThrow();
  });

  it('when a model param is misspelt, then CONFIG_INVALID names it, the known params and the likely one', () => {
    expect(() => check({ max_dept: [2, 3] })).toThrow(/search\.space\.max_dept: gbdt has no param "max_dept" \(expected one of max_depth, learning_rate\)/);
    let error: unknown;
    try {
      check({ max_dept: [2, 3] });
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ code: 'CONFIG_INVALID', hint: 'did you mean "max_depth"?' });
  });

  it('when a param is searched under a family that lacks it, then the error names that family', () => {
    expect(() => check({ logistic: { max_depth: [2] } }, ['gbdt', 'logistic'])).toThrow(/logistic has no param "max_depth" \(expected one of alpha\)/);
  });

  it('when a preprocess key names no step, then the error lists the steps by index and name', () => {
    expect(() => check({ 'preprocess.5.x': [1] })).toThrow(/no preprocessing step "5" .*steps: 0:impute, 1:scale/);
    expect(() => check({ 'preprocess.onehot.x': [1] })).toThrow(/no preprocessing step "onehot"/);
  });
});
