/**
 * A readout's lines journaled as they arrive (`provisional` records, unverified) and the checked
 * data message that supersedes them: a completed read lists each reading once, verified; a read
 * killed before its end lists the lines received, unverified. The summary (session index) counts
 * the same.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SessionStore } from '../../../electron/features/sessions/journal';
import type { Reading } from '../../../shared/types';

const r = (address: string, value: string, verified?: false): Reading => ({
  obis: address,
  address,
  value,
  unit: 'kWh',
  readAt: '2026-11-23T10:00:00.000Z',
  source: 'readout',
  ...(verified === false ? { verified } : {}),
});

function store() {
  return new SessionStore(mkdtempSync(join(tmpdir(), 'omr-provisional-')));
}

describe('provisional readings in a session', () => {
  it('a completed readout: the verified readings replace the provisional lines (each reading once)', () => {
    const s = store();
    const j = s.create('readout');
    j.append({ k: 'provisional', t: 't1', from: 0, readings: [r('1.8.0', '1', false)] });
    j.append({ k: 'provisional', t: 't2', from: 1, readings: [r('2.8.0', '2', false)] });
    expect(s.load(j.id).readings.map((x) => [x.address, x.verified])).toEqual([
      ['1.8.0', false],
      ['2.8.0', false],
    ]);
    expect(s.list()[0]!.readingCount).toBe(2);
    j.append({ k: 'readings', t: 't3', readings: [r('1.8.0', '1'), r('2.8.0', '2'), r('3.8.0', '3')] });
    s.finish(j, 'done');
    const back = new SessionStore(s.dir).load(j.id);
    expect(back.readings.map((x) => [x.address, x.verified])).toEqual([
      ['1.8.0', undefined],
      ['2.8.0', undefined],
      ['3.8.0', undefined],
    ]);
    expect(back.readingCount).toBe(3);
    expect(new SessionStore(s.dir).list()[0]!.readingCount).toBe(3);
  });

  it('a readout killed mid-message: the lines received, unverified; a continuation replaces from its index', () => {
    const s = store();
    const j = s.create('killed');
    j.append({ k: 'readings', t: 't0', readings: [r('0.0.0', 'earlier')] });
    j.append({ k: 'provisional', t: 't1', from: 0, readings: [r('F.F', '0', false), r('1.8.0', '1', false)] });
    // `1.8.0(1)` continued on the next line: its reading is handed over again, with the group.
    j.append({ k: 'provisional', t: 't2', from: 1, readings: [{ ...r('1.8.0', '1', false), extra: ['7'] }] });
    j.append({ k: 'provisional', t: 't3', from: 2, readings: [r('2.8.0', '2', false)] });
    j.close();
    const fresh = new SessionStore(s.dir);
    const back = fresh.load(j.id);
    expect(back.state).toBe('interrupted');
    expect(back.readings.map((x) => [x.address, x.value, x.verified, x.extra])).toEqual([
      ['0.0.0', 'earlier', undefined, undefined],
      ['F.F', '0', false, undefined],
      ['1.8.0', '1', false, ['7']],
      ['2.8.0', '2', false, undefined],
    ]);
    expect(fresh.list()[0]!.readingCount).toBe(4);
  });

  it('a provisional record without a valid index is skipped', () => {
    const s = store();
    const j = s.create('bad');
    j.append({ k: 'provisional', t: 't1', from: -1, readings: [r('1.8.0', '1', false)] });
    j.append({ k: 'provisional', t: 't1', from: 'x' as unknown as number, readings: [r('1.8.0', '1', false)] });
    j.close();
    const fresh = new SessionStore(s.dir);
    expect(fresh.load(j.id).readings).toEqual([]);
    expect(fresh.list()[0]!.readingCount).toBe(0);
  });
});
