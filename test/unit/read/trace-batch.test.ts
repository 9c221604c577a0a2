/**
 * Frames reach the journal in batches bounded in count (32) and in time (250 ms after the first
 * frame of a batch): a process killed between two batches loses at most that much.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SessionStore } from '../../../electron/features/sessions/journal';
import { SessionRecorder, TRACE_BATCH_FRAMES, TRACE_BATCH_MS, TraceBatch } from '../../../electron/features/read/recorder';
import type { TraceEntry } from '../../../shared/types';

const frame = (i: number): TraceEntry => ({ t: new Date(i).toISOString(), dir: 'rx', hex: '0a', summary: `frame ${i}` });

function setup() {
  const store = new SessionStore(mkdtempSync(join(tmpdir(), 'omr-trace-batch-')));
  const journal = store.create('trace');
  /** What another reader of the folder sees now. */
  const seen = () => new SessionStore(store.dir).load(journal.id).trace.length;
  return { store, journal, seen };
}

describe('trace batches', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('a batch is written when it is 250 ms old, though it holds fewer than 32 frames', () => {
    const { journal, seen } = setup();
    const batch = new TraceBatch(journal);
    batch.push(frame(1));
    batch.push(frame(2));
    expect(seen()).toBe(0);
    vi.advanceTimersByTime(TRACE_BATCH_MS - 1);
    batch.push(frame(3));
    expect(seen()).toBe(0);
    vi.advanceTimersByTime(1);
    expect(seen()).toBe(3);
    // The next frame starts a new 250 ms window.
    batch.push(frame(4));
    vi.advanceTimersByTime(TRACE_BATCH_MS - 1);
    expect(seen()).toBe(3);
    vi.advanceTimersByTime(1);
    expect(seen()).toBe(4);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('32 frames are written at once, and flush writes the rest', () => {
    const { journal, seen } = setup();
    const batch = new TraceBatch(journal);
    for (let i = 0; i < TRACE_BATCH_FRAMES; i++) batch.push(frame(i));
    expect(seen()).toBe(TRACE_BATCH_FRAMES);
    batch.push(frame(99));
    batch.flush();
    expect(seen()).toBe(TRACE_BATCH_FRAMES + 1);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('a write that fails from the timer is thrown by the next push', () => {
    const { journal } = setup();
    const batch = new TraceBatch(journal);
    batch.push(frame(1));
    journal.close();
    const append = vi.spyOn(journal, 'append').mockImplementation(() => {
      throw new Error('disk full');
    });
    expect(() => vi.advanceTimersByTime(TRACE_BATCH_MS)).not.toThrow();
    expect(() => batch.push(frame(2))).toThrow('disk full');
    append.mockRestore();
  });

  it('the recorder of omr read: frames within 250 ms, readout lines at once, all in order at the end', () => {
    const { store, journal, seen } = setup();
    const rec = new SessionRecorder(store, journal);
    rec.trace(frame(1));
    rec.partialReadings(0, [{ obis: '1.8.0', address: '1.8.0', value: '1', unit: 'kWh', readAt: 'x', source: 'readout', verified: false }]);
    expect(new SessionStore(store.dir).load(journal.id).readings).toHaveLength(1);
    vi.advanceTimersByTime(TRACE_BATCH_MS);
    expect(seen()).toBe(1);
    rec.trace(frame(2));
    rec.finish('done');
    expect(vi.getTimerCount()).toBe(0);
    const back = new SessionStore(store.dir).load(journal.id);
    expect(back.trace.map((t) => t.summary)).toEqual(['frame 1', 'frame 2']);
    expect(back.state).toBe('done');
  });
});
