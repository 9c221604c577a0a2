/**
 * The xDLMS conformance block (Blue Book / IEC 62056-5-3, 8.3): a 24-bit BIT STRING, bit 0 first.
 * Encoded in the InitiateRequest/Response as [APPLICATION 31] IMPLICIT: 5F 1F 04 00 b0 b1 b2.
 */
import { OmrError } from '../../../shared/errors';

export const CONFORMANCE_BITS = [
  'reserved-zero',
  'general-protection',
  'general-block-transfer',
  'read',
  'write',
  'unconfirmed-write',
  'delta-value-encoding',
  'reserved-seven',
  'attribute0-supported-with-set',
  'priority-mgmt-supported',
  'attribute0-supported-with-get',
  'block-transfer-with-get-or-read',
  'block-transfer-with-set-or-write',
  'block-transfer-with-action',
  'multiple-references',
  'information-report',
  'data-notification',
  'access',
  'parameterized-access',
  'get',
  'set',
  'selective-access',
  'event-notification',
  'action',
] as const;

export type ConformanceBit = (typeof CONFORMANCE_BITS)[number];

export function conformanceFromNames(names: readonly ConformanceBit[]): number {
  let v = 0;
  for (const n of names) {
    const i = CONFORMANCE_BITS.indexOf(n);
    if (i < 0) throw new OmrError('INVALID_REQUEST', `unknown conformance bit ${n}`);
    v |= 1 << (23 - i);
  }
  return v >>> 0;
}

export function conformanceNames(value: number): ConformanceBit[] {
  return CONFORMANCE_BITS.filter((_, i) => (value >>> (23 - i)) & 1);
}

export function hasConformance(value: number, bit: ConformanceBit): boolean {
  return ((value >>> (23 - CONFORMANCE_BITS.indexOf(bit))) & 1) === 1;
}

/** What a reading client proposes for logical-name referencing. */
export const DEFAULT_LN_CONFORMANCE = conformanceFromNames([
  'priority-mgmt-supported',
  'attribute0-supported-with-get',
  'block-transfer-with-get-or-read',
  'block-transfer-with-action',
  'multiple-references',
  'get',
  'selective-access',
  'action',
]);
