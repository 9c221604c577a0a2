import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { OmrError } from '../../../shared/errors';
import { hex, unhex } from '../../../electron/engine/dlms/bytes';
import { decodeData, type DlmsValue } from '../../../electron/engine/dlms/axdr';
import { encodeDateTime, cosemDateTime } from '../../../electron/engine/dlms/datetime';
import { decodeFrame } from '../../../electron/engine/hdlc/frame';
import { stripLlc } from '../../../electron/engine/hdlc/segmentation';
import { decodeDataNotification } from '../../../electron/engine/dlms/notification';
import { scaleDecimal } from '../../../electron/engine/cosem/scale';
import {
  decodeCaptureObjects,
  decodeCapturePeriod,
  decodeClock,
  decodeDemandRegister,
  decodeExtendedRegister,
  decodeObjectList,
  decodeProfileBuffer,
  decodeRegister,
  decodeScalerUnit,
} from '../../../electron/engine/cosem/classes';
import { decodeEventLog, eventName } from '../../../electron/engine/cosem/events';

const u = (value: number): DlmsValue => ({ type: 'long-unsigned', value });
const dlu = (value: number): DlmsValue => ({ type: 'double-long-unsigned', value });
const os = (h: string): DlmsValue => ({ type: 'octet-string', value: h });
const st = (...value: DlmsValue[]): DlmsValue => ({ type: 'structure', value });
const arr = (...value: DlmsValue[]): DlmsValue => ({ type: 'array', value });
const su = (s: number, unit: number): DlmsValue => st({ type: 'integer', value: s }, { type: 'enum', value: unit });
const dtOs = (f: Parameters<typeof cosemDateTime>[0]) => os(hex(encodeDateTime(cosemDateTime(f))));

describe('exact decimal scaling', () => {
  it('shifts the point on text, never through a float', () => {
    expect(scaleDecimal('2308', -1)).toBe('230.8');
    expect(scaleDecimal('5', -3)).toBe('0.005');
    expect(scaleDecimal('-5', -3)).toBe('-0.005');
    expect(scaleDecimal('12', 3)).toBe('12000');
    expect(scaleDecimal('0', -2)).toBe('0');
    expect(scaleDecimal('18446744073709551615', -2)).toBe('184467440737095516.15');
    expect(scaleDecimal('1.5e-7', 2)).toBe('0.000015');
    expect(scaleDecimal('0.1', -1)).toBe('0.01'); // a float would give 0.010000000000000002
  });
  it('matches BigInt arithmetic for integers', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 20n), max: 10n ** 20n }), fc.integer({ min: -10, max: 10 }), (v, s) => {
        const out = scaleDecimal(v.toString(), s);
        if (s >= 0) expect(out).toBe((v * 10n ** BigInt(s)).toString());
        else {
          const [i, f = ''] = out.replace('-', '').split('.');
          const back = BigInt(i! + f.padEnd(-s, '0')) * (out.startsWith('-') ? -1n : 1n);
          expect(back).toBe(v);
        }
      }),
    );
  });
  it('refuses non-numbers', () => {
    expect(() => scaleDecimal('abc', 1)).toThrow(OmrError);
  });
});

describe('registers from a real push (dlms-cosem TestUnnumberedInformationFrame)', () => {
  // A meter's UI push frame recorded in https://github.com/u9n/dlms-cosem/blob/master/tests/test_hdlc/test_hdlc.py
  const FRAME =
    '7ea2434108831385ebe6e7000f4000000000011b020209060000010000ff090c07e30c1001073b28ff8000ff020309060100010700ff060000046202020f00161b020309060100020700ff060000000002020f00161b020309060100030700ff06000005e302020f00161d020309060100040700ff060000000002020f00161d0203090601001f0700ff10000002020fff1621020309060100330700ff10004b02020fff1621020309060100470700ff10000002020fff1621020309060100200700ff12090302020fff1623020309060100340700ff1209c302020fff1623020309060100480700ff12090402020fff1623020309060100150700ff060000000002020f00161b020309060100160700ff060000000002020f00161b020309060100170700ff060000000002020f00161d020309060100180700ff060000000002020f00161d020309060100290700ff060000046202020f00161b0203090601002a0700ff060000000002020f00161b0203090601002b0700ff06000005e202020f00161d0203090601002c0700ff060000000002020f00161d0203090601003d0700ff060000000002020f00161b0203090601003e0700ff060000000002020f00161b0203090601003f0700ff060000000002020f00161d020309060100400700ff060000000002020f00161d020309060100010800ff060099598602020f00161e020309060100020800ff060000000802020f00161e020309060100030800ff060064ed4b02020f001620020309060100040800ff060000000502020f001620be407e';

  it('decodes each register with its scaler and unit', () => {
    const f = decodeFrame(unhex(FRAME));
    expect(f.control).toEqual({ kind: 'UI', pf: true });
    const n = decodeDataNotification(stripLlc(f.info));
    expect(n.body.type).toBe('array');
    if (n.body.type !== 'array') return;
    const byObis = new Map<string, { value: string; unit: string }>();
    for (const item of n.body.value.slice(1)) {
      if (item.type !== 'structure') throw new Error('structure expected');
      const [obis, value, scalerUnit] = item.value;
      const r = decodeRegister(value!, scalerUnit!);
      byObis.set((obis as { value: string }).value, { value: r.value, unit: r.unit });
    }
    expect(byObis.get('0100010700ff')).toEqual({ value: '1122', unit: 'W' });
    expect(byObis.get('0100030700ff')).toEqual({ value: '1507', unit: 'var' });
    expect(byObis.get('01001f0700ff')).toEqual({ value: '0', unit: 'A' });
    expect(byObis.get('0100330700ff')).toEqual({ value: '7.5', unit: 'A' });
    expect(byObis.get('0100200700ff')).toEqual({ value: '230.7', unit: 'V' });
    expect(byObis.get('0100340700ff')).toEqual({ value: '249.9', unit: 'V' });
    expect(byObis.get('0100480700ff')).toEqual({ value: '230.8', unit: 'V' });
    expect(byObis.get('0100010800ff')).toEqual({ value: '10049926', unit: 'Wh' });
    expect(byObis.get('0100030800ff')).toEqual({ value: '6614347', unit: 'varh' });
    expect(byObis.get('0100040800ff')).toEqual({ value: '5', unit: 'varh' });
  });
});

