/**
 * A wire tap for tests: what the reader sent to the real simulator, decoded from the bytes on the
 * meter end of the link (HDLC frames, or IEC 62056-47 wrapper messages). It observes; it never
 * answers.
 */
import { decodeAarq, type Aarq } from '../../electron/engine/dlms/acse';
import { concat } from '../../electron/engine/dlms/bytes';
import { Deframer } from '../../electron/engine/hdlc/deframer';
import { LLC_REQUEST, Reassembler } from '../../electron/engine/hdlc/segmentation';
import type { Link } from '../../electron/link/types';

export interface TappedFrame {
  /** Client SAP (HDLC source upper address, or the wrapper source wPort). */
  sap: number;
  /** HDLC control kind (`SNRM`, `I`, `DISC` …); `I` for a wrapper message. */
  control: string;
  /** The APDU an I-frame (the last of a segmented APDU) or a wrapper message carries. */
  apdu?: Uint8Array;
}

export interface WireTap {
  readonly frames: TappedFrame[];
  /** The HDLC control kinds a client sent, in order. */
  controls(sap: number): string[];
  /** The APDUs a client sent, in order (ciphered ones as they went on the wire). */
  apdus(sap: number): Uint8Array[];
  /** Every AARQ sent, decoded, with its client SAP. */
  aarqs(): (Aarq & { sap: number })[];
  detach(): void;
}

export function tapWire(meterEnd: Link, framing: 'hdlc' | 'wrapper' = 'hdlc'): WireTap {
  const frames: TappedFrame[] = [];
  const deframer = new Deframer();
  let buf: Uint8Array = new Uint8Array(0);
  const segments = new Map<number, Reassembler>();
  const reassemble = (sap: number, info: Uint8Array, segmented: boolean): Uint8Array | undefined => {
    let r = segments.get(sap);
    if (!r) segments.set(sap, (r = new Reassembler(LLC_REQUEST)));
    try {
      return r.push(info, segmented);
    } catch {
      return undefined; // not an LLC-framed APDU
    }
  };
  const detach = meterEnd.onData((bytes) => {
    if (framing === 'hdlc') {
      for (const item of deframer.push(bytes)) {
        if (item.kind !== 'frame') continue;
        const f = item.frame;
        const apdu = f.control.kind === 'I' ? reassemble(f.src.upper, f.info, f.segmented) : undefined;
        frames.push({ sap: f.src.upper, control: f.control.kind, ...(apdu ? { apdu } : {}) });
      }
      return;
    }
    buf = concat(buf, bytes);
    while (buf.length >= 8) {
      const len = (buf[6]! << 8) | buf[7]!;
      if (buf.length < 8 + len) break;
      frames.push({ sap: (buf[2]! << 8) | buf[3]!, control: 'I', apdu: buf.slice(8, 8 + len) });
      buf = buf.slice(8 + len);
    }
  });
  return {
    frames,
    controls: (sap) => frames.filter((f) => f.sap === sap).map((f) => f.control),
    apdus: (sap) => frames.filter((f) => f.sap === sap && f.apdu).map((f) => f.apdu!),
    aarqs: () => frames.filter((f) => f.apdu?.[0] === 0x60).map((f) => ({ ...decodeAarq(f.apdu!), sap: f.sap })),
    detach,
  };
}
