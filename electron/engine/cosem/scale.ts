/**
 * Exact decimal scaling: value × 10^scaler computed on decimal text, never through a float, so
 * 2308 with scaler −1 is "230.8" and 7136726 Wh with scaler 0 stays "7136726".
 */
import { OmrError } from '../../../shared/errors';

/** Shift the decimal point of a decimal text (`-12.5`, `3e-7`, `42`) by `scaler` places. */
export function scaleDecimal(text: string, scaler: number): string {
  const m = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text.trim());
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) throw new OmrError('DECODE_ERROR', `not a decimal number: ${text}`);
  if (!Number.isInteger(scaler)) throw new OmrError('DECODE_ERROR', `scaler ${scaler}`);
  const sign = m[1] === '-' ? '-' : '';
  let digits = (m[2] ?? '') + (m[3] ?? '');
  let point = (m[2] ?? '').length + scaler + (m[4] ? Number(m[4]) : 0);
  // Pad so the point lies within the digits.
  if (point < 0) {
    digits = '0'.repeat(-point) + digits;
    point = 0;
  }
  if (point > digits.length) digits += '0'.repeat(point - digits.length);
  let int = digits.slice(0, point).replace(/^0+(?=\d)/, '');
  const frac = digits.slice(point).replace(/0+$/, '');
  if (int === '') int = '0';
  const out = frac ? `${int}.${frac}` : int;
  return /^0(\.0*)?$/.test(out) ? '0' : sign + out;
}
