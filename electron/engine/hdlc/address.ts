/**
 * HDLC addresses of IEC 62056-46: 1, 2 or 4 bytes, 7 address bits per byte, bit 0 set only on
 * the last byte. A client address is one byte (SAP << 1 | 1). A server address has an upper part
 * (logical device, 1 = management logical device) and an optional lower part (physical device).
 */
import { OmrError } from '../../../shared/errors';
import { decodeError } from '../dlms/bytes';

export interface HdlcAddress {
  /** Client SAP, or the server's upper HDLC address (logical device). */
  upper: number;
  /** Server lower HDLC address (physical device); undefined when the address has one part. */
  lower?: number;
  /** Encoded size in bytes: 1, 2 or 4. */
  size: 1 | 2 | 4;
}

/** The client address for a client SAP (16 = public client → 0x21). */
export function clientAddress(sap: number): HdlcAddress {
  if (!Number.isInteger(sap) || sap < 0 || sap > 0x7f) throw new OmrError('INVALID_REQUEST', `client SAP ${sap} out of range 0..127`);
  return { upper: sap, size: 1 };
}

/**
 * A server address. With no physical address, one byte (logical only). With a physical address,
 * the smallest form that holds both values (2 bytes up to 127 each, else 4), or `size` if given.
 */
export function serverAddress(logical: number, physical?: number, size?: 1 | 2 | 4): HdlcAddress {
  const max = (s: number) => (s === 4 ? 0x3fff : 0x7f);
  const chosen: 1 | 2 | 4 = size ?? (physical === undefined ? (logical <= 0x7f ? 1 : 4) : logical <= 0x7f && physical <= 0x7f ? 2 : 4);
  if (!Number.isInteger(logical) || logical < 0 || logical > max(chosen))
    throw new OmrError('INVALID_REQUEST', `logical device ${logical} does not fit a ${chosen}-byte address`);
  if (chosen === 1) {
    if (physical !== undefined) throw new OmrError('INVALID_REQUEST', 'a 1-byte server address has no physical part');
    return { upper: logical, size: 1 };
  }
  const p = physical ?? 0;
  if (!Number.isInteger(p) || p < 0 || p > max(chosen)) throw new OmrError('INVALID_REQUEST', `physical address ${p} does not fit a ${chosen}-byte address`);
  return { upper: logical, lower: p, size: chosen };
}

/** The bytes of an address on the wire. */
export function encodeAddress(a: HdlcAddress): Uint8Array {
  switch (a.size) {
    case 1:
      return Uint8Array.of(((a.upper & 0x7f) << 1) | 1);
    case 2:
      return Uint8Array.of((a.upper & 0x7f) << 1, (((a.lower ?? 0) & 0x7f) << 1) | 1);
    case 4: {
      const l = a.lower ?? 0;
      return Uint8Array.of(((a.upper >> 7) & 0x7f) << 1, (a.upper & 0x7f) << 1, ((l >> 7) & 0x7f) << 1, ((l & 0x7f) << 1) | 1);
    }
  }
}

/** Parse an address at `pos`: returns it and the number of bytes it used. */
export function decodeAddress(bytes: Uint8Array, pos: number, end = bytes.length): { address: HdlcAddress; length: number } {
  let n = 0;
  while (true) {
    if (pos + n >= end) throw decodeError('HDLC address runs past the frame');
    const b = bytes[pos + n]!;
    n++;
    if (b & 1) break;
    if (n >= 4) throw decodeError('HDLC address longer than 4 bytes');
  }
  const v = (i: number) => bytes[pos + i]! >> 1;
  if (n === 1) return { address: { upper: v(0), size: 1 }, length: 1 };
  if (n === 2) return { address: { upper: v(0), lower: v(1), size: 2 }, length: 2 };
  if (n === 4) return { address: { upper: (v(0) << 7) | v(1), lower: (v(2) << 7) | v(3), size: 4 }, length: 4 };
  throw decodeError('HDLC address of 3 bytes');
}

export function addressEquals(a: HdlcAddress, b: HdlcAddress): boolean {
  return a.upper === b.upper && (a.lower ?? 0) === (b.lower ?? 0);
}

export function formatAddress(a: HdlcAddress): string {
  return a.lower === undefined ? `${a.upper}` : `${a.upper}/${a.lower}`;
}
