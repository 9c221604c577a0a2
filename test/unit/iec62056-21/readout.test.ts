import { describe, expect, it } from 'vitest';
import { decodeDataMessage, encodeDataMessage, fromLatin1 } from '../../../electron/engine/iec62056-21/codec';
import { formatDataBlock, parseDataBlock, parseGroup, parseReadout } from '../../../electron/engine/iec62056-21/readout';
import { normaliseObis, parseObisAddress } from '../../../electron/engine/obis/normalise';
import { APA_DATA_START, E350_LINES, ISKRA_LINES, ZMD_LINES } from './captures';

const readAt = '2024-01-01T00:00:00.000Z';
const block = (lines: string[]) => lines.map((l) => `${l}\r\n`).join('') + '!\r\n';

describe('normaliseObis', () => {
  it.each([
    ['1.8.0', '1-0:1.8.0*255'],
    ['32.7', '1-0:32.7.0*255'],
    ['1.8.1*12', '1-0:1.8.1*12'],
    ['1.8.1*00', '1-0:1.8.1*0'],
    ['1.8.0*100', '1-0:1.8.0*100'],
    ['0.1.0&12', '1-0:0.1.0*12'],
    ['C.1.0', '0-0:96.1.0*255'],
    ['C.90.1', '0-0:96.90.1*255'],
    ['F.F', '0-0:97.97.0*255'],
    ['0-0:F.F.0*255', '0-0:97.97.0*255'],
    ['0-0:C.1.0', '0-0:96.1.0*255'],
    ['0.9.1', '1-0:0.9.1*255'],
    ['P.01', '1-0:99.1.0*255'],
    ['151.7.0', '1-0:151.7.0*255'],
    ['1-0:1.8.1*101', '1-0:1.8.1*101'],
    ['1-0:1.8.0*255', '1-0:1.8.0*255'],
    ['1-1:32.7.0', '1-1:32.7.0*255'],
    ['1.0.1.8.0.255', '1-0:1.8.0*255'],
    [' 1.8.0 ', '1-0:1.8.0*255'],
  ])('%s → %s', (a, n) => expect(normaliseObis(a)).toBe(n));
  it.each(['', '!', 'abc', '1.8', '1.8.0*1000', '256.8.0', '1-0:99:97.0', 'X.1.0', '1.8.0.0', 'c.1.0'])('%j has no OBIS form', (a) => {
    if (a === '1.8') return expect(normaliseObis(a)).toBe('1-0:1.8.0*255'); // C.D alone is valid (E = 0)
    expect(normaliseObis(a)).toBeUndefined();
  });
  it('keeps the history suffix as written', () => {
    expect(parseObisAddress('1.8.1*12')?.history).toBe('12');
    expect(parseObisAddress('1.8.1&12')?.history).toBe('&12');
    expect(parseObisAddress('1-0:1.8.0*255')?.history).toBeUndefined();
  });
});

describe('value groups', () => {
  it('trims padding, keeps exact text, keeps placeholders as the meter wrote them', () => {
    expect(parseGroup(' 0302.8260 *kWh')).toEqual({ raw: ' 0302.8260 *kWh', value: '0302.8260', unit: 'kWh' });
    expect(parseGroup(' -.--*kW').value).toBe('-.--');
    expect(parseGroup('---.-*V')).toMatchObject({ value: '---.-', unit: 'V' });
    expect(parseGroup('     ').value).toBe('');
    expect(parseGroup('').value).toBe('');
    expect(parseGroup('12.5*').unit).toBe('');
    expect(parseGroup('- 12.5*kW').value).toBe('- 12.5');
    expect(parseGroup('0000000000.123456789*kWh').value).toBe('0000000000.123456789');
  });
});

