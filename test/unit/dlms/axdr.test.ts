import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { OmrError } from '../../../shared/errors';
import { hex, unhex } from '../../../electron/engine/dlms/bytes';
import { bcdDigits, bcdText, decodeData, encodeData, integerText, type DlmsValue, type TypeDescription } from '../../../electron/engine/dlms/axdr';
import { CAPTURE_OBJECTS, formatValue, logicalNameText, OBJECT_LIST, SELF_DESCRIBING } from '../../../electron/engine/dlms/value-format';
import {
  cosemDateTime,
  decodeDateTime,
  encodeDateTime,
  formatDateTime,
  parseDateTime,
  toIsoLocal,
  type CosemDateTime,
} from '../../../electron/engine/dlms/datetime';

const dt = (fields: Partial<CosemDateTime>) => cosemDateTime(fields);

describe('A-XDR: every type encodes as the Blue Book says', () => {
  const cases: [string, DlmsValue][] = [
    ['00', { type: 'null-data' }],
    ['0301', { type: 'boolean', value: true }],
    ['04 0a 81 40', { type: 'bit-string', value: '1000000101' }],
    ['05 ff ff ff fe', { type: 'double-long', value: -2 }],
    ['06 00 00 13 91', { type: 'double-long-unsigned', value: 5009 }],
    ['09 06 01 00 01 08 00 ff', { type: 'octet-string', value: '0100010800ff' }],
    ['0a 03 4c 47 5a', { type: 'visible-string', value: 'LGZ' }],
    ['0c 03 c3 a9 65', { type: 'utf8-string', value: 'ée' }],
    ['0d 12', { type: 'bcd', value: 0x12 }],
    ['0f fd', { type: 'integer', value: -3 }],
    ['10 ff 38', { type: 'long', value: -200 }],
    ['11 1b', { type: 'unsigned', value: 27 }],
    ['12 08 f7', { type: 'long-unsigned', value: 2295 }],
    ['14 ff ff ff ff ff ff ff ff', { type: 'long64', value: -1n }],
    ['15 ff ff ff ff ff ff ff ff', { type: 'long64-unsigned', value: 18446744073709551615n }],
    ['16 1e', { type: 'enum', value: 30 }],
    ['17 3f c0 00 00', { type: 'float32', value: 1.5 }],
    ['18 40 09 21 fb 54 44 2d 18', { type: 'float64', value: Math.PI }],
    [
      '19 07 e5 07 13 01 0f 2e 23 00 ff 88 80',
      {
        type: 'date-time',
        value: dt({ year: 2021, month: 7, day: 19, dayOfWeek: 1, hour: 15, minute: 46, second: 35, hundredths: 0, deviation: -120, clockStatus: 0x80 }),
      },
    ],
    ['1a ff ff ff ff 02', { type: 'date', value: { year: null, month: null, day: null, dayOfWeek: 2 } }],
    ['1b 0f 00 ff ff', { type: 'time', value: { hour: 15, minute: 0, second: null, hundredths: null } }],
    [
      '01 02 11 01 11 02',
      {
        type: 'array',
        value: [
          { type: 'unsigned', value: 1 },
          { type: 'unsigned', value: 2 },
        ],
      },
    ],
    [
      '02 02 0f 00 16 1e',
      {
        type: 'structure',
        value: [
          { type: 'integer', value: 0 },
          { type: 'enum', value: 30 },
        ],
      },
    ],
  ];
  for (const [h, v] of cases) {
    it(`${v.type} ${h}`, () => {
      const bytes = unhex(h);
      expect(decodeData(bytes)).toEqual(v);
      expect(hex(encodeData(v))).toBe(hex(bytes));
    });
  }

  it('uses BER lengths 0x81 / 0x82 for long strings and arrays', () => {
    const s: DlmsValue = { type: 'octet-string', value: 'ab'.repeat(200) };
    expect(hex(encodeData(s)).slice(0, 6)).toBe('0981c8');
    const a: DlmsValue = { type: 'array', value: Array.from({ length: 300 }, () => ({ type: 'null-data' }) as DlmsValue) };
    expect(hex(encodeData(a)).slice(0, 8)).toBe('0182012c');
    expect(decodeData(encodeData(a))).toEqual(a);
  });

  it('decodes a compact array (structure of long-unsigned and double-long)', () => {
    // 13 | description: 02 02 12 05 | contents length 0c | (0001, 00000002) (0003, fffffffc)
    const v = decodeData(unhex('13 02 02 12 05 0c 0001 00000002 0003 fffffffc'));
    expect(v).toEqual({
      type: 'compact-array',
      description: { type: 'structure', elements: [{ type: 'long-unsigned' }, { type: 'double-long' }] },
      value: [
        {
          type: 'structure',
          value: [
            { type: 'long-unsigned', value: 1 },
            { type: 'double-long', value: 2 },
          ],
        },
        {
          type: 'structure',
          value: [
            { type: 'long-unsigned', value: 3 },
            { type: 'double-long', value: -4 },
          ],
        },
      ],
    });
    expect(hex(encodeData(v))).toBe('130202120 50c000100000002 0003fffffffc'.replace(/ /g, ''));
  });

  it('rejects bad input with DECODE_ERROR', () => {
    for (const h of ['', '07', '06 00 00', '09 05 01', '01 05 11', '0c 02 ff fe', '13 02 00 02 00', '13 01 ff ff 02 00 05 00 00 00 00 00', '00 00']) {
      try {
        decodeData(unhex(h));
        expect.unreachable(h);
      } catch (e) {
        expect(e).toBeInstanceOf(OmrError);
        expect((e as OmrError).code).toBe('DECODE_ERROR');
      }
    }
  });

  it('refuses values out of range when encoding', () => {
    expect(() => encodeData({ type: 'unsigned', value: 256 })).toThrow(OmrError);
    expect(() => encodeData({ type: 'long', value: 1.5 })).toThrow(OmrError);
    expect(() => encodeData({ type: 'octet-string', value: 'xyz' })).toThrow(OmrError);
    expect(() => encodeData({ type: 'long64-unsigned', value: -1n })).toThrow(OmrError);
  });

  it('bcd is one octet of two decimal digits; an octet with a non-digit nibble is kept and shown as sent', () => {
    // One octet, no length prefix (the ASN.1 type is Integer8): what follows in a structure is intact.
    const v = decodeData(unhex('0203 0d42 0d99 1105'));
    expect(v).toEqual({
      type: 'structure',
      value: [
        { type: 'bcd', value: 0x42 },
        { type: 'bcd', value: 0x99 },
        { type: 'unsigned', value: 5 },
      ],
    });
    expect(formatValue(v)).toBe('{42, 99, 5}');
    expect(integerText({ type: 'bcd', value: 0x42 })).toBe('42');
    expect(integerText({ type: 'bcd', value: 0x07 })).toBe('7');
    // 0x4f and 0xd1 are not two digits: no number is made up (no sign convention is defined for bcd).
    expect(integerText({ type: 'bcd', value: 0x4f })).toBeUndefined();
    expect(formatValue(decodeData(unhex('0d4f')))).toBe('0x4f');
    expect(formatValue(decodeData(unhex('0dd1')))).toBe('0xd1');
    expect(bcdDigits(0x9a)).toBeUndefined();
    expect(bcdText(0x05)).toBe('5');
    expect(hex(encodeData({ type: 'bcd', value: 0xd1 }))).toBe('0dd1');
    expect(() => encodeData({ type: 'bcd', value: -1 })).toThrow(OmrError);
  });

  it('renders values readably', () => {
    // A bare 6-byte octet string is hex: only a caller that knows it holds a logical name gets the OBIS form.
    expect(formatValue(decodeData(unhex('0906 0100010800ff')))).toBe('0100010800ff');
    expect(formatValue(decodeData(unhex('0906 0100010800ff')), { logicalName: true })).toBe('1-0:1.8.0*255');
    expect(logicalNameText(decodeData(unhex('0906 0100010800ff')))).toBe('1-0:1.8.0*255');
    // logicalName applies to a 6-byte octet string only; other values read as usual.
    expect(logicalNameText(decodeData(unhex('0904 01020304')))).toBe('01020304');
    expect(formatValue(decodeData(unhex('090c 07e5071301 0f2e2300 ff8880')))).toBe('2021-07-19 15:46:35.00 dev -120 st 0x80');
    expect(integerText({ type: 'long64-unsigned', value: 18446744073709551615n })).toBe('18446744073709551615');
  });

  it('shows logical names as OBIS codes where the shape says so, and nowhere else', () => {
    const ln = (s: string): DlmsValue => ({ type: 'octet-string', value: s });
    const captureObjects: DlmsValue = {
      type: 'array',
      value: [
        {
          type: 'structure',
          value: [{ type: 'long-unsigned', value: 8 }, ln('0000010000ff'), { type: 'integer', value: 2 }, { type: 'long-unsigned', value: 0 }],
        },
        {
          type: 'structure',
          value: [{ type: 'long-unsigned', value: 3 }, ln('0100010800ff'), { type: 'integer', value: 2 }, { type: 'long-unsigned', value: 0 }],
        },
      ],
    };
    expect(formatValue(captureObjects, CAPTURE_OBJECTS)).toBe('[{8, 0-0:1.0.0*255, 2, 0}, {3, 1-0:1.8.0*255, 2, 0}]');
    expect(formatValue(captureObjects)).toBe('[{8, 0000010000ff, 2, 0}, {3, 0100010800ff, 2, 0}]');
    const objectList: DlmsValue = {
      type: 'array',
      value: [{ type: 'structure', value: [{ type: 'long-unsigned', value: 1 }, { type: 'unsigned', value: 0 }, ln('0000600100ff'), ln('0a0b0c0d0e0f')] }],
    };
    // The access rights are not a logical name even when 6 bytes long.
    expect(formatValue(objectList, OBJECT_LIST)).toBe('[{1, 0, 0-0:96.1.0*255, 0a0b0c0d0e0f}]');
    // {logical_name, value}: a 6-byte value beside the name stays hex.
    expect(formatValue({ type: 'structure', value: [ln('0100010800ff'), ln('0102030405ff')] }, SELF_DESCRIBING)).toBe('{1-0:1.8.0*255, 0102030405ff}');
  });
});

