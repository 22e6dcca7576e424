// The study journal: an append-only JSON-lines file in the run directory, one event a line:
//   {"event":"study", ...header}                       once, first line
//   {"event":"started","trial":3,"rung":0,"params":{...}}
//   {"event":"finished","trial":3,"rung":0,"params":{...},"score":0.91,...}
//   {"event":"failed","trial":3,"rung":0,"params":{...},"error":"..."}
// A trial's state is its last event. A crash (kill -9, power loss mid-write) can leave a trial
// "started" with no outcome, or a torn last line; on resume the torn line is cut off and a started
// trial is simply run again, so the journal never holds a zombie that blocks or skews the study.

import { closeSync, existsSync, fstatSync, ftruncateSync, mkdirSync, openSync, readdirSync, readSync, renameSync, statSync, writeFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { SomaError } from '../errors.js';
import type { JsonObject, JsonValue } from '../util/json.js';
import type { Params } from './space.js';

export interface StudyHeader {
  study: string;
  /** Hash of everything that decides the trials' params and scores; resume refuses a mismatch. */
  fingerprint: string;
  method: string;
  metric: string;
  direction: 'maximize' | 'minimize';
  seed: number;
  /**
   * Settings derived from others that may change on resume (the default start-up count follows
   * `trials`): the study keeps the values it started with, so raising `trials` extends it.
   */
  startup?: number;
}

export type TrialState = 'complete' | 'failed' | 'pruned' | 'running';

/** The outcome of one trial (one rung of it, for Hyperband) as journalled. */
export interface TrialRecord {
  trial: number;
  rung: number;
  params: Params;
  state: Exclude<TrialState, 'running'>;
  score?: number;
  /** Mean and standard deviation over the folds of every metric computed. */
  metrics?: Record<string, { mean: number; std: number }>;
  budget?: number;
  error?: string;
  /** The SomaError code of a failure, when it was one. */
  code?: string;
  duration_s?: number;
}

export const jobKey = (trial: number, rung: number): string => `${trial}:${rung}`;

export class StudyJournal {
  private fd: number;
  /** Final records from earlier runs of this study, by `trial:rung`. */
  readonly previous: Map<string, TrialRecord>;
  /** Trials an earlier run started and never finished (they are re-run). */
  readonly interrupted: number;
  /** The header the study started with (on resume: as journalled, not as asked). */
  header: StudyHeader;

  private constructor(readonly file: string, fd: number, previous: Map<string, TrialRecord>, interrupted: number, header: StudyHeader) {
    this.header = header;
    this.fd = fd;
    this.previous = previous;
    this.interrupted = interrupted;
  }

  /**
   * Opens the journal of a study. A new study needs a fresh file; `resume` needs an existing one
   * whose header fingerprint matches (same space, data, model and seed).
   */
  static open(file: string, header: StudyHeader, options: { resume: boolean }): StudyJournal {
    const exists = existsSync(file);
    if (!options.resume && exists) {
      throw new SomaError('USAGE', `${file}: the study "${header.study}" already has a journal`, { hint: 'pass --resume to continue it, or choose another study name' });
    }
    if (options.resume && !exists) {
      throw new SomaError('USAGE', `${file}: no journal to resume`, { hint: 'run soma tune without --resume to start the study' });
    }
    mkdirSync(path.dirname(file), { recursive: true });
    if (!exists) {
      const j = new StudyJournal(file, openSync(file, 'a'), new Map(), 0, header);
      j.append({ event: 'study', ...header, created_at: new Date().toISOString() } as unknown as JsonObject);
      return j;
    }
    let events: JsonObject[];
    const rfd = openSync(file, 'r+');
    try {
      const read = readEvents(rfd);
      events = read.events;
      // A torn last line (crash mid-write) is cut off, so the next event starts on a fresh line.
      if (read.validBytes < fstatSync(rfd).size) ftruncateSync(rfd, read.validBytes);
    } finally {
      closeSync(rfd);
    }
    // Append mode: every write lands at the end, whatever was read before.
    const fd = openSync(file, 'a');
    try {
      const head = events[0];
      if (!head || head['event'] !== 'study') throw new SomaError('DATA_FORMAT', `${file}: not a soma study journal (no study header)`);
      if (head['fingerprint'] !== header.fingerprint) {
        throw new SomaError('USAGE', `${file}: the config changed since the study started (space, data, model or seed), so its trials cannot be resumed`, {
          hint: 'start a new study (soma tune without --resume)',
        });
      }
      const previous = new Map<string, TrialRecord>();
      const running = new Set<string>();
      for (const e of events.slice(1)) {
        const key = jobKey(Number(e['trial']), Number(e['rung'] ?? 0));
        if (e['event'] === 'started') running.add(key);
        else if (e['event'] === 'finished' || e['event'] === 'failed' || e['event'] === 'pruned') {
          running.delete(key);
          previous.set(key, recordFromEvent(e));
        }
      }
      const j = new StudyJournal(file, fd, previous, running.size, { ...header, ...(typeof head['startup'] === 'number' ? { startup: head['startup'] } : {}) });
      j.append({ event: 'resumed', interrupted: running.size, at: new Date().toISOString() });
      return j;
    } catch (e) {
      closeSync(fd);
      throw e;
    }
  }

  started(trial: number, rung: number, params: Params, budget?: number): void {
    this.append({ event: 'started', trial, rung, params, ...(budget !== undefined ? { budget } : {}), at: new Date().toISOString() });
  }

  /** Records a finished, failed or pruned trial. */
  record(r: TrialRecord): void {
    const event = r.state === 'complete' ? 'finished' : r.state;
    this.append({ event, ...(r as unknown as JsonObject), at: new Date().toISOString() });
  }

  close(): void {
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
  }

  private append(event: JsonObject): void {
    // One write call per line: a crash leaves at most the last line torn, never two lines mixed.
    writeSync(this.fd, `${JSON.stringify(event)}\n`, null, 'utf8');
  }
}

/** Every event of a journal file (a torn last line is left out). */
export function readJournal(file: string): JsonObject[] {
  const fd = openSync(file, 'r');
  try {
    return readEvents(fd).events;
  } finally {
    closeSync(fd);
  }
}

/**
 * Parses a journal in one pass over its bytes: lines are cut at newline bytes (0x0a never occurs
 * inside a multi-byte UTF-8 character), so each line is decoded once and `validBytes` is a byte
 * offset found without re-measuring the text before it.
 */
function readEvents(fd: number): { events: JsonObject[]; validBytes: number } {
  const size = fstatSync(fd).size;
  const buf = Buffer.alloc(size);
  let end = 0;
  while (end < size) {
    const n = readSync(fd, buf, end, size - end, end);
    if (n === 0) break;
    end += n;
  }
  const events: JsonObject[] = [];
  let validBytes = 0;
  let start = 0;
  for (;;) {
    const nl = buf.indexOf(NEWLINE, start);
    if (nl < 0 || nl >= end) break; // no newline: a torn tail
    const line = buf.toString('utf8', start, nl);
    start = nl + 1;
    if (line.trim() === '') {
      validBytes = start;
      continue;
    }
    try {
      events.push(JSON.parse(line) as JsonObject);
      validBytes = start;
    } catch {
      // A complete but unparsable line cannot come from a crash of ours (a crash tears only the
      // last line); skip it rather than lose the events after it.
      continue;
    }
  }
  return { events, validBytes };
}

const NEWLINE = 0x0a;

function recordFromEvent(e: JsonObject): TrialRecord {
  const state = e['event'] === 'finished' ? 'complete' : (e['event'] as 'failed' | 'pruned');
  const r: TrialRecord = { trial: Number(e['trial']), rung: Number(e['rung'] ?? 0), params: (e['params'] ?? {}) as Params, state };
  const opt = (k: keyof TrialRecord): JsonValue | undefined => e[k];
  if (typeof opt('score') === 'number') r.score = opt('score') as number;
  if (opt('metrics') && typeof opt('metrics') === 'object') r.metrics = opt('metrics') as unknown as TrialRecord['metrics'];
  if (typeof opt('budget') === 'number') r.budget = opt('budget') as number;
  if (typeof opt('error') === 'string') r.error = opt('error') as string;
  if (typeof opt('duration_s') === 'number') r.duration_s = opt('duration_s') as number;
  return r;
}

/**
 * A study name as it may name a directory: the model-name rules (1-100 characters from A-Z, a-z,
 * 0-9, _ . -, starting with a letter or digit), so `../x`, `/abs`, `a/b`, `..` and hidden names
 * cannot place a study outside `<runs>/<model>/`. Throws USAGE naming where it came from.
 */
export function checkStudyName(study: string, from = '--study'): string {
  if (!STUDY_RE.test(study)) {
    throw new SomaError('USAGE', `invalid study name ${JSON.stringify(study)} (${from}): use 1-100 characters from A-Z, a-z, 0-9, _ . -, starting with a letter or digit`, {
      details: { value: study, from },
    });
  }
  return study;
}

const STUDY_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/;

/** The journal file of a study: `<runs>/<model name>/<study>/journal.jsonl`; both names checked. */
export function journalPath(runsDir: string, model: string, study: string): string {
  checkStudyName(model, 'the model name');
  checkStudyName(study, 'the study name');
  return path.join(runsDir, model, study, 'journal.jsonl');
}

/** The study of a model whose journal changed last (what a bare `--resume` continues). */
export function latestStudy(runsDir: string, model: string): string | undefined {
  const dir = path.join(runsDir, model);
  if (!existsSync(dir)) return undefined;
  let best: { name: string; mtime: number } | undefined;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (!e.isDirectory()) continue;
    const file = path.join(dir, e.name, 'journal.jsonl');
    if (!existsSync(file)) continue;
    const mtime = statSync(file).mtimeMs;
    if (!best || mtime > best.mtime) best = { name: e.name, mtime };
  }
  return best?.name;
}

/** Writes a JSON file beside the journal atomically (temp file, then rename). */
export function writeStudyFile(dir: string, name: string, value: unknown): string {
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, name);
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, `${JSON.stringify(value, null, 2)}\n`);
  renameSync(tmp, file);
  return file;
}