describe('readout of a Landis+Gyr ZMD (pwitab/iec62056-21#16)', () => {
  const msg = encodeDataMessage(block(ZMD_LINES));
  const { text } = decodeDataMessage(msg);
  const r = parseReadout(text, { readAt });
  it('gives one reading per line, in order, with the meter spelling kept', () => {
    expect(r.map((x) => x.address)).toEqual(ZMD_LINES.map((l) => l.slice(0, l.indexOf('('))));
    expect(parseDataBlock(text).complete).toBe(true);
    expect(parseDataBlock(text).skipped).toBe(0);
  });
  it('checks every value', () => {
    const byLine = r.map((x) => [x.obis, x.value, x.unit, x.history]);
    expect(byLine).toEqual([
      ['0-0:97.97.0*255', '00000000', '', undefined],
      ['1-0:0.9.1*255', '23:16:43', '', undefined],
      ['1-0:0.9.2*255', '21-01-04', '', undefined],
      ['1-0:0.0.0*255', '', '', undefined],
      ['0-0:96.1.0*255', '54800102', '', undefined],
      ['0-0:96.90.1*255', '54800102', '', undefined],
      ['0-0:96.90.2*255', '01102', '', undefined],
      ['1-0:0.2.2*255', 'B21', '', undefined],
      ['1-0:0.1.0*255', '04', '', undefined],
      ['1-0:0.1.0*12', '21-01-01 00:00', '', '12'],
      ['1-0:0.1.0*12', '20-12-30 16:02', '', '&12'],
      ['1-0:0.1.0*0', '00-00-00 00:00', '', '00'],
      ['1-0:0.1.0*0', '00-00-00 00:00', '', '00'],
      ['1-0:0.1.2*255', '00:00', '', undefined],
      ['1-0:0.1.3*255', '21-01-01', '', undefined],
      ['1-0:1.8.1*255', '0302.8260', 'kWh', undefined],
      ['1-0:1.8.1*12', '0075.5341', 'kWh', '12'],
      ['1-0:1.8.1*12', '0000.0000', 'kWh', '&12'],
      ['1-0:1.8.1*0', '0000.0000', 'kWh', '00'],
      ['1-0:1.8.1*0', '0000.0000', 'kWh', '00'],
      ['1-0:1.8.2*255', '0000.0000', 'kWh', undefined],
      ['1-0:1.8.0*255', '0302.8260', 'kWh', undefined],
      ['1-0:1.8.0*12', '0075.5341', 'kWh', '12'],
      ['1-0:2.8.0*255', '0000.0000', 'kWh', undefined],
      ['1-0:5.8.1*255', '0064.3714', 'kvarh', undefined],
      ['1-0:5.8.1*12', '0016.0599', 'kvarh', '12'],
    ]);
    expect(r.every((x) => x.source === 'readout' && x.readAt === readAt)).toBe(true);
  });
});

describe('readout of a Landis+Gyr E350 (user manual example)', () => {
  it('parses every line', () => {
    const r = parseReadout(block(E350_LINES), { readAt });
    expect(r.map((x) => `${x.obis}=${x.value}${x.unit ? ` ${x.unit}` : ''}`)).toEqual([
      '0-0:97.97.0*255=00',
      '0-0:96.1.1*255=0000000074892473',
      '1-0:1.8.0*255=000065.3 kWh',
      '1-0:2.8.0*255=000003.5 kWh',
      '1-0:1.8.1*255=000021.5 kWh',
      '1-0:1.8.2*255=00043.8 kWh',
      '1-0:2.8.1*255=000001.5 kWh',
      '1-0:2.8.2*255=00000.0 kWh',
      '0-0:96.5.0*255=02',
    ]);
  });
});

describe('readout cut off in the middle (u9n/dlms-cosem#37 bytes)', () => {
  it('keeps the complete data sets, drops the partial line, never throws', () => {
    const text = APA_DATA_START.slice(1); // after STX
    const p = parseDataBlock(text);
    expect(p.complete).toBe(false);
    const r = parseReadout(text, { readAt });
    expect(r).toHaveLength(13);
    expect(r[0]).toMatchObject({ address: '0-0:C.1.0', obis: '0-0:96.1.0*255', value: '72432595' });
    expect(r[1]).toMatchObject({ obis: '0-0:1.0.0*255', value: '2021-07-12 22:20:17', unit: '' });
    expect(r[3]).toMatchObject({ address: '1-0:1.8.1*101', obis: '1-0:1.8.1*101', history: '101', value: '00000000001.329', unit: 'kWh' });
    expect(r[12]).toMatchObject({ obis: '1-0:2.8.1*102', value: '00000000000.501' });
  });
});

