/**
 * The virtual P1 meter's telegrams decode on the listener with a good CRC, their values move
 * with time, and each fault gives the verdict a real fault would.
 */
import { describe, expect, it } from 'vitest';
import { CustomerPortDecoder } from '../../../electron/engine/customer-port/decoder';
import { newP1State, p1Bytes, p1Telegram, p1Time } from '../../../electron/simulator/p1/telegram';

const T0 = Date.parse('2026-01-15T10:00:00Z');

function telegrams(faults: Parameters<typeof p1Bytes>[2], count: number) {
  const s = newP1State();
  const d = new CustomerPortDecoder();
  const out = [];
  for (let n = 0; n < count; n++) out.push(...d.push(p1Bytes(p1Telegram(s, T0 + n * 1000), n, faults), T0 + n * 1000));
  out.push(...d.silence(T0 + count * 1000));
  return out;
}

describe('virtual P1 meter', () => {
  it('sends telegrams with a good CRC and moving values', () => {
    const out = telegrams([], 6);
    expect(out.map((r) => `${r.kind}:${r.verdict.layer}:${r.crc}`)).toEqual(Array(6).fill('p1:ok:good'));
    const power = out.map((r) => r.readings.find((x) => x.obis === '1-0:1.7.0*255')!.value);
    expect(new Set(power).size).toBeGreaterThan(3);
    const energy = out.map((r) => Number(r.readings.find((x) => x.obis === '1-0:1.8.2*255')!.value));
    expect(energy[5]!).toBeGreaterThan(energy[0]!);
    expect(out[0]!.identity).toBe('OMR5\\2SIM-P1-1');
    expect(out[0]!.meterTime).toBe('2026-01-15T11:00:00+01:00');
    expect(out[0]!.readings.find((x) => x.obis === '0-1:24.2.1*255')).toMatchObject({ unit: 'm3', captureTime: '2026-01-15T11:00:00+01:00' });
  });

  it('summer time is marked S', () => {
    expect(p1Time(Date.parse('2026-07-01T10:00:00Z'))).toBe('260701120000S');
    expect(p1Time(Date.parse('2026-01-01T10:00:00Z'))).toBe('260101110000W');
  });

  it('fault bad-crc: every third telegram is flagged, values not presented as good', () => {
    const out = telegrams(['bad-crc'], 6);
    expect(out.map((r) => r.verdict.layer)).toEqual(['ok', 'crc-bad', 'ok', 'ok', 'crc-bad', 'ok']);
    expect(out[1]!.readings).toEqual([]);
  });

  it('fault cut-short: the cut telegram is reported, the next is read', () => {
    const out = telegrams(['cut-short'], 6);
    expect(out.map((r) => r.verdict.layer)).toEqual(['ok', 'ok', 'cut-short', 'ok', 'ok', 'cut-short']);
  });

  it('fault 7e1 on an 8N1 line: noise with the 7E1 hint; stripped of parity, the telegram reads', () => {
    const out = telegrams(['7e1'], 2);
    expect(out.every((r) => r.verdict.layer === 'noise')).toBe(true);
    expect(out.some((r) => /7E1/.test(r.verdict.detail ?? ''))).toBe(true);
    const s = newP1State();
    const stripped = Uint8Array.from(p1Bytes(p1Telegram(s, T0), 0, ['7e1']), (c) => c & 0x7f);
    const d = new CustomerPortDecoder();
    expect(d.push(stripped, T0).map((r) => r.verdict.layer)).toEqual(['ok']);
  });
});
