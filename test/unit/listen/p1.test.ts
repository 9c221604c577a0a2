/**
 * P1 telegrams (test/fixtures/p1, sources in index.json) on the customer-port decoder: every
 * fixture's expected values, its CRC verdict, the identity line, time stamps as ISO with the
 * W/S offset; a telegram with one digit changed under its old CRC is flagged and its values are
 * not presented as good; telegrams cut short by a new `/` or by silence, and bytes between
 * telegrams, get their own verdicts, and listening goes on.
 */
import { describe, expect, it } from 'vitest';
import { CustomerPortDecoder } from '../../../electron/engine/customer-port/decoder';
import { crc16arc, decodeTelegram, p1TimeToIso } from '../../../electron/engine/customer-port/p1';
import { parseDataBlock } from '../../../electron/engine/iec62056-21/readout';
import { normaliseObis } from '../../../electron/engine/obis/normalise';
import { bytesOf, p1Index, p1Text } from './fixtures';

const decodeAll = (text: string) => {
  const d = new CustomerPortDecoder();
  return [...d.push(bytesOf(text), 0), ...d.silence(0)];
};

describe('P1 fixtures', () => {
  const index = p1Index();
  it('has 19 telegrams', () => expect(index).toHaveLength(19));

  describe.each(index.map((e) => [e.file, e] as const))('%s', (file, e) => {
    const text = p1Text(file);
    const results = decodeAll(text);
    it('is one telegram with its CRC verdict and identity', () => {
      expect(results).toHaveLength(1);
      const r = results[0]!;
      expect(r.kind).toBe('p1');
      expect(r.crc).toBe(e.crc);
      expect(r.verdict.layer).toBe(e.crc === 'good' ? 'ok' : 'crc-none');
      expect(r.identity).toBe(text.slice(1, text.indexOf('\r')).trim());
      // Every character belongs to a data line (the CRC digits are not data).
      expect(r.notes).toEqual([]);
    });
    it('gives the expected values exactly', () => {
      const readings = results[0]!.readings;
      for (const x of e.expected) {
        const got = readings.find((y) => y.obis === normaliseObis(x.obis));
        expect(got, x.obis).toBeDefined();
        expect(got!.value, x.obis).toBe(x.value);
        expect(got!.unit, x.obis).toBe(x.unit ?? '');
        if (x.timestamp) {
          expect(got!.timestamp, x.obis).toBe(x.timestamp);
          expect(got!.captureTime, x.obis).toBe(p1TimeToIso(x.timestamp));
        }
      }
    });
    it('reads every data line of the telegram (same parser as the optical readout)', () => {
      const body = text.slice(text.indexOf('\n'));
      const sets = parseDataBlock(body).sets.filter((s) => s.address !== '');
      expect(results[0]!.readings.map((r) => r.address)).toEqual(sets.map((s) => s.address));
    });
  });
});

describe('P1 verdicts', () => {
  const good = p1Text('kaifa-dsmr42.txt');

  it('computes CRC-16/ARC over / … ! inclusive', () => {
    const bang = good.lastIndexOf('!');
    expect(crc16arc(good, 0, bang + 1)).toBe(parseInt(good.slice(bang + 1, bang + 5), 16));
    expect(crc16arc('123456789')).toBe(0xbb3d);
  });

  it('flags a telegram with one digit changed under its old CRC; its values are not presented as good; the next is read', () => {
    const at = good.indexOf('1-0:1.8.1(') + 12;
    const digit = good[at]!;
    const changed = good.slice(0, at) + (digit === '9' ? '8' : String(Number(digit) + 1)) + good.slice(at + 1);
    const results = decodeAll(changed + good);
    expect(results.map((r) => r.verdict.layer)).toEqual(['crc-bad', 'ok']);
    expect(results[0]!.crc).toBe('bad');
    expect(results[0]!.readings).toEqual([]);
    expect(results[0]!.unchecked?.length).toBeGreaterThan(10);
    expect(results[0]!.verdict.detail).toMatch(/computed [0-9A-F]{4}, telegram says/);
    expect(results[1]!.readings.find((r) => r.obis === '1-0:1.8.1*255')?.value).toBe('001581.123');
  });

  it('a telegram cut short by a new / is its own verdict; the new one decodes', () => {
    const cut = good.slice(0, good.indexOf('1-0:2.8.1'));
    expect(cut.length).toBeGreaterThan(50);
    const results = decodeAll(cut + good);
    expect(results.map((r) => r.verdict.layer)).toEqual(['cut-short', 'ok']);
    expect(results[0]!.verdict.detail).toMatch(/new telegram/);
    expect(results[0]!.readings).toEqual([]);
  });

  it('a telegram cut short by silence is its own verdict', () => {
    const d = new CustomerPortDecoder();
    expect(d.push(bytesOf(good.slice(0, 200)), 0)).toEqual([]);
    const r = d.silence(1000);
    expect(r.map((x) => x.verdict.layer)).toEqual(['cut-short']);
    expect(r[0]!.verdict.detail).toMatch(/silent/);
  });

  it('bytes between telegrams are reported as such, and both telegrams decode', () => {
    const results = decodeAll(good + '\x00\x13garbage\r\n' + good);
    expect(results.map((r) => r.verdict.layer)).toEqual(['ok', 'noise', 'ok']);
    expect(results[1]!.verdict.detail).toMatch(/^11 byte\(s\): bytes between frames/);
  });

  it('7-bit telegrams with parity read on an 8N1 line: noise with a 7E1 hint', () => {
    const withParity = Uint8Array.from(bytesOf(good), (c) => {
      let ones = 0;
      for (let b = c; b; b >>= 1) ones += b & 1;
      return ones % 2 ? c | 0x80 : c;
    });
    const d = new CustomerPortDecoder();
    const r = [...d.push(withParity, 0), ...d.silence(0)];
    expect(r.length).toBeGreaterThan(0);
    expect(r.every((x) => x.verdict.layer === 'noise')).toBe(true);
    expect(r.some((x) => /7E1/.test(x.verdict.detail ?? ''))).toBe(true);
  });

  it('time stamps: W is +01:00, S is +02:00, invalid ones are not turned into a time', () => {
    expect(p1TimeToIso('101209112500W')).toBe('2010-12-09T11:25:00+01:00');
    expect(p1TimeToIso('200426223001S')).toBe('2020-04-26T22:30:01+02:00');
    expect(p1TimeToIso('632525252525W')).toBeUndefined();
    const t = decodeTelegram(p1Text('fluvius-emucs-v171-alt.txt'), 'complete', '2026-01-01T00:00:00Z');
    expect(t.meterTime).toMatch(/\+0[12]:00$/);
  });
});
