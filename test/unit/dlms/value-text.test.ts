/**
 * Values shown without losing or inventing information: a float32 prints as the shortest text
 * that reads back as the same float32 (the bytes 17 43 66 19 9a are 230.1, not
 * 230.10000610351562); float64 keeps its own shortest text; scalers still apply.
 */
import { describe, expect, it } from 'vitest';
import { unhex } from '../../../electron/engine/dlms/bytes';
import { decodeData, float32Text } from '../../../electron/engine/dlms/axdr';
import { formatValue } from '../../../electron/engine/dlms/value-format';
import { numericText, valueText } from '../../../electron/engine/cosem/classes';

describe('float32 values', () => {
  it('decode to their shortest round-trip text', () => {
    const v = decodeData(unhex('174366199a'));
    expect(v).toEqual({ type: 'float32', value: Math.fround(230.1) });
    expect(numericText(v)).toBe('230.1');
    expect(formatValue(v)).toBe('230.1');
    expect(numericText(decodeData(unhex('174247eb85')))).toBe('49.98');
    expect(numericText(decodeData(unhex('173dcccccd')))).toBe('0.1');
    // A float32 that needs all its digits keeps them, and reads back exactly.
    const odd = Math.fround(1 / 3);
    expect(Math.fround(Number(float32Text(odd)))).toBe(odd);
    expect(float32Text(odd)).toBe('0.33333334');
    expect(float32Text(Number.NaN)).toBe('NaN');
  });

  it('float64 is not rounded to float32 precision', () => {
    const v = decodeData(unhex('18406cc33333333333'));
    expect(numericText(v)).toBe('230.1');
    expect(numericText({ type: 'float64', value: Math.fround(230.1) })).toBe('230.10000610351562');
  });

  it('a scaler applies to the float32 text', () => {
    expect(valueText(decodeData(unhex('174366199a')), { scaler: -1, unit: 35, symbol: 'V' }).value).toBe('23.01');
  });
});

describe('bcd values', () => {
  it('read as their two digits, scaled like any register value', () => {
    expect(numericText(decodeData(unhex('0d42')))).toBe('42');
    expect(valueText(decodeData(unhex('0d42')), { scaler: -1, unit: 35, symbol: 'V' })).toMatchObject({ value: '4.2', raw: '42', unit: 'V' });
  });

  it('an octet that is not two digits is shown as sent and not scaled into a number', () => {
    const v = valueText(decodeData(unhex('0d4f')), { scaler: -1, unit: 35, symbol: 'V' });
    expect(v.value).toBe('0x4f');
    expect(v.raw).toBeUndefined();
  });
});
