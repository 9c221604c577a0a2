/**
 * Finds HDLC frames in a byte stream that may carry garbage between frames, shared flags between
 * back-to-back frames (7E ... 7E ... 7E), doubled flags, truncated or damaged frames. Frames are
 * delimited by their length field (the information field is not byte-stuffed), so a candidate
 * start is a 7E followed by a type-3 format byte whose length lands on a closing 7E. A frame
 * with a bad HCS/FCS is reported as an HDLC_FCS error and the search resumes at its closing flag,
 * so the next frame is not lost.
 */
import { OmrError } from '../../../shared/errors';
import { crcMatches } from './crc';
import { decodeFrame, FLAG, type HdlcFrame } from './frame';

export type DeframerItem = { kind: 'frame'; frame: HdlcFrame; raw: Uint8Array } | { kind: 'error'; error: OmrError; raw: Uint8Array };

export class Deframer {
  private buf = new Uint8Array(0);
  /** Bytes dropped as noise since the last reset (diagnostics). */
  discarded = 0;
  /** Candidates starting before this index belong to a frame already reported as damaged. */
  private quietUntil = -1;

  constructor(private readonly maxBuffer = 8192) {}

  reset(): void {
    this.buf = new Uint8Array(0);
    this.quietUntil = -1;
  }

  /** Bytes held while waiting for the rest of a frame. */
  get buffered(): number {
    return this.buf.length;
  }

  push(bytes: Uint8Array): DeframerItem[] {
    const next = new Uint8Array(this.buf.length + bytes.length);
    next.set(this.buf);
    next.set(bytes, this.buf.length);
    this.buf = next;
    const out: DeframerItem[] = [];
    let p = 0;
    while (p < this.buf.length) {
      if (this.buf[p] !== FLAG) {
        p++;
        this.discarded++;
        continue;
      }
      // Need flag + 2 format bytes to know the length.
      if (p + 3 > this.buf.length) break;
      const f0 = this.buf[p + 1]!;
      if ((f0 & 0xf0) !== 0xa0) {
        // A doubled flag, or noise that happens to be 7E.
        p++;
        if (f0 !== FLAG) this.discarded++;
        continue;
      }
      const length = ((f0 & 0x07) << 8) | this.buf[p + 2]!;
      if (length < 7) {
        p++;
        this.discarded++;
        continue;
      }
      const close = p + length + 1;
      if (close >= this.buf.length) {
        // Not all there yet. If a complete, valid frame starts later in the buffer, this one was
        // cut short: drop it and go on; otherwise wait for more bytes.
        const later = this.nextValidStart(p + 1);
        if (later >= 0 || this.buf.length - p > this.maxBuffer) {
          this.discarded += (later >= 0 ? later : p + 1) - p;
          p = later >= 0 ? later : p + 1;
          continue;
        }
        break;
      }
      if (this.buf[close] !== FLAG) {
        // The length does not land on a flag: this 7E was not a frame start (or the frame was cut).
        p++;
        this.discarded++;
        continue;
      }
      const raw = this.buf.slice(p, close + 1);
      let frame: HdlcFrame | undefined;
      let error: OmrError | undefined;
      try {
        frame = decodeFrame(raw);
      } catch (e) {
        error = e instanceof OmrError ? e : new OmrError('DECODE_ERROR', String(e));
      }
      if (frame) {
        out.push({ kind: 'frame', frame, raw });
        this.quietUntil = -1;
        // The closing flag may open the next frame.
        p = close;
        continue;
      }
      // A damaged frame: report it once, then look for a frame start inside it (it may have
      // been a cut frame followed by a good one); candidates inside it fail quietly.
      if (p >= this.quietUntil) {
        out.push({ kind: 'error', error: error!, raw });
        this.quietUntil = close;
      }
      p++;
    }
    this.quietUntil -= p;
    this.buf = this.buf.slice(p);
    return out;
  }

  /** Index of the first 7E at or after `from` that starts a complete frame with a valid FCS, or -1. */
  private nextValidStart(from: number): number {
    const b = this.buf;
    for (let q = from; q + 3 <= b.length; q++) {
      if (b[q] !== FLAG || (b[q + 1]! & 0xf0) !== 0xa0) continue;
      const length = ((b[q + 1]! & 0x07) << 8) | b[q + 2]!;
      const close = q + length + 1;
      if (length < 7 || close >= b.length || b[close] !== FLAG) continue;
      if (crcMatches(b, q + 1, close - 2)) return q;
    }
    return -1;
  }
}
