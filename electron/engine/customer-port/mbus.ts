/**
 * M-Bus link layer (EN 13757-2) as used by meters that push DLMS on their customer port
 * (Austrian and other operators): long frames `68 L L 68 C A CI data CS 16` where CS is the sum
 * of C…data modulo 256, short frames `10 C A CS 16`. A DLMS APDU longer than one frame is split
 * over several long frames; the CI field then counts them: low nibble = sequence number, bit 4 =
 * last segment (00, 11 or 10 for a single frame). Each segment starts with the source and
 * destination TSAPs (two bytes) before its part of the APDU.
 */
import { OmrError } from '../../../shared/errors';

export interface MbusFrame {
  short: boolean;
  control: number;
  address: number;
  ci?: number;
  /** The bytes after CI (long frames). */
  data: Uint8Array;
}

/** Decode one whole frame; a checksum error is an MbusError of layer `checksum` (code HDLC_FCS). */
export function decodeMbusFrame(raw: Uint8Array): MbusFrame {
  if (raw[0] === 0x10) {
    if (raw.length !== 5 || raw[4] !== 0x16) throw new MbusError('framing', 'M-Bus short frame is not 10 C A CS 16');
    if (((raw[1]! + raw[2]!) & 0xff) !== raw[3]) throw new MbusError('checksum', 'M-Bus short frame checksum');
    return { short: true, control: raw[1]!, address: raw[2]!, data: new Uint8Array(0) };
  }
  if (raw.length < 9 || raw[0] !== 0x68 || raw[3] !== 0x68 || raw[1] !== raw[2]) throw new MbusError('framing', 'not an M-Bus long frame (68 L L 68)');
  const len = raw[1]!;
  if (raw.length !== len + 6 || raw[raw.length - 1] !== 0x16)
    throw new MbusError('framing', `M-Bus length field ${len} does not match the frame (${raw.length - 6})`);
  let sum = 0;
  for (let i = 4; i < 4 + len; i++) sum = (sum + raw[i]!) & 0xff;
  const cs = raw[4 + len]!;
  if (sum !== cs) throw new MbusError('checksum', `M-Bus checksum computed ${hex2(sum)}, frame says ${hex2(cs)}`);
  return { short: false, control: raw[4]!, address: raw[5]!, ci: raw[6]!, data: raw.slice(7, 4 + len) };
}

export class MbusError extends OmrError {
  constructor(
    readonly layer: 'framing' | 'checksum' | 'sequence',
    detail: string,
  ) {
    super(layer === 'checksum' ? 'HDLC_FCS' : 'DECODE_ERROR', detail);
  }
}

const hex2 = (n: number): string => n.toString(16).padStart(2, '0').toUpperCase();

/** Joins the segments of a DLMS APDU carried over M-Bus long frames. Bounded. */
export class MbusAssembler {
  private parts: Uint8Array[] = [];
  private size = 0;
  private next = 0;

  constructor(private readonly maxApdu = 8192) {}

  /** Feed one long frame; returns the whole APDU after the last segment. */
  push(f: MbusFrame): Uint8Array | undefined {
    const ci = f.ci ?? -1;
    if (ci < 0 || ci > 0x1f) {
      this.reset();
      throw new MbusError('framing', `M-Bus CI 0x${hex2(ci & 0xff)} does not carry a DLMS segment (00-1F expected)`);
    }
    const seq = ci & 0x0f;
    const last = (ci & 0x10) !== 0;
    if (seq !== this.next) {
      const expected = this.next;
      this.reset();
      if (seq !== 0) throw new MbusError('sequence', `M-Bus segment ${seq} where ${expected} was expected (a frame was lost)`);
    }
    if (f.data.length < 2) throw new MbusError('framing', 'M-Bus segment without its TSAP bytes');
    const part = f.data.subarray(2);
    this.size += part.length;
    if (this.size > this.maxApdu) {
      this.reset();
      throw new MbusError('framing', 'M-Bus segments exceed the APDU bound');
    }
    this.parts.push(part);
    this.next = (seq + 1) & 0x0f;
    if (!last) return undefined;
    const out = new Uint8Array(this.size);
    let o = 0;
    for (const p of this.parts) {
      out.set(p, o);
      o += p.length;
    }
    this.reset();
    return out;
  }

  reset(): void {
    this.parts = [];
    this.size = 0;
    this.next = 0;
  }
}
