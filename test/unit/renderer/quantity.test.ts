/**
 * Meter values shown the same way whatever read them: one unit per kind (energy in kWh with at
 * least 3 decimals, power in kW), digits grouped, leading zeros dropped, no digit lost.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { meterQuantity } from '../../../renderer/src/format';

describe('meterQuantity', () => {
  it('shows a readout register and the DLMS register in Wh in the same unit', () => {
    expect(meterQuantity('027112.634', 'kWh', 'en-GB')).toEqual({ value: '27,112.634', unit: 'kWh', meter: '027112.634 kWh', converted: true });
    expect(meterQuantity('10562808', 'Wh', 'en-GB')).toMatchObject({ value: '10,562.808', unit: 'kWh', meter: '10562808 Wh' });
    expect(meterQuantity('10562808', 'Wh', 'fr-FR').value).toBe('10\u202f562,808');
    expect(meterQuantity('5', 'Wh', 'en-GB').value).toBe('0.005');
    expect(meterQuantity('12.5', 'kWh', 'en-GB').value).toBe('12.500');
    expect(meterQuantity('1.5', 'MWh', 'en-GB')).toMatchObject({ value: '1,500.000', unit: 'kWh' });
  });

  it('shows power in kW and leaves other quantities with their decimals', () => {
    expect(meterQuantity('1234', 'W', 'en-GB')).toMatchObject({ value: '1.234', unit: 'kW' });
    expect(meterQuantity('-250', 'var', 'en-GB')).toMatchObject({ value: '-0.250', unit: 'kvar' });
    expect(meterQuantity('230.1', 'V', 'fr-FR')).toMatchObject({ value: '230,1', unit: 'V', converted: true });
    expect(meterQuantity('50.00', 'Hz', 'en-GB')).toMatchObject({ value: '50.00', unit: 'Hz', converted: false });
  });

  it('leaves text, dates and codes as they are', () => {
    expect(meterQuantity('26-12-03 01:35', '', 'en-GB').value).toBe('26-12-03 01:35');
    expect(meterQuantity('LGZ1030', '', 'en-GB')).toMatchObject({ value: 'LGZ1030', converted: false });
  });

  it('keeps every significant digit of a value (property)', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^\d{1,9}(\.\d{1,6})?$/), fc.constantFrom('Wh', 'kWh', 'W', 'V'), (v, unit) => {
        const shown = meterQuantity(v, unit, 'en-GB').value.replace(/,/g, '');
        const digits = (s: string) => s.replace(/\D/g, '').replace(/^0+/, '').replace(/0+$/, '');
        expect(digits(shown)).toBe(digits(v));
      }),
    );
  });
});
