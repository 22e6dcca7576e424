import { describe, expect, it } from 'vitest';
import type { TrialRecord } from '../../src/search/journal.js';
import { bestTrial, familyTable, summarise, type TrialSummary } from '../../src/search/summary.js';

const rec = (trial: number, rung: number, score: number | undefined, budget?: number, state: TrialRecord['state'] = 'complete'): TrialRecord => ({
  trial,
  rung,
  params: { x: trial },
  state,
  ...(score !== undefined ? { score } : {}),
  ...(budget !== undefined ? { budget } : {}),
});

describe('summarise', () => {
  it('when the study is hyperband, then each trial is reported at its last rung and those below the top budget are pruned', () => {
    const s = summarise([rec(0, 0, 0.5, 10), rec(1, 0, 0.7, 10), rec(1, 1, 0.8, 30), rec(2, 0, undefined, 10, 'failed')], true);
    expect(s.map((t) => [t.number, t.state, t.score, t.budget])).toEqual([
      [0, 'pruned', 0.5, 10],
      [1, 'complete', 0.8, 30],
      [2, 'failed', null, 10],
    ]);
  });

  it('when the study is not hyperband, then every record is one trial as journalled', () => {
    expect(summarise([rec(0, 0, 0.1), rec(1, 0, 0.2)], false).map((t) => [t.number, t.state, t.score])).toEqual([
      [0, 'complete', 0.1],
      [1, 'complete', 0.2],
    ]);
  });
});

describe('bestTrial', () => {
  const t = (number: number, score: number | null, state: TrialSummary['state'] = 'complete'): TrialSummary => ({ number, params: {}, score, state });

  it('when trials tie, then the first wins, in the direction asked', () => {
    expect(bestTrial([t(0, 0.3), t(1, 0.9), t(2, 0.9), t(3, null, 'failed')], 'maximize', false)?.number).toBe(1);
    expect(bestTrial([t(0, 0.3), t(1, 0.9), t(2, 0.3)], 'minimize', false)?.number).toBe(0);
  });

  it('when every hyperband trial was pruned, then the best pruned one is taken; otherwise there is none', () => {
    const pruned = [t(0, 0.4, 'pruned'), t(1, 0.6, 'pruned')];
    expect(bestTrial(pruned, 'maximize', true)?.number).toBe(1);
    expect(bestTrial(pruned, 'maximize', false)).toBeUndefined();
  });
});

describe('familyTable', () => {
  it('when families compete, then each row counts its trials and failures and rows are sorted best first, unscored last', () => {
    const trials: TrialSummary[] = [
      { number: 0, params: { 'model.type': 'gbdt' }, score: 0.8, state: 'complete' },
      { number: 1, params: { 'model.type': 'logistic' }, score: 0.9, state: 'complete' },
      { number: 2, params: { 'model.type': 'gbdt' }, score: 0.6, state: 'complete' },
      { number: 3, params: { 'model.type': 'gbdt' }, score: null, state: 'failed' },
      { number: 4, params: { 'model.type': 'mlp' }, score: null, state: 'failed' },
    ];
    expect(familyTable(trials, ['gbdt', 'mlp', 'logistic'], 'maximize')).toEqual([
      { family: 'logistic', trials: 1, failed: 0, best_score: 0.9, mean_score: 0.9, best_trial: 1 },
      { family: 'gbdt', trials: 3, failed: 1, best_score: 0.8, mean_score: 0.7, best_trial: 0 },
      { family: 'mlp', trials: 1, failed: 1, best_score: null, mean_score: null, best_trial: null },
    ]);
  });
});
