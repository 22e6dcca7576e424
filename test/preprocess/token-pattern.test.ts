import { describe, expect, it } from 'vitest';
import { tokenPatternProblem } from '../../src/preprocess/token-pattern.js';

describe('tokenPatternProblem', () => {
  it('when a pattern is a single repetition at the end of each alternative, then it is accepted', () => {
    for (const p of ['[\\p{L}\\p{N}_]{2,}', '\\b\\w\\w+\\b', '[a-z]+|\\d+', '#\\w+', '\\w', '(?:ab|cd)\\d{1,3}', '[^\\s,]+', 'x{2,5}', '\\p{L}+?', '(?<=#)\\w+', '[a-z]{1,20}\\d*']) {
      expect(tokenPatternProblem(p), p).toBeUndefined();
    }
  });

  it('when a pattern nests repetitions, repeats an alternation, backreferences or fails after a repetition, then it is refused with why', () => {
    const cases: [string, RegExp][] = [
      ['(a+)+$', /group \(a\+\) holds an unbounded repetition/],
      ['(a|a)*b', /repeated without bound/],
      ['(?:a|b){2,5}', /alternation .* is repeated/],
      ['(\\w)\\1', /backreference/],
      ['a+b', /a\+ is followed by b/],
      ['\\d+\\b', /followed by \\b/],
      ['\\w+\\s+\\w+', /two unbounded|followed by/],
      ['[a-z]+$', /followed by \$/],
      ['(?=\\w+x)\\w', /holds an unbounded/],
    ];
    for (const [p, why] of cases) expect(tokenPatternProblem(p), p).toMatch(why);
  });
});
