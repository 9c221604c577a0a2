/**
 * A profile buffer decoded as its data blocks arrive: whatever the cut points, the rows handed
 * over block by block are the rows of the whole value, in order, each once; a row is handed over
 * as soon as its last byte has come.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeData, type DlmsValue } from '../../../electron/engine/dlms/axdr';
import { hex } from '../../../electron/engine/dlms/bytes';
import { cosemDateTime, encodeDateTime } from '../../../electron/engine/dlms/datetime';
import { ArrayStream, plainDataBlock, ProfileAssembler } from '../../../electron/features/read/profile-stream';

const row = (i: number): DlmsValue => ({
  type: 'structure',
  value: [
    { type: 'octet-string', value: `07e8050${(i % 9) + 1}ff0${i % 10}0000ff800000` },
    { type: 'unsigned', value: i % 256 },
    { type: 'double-long-unsigned', value: 7_000_000 + i * 37 },
    i % 5 ? { type: 'long-unsigned', value: i % 65536 } : { type: 'null-data' },
  ],
});

describe('ArrayStream', () => {
  it('hands over every row of the whole array, in order, for any cut into blocks', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 300 }), fc.array(fc.integer({ min: 1, max: 200 }), { minLength: 1, maxLength: 40 }), (n, cuts) => {
        const whole = encodeData({ type: 'array', value: Array.from({ length: n }, (_, i) => row(i)) });
        // Where each row's last byte is in the whole value.
        const ends: number[] = [];
        let end = whole.length - Array.from({ length: n }, (_, i) => encodeData(row(i)).length).reduce((a, b) => a + b, 0);
        for (let i = 0; i < n; i++) ends.push((end += encodeData(row(i)).length));
        const s = new ArrayStream();
        const got: DlmsValue[] = [];
        let at = 0;
        let k = 0;
        let block = 1;
        while (at < whole.length) {
          const size = cuts[k++ % cuts.length]!;
          const raw = whole.subarray(at, at + size);
          at += raw.length;
          got.push(...s.block({ blockNumber: block++, last: at >= whole.length, raw }));
          // Every row whose bytes have all arrived is out already, and no other.
          expect(got.length).toBe(ends.filter((e) => e <= at).length);
        }
        expect(got).toEqual(Array.from({ length: n }, (_, i) => row(i)));
        expect(s.bytes).toBe(whole.length);
      }),
      { numRuns: 200 },
    );
  });

  it('turns itself off for a compact array or blocks out of order (the whole value is then used)', () => {
    const s = new ArrayStream();
    expect(s.block({ blockNumber: 2, last: false, raw: encodeData({ type: 'array', value: [row(1)] }) })).toEqual([]);
    const c = new ArrayStream();
    expect(c.push(Uint8Array.of(0x13, 0x02, 0x02))).toEqual([]);
    expect(c.elements).toBe(0);
  });

  it('reads the data block of a plain GET.response with-datablock', () => {
    const apdu = Uint8Array.of(0xc4, 0x02, 0xc1, 0x00, 0x00, 0x00, 0x00, 0x03, 0x00, 0x02, 0xaa, 0xbb);
    expect(plainDataBlock(apdu)).toEqual({ blockNumber: 3, last: false, raw: Uint8Array.of(0xaa, 0xbb) });
    expect(plainDataBlock(Uint8Array.of(0xc4, 0x01, 0xc1, 0x00, 0x09, 0x06, 0, 0, 0, 0))).toBeUndefined();
    expect(plainDataBlock(Uint8Array.of(0xc4, 0x02, 0xc1, 0x01, 0x00, 0x00, 0x00, 0x01, 0x01, 0x03))).toBeUndefined();
  });
});

describe('ProfileAssembler: the time of each row with its deviation and clock status', () => {
  const clock = { classId: 8, obis: '0-0:1.0.0*255', attribute: 2, dataIndex: 0 };
  const energy = { classId: 3, obis: '1-0:1.8.0*255', attribute: 2, dataIndex: 0 };
  const at = (f: Parameters<typeof cosemDateTime>[0]): DlmsValue => ({ type: 'octet-string', value: hex(encodeDateTime(cosemDateTime(f))) });
  const r = (time: DlmsValue, wh: number): DlmsValue => ({ type: 'structure', value: [time, { type: 'double-long-unsigned', value: wh }] });
  const assembler = () => new ProfileAssembler('1-0:99.1.0*255', [clock, energy], new Map(), 900, 'en');

  it('keeps the offset (deviation -60 → +01:00), the status byte (0x80 daylight saving) and an unspecified deviation as wall time', () => {
    const a = assembler();
    expect(a.data.columns.map((c) => c.part ?? c.obis)).toEqual(['0-0:1.0.0*255', 'clockStatus', 'deviation', '1-0:1.8.0*255']);
    const rows = a.add([
      r(at({ year: 2024, month: 5, day: 7, hour: 0, minute: 15, second: 0, deviation: -60, clockStatus: 0x80 }), 10),
      r(at({ year: 2024, month: 5, day: 7, hour: 0, minute: 30, second: 0, deviation: null, clockStatus: 0x00 }), 20),
      r(at({ year: 2024, month: 5, day: 7, hour: 0, minute: 45, second: 0, deviation: 0, clockStatus: null }), 30),
    ]);
    expect(rows).toEqual([
      ['2024-05-07T00:15:00+01:00', '0x80', '-60', '10'],
      ['2024-05-07T00:30:00', '0x00', 'unspecified', '20'],
      ['2024-05-07T00:45:00+00:00', '', '0', '30'],
    ]);
    // The offset form parses with Date as the meter's instant: 00:15 CET is 23:15 UTC the day before.
    expect(new Date(rows[0]![0]!).toISOString()).toBe('2024-05-06T23:15:00.000Z');
    expect(a.data.rows).toEqual(rows);
  });

  it('a time the meter left out (null-data) follows the previous one on the same offset; its status and deviation stay empty', () => {
    const a = assembler();
    const rows = a.add([
      r(at({ year: 2024, month: 12, day: 31, hour: 23, minute: 45, second: 0, deviation: -60, clockStatus: 0x00 }), 1),
      r({ type: 'null-data' }, 2),
    ]);
    expect(rows[1]).toEqual(['2025-01-01T00:00:00+01:00', '', '', '2']);
  });

  it('east of Greenwich and half hours: deviation -330 → +05:30, +210 → -03:30', () => {
    const a = assembler();
    const rows = a.add([
      r(at({ year: 2024, month: 1, day: 1, hour: 8, minute: 0, second: 0, deviation: -330, clockStatus: 0 }), 1),
      r(at({ year: 2024, month: 1, day: 1, hour: 8, minute: 15, second: 0, deviation: 210, clockStatus: 0 }), 2),
    ]);
    expect(rows.map((x) => x[0])).toEqual(['2024-01-01T08:00:00+05:30', '2024-01-01T08:15:00-03:30']);
  });
});
