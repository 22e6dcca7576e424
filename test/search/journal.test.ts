import { appendFileSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { StudyJournal, readJournal, type StudyHeader } from '../../src/search/journal.js';

const header: StudyHeader = { study: 'big', fingerprint: 'fp', method: 'random', metric: 'rmse', direction: 'minimize', seed: 1 };

/** A journal of `trials` started + finished pairs after the header, params with multi-byte text. */
function writeJournal(file: string, trials: number): void {
  const lines = [JSON.stringify({ event: 'study', ...header })];
  for (let t = 0; t < trials; t++) {
    const params = { x: t / 7, label: t % 3 === 0 ? 'größe→ü' : 'plain' };
    lines.push(JSON.stringify({ event: 'started', trial: t, rung: 0, params }));
    lines.push(JSON.stringify({ event: 'finished', trial: t, rung: 0, params, state: 'complete', score: t * 0.5 }));
  }
  writeFileSync(file, `${lines.join('\n')}\n`);
}

describe('study journal reading', () => {
  it('when a journal has 20,001 lines with multi-byte params, then every event reads back in order', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'soma-journal-'));
    const file = path.join(dir, 'journal.jsonl');
    writeJournal(file, 10_000);
    const events = readJournal(file);
    expect(events).toHaveLength(20_001);
    expect(events[0]).toMatchObject({ event: 'study', fingerprint: 'fp' });
    expect(events[1]).toEqual({ event: 'started', trial: 0, rung: 0, params: { x: 0, label: 'größe→ü' } });
    expect(events[20_000]).toMatchObject({ event: 'finished', trial: 9_999, score: 9_999 * 0.5, params: { label: 'größe→ü' } });
  });

  it('when the last of 20,000 lines is torn, then reading leaves it out and resume cuts it at the exact byte where it began', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'soma-journal-'));
    const file = path.join(dir, 'journal.jsonl');
    writeJournal(file, 10_000);
    const whole = statSync(file).size;
    // A crash mid-write: half of a line with multi-byte text and no newline.
    appendFileSync(file, '{"event":"started","trial":10000,"rung":0,"params":{"label":"grö');
    expect(readJournal(file)).toHaveLength(20_001);

    const journal = StudyJournal.open(file, header, { resume: true });
    expect(journal.previous.size).toBe(10_000);
    expect(journal.previous.get('9999:0')).toMatchObject({ trial: 9_999, state: 'complete', score: 9_999 * 0.5 });
    expect(journal.interrupted).toBe(0);
    journal.close();
    const text = readFileSync(file, 'utf8');
    // The torn bytes are gone and the resume marker starts on a fresh line right where they began.
    expect(Buffer.byteLength(text.slice(0, text.lastIndexOf('{"event":"resumed"')))).toBe(whole);
    expect(readJournal(file).at(-1)).toMatchObject({ event: 'resumed', interrupted: 0 });
  });

  it('when a complete line in the middle is unparsable, then it is skipped and the events after it are kept', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'soma-journal-'));
    const file = path.join(dir, 'journal.jsonl');
    writeFileSync(file, `${JSON.stringify({ event: 'study', ...header })}\nnot json\n\n${JSON.stringify({ event: 'started', trial: 0, rung: 0, params: {} })}\n`);
    expect(readJournal(file).map((e) => e['event'])).toEqual(['study', 'started']);
    const journal = StudyJournal.open(file, header, { resume: true });
    expect(journal.interrupted).toBe(1);
    journal.close();
  });
});
