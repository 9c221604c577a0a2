/**
 * HDLC frame format type 3 (IEC 62056-46 / Green Book):
 *
 *   7E | format (A0LL: type 3, segmentation bit, 11-bit length) | dest | src | control | HCS |
 *   [information | FCS] | 7E
 *
 * The length counts every byte between the flags. HCS covers format..control and is present only
 * when there is an information field; FCS covers format..information. No byte stuffing: the
 * length field delimits the frame (a 0x7E byte may appear inside the information field).
 */
import { OmrError } from '../../../shared/errors';
import { decodeError, hex } from '../dlms/bytes';
import { decodeAddress, encodeAddress, formatAddress, type HdlcAddress } from './address';
import { crcBytes, crcMatches } from './crc';

export const FLAG = 0x7e;
/** Largest frame length the 11-bit length field can express. */
export const MAX_FRAME_LENGTH = 0x7ff;

export type UKind = 'SNRM' | 'DISC' | 'UA' | 'DM' | 'FRMR' | 'UI';

export type Control = { kind: 'I'; ns: number; nr: number; pf: boolean } | { kind: 'RR' | 'RNR'; nr: number; pf: boolean } | { kind: UKind; pf: boolean };

/** U-frame control values without the P/F bit (0x10). */
const U_BITS: Record<UKind, number> = { SNRM: 0x83, DISC: 0x43, UA: 0x63, DM: 0x0f, FRMR: 0x87, UI: 0x03 };

export function encodeControl(c: Control): number {
  const pf = c.pf ? 0x10 : 0;
  switch (c.kind) {
    case 'I':
      checkSeq(c.ns);
      checkSeq(c.nr);
      return ((c.nr & 7) << 5) | pf | ((c.ns & 7) << 1);
    case 'RR':
      checkSeq(c.nr);
      return ((c.nr & 7) << 5) | pf | 0x01;
    case 'RNR':
      checkSeq(c.nr);
      return ((c.nr & 7) << 5) | pf | 0x05;
    default:
      return U_BITS[c.kind] | pf;
  }
}

function checkSeq(n: number): void {
  if (!Number.isInteger(n) || n < 0 || n > 7) throw new OmrError('INVALID_REQUEST', `HDLC sequence number ${n} out of range 0..7`);
}

export function decodeControl(b: number): Control {
  const pf = (b & 0x10) !== 0;
  if ((b & 0x01) === 0) return { kind: 'I', ns: (b >> 1) & 7, nr: (b >> 5) & 7, pf };
  if ((b & 0x03) === 0x01) {
    const s = b & 0x0f;
    if (s === 0x01) return { kind: 'RR', nr: (b >> 5) & 7, pf };
    if (s === 0x05) return { kind: 'RNR', nr: (b >> 5) & 7, pf };
    throw decodeError(`unsupported HDLC supervisory frame 0x${b.toString(16)}`);
  }
  const u = b & ~0x10 & 0xff;
  for (const [kind, bits] of Object.entries(U_BITS) as [UKind, number][]) if (bits === u) return { kind, pf };
  throw decodeError(`unknown HDLC control field 0x${b.toString(16)}`);
}

export interface HdlcFrame {
  /** Destination address (server for client → server frames). */
  dest: HdlcAddress;
  src: HdlcAddress;
  control: Control;
  /** Segmentation bit: more segments of the same information follow. */
  segmented: boolean;
  /** Information field (empty when absent). Includes the LLC header on the first segment. */
  info: Uint8Array;
}

/** Encode a frame with both flags. */
export function encodeFrame(f: HdlcFrame): Uint8Array {
  const d = encodeAddress(f.dest);
  const s = encodeAddress(f.src);
  const hasInfo = f.info.length > 0;
  const headerLen = 2 + d.length + s.length + 1; // format + addresses + control
  const length = headerLen + (hasInfo ? 2 + f.info.length + 2 : 2);
  if (length > MAX_FRAME_LENGTH) throw new OmrError('INVALID_REQUEST', `HDLC frame of ${length} bytes exceeds the 11-bit length field`);
  const out = new Uint8Array(length + 2);
  out[0] = FLAG;
  out[1] = 0xa0 | (f.segmented ? 0x08 : 0) | ((length >> 8) & 0x07);
  out[2] = length & 0xff;
  out.set(d, 3);
  out.set(s, 3 + d.length);
  out[headerLen] = encodeControl(f.control);
  let p = headerLen + 1;
  if (hasInfo) {
    const [h0, h1] = crcBytes(out, 1, p);
    out[p++] = h0;
    out[p++] = h1;
    out.set(f.info, p);
    p += f.info.length;
  }
  const [c0, c1] = crcBytes(out, 1, p);
  out[p++] = c0;
  out[p++] = c1;
  out[p] = FLAG;
  return out;
}

/**
 * Decode one whole frame (with its flags). Throws HDLC_FCS when a check sequence is wrong, and
 * DECODE_ERROR when the bytes are not a type-3 frame.
 */
export function decodeFrame(raw: Uint8Array): HdlcFrame {
  if (raw.length < 9) throw decodeError(`HDLC frame too short (${raw.length} bytes)`);
  if (raw[0] !== FLAG || raw[raw.length - 1] !== FLAG) throw decodeError('HDLC frame not enclosed by 7E flags');
  const f0 = raw[1]!;
  if ((f0 & 0xf0) !== 0xa0) throw decodeError(`not an HDLC frame format type 3 (0x${f0.toString(16)})`);
  const length = ((f0 & 0x07) << 8) | raw[2]!;
  if (length !== raw.length - 2) throw decodeError(`HDLC length field ${length} does not match the frame (${raw.length - 2})`);
  const end = raw.length - 1; // index of the closing flag
  if (!crcMatches(raw, 1, end - 2)) throw new OmrError('HDLC_FCS', `FCS mismatch in frame ${hex(raw.slice(0, 12))}…`);
  let p = 3;
  const dest = decodeAddress(raw, p, end - 2);
  p += dest.length;
  const src = decodeAddress(raw, p, end - 2);
  p += src.length;
  if (p >= end - 2) throw decodeError('HDLC frame has no control field');
  const control = decodeControl(raw[p]!);
  p += 1;
  let info = new Uint8Array(0);
  if (p < end - 2) {
    // An information field is present: an HCS precedes it.
    if (p + 2 > end - 2) throw decodeError('HDLC frame too short for its HCS');
    if (!crcMatches(raw, 1, p)) throw new OmrError('HDLC_FCS', 'HCS mismatch');
    info = raw.slice(p + 2, end - 2);
  }
  return { dest: dest.address, src: src.address, control, segmented: (f0 & 0x08) !== 0, info };
}

export function describeControl(c: Control): string {
  switch (c.kind) {
    case 'I':
      return `I N(S)=${c.ns} N(R)=${c.nr}${c.pf ? ' P/F' : ''}`;
    case 'RR':
    case 'RNR':
      return `${c.kind} N(R)=${c.nr}${c.pf ? ' P/F' : ''}`;
    default:
      return `${c.kind}${c.pf ? ' P/F' : ''}`;
  }
}

/** Trace summary of a frame. */
export function describeFrame(f: HdlcFrame): string {
  const info = f.info.length ? ` info ${f.info.length} B` : '';
  return `HDLC ${describeControl(f.control)} ${formatAddress(f.src)}→${formatAddress(f.dest)}${f.segmented ? ' seg' : ''}${info}`;
}