describe('DSMR telegram of an Iskra MT382 (domoticx example, with its typos)', () => {
  const r = parseReadout(block(ISKRA_LINES), { readAt });
  it('reads normal lines', () => {
    expect(r[0]).toMatchObject({ obis: '1-3:0.2.8*255', value: '40' });
    expect(r[2]).toMatchObject({ obis: '0-0:96.1.1*255', value: '4B384547303034303436333935353037' });
    expect(r[3]).toMatchObject({ value: '123456.789', unit: 'kWh' });
    expect(r[4]).toMatchObject({ obis: '1-0:1.7.0*255', value: '01.193', unit: 'kW' });
  });
  it('keeps several groups: first as value, the rest in extra; an invalid address stays as address', () => {
    expect(r[5]).toMatchObject({
      obis: '1-0:99:97.0',
      address: '1-0:99:97.0',
      value: '2',
      extra: ['0:96.7.1 9', '101208152415W', '0000000240*s', '101208151004W', '00000000301*s'],
    });
    expect(r[6]).toMatchObject({ obis: '1-0:72:32.0', value: '00000' });
  });
  it('takes the timestamp of a (time)(value) pair as captureTime', () => {
    expect(r[7]).toMatchObject({ obis: '0-1:24.2.1*255', value: '12785.123', unit: 'm3', captureTime: '101209110000W' });
    expect(r[7]!.extra).toBeUndefined();
  });
});

describe('tolerance', () => {
  it('handles several data sets per line, continuation lines, noise and blank groups', () => {
    const text =
      '1.8.0(1.5*kWh)2.8.0(0.5*kWh)\r\n\x7f\x7f32.7(230.1*V)\r\n0-1:24.3.0(160410130000)(00)(m3)\r\n(04933.286)\r\n9.6.0(00.440*MVA)(13-07-19 08:30)\r\n31.7.0(    )\r\n)garbage\r\n!\r\n';
    const r = parseReadout(text, { readAt });
    expect(r.map((x) => x.obis)).toEqual(['1-0:1.8.0*255', '1-0:2.8.0*255', '1-0:32.7.0*255', '0-1:24.3.0*255', '1-0:9.6.0*255', '1-0:31.7.0*255']);
    expect(r[2]!.value).toBe('230.1');
    expect(r[3]!.extra).toEqual(['00', 'm3', '04933.286']);
    expect(r[4]).toMatchObject({ value: '00.440', unit: 'MVA', captureTime: '13-07-19 08:30' });
    expect(r[5]!.value).toBe('');
    const p = parseDataBlock(text);
    expect(p.complete).toBe(true);
    expect(p.skipped).toBeGreaterThan(0);
  });
  it('accepts & inside addresses and three-digit group C', () => {
    const r = parseReadout('1.8.0&01(5*kWh)\r\n151.7.0(1.2*kW)\r\n', { readAt });
    expect(r[0]).toMatchObject({ obis: '1-0:1.8.0*1', history: '&01' });
    expect(r[1]!.obis).toBe('1-0:151.7.0*255');
  });
  it('formats and parses back', () => {
    const text = formatDataBlock([
      { address: '1.8.0', groups: [{ value: '000123.456', unit: 'kWh' }] },
      { address: 'F.F', groups: [{ value: '00' }] },
    ]);
    expect(text).toBe('1.8.0(000123.456*kWh)\r\nF.F(00)\r\n!\r\n');
    expect(decodeDataMessage(encodeDataMessage(text)).text).toBe(text);
    expect(parseReadout(text, { readAt }).map((x) => x.value)).toEqual(['000123.456', '00']);
    expect(fromLatin1(text).length).toBe(text.length);
  });
});
