import { describe, it, expect } from 'vitest';
import { knownObisCodes, lookupObis, normaliseObisText } from '../../../electron/engine/obis/names';
import { DLMS_UNITS, unitSymbol } from '../../../electron/engine/obis/units';
import { formatObis, parseObis } from '../../../electron/engine/dlms/obis-code';
import { OmrError } from '../../../shared/errors';

describe('OBIS names', () => {
  it('matches every spelling of the same code', () => {
    const expected = { en: 'Active energy import (+A), total', fr: 'Énergie active importée (+A), totale' };
    for (const s of ['1-0:1.8.0*255', '1-0:1.8.0.255', '1.0.1.8.0.255', '1-0:1.8.0', '1.8.0', '0100010800ff']) expect(lookupObis(s)).toEqual(expected);
    expect(lookupObis([1, 0, 1, 8, 0, 255])).toEqual(expected);
  });
  it('knows what an E450 exposes', () => {
    expect(lookupObis('1-0:2.8.2*255')?.en).toBe('Active energy export (−A), tariff 2');
    expect(lookupObis('1-0:32.7.0')?.fr).toBe('Tension L1');
    expect(lookupObis('1-0:71.7.0')?.en).toBe('Current L3');
    expect(lookupObis('1-0:14.7.0')?.en).toBe('Frequency');
    expect(lookupObis('0-0:96.1.0*255')?.en).toBe('Meter serial number');
    expect(lookupObis('C.1.0')?.en).toBe('Meter serial number');
    expect(lookupObis('F.F')?.en).toBe('Error register');
    expect(lookupObis('1-0:0.2.0')?.en).toBe('Active firmware version');
    expect(lookupObis('0-0:42.0.0')?.en).toBe('Logical device name');
    expect(lookupObis('1-0:99.1.0')?.fr).toBe('Courbe de charge 1');
    expect(lookupObis('0-0:99.98.0')?.en).toBe('Standard event log');
    expect(lookupObis('0-0:43.1.3')?.en).toBe('Invocation counter (security setup 3)');
    expect(lookupObis('1-0:1.8.0*101')).toBeUndefined(); // a billing period value is not the current one
    expect(lookupObis('nonsense')).toBeUndefined();
    expect(normaliseObisText('32.7')).toBe('1-0:32.7.0*255');
  });
  it('has an English and a French name for every entry', () => {
    for (const c of knownObisCodes()) {
      const n = lookupObis(c)!;
      expect(n.en.length).toBeGreaterThan(2);
      expect(n.fr.length).toBeGreaterThan(2);
    }
  });
  it('parses and prints logical names', () => {
    expect(formatObis(parseObis('0-0:43.1.0'))).toBe('0-0:43.1.0*255');
    expect(() => parseObis('1-0:1.8.256')).toThrow(OmrError);
  });
});

describe('DLMS units', () => {
  it('follows the Blue Book table', () => {
    expect([27, 28, 29, 30, 31, 32, 33, 35, 44, 56].map(unitSymbol)).toEqual(['W', 'VA', 'var', 'Wh', 'VAh', 'varh', 'A', 'V', 'Hz', '%']);
    expect(unitSymbol(255)).toBe('');
    expect(unitSymbol(200)).toBe('unit 200');
    expect(Object.keys(DLMS_UNITS).length).toBeGreaterThan(60);
  });
});