// ------------------------------------------------------------------------------------ properties

const dateTimeArb: fc.Arbitrary<CosemDateTime> = fc.record({
  year: fc.option(fc.integer({ min: 0, max: 0xfffe }), { nil: null }),
  month: fc.option(fc.integer({ min: 0, max: 0xfe }), { nil: null }),
  day: fc.option(fc.integer({ min: 0, max: 0xfe }), { nil: null }),
  dayOfWeek: fc.option(fc.integer({ min: 0, max: 0xfe }), { nil: null }),
  hour: fc.option(fc.integer({ min: 0, max: 0xfe }), { nil: null }),
  minute: fc.option(fc.integer({ min: 0, max: 0xfe }), { nil: null }),
  second: fc.option(fc.integer({ min: 0, max: 0xfe }), { nil: null }),
  hundredths: fc.option(fc.integer({ min: 0, max: 0xfe }), { nil: null }),
  deviation: fc.option(fc.integer({ min: -0x7fff, max: 0x7fff }), { nil: null }),
  clockStatus: fc.option(fc.integer({ min: 0, max: 0xfe }), { nil: null }),
});

const scalarArb: fc.Arbitrary<DlmsValue> = fc.oneof(
  fc.constant<DlmsValue>({ type: 'null-data' }),
  fc.boolean().map((value): DlmsValue => ({ type: 'boolean', value })),
  fc.array(fc.constantFrom('0', '1'), { maxLength: 40 }).map((b): DlmsValue => ({ type: 'bit-string', value: b.join('') })),
  fc.integer({ min: -2147483648, max: 2147483647 }).map((value): DlmsValue => ({ type: 'double-long', value })),
  fc.integer({ min: 0, max: 4294967295 }).map((value): DlmsValue => ({ type: 'double-long-unsigned', value })),
  fc.uint8Array({ maxLength: 300 }).map((b): DlmsValue => ({ type: 'octet-string', value: hex(b) })),
  fc
    .string({ unit: fc.integer({ min: 0, max: 255 }).map((c) => String.fromCharCode(c)), maxLength: 40 })
    .map((value): DlmsValue => ({ type: 'visible-string', value })),
  fc.string({ unit: 'grapheme', maxLength: 20 }).map((value): DlmsValue => ({ type: 'utf8-string', value })),
  fc.integer({ min: -128, max: 127 }).map((value): DlmsValue => ({ type: 'integer', value })),
  fc.integer({ min: 0, max: 255 }).map((value): DlmsValue => ({ type: 'bcd', value })),
  fc.integer({ min: -32768, max: 32767 }).map((value): DlmsValue => ({ type: 'long', value })),
  fc.integer({ min: 0, max: 255 }).map((value): DlmsValue => ({ type: 'unsigned', value })),
  fc.integer({ min: 0, max: 65535 }).map((value): DlmsValue => ({ type: 'long-unsigned', value })),
  fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n }).map((value): DlmsValue => ({ type: 'long64', value })),
  fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }).map((value): DlmsValue => ({ type: 'long64-unsigned', value })),
  fc.integer({ min: 0, max: 255 }).map((value): DlmsValue => ({ type: 'enum', value })),
  fc.float({ noNaN: true }).map((value): DlmsValue => ({ type: 'float32', value })),
  fc.double({ noNaN: true }).map((value): DlmsValue => ({ type: 'float64', value })),
  dateTimeArb.map((value): DlmsValue => ({ type: 'date-time', value })),
);

