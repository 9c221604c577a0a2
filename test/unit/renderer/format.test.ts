/** Display formatting: meter values keep every digit; only the decimal mark follows the locale. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { dayToIso, decimalMark, displayExact, formatDateTime, intlLocale } from '../../../renderer/src/format';
import { makerName } from '../../../shared/makers';
import { warningText } from '../../../renderer/src/warnings';
import { sortPorts } from '../../../renderer/src/ports';
import type { PortInfo } from '../../../shared/types';

describe('displayExact', () => {
  it('keeps leading and trailing zeros and changes only the decimal mark', () => {
    expect(displayExact('012345.678', 'fr-FR')).toBe('012345,678');
    expect(displayExact('012345.678', 'en-GB')).toBe('012345.678');
    expect(displayExact('-0.500', 'fr-FR')).toBe('-0,500');
    expect(displayExact('000123456789012345678.1', 'fr-FR')).toBe('000123456789012345678,1');
  });

  it('leaves text, integers and dates alone', () => {
    for (const v of ['B31', '00000000', '24-05-01 00:00', '12:30:00', '1.2.3', '', '1e5']) expect(displayExact(v, 'fr-FR')).toBe(v);
  });

  it('never changes a digit (property)', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[+-]?\d{1,20}\.\d{1,10}$/), (v) => {
        const shown = displayExact(v, 'fr-FR');
        expect(shown.replace(',', '.')).toBe(v);
        expect(shown.replace(/\D/g, '')).toBe(v.replace(/\D/g, ''));
      }),
    );
  });
});

describe('locale helpers', () => {
  it('finds the decimal mark from Intl', () => {
    expect(decimalMark('fr-FR')).toBe(',');
    expect(decimalMark('en-US')).toBe('.');
    expect(decimalMark('de-DE')).toBe(',');
  });

  it('uses the system locale only when it is in the UI language', () => {
    expect(intlLocale('fr', 'fr-CA')).toBe('fr-CA');
    expect(intlLocale('en', 'fr-FR')).toBe('en-GB');
    expect(intlLocale('fr', 'en-US')).toBe('fr-FR');
  });

  it('formats ISO times in the locale and leaves other text as is', () => {
    const iso = '2024-05-01T10:20:30.000Z';
    const fr = formatDateTime(iso, 'fr-FR');
    // Unambiguous: the month as a word, four-digit year, 24-hour clock.
    expect(fr).toMatch(/^\d{1,2} mai 2024,? \d{2}:\d{2}:30$/);
    expect(formatDateTime(iso, 'en-US')).toMatch(/^(May 1, 2024|1 May 2024),? \d{2}:\d{2}:30$/);
    expect(formatDateTime(iso, 'en-GB', false)).toMatch(/^1 May 2024,? \d{2}:\d{2}$/);
    expect(formatDateTime('24-05-01 00:00', 'fr-FR')).toBe('24-05-01 00:00');
    expect(formatDateTime(undefined, 'fr-FR')).toBe('');
  });

  it('turns a date input day into local midnight, and the end of the day into the next midnight', () => {
    const from = dayToIso('2024-03-10')!;
    const to = dayToIso('2024-03-10', true)!;
    expect(new Date(from).getDate()).toBe(10);
    expect(new Date(from).getHours()).toBe(0);
    expect(new Date(to).getDate()).toBe(11);
    expect(dayToIso('10/03/2024')).toBeUndefined();
  });
});

describe('makers and ports', () => {
  it('names the maker whatever the case of the third letter', () => {
    expect(makerName('LGZ')).toBe('Landis+Gyr');
    expect(makerName('LGz')).toBe('Landis+Gyr');
    expect(makerName('XYZ')).toBeUndefined();
  });

  it('lists optical heads first and the demo meter last', () => {
    const p = (path: string, opticalHead: boolean, kind: PortInfo['kind'] = 'serial'): PortInfo => ({ path, opticalHead, kind });
    const sorted = sortPorts([p('virtual:e450', false, 'virtual'), p('/dev/ttyS0', false), p('/dev/ttyUSB1', true), p('/dev/ttyUSB0', true)]);
    expect(sorted.map((x) => x.path)).toEqual(['/dev/ttyUSB0', '/dev/ttyUSB1', '/dev/ttyS0', 'virtual:e450']);
  });
});

describe('warnings', () => {
  it('gives a coded warning the message of its code in the UI language, keeping the detail', () => {
    expect(warningText('BAUD_NOT_ACCEPTED: read at 300 baud', 'fr')).toBe("Le compteur n'est pas passé à la vitesse proposée. (read at 300 baud)");
    expect(warningText('BAUD_NOT_ACCEPTED: read at 300 baud', 'en')).toBe('The meter did not switch to the proposed speed. (read at 300 baud)');
    expect(warningText('something else: x', 'fr')).toBe('something else: x');
    expect(warningText('NOT_A_CODE: x', 'fr')).toBe('NOT_A_CODE: x');
  });
});
