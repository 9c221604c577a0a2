/**
 * No OBIS code is guessed: a lone 6-byte octet string before a value is a value (the push setup's
 * logical name in the Iskra short push), not a label for the meter serial that follows it; runs
 * of `obis, value` pairs (Kamstrup) and self-describing structures keep the payload's codes.
 */
import { describe, expect, it } from 'vitest';
import { D } from '../../../electron/engine/dlms/axdr';
import { notificationReadings } from '../../../electron/engine/dlms/push';
import { bodyPositions } from '../../../electron/engine/customer-port/lists';

const os = (hex: string) => ({ type: 'octet-string' as const, value: hex });
const text = (s: string) => os(Buffer.from(s).toString('hex'));

describe('positions without guessing', () => {
  it('a single OBIS-like octet string does not name the next value', () => {
    const body = D.structure([os('0006190900ff'), text('2221202033801'), D.doubleLongUnsigned(287454020)]);
    const r = notificationReadings(body, '2026-01-01T00:00:00Z');
    expect(r.readings.map((x) => x.obis)).toEqual(['#1', '#2', '#3']);
    expect(r.readings[1]!.value).toBe('2221202033801');
    expect(r.readings.some((x) => x.obis === '0-6:25.9.0*255')).toBe(false);
    expect(r.notes.join(' ')).toMatch(/shown by position/);
  });

  it('repeated obis, value runs are labelled by the payload', () => {
    const body = D.structure([({ type: 'visible-string' as const, value: 'Kamstrup_V0001' }), os('0101000005ff'), ({ type: 'visible-string' as const, value: '5706567000000000' }), os('0101010700ff'), D.doubleLongUnsigned(1202)]);
    const p = bodyPositions(body);
    expect(p.shape).toBe('labelled');
    expect(p.positions.map((x) => [x.at, x.obis])).toEqual([
      [1, undefined],
      [3, '1-1:0.0.5*255'],
      [5, '1-1:1.7.0*255'],
    ]);
  });
});