const valueArb: fc.Arbitrary<DlmsValue> = fc.letrec<{ v: DlmsValue }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    scalarArb,
    fc.array(tie('v'), { maxLength: 5 }).map((value): DlmsValue => ({ type: 'array', value })),
    fc.array(tie('v'), { maxLength: 5 }).map((value): DlmsValue => ({ type: 'structure', value })),
  ),
})).v;

describe('A-XDR properties', () => {
  it('encode/decode round-trips nested values', () => {
    fc.assert(
      fc.property(valueArb, (v) => {
        expect(decodeData(encodeData(v))).toEqual(v);
      }),
      { numRuns: 500 },
    );
  });

  it('compact arrays round-trip', () => {
    const desc: TypeDescription = {
      type: 'structure',
      elements: [{ type: 'long-unsigned' }, { type: 'octet-string' }, { type: 'array', count: 2, element: { type: 'integer' } }],
    };
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(
            fc.integer({ min: 0, max: 65535 }),
            fc.uint8Array({ maxLength: 12 }),
            fc.integer({ min: -128, max: 127 }),
            fc.integer({ min: -128, max: 127 }),
          ),
          { maxLength: 20 },
        ),
        (rows) => {
          const v: DlmsValue = {
            type: 'compact-array',
            description: desc,
            value: rows.map(([a, b, c, d]) => ({
              type: 'structure',
              value: [
                { type: 'long-unsigned', value: a },
                { type: 'octet-string', value: hex(b) },
                {
                  type: 'array',
                  value: [
                    { type: 'integer', value: c },
                    { type: 'integer', value: d },
                  ],
                },
              ],
            })),
          };
          expect(decodeData(encodeData(v))).toEqual(v);
        },
      ),
    );
  });

  it('random and mutated input gives only OmrError, quickly', () => {
    const check = (b: Uint8Array) => {
      try {
        decodeData(b);
      } catch (e) {
        expect(e).toBeInstanceOf(OmrError);
      }
    };
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), check), { numRuns: 2000 });
    fc.assert(
      fc.property(valueArb, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }), (v, muts) => {
        const b = encodeData(v);
        if (b.length === 0) return;
        for (const [i, x] of muts) b[i % b.length] = x;
        check(b);
      }),
      { numRuns: 1000 },
    );
  });

  it('a hostile compact array cannot blow up', () => {
    // array of 65535 arrays of 65535 empty structures: refused, not expanded.
    expect(() => decodeData(unhex('13 01 ffff 01 ffff 02 00 01 00'))).toThrow(OmrError);
  });
});

