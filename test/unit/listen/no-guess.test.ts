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
    const body = D.structure([
      { type: 'visible-string' as const, value: 'Kamstrup_V0001' },
      os('0101000005ff'),
      { type: 'visible-string' as const, value: '5706567000000000' },
      os('0101010700ff'),
      D.doubleLongUnsigned(1202),
    ]);
    const p = bodyPositions(body);
    expect(p.shape).toBe('labelled');
    expect(p.positions.map((x) => [x.at, x.obis])).toEqual([
      [1, undefined],
      [3, '1-1:0.0.5*255'],
      [5, '1-1:1.7.0*255'],
    ]);
  });

  it('a 6-byte value reads as an OBIS code only where it is a logical name', () => {
    // Capture list {class, obis, attribute}: the second value is attribute 1 (a logical name), the third attribute 2.
    const entry = (classId: number, obis: string, attribute: number) => D.structure([D.longUnsigned(classId), os(obis), D.integer(attribute)]);
    const body = D.structure([
      D.array([entry(1, '0000600100ff', 2), entry(1, '0000600101ff', 1), entry(1, '0000600102ff', 2)]),
      text('SERIAL'),
      os('0000600101ff'),
      os('0a0b0c0d0e0f'),
    ]);
    const r = notificationReadings(body, '2026-01-01T00:00:00Z');
    expect(r.readings.map((x) => [x.obis, x.value])).toEqual([
      ['0-0:96.1.0*255', 'SERIAL'],
      ['0-0:96.1.1*255', '0-0:96.1.1*255'],
      ['0-0:96.1.2*255', '0a0b0c0d0e0f'],
    ]);
    // Bare positions: the push setup's name first (IDIS) is a logical name; another 6-byte value is hex.
    const bare = notificationReadings(D.structure([os('0006190900ff'), os('0100010800ff'), D.doubleLongUnsigned(1)]), '2026-01-01T00:00:00Z');
    expect(bare.readings.map((x) => x.value)).toEqual(['0-6:25.9.0*255', '0100010800ff', '1']);
  });
});
