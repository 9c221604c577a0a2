import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { replay, SessionStore } from '../../../electron/features/sessions/journal';
import type { Reading } from '../../../shared/types';

const reading = (obis: string, value: string): Reading => ({ obis, address: obis, value, unit: 'kWh', readAt: '2026-11-23T10:00:00.000Z', source: 'readout' });

function store() {
  return new SessionStore(mkdtempSync(join(tmpdir(), 'omr-journal-')));
}

describe('session journal', () => {
  it('writes each record as it happens and reloads the session', () => {
    const s = store();
    const j = s.create('Cellar 3, building B', 'virtual:e450');
    j.append({
      k: 'identity',
      t: '2026-11-23T10:00:01.000Z',
      identity: {
        manufacturer: 'LGZ',
        baudChar: '5',
        maxBaud: 9600,
        mode: 'C',
        enhanced: '2',
        modeE: true,
        reducedReactionTime: false,
        ident: 'E450',
        raw: '/LGZ5\\2E450',
      },
    });
    j.append({ k: 'readings', t: '2026-11-23T10:00:02.000Z', readings: [reading('1-0:1.8.0*255', '012345.678')] });
    // Before the session is finished, another reader of the folder already sees the reading.
    const live = s.load(j.id);
    expect(live.readings).toHaveLength(1);
    expect(live.state).toBe('open');
    j.append({ k: 'readings', t: '2026-11-23T10:00:03.000Z', readings: [reading('1-0:2.8.0*255', '000001.000')] });
    s.finish(j, 'done');
    const back = s.load(j.id);
    expect(back).toMatchObject({ name: 'Cellar 3, building B', state: 'done', readingCount: 2, identity: { manufacturer: 'LGZ' } });
    expect(back.readings.map((r) => r.value)).toEqual(['012345.678', '000001.000']);
  });

  it('loads a journal cut off mid-line (a crash) with everything before the cut, as interrupted', () => {
    const s = store();
    const j = s.create('visit');
    j.append({ k: 'readings', t: '2026-11-23T10:00:02.000Z', readings: [reading('1-0:1.8.0*255', '1.5')] });
    j.close();
    const file = join(s.dir, `${j.id}.jsonl`);
    appendFileSync(file, '{"k":"readings","t":"2026-11-23T10:00:03.000Z","readings":[{"obis":"1-0:2.8');
    const fresh = new SessionStore(s.dir);
    const back = fresh.load(j.id);
    expect(back.readings.map((r) => r.value)).toEqual(['1.5']);
    expect(back.state).toBe('interrupted');
    expect(fresh.list().map((x) => x.id)).toEqual([j.id]);
  });

  it('skips garbage lines and unknown records without losing the rest', () => {
    const s = replay('x', [
      '{"k":"meta","t":"2026-01-01T00:00:00Z","id":"x","name":"n"}',
      'garbage',
      '{"k":"unknown","t":"2026-01-01T00:00:01Z"}',
      '42',
      'null',
      '{"k":"readings","t":"2026-01-01T00:00:02Z","readings":"not an array"}',
      '{"k":"error","t":"2026-01-01T00:00:03Z","error":{"code":"LINK_LOST","message":"m","remedy":"r"}}',
      '{"k":"state","t":"2026-01-01T00:00:04Z","state":"failed"}',
    ]);
    expect(s).toMatchObject({ name: 'n', state: 'failed', errorCount: 1, readingCount: 0, createdAt: '2026-01-01T00:00:00Z' });
  });

  it('renames, lists newest first, deletes, and refuses ids that could escape the folder', () => {
    const s = store();
    const a = s.create('first', undefined, new Date('2026-11-20T08:00:00Z'));
    s.finish(a, 'done');
    const b = s.create('second', undefined, new Date('2026-11-21T08:00:00Z'));
    s.finish(b, 'done');
    expect(s.rename(a.id, { location: 'Rue des Lilas 4', note: 'meter behind the boiler' })).toMatchObject({ location: 'Rue des Lilas 4', state: 'done' });
    expect(s.list().map((x) => x.name)).toEqual(['second', 'first']);
    expect(s.delete(b.id)).toBe(true);
    expect(s.list().map((x) => x.id)).toEqual([a.id]);
    expect(() => s.load('../settings')).toThrowError(expect.objectContaining({ code: 'INVALID_REQUEST' }));
    expect(() => s.load('nope')).toThrowError(expect.objectContaining({ code: 'NOT_FOUND' }));
  });

  it('never lets an open session be deleted', () => {
    const s = store();
    const j = s.create('busy');
    expect(() => s.delete(j.id)).toThrowError(expect.objectContaining({ code: 'INVALID_REQUEST' }));
    s.finish(j, 'cancelled');
    expect(s.delete(j.id)).toBe(true);
    writeFileSync(join(s.dir, 'notes.txt'), 'not a session');
    expect(s.list()).toEqual([]);
    expect(readFileSync(join(s.dir, 'notes.txt'), 'utf8')).toBe('not a session');
  });
});