describe('COSEM date-time', () => {
  it('keeps the "not specified" wildcards and never invents a zone', () => {
    const d = decodeDateTime(unhex('ffff ff ff ff 0f 00 00 ff 8000 ff'));
    expect(d).toEqual(dt({ hour: 15, minute: 0, second: 0 }));
    expect(formatDateTime(d)).toBe('****-**-** 15:00:00');
    expect(toIsoLocal(d)).toBeUndefined();
    expect(hex(encodeDateTime(d))).toBe('ffffffffff0f0000ff8000ff');
  });

  it('gives the local ISO text only when the date and time are complete', () => {
    const d = decodeDateTime(unhex('07ea 07 12 06 10 3a 00 ff 8000 00'));
    expect(toIsoLocal(d)).toBe('2026-07-18T16:58:00');
    expect(d.deviation).toBeNull();
    expect(d.clockStatus).toBe(0);
  });

  it('shows the special DST and last-day values', () => {
    expect(formatDateTime(dt({ month: 0xfe, day: 0xfe, dayOfWeek: 7, hour: 2, minute: 0, second: 0 }))).toBe('****-DB-LD 02:00:00');
    expect(parseDateTime('****-DE-L2 03:00:00')).toEqual(dt({ month: 0xfd, day: 0xfd, hour: 3, minute: 0, second: 0 }));
  });

  it('readable form round-trips for ordinary values', () => {
    const arb = fc.record({
      year: fc.option(fc.integer({ min: 0, max: 9999 }), { nil: null }),
      month: fc.option(fc.integer({ min: 1, max: 12 }), { nil: null }),
      day: fc.option(fc.integer({ min: 1, max: 31 }), { nil: null }),
      dayOfWeek: fc.constant(null),
      hour: fc.option(fc.integer({ min: 0, max: 23 }), { nil: null }),
      minute: fc.option(fc.integer({ min: 0, max: 59 }), { nil: null }),
      second: fc.option(fc.integer({ min: 0, max: 59 }), { nil: null }),
      hundredths: fc.option(fc.integer({ min: 0, max: 99 }), { nil: null }),
      deviation: fc.option(fc.integer({ min: -720, max: 720 }), { nil: null }),
      clockStatus: fc.option(fc.integer({ min: 0, max: 0xfe }), { nil: null }),
    });
    fc.assert(
      fc.property(arb, (d) => {
        expect(parseDateTime(formatDateTime(d))).toEqual(d);
      }),
    );
  });

  it('binary round-trips every field value', () => {
    fc.assert(
      fc.property(dateTimeArb, (d) => {
        expect(decodeDateTime(encodeDateTime(d))).toEqual(d);
      }),
    );
  });

  it('refuses unreadable text', () => {
    expect(() => parseDateTime('yesterday')).toThrow(OmrError);
    expect(() => parseDateTime('2024-13-01 00:00')).not.toThrow(); // 13 is a byte; meaning is checked by toIsoLocal
    expect(toIsoLocal(parseDateTime('2024-13-01 00:00'))).toBeUndefined();
  });
});
