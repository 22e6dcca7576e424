import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { GpSampler } from '../../src/search/gp.js';
import { StudyJournal, readJournal, type StudyHeader } from '../../src/search/journal.js';
import { RandomSampler } from '../../src/search/random.js';
import { runStudy, samplerPlan, type Executor, type Job, type JobOutcome, type StudyRun } from '../../src/search/scheduler.js';
import { parseSpace, type Params } from '../../src/search/space.js';
import { TpeSampler } from '../../src/search/tpe.js';

const space = parseSpace({ x: { uniform: [-5, 10] }, y: { uniform: [0, 15] }, k: { choice: ['a', 'b'] } }, [], new Set());
const f = (p: Params): number => ((p['x'] as number) - 1) ** 2 + ((p['y'] as number) - 3) ** 2 + (p['k'] === 'a' ? 0 : 2);

/** Runs jobs `slots` at a time, finishing them in a scrambled order (as parallel workers do). */
class ScrambledExecutor implements Executor {
  calls: number[] = [];
  constructor(
    readonly slots: number,
    private readonly fn: (job: Job) => JobOutcome = (job) => ({ ok: true, score: f(job.params) }),
  ) {}
  async run(job: Job): Promise<JobOutcome> {
    this.calls.push(job.trial);
    // Later trials in a batch tend to finish first.
    await new Promise((r) => setTimeout(r, ((job.trial * 7) % 5) * 2));
    return this.fn(job);
  }
  async close(): Promise<void> {}
}

const gpPlan = (seed: number, trials = 16): ReturnType<typeof samplerPlan> => samplerPlan(new GpSampler(space, { startup: 5, seed }), seed, trials, 4, 'minimize', 5);

describe('runStudy', () => {
  it('when the same seeded study runs with 1, 3 and 8 slots, then every trial has the same params and score', async () => {
    const runs: StudyRun[] = [];
    for (const slots of [1, 3, 8]) runs.push(await runStudy({ plan: gpPlan(11), executor: new ScrambledExecutor(slots) }));
    const view = (r: StudyRun): unknown => r.records.map((x) => [x.trial, x.params, x.score]);
    expect(runs[0]!.records).toHaveLength(16);
    expect(view(runs[1]!)).toEqual(view(runs[0]!));
    expect(view(runs[2]!)).toEqual(view(runs[0]!));
  });

  it('when a trial throws, then it is recorded as failed with its error and the study goes on', async () => {
    const exec = new ScrambledExecutor(2, (job) => {
      if (job.trial === 2) throw new Error('boom in trial 2');
      return { ok: true, score: f(job.params) };
    });
    const run = await runStudy({ plan: samplerPlan(new RandomSampler(space), 1, 6, 6, 'minimize'), executor: exec });
    expect(run.records.map((r) => r.state)).toEqual(['complete', 'complete', 'failed', 'complete', 'complete', 'complete']);
    expect(run.records[2]!.error).toBe('boom in trial 2');
  });

  it('when the timeout passes, then no new trial starts and the run says so', async () => {
    const exec = new ScrambledExecutor(1, (job) => {
      const end = Date.now() + 30;
      while (Date.now() < end);
      return { ok: true, score: f(job.params) };
    });
    const run = await runStudy({ plan: samplerPlan(new RandomSampler(space), 1, 50, 50, 'minimize'), executor: exec, timeoutS: 0.1 });
    expect(run.stopped).toBe('timeout');
    expect(run.records.length).toBeGreaterThan(0);
    expect(run.records.length).toBeLessThan(10);
  });

  it('when the signal aborts while every slot is busy, then the run stops at once and leaves the running trials unrecorded', async () => {
    const abort = new AbortController();
    let started = 0;
    const exec: Executor = {
      slots: 2,
      run: (job) => {
        started++;
        if (started === 2) setTimeout(() => abort.abort(), 5);
        return new Promise((resolve) => setTimeout(() => resolve({ ok: true, score: f(job.params) }), 200));
      },
      close: async () => {},
    };
    const t0 = Date.now();
    const run = await runStudy({ plan: samplerPlan(new RandomSampler(space), 1, 10, 10, 'minimize'), executor: exec, signal: abort.signal });
    expect(run.stopped).toBe('aborted');
    expect(run.records).toHaveLength(0);
    expect(Date.now() - t0).toBeLessThan(150);
  });
});

