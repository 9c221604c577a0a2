/**
 * A readout's data lines go out as they arrive (`partialReadings`, unverified, before the BCC),
 * so a read cut off by anything keeps every whole line; the `readings` event of the data message
 * supersedes them. Folding the partial events gives the same data sets as the final parse, for
 * any way the bytes are cut into receives, continuation lines included.
 */
import { describe, expect, it } from 'vitest';
import { IecClient } from '../../../electron/engine/iec62056-21/client';
import { encodeDataMessage } from '../../../electron/engine/iec62056-21/codec';
import type { Reading } from '../../../shared/types';
import { ZMD_IDENT, ZMD_LINES, E350_LINES } from './captures';
import { type A, b, failure, isDone, ofType } from './harness';

const block = (lines: string[]) => lines.map((l) => `${l}\r\n`).join('') + '!\r\n';

function dataPhase(): IecClient {
  const c = new IecClient({ purpose: 'readout', maxBaud: 9600 });
  c.start(0);
  c.receive(b(`${ZMD_IDENT}\r\n`), 500);
  c.lineChanged(900);
  return c;
}

/** Apply partial events the way a journal replay does. */
function fold(acts: A[], into: Reading[] = []): Reading[] {
  for (const e of ofType(acts, 'partialReadings')) {
    into.length = Math.min(into.length, e.from);
    into.push(...e.readings);
  }
  return into;
}

const shape = (r: Reading) => ({
  obis: r.obis,
  address: r.address,
  value: r.value,
  unit: r.unit,
  extra: r.extra,
  captureTime: r.captureTime,
  history: r.history,
});

describe('data lines handed over as they arrive', () => {
  it('each whole line at its LF, unverified; none for a line still arriving', () => {
    const c = dataPhase();
    const text = block(ZMD_LINES);
    const msg = encodeDataMessage(text);
    // STX + the first two lines and half of the third.
    const upTo = 1 + `${ZMD_LINES[0]}\r\n${ZMD_LINES[1]}\r\n`.length + 3;
    const a1 = c.receive(msg.slice(0, upTo), 1000);
    const got = fold(a1);
    expect(got.map((r) => r.address)).toEqual([ZMD_LINES[0]!.split('(')[0], ZMD_LINES[1]!.split('(')[0]]);
    for (const r of got) expect(r.verified).toBe(false);
    expect(ofType(a1, 'readings')).toHaveLength(0);
    expect(c.result.readings).toHaveLength(0);
    const a2 = c.receive(msg.slice(upTo), 1100);
    fold(a2, got);
    expect(isDone(a2)).toBe(true);
    const final = ofType(a2, 'readings')[0]!;
    expect(final.complete).toBe(true);
    expect(final.readings.every((r) => r.verified === undefined)).toBe(true);
    expect(got.map(shape)).toEqual(final.readings.map(shape));
    expect(c.result.readings).toHaveLength(ZMD_LINES.length);
  });

  it('a continuation line replaces the reading of the line it continues', () => {
    const lines = ['0.0.0(12345678)', '1.8.0(0001.234*kWh)', '(0002.000*kWh)', '  (0003.000*kWh)', '2.8.0(0000.100*kWh)', '(2103010000)'];
    const c = dataPhase();
    const msg = encodeDataMessage(block(lines));
    const acts: A[] = [];
    for (let i = 0; i < msg.length; i++) acts.push(...c.receive(msg.subarray(i, i + 1), 1000 + i));
    const got = fold(acts);
    const final = ofType(acts, 'readings')[0]!.readings;
    expect(final[1]!.extra).toEqual(['0002.000*kWh', '0003.000*kWh']);
    expect(got.map(shape)).toEqual(final.map(shape));
    const partial = ofType(acts, 'partialReadings');
    expect(partial.map((p) => p.from)).toEqual([0, 1, 1, 1, 2, 2]);
  });

  it('the same data sets whatever the receive sizes (E350 capture)', () => {
    const msg = encodeDataMessage(block(E350_LINES));
    for (const size of [1, 2, 7, 13, 64, msg.length]) {
      const c = dataPhase();
      const acts: A[] = [];
      for (let i = 0; i < msg.length; i += size) acts.push(...c.receive(msg.subarray(i, i + size), 1000 + i));
      const final = ofType(acts, 'readings')[0]!.readings;
      expect(fold(acts).map(shape)).toEqual(final.map(shape));
    }
  });

  it('a data set continued over thousands of lines is not parsed again for each (bounded work)', () => {
    const lines = ['1.8.0(1)', ...Array.from({ length: 20_000 }, (_, i) => `(${i})`), '2.8.0(2)'];
    const c = dataPhase();
    const msg = encodeDataMessage(block(lines));
    const t0 = performance.now();
    const acts: A[] = [];
    for (let i = 0; i < msg.length; i += 64) acts.push(...c.receive(msg.subarray(i, i + 64), 1000));
    const ms = performance.now() - t0;
    const final = ofType(acts, 'readings')[0]!.readings;
    expect(final[0]!.extra).toHaveLength(20_000);
    expect(fold(acts).map((r) => r.address)).toEqual(['1.8.0', '2.8.0']);
    // Parsing the set again at each of 20 000 lines would be ~10^9 characters.
    expect(ms).toBeLessThan(2_000);
  });

  it('a readout cut off mid-line: the whole lines were handed over before the cut', () => {
    const c = dataPhase();
    const msg = encodeDataMessage(block(ZMD_LINES));
    const a1 = c.receive(msg.slice(0, 200), 1000);
    const got = fold(a1);
    expect(got.length).toBeGreaterThan(3);
    const a2 = c.tick(1000 + 10_000);
    expect(failure(a2)?.code).toBe('TIMEOUT_INTERCHAR');
    const kept = ofType(a2, 'readings')[0]!;
    expect(kept.complete).toBe(false);
    expect(kept.readings.map(shape)).toEqual(got.map(shape));
  });
});