describe('interface classes', () => {
  it('scaler_unit and register', () => {
    expect(decodeScalerUnit(decodeData(unhex('02020fff1623')))).toEqual({ scaler: -1, unit: 35, symbol: 'V' });
    expect(decodeRegister(dlu(123456), su(-3, 30))).toEqual({ value: '123.456', raw: '123456', scaler: -3, unit: 'Wh' });
    expect(() => decodeScalerUnit(u(1))).toThrow(OmrError);
  });

  it('extended and demand registers', () => {
    const x = decodeExtendedRegister(
      dlu(42),
      su(2, 27),
      { type: 'unsigned', value: 0 },
      dtOs({ year: 2024, month: 5, day: 7, hour: 2, minute: 15, second: 0, deviation: null }),
    );
    expect(x.value).toBe('4200');
    expect(x.unit).toBe('W');
    expect(x.captureTimeText).toBe('2024-05-07 02:15:00');
    const d = decodeDemandRegister({ current: dlu(1500), last: dlu(2500), scalerUnit: su(-3, 27), period: dlu(900), numberOfPeriods: u(1) });
    expect(d.current.value).toBe('1.5');
    expect(d.last.value).toBe('2.5');
    expect(d.period).toBe(900);
  });

  it('profile generic: columns with names, rows with scaled values', () => {
    const captureObjects = arr(
      st(u(8), os('0000010000ff'), { type: 'integer', value: 2 }, u(0)),
      st(u(1), os('0000600a01ff'), { type: 'integer', value: 2 }, u(0)),
      st(u(3), os('0100010800ff'), { type: 'integer', value: 2 }, u(0)),
    );
    const cols = decodeCaptureObjects(captureObjects);
    expect(cols.map((c) => [c.classId, c.obis, c.attribute, c.name?.en])).toEqual([
      [8, '0-0:1.0.0*255', 2, 'Clock'],
      [1, '0-0:96.10.1*255', 2, undefined],
      [3, '1-0:1.8.0*255', 2, 'Active energy import (+A), total'],
    ]);
    const buffer = arr(
      st(
        dtOs({ year: 2024, month: 5, day: 7, hour: 0, minute: 15, second: 0, hundredths: 0, deviation: -60, clockStatus: 0 }),
        { type: 'unsigned', value: 0 },
        dlu(7136726),
      ),
      st(
        dtOs({ year: 2024, month: 5, day: 7, hour: 0, minute: 30, second: 0, hundredths: 0, deviation: -60, clockStatus: 0x80 }),
        { type: 'unsigned', value: 8 },
        dlu(7137001),
      ),
    );
    const p = decodeProfileBuffer(buffer, cols, new Map([['1-0:1.8.0*255/2', { scaler: -3, unit: 30, symbol: 'Wh' }]]));
    expect(p.columns[2]!.scalerUnit?.symbol).toBe('Wh');
    expect(p.rows.map((r) => r.cells.map((c) => c.text.value))).toEqual([
      ['2024-05-07 00:15:00.00 dev -60 st 0x00', '0', '7136.726'],
      ['2024-05-07 00:30:00.00 dev -60 st 0x80', '8', '7137.001'],
    ]);
    expect(p.rows[0]!.cells[0]!.text.time).toBe('2024-05-07T00:15:00+01:00');
    expect(decodeCapturePeriod(dlu(900))).toBe(900);
    expect(() => decodeProfileBuffer(arr(st(dlu(1))), cols)).toThrow(/1 values for 3 columns/);
  });

  it('profile generic: a 6-byte cell is an OBIS code only in a logical-name column', () => {
    // Column 1 captures attribute 1 (a logical name), column 2 a value that happens to be 6 bytes.
    const cols = decodeCaptureObjects(
      arr(st(u(1), os('0000600a01ff'), { type: 'integer', value: 1 }, u(0)), st(u(1), os('0000600a02ff'), { type: 'integer', value: 2 }, u(0))),
    );
    const p = decodeProfileBuffer(arr(st(os('0000600a01ff'), os('0100010800ff'))), cols);
    expect(p.rows[0]!.cells.map((c) => c.text.value)).toEqual(['0-0:96.10.1*255', '0100010800ff']);
  });

  it('event log rows with the standard event names', () => {
    const cols = decodeCaptureObjects(
      arr(st(u(8), os('0000010000ff'), { type: 'integer', value: 2 }, u(0)), st(u(1), os('0000600b00ff'), { type: 'integer', value: 2 }, u(0))),
    );
    const p = decodeProfileBuffer(
      arr(
        st(dtOs({ year: 2024, month: 1, day: 2, hour: 3, minute: 4, second: 5 }), { type: 'unsigned', value: 1 }),
        st(dtOs({ year: 2024, month: 1, day: 2, hour: 3, minute: 9, second: 0 }), { type: 'unsigned', value: 2 }),
        st(dtOs({ year: 2024, month: 2, day: 1, hour: 8, minute: 0, second: 0 }), { type: 'unsigned', value: 199 }),
      ),
      cols,
    );
    const ev = decodeEventLog(p);
    expect(ev.map((e) => [e.iso, e.code, e.name.en])).toEqual([
      ['2024-01-02T03:04:05', 1, 'Power down'],
      ['2024-01-02T03:09:00', 2, 'Power up'],
      ['2024-02-01T08:00:00', 199, 'event 199'],
    ]);
    expect(eventName(44).fr).toBe('Capot du compteur retiré');
  });

  it('clock attributes', () => {
    const c = decodeClock({
      2: dtOs({ year: 2024, month: 5, day: 7, dayOfWeek: 2, hour: 10, minute: 0, second: 0, hundredths: null, deviation: -60, clockStatus: 0 }),
      3: { type: 'long', value: -60 },
      4: { type: 'unsigned', value: 0 },
      5: dtOs({ month: 3, day: 0xfe, dayOfWeek: 7, hour: 2, minute: 0, second: 0 }),
      7: { type: 'integer', value: 60 },
      8: { type: 'boolean', value: true },
      9: { type: 'enum', value: 1 },
    });
    expect(c.timeText).toBe('2024-05-07 10:00:00 dev -60 st 0x00');
    expect(c.timeZone).toBe(-60);
    expect(c.dstBegin).toBe('****-03-LD 02:00:00');
    expect(c.dstEnabled).toBe(true);
    expect(c.clockBase).toBe(1);
  });

  it('association LN object list', () => {
    const list = arr(
      st(
        u(3),
        { type: 'unsigned', value: 0 },
        os('0100010800ff'),
        st(
          arr(
            st({ type: 'integer', value: 1 }, { type: 'enum', value: 1 }, { type: 'null-data' }),
            st({ type: 'integer', value: 2 }, { type: 'enum', value: 1 }, { type: 'null-data' }),
          ),
          arr(st({ type: 'integer', value: 1 }, { type: 'enum', value: 0 })),
        ),
      ),
      st(
        u(7),
        { type: 'unsigned', value: 1 },
        os('0100630100ff'),
        st(arr(st({ type: 'integer', value: 2 }, { type: 'enum', value: 1 }, arr({ type: 'integer', value: 1 }, { type: 'integer', value: 2 }))), arr()),
      ),
    );
    const o = decodeObjectList(list);
    expect(o).toHaveLength(2);
    expect(o[0]).toMatchObject({ classId: 3, version: 0, logicalName: '1-0:1.8.0*255', name: { fr: 'Énergie active importée (+A), totale' } });
    expect(o[0]!.attributes[1]).toEqual({ id: 2, access: 1, accessName: 'read-only' });
    expect(o[1]!.attributes[0]!.selectors).toEqual([1, 2]);
    expect(o[1]!.name?.en).toBe('Load profile 1');
  });

  it('wrong shapes are DECODE_ERROR, never another exception', () => {
    const anyValue = fc.constantFrom<DlmsValue>(u(1), arr(), st(), os('00'), arr(st(u(1))), { type: 'null-data' });
    fc.assert(
      fc.property(anyValue, anyValue, (a, b) => {
        for (const f of [
          () => decodeCaptureObjects(a),
          () => decodeObjectList(a),
          () => decodeProfileBuffer(a, []),
          () => decodeRegister(a, b),
          () => decodeCapturePeriod(a),
        ]) {
          try {
            f();
          } catch (e) {
            expect(e).toBeInstanceOf(OmrError);
          }
        }
      }),
    );
  });
});