describe('study journal and resume', () => {
  const header: StudyHeader = { study: 's1', fingerprint: 'abc', method: 'bayesian', metric: 'rmse', direction: 'minimize', seed: 3 };

  it('when a journal is cut as a crash leaves it (a finished trial lost, one left started, a torn last line), then resume re-runs only what is missing and the study ends with every trial exactly once', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'soma-journal-'));
    const file = path.join(dir, 'journal.jsonl');
    // The reference: the whole study in one go.
    const full = await runStudy({ plan: gpPlan(3, 14), executor: new ScrambledExecutor(3), journal: StudyJournal.open(file, header, { resume: false }) });
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
    // Keep the header and the events of trials 0..8 (some started without an outcome, as a crash
    // mid-study leaves them), then half a line.
    const events = lines.map((l) => JSON.parse(l) as { event: string; trial?: number });
    const kept: string[] = [lines[0]!];
    events.forEach((e, i) => {
      if (i === 0 || e.trial === undefined) return;
      if (e.trial <= 6 || (e.trial <= 8 && e.event === 'started')) kept.push(lines[i]!);
    });
    writeFileSync(file, `${kept.join('\n')}\n${lines[lines.length - 1]!.slice(0, 25)}`);

    const exec = new ScrambledExecutor(2);
    const journal = StudyJournal.open(file, header, { resume: true });
    expect(journal.interrupted).toBe(2);
    const resumed = await runStudy({ plan: gpPlan(3, 14), executor: exec, journal });
    journal.close();
    expect(resumed.replayed).toBe(7);
    expect(exec.calls.sort((a, b) => a - b)).toEqual([7, 8, 9, 10, 11, 12, 13]);
    expect(resumed.records.map((r) => r.trial)).toEqual(Array.from({ length: 14 }, (_, i) => i));
    expect(resumed.records.map((r) => [r.params, r.score])).toEqual(full.records.map((r) => [r.params, r.score]));
    // The journal reads back cleanly: every trial finished exactly once after the resume marker.
    const after = readJournal(file);
    const finished = after.filter((e) => e['event'] === 'finished').map((e) => e['trial']);
    expect([...finished].sort((a, b) => Number(a) - Number(b))).toEqual(Array.from({ length: 14 }, (_, i) => i));
  });

  it('when the config changed since the study started, then resume refuses', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'soma-journal-'));
    const file = path.join(dir, 'journal.jsonl');
    StudyJournal.open(file, header, { resume: false }).close();
    expect(() => StudyJournal.open(file, { ...header, fingerprint: 'other' }, { resume: true })).toThrow(/config changed/);
    expect(() => StudyJournal.open(file, header, { resume: false })).toThrow(/already has a journal/);
  });
});

describe('Bayesian samplers', () => {
  const branin = (p: Params): number => {
    const x1 = p['x1'] as number;
    const x2 = p['x2'] as number;
    return (x2 - (5.1 / (4 * Math.PI ** 2)) * x1 ** 2 + (5 / Math.PI) * x1 - 6) ** 2 + 10 * (1 - 1 / (8 * Math.PI)) * Math.cos(x1) + 10;
  };
  const bspace = parseSpace({ x1: { uniform: [-5, 10] }, x2: { uniform: [0, 15] } }, [], new Set());
  const best = async (kind: 'gp' | 'tpe' | 'random', seed: number): Promise<number> => {
    const sampler = kind === 'gp' ? new GpSampler(bspace, { startup: 6, seed }) : kind === 'tpe' ? new TpeSampler(bspace, { startup: 6, seed }) : new RandomSampler(bspace);
    const exec: Executor = { slots: 1, run: async (job) => ({ ok: true, score: branin(job.params) }), close: async () => {} };
    const { records } = await runStudy({ plan: samplerPlan(sampler, seed, 30, 1, 'minimize', 6), executor: exec });
    return Math.min(...records.map((r) => r.score!));
  };

  it('when TPE and the GP search Branin for 30 trials over 4 seeds, then both beat random search on the median best', async () => {
    const med = (v: number[]): number => [...v].sort((a, b) => a - b)[v.length >> 1]!;
    const seeds = [0, 1, 2, 3];
    const r = med(await Promise.all(seeds.map((s) => best('random', s))));
    const t = med(await Promise.all(seeds.map((s) => best('tpe', s))));
    const g = med(await Promise.all(seeds.map((s) => best('gp', s))));
    expect(t).toBeLessThan(r);
    expect(g).toBeLessThan(t);
    expect(g).toBeLessThan(0.45); // the global minimum is 0.397887
  });
});
