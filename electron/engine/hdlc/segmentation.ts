/**
 * Segmentation of an APDU over HDLC I-frames (IEC 62056-46 and 62056-47 LLC): the LLC header
 * (E6 E6 00 client → server, E6 E7 00 server → client) precedes the APDU in the first segment
 * only; each segment's information field is at most the negotiated max-info length; the
 * segmentation bit is set on all but the last frame.
 */
import { OmrError } from '../../../shared/errors';
import { concat, decodeError } from '../dlms/bytes';

export const LLC_REQUEST = Uint8Array.of(0xe6, 0xe6, 0x00);
export const LLC_RESPONSE = Uint8Array.of(0xe6, 0xe7, 0x00);

/** Split an APDU into information fields: [info, segmented][] with the LLC header on the first. */
export function segmentApdu(apdu: Uint8Array, maxInfo: number, llc: Uint8Array = LLC_REQUEST): { info: Uint8Array; segmented: boolean }[] {
  if (!Number.isInteger(maxInfo) || maxInfo < 1) throw new OmrError('INVALID_REQUEST', `max information length ${maxInfo}`);
  const whole = concat(llc, apdu);
  const out: { info: Uint8Array; segmented: boolean }[] = [];
  for (let p = 0; p < whole.length; p += maxInfo) {
    const end = Math.min(whole.length, p + maxInfo);
    out.push({ info: whole.slice(p, end), segmented: end < whole.length });
  }
  return out;
}

/** Default ceiling of one reassembled APDU (bytes). */
export const DEFAULT_MAX_APDU_BYTES = 4 * 1024 * 1024;

/**
 * Collects segments until one arrives without the segmentation bit, then gives the APDU. An APDU
 * that grows past `maxBytes` is TOO_LARGE (the segments held so far are dropped).
 */
export class Reassembler {
  private parts: Uint8Array[] = [];
  private size = 0;
  constructor(
    private readonly llc: Uint8Array = LLC_RESPONSE,
    private readonly maxBytes = DEFAULT_MAX_APDU_BYTES,
  ) {}

  /** Bytes held from the segments received so far. */
  get held(): number {
    return this.size;
  }

  /** True while segments have been received and the last has not. */
  get pending(): boolean {
    return this.parts.length > 0;
  }

  reset(): void {
    this.parts = [];
    this.size = 0;
  }

  /** Add one segment; returns the APDU (LLC header removed) when it was the last one. */
  push(info: Uint8Array, segmented: boolean): Uint8Array | undefined {
    if (this.size + info.length > this.maxBytes) {
      const had = this.size;
      this.reset();
      throw new OmrError('TOO_LARGE', `segmented HDLC answer past ${this.maxBytes} bytes (${had} bytes held, segmentation bit still set)`);
    }
    this.parts.push(info);
    this.size += info.length;
    if (segmented) return undefined;
    const whole = concat(...this.parts);
    this.reset();
    return stripLlc(whole, this.llc);
  }
}

/** Remove the LLC header; a missing or wrong one is a DECODE_ERROR. */
export function stripLlc(info: Uint8Array, llc: Uint8Array = LLC_RESPONSE): Uint8Array {
  if (info.length < 3 || info[0] !== llc[0] || info[1] !== llc[1] || info[2] !== llc[2]) {
    throw decodeError(`missing LLC header ${Array.from(llc, (b) => b.toString(16)).join(' ')}`);
  }
  return info.slice(3);
}
