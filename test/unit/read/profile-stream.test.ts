/**
 * A profile buffer decoded as its data blocks arrive: whatever the cut points, the rows handed
 * over block by block are the rows of the whole value, in order, each once; a row is handed over
 * as soon as its last byte has come.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeData, type DlmsValue } from '../../../electron/engine/dlms/axdr';
import { ArrayStream, plainDataBlock } from '../../../electron/features/read/profile-stream';

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
