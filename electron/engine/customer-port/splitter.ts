/**
 * What arrives on a customer port (P1 / HAN / M-Bus user port), cut into pieces without knowing
 * in advance what the meter speaks: HDLC frames (`7E A? len … 7E`), M-Bus long and short frames
 * (EN 13757-2: `68 L L 68 C A CI … CS 16`, `10 C A CS 16`, the single `E5`), bare xDLMS APDUs
 * (data-notification `0F`, general-glo/ded-ciphering `DB`/`DC`, general-block-transfer `E0`) and
 * P1 text telegrams (`/` … `!CRC` CR LF). Bytes that start none of these are gathered into a noise
 * piece. Sans-IO: bytes in, pieces out; silence is told by the caller ({@link FrameSplitter.silence}).
 * The buffer is bounded: a piece that outgrows it is given up as broken.
 */
import { Reader } from '../dlms/bytes';
import { readData } from '../dlms/axdr';
import { descriptorEntriesEnd } from './notification';

export type Piece =
  | { kind: 'hdlc'; raw: Uint8Array }
  | { kind: 'mbus'; raw: Uint8Array }
  | { kind: 'apdu'; raw: Uint8Array }
  | { kind: 'p1'; text: string; end: 'complete' | 'cut-by-start' | 'cut-by-silence' | 'too-long' }
  /** Bytes that belonged to no frame, or a frame that could not be completed. */
  | { kind: 'noise'; raw: Uint8Array; why: string };

/** Largest HDLC frame (11-bit length) plus flags; M-Bus frames are at most 261 bytes. */
const MAX_BINARY = 0x7ff + 2;
export const MAX_TELEGRAM = 16384;
const MAX_NOISE = 4096;

type Extent = number | 'more' | 'bad';

/** Length of a BER/A-XDR length field at `p` and its value, or 'more'/'bad'. */
function lengthAt(b: Uint8Array, p: number): { size: number; value: number } | 'more' | 'bad' {
  if (p >= b.length) return 'more';
  const first = b[p]!;
  if (first < 0x80) return { size: 1, value: first };
  const n = first & 0x7f;
  if (n === 0 || n > 2) return 'bad';
  if (p + n >= b.length) return 'more';
  let v = 0;
  for (let i = 1; i <= n; i++) v = (v << 8) | b[p + i]!;
  return { size: 1 + n, value: v };
}

/** Size of the bare APDU that starts at `p` (tags 0F, DB, DC, E0). */
function apduExtent(b: Uint8Array, p: number): Extent {
  const tag = b[p]!;
  if (tag === 0xdb || tag === 0xdc) {
    const st = lengthAt(b, p + 1);
    if (typeof st !== 'object') return st;
    if (st.value !== 8) return 'bad';
    const len = lengthAt(b, p + 1 + st.size + st.value);
    if (typeof len !== 'object') return len;
    return 1 + st.size + st.value + len.size + len.value;
  }
  if (tag === 0xe0) {
    const len = lengthAt(b, p + 6);
    if (typeof len !== 'object') return len;
    return 6 + len.size + len.value;
  }
  // 0F: long-invoke-id (4), date-time (00 | 0C + 12 | 09 0C + 12), then one Data.
  if (p + 6 > b.length) return 'more';
  const dt = b[p + 5]!;
  let q = p + 6;
  if (dt === 0x0c) q += 12;
  else if (dt === 0x09) q += 1 + (b[p + 6] ?? 0);
  else if (dt !== 0x00) return 'bad';
  if (q >= b.length) return 'more';
  const tagByte = b[q]!;
  if (tagByte !== 0x01 && tagByte !== 0x02) return 'bad';
  try {
    const r = new Reader(b, q);
    readData(r);
    return r.pos - p;
  } catch (e) {
    if (/truncated/.test(String((e as Error).message))) return 'more';
    const n = descriptorEntriesEnd(b, q);
    return n === undefined ? 'bad' : n === 'more' ? 'more' : n - p;
  }
}

export class FrameSplitter {
  private buf = new Uint8Array(0);
  private noise: number[] = [];
  /** Index in the buffer of the closing flag of the last HDLC frame taken, or -1. */
  private heldFlag = -1;

  /** Bytes held while waiting for the rest of a piece. */
  get buffered(): number {
    return this.buf.length + this.noise.length;
  }

  push(bytes: Uint8Array): Piece[] {
    const next = new Uint8Array(this.buf.length + bytes.length);
    next.set(this.buf);
    next.set(bytes, this.buf.length);
    this.buf = next;
    return this.scan(false);
  }

  /** The line has been quiet: what is held is complete as it is, or cut short. */
  silence(): Piece[] {
    const out = this.scan(true);
    // Closing flags left behind (a frame's closing flag may open the next one) are not noise.
    let flags = 0;
    while (flags < this.buf.length && this.buf[flags] === 0x7e) flags++;
    this.buf = this.buf.slice(flags);
    if (this.buf.length > 0) {
      out.push(...this.flushNoise());
      const b = this.buf;
      this.buf = new Uint8Array(0);
      if (b[0] === 0x2f) out.push({ kind: 'p1', text: latin1(b), end: 'cut-by-silence' });
      else out.push({ kind: 'noise', raw: b, why: 'frame cut short by silence' });
    }
    out.push(...this.flushNoise());
    return out;
  }

  private flushNoise(): Piece[] {
    if (this.noise.length === 0) return [];
    const raw = Uint8Array.from(this.noise);
    this.noise = [];
    return [{ kind: 'noise', raw, why: 'bytes between frames' }];
  }

  private scan(final: boolean): Piece[] {
    const out: Piece[] = [];
    let p = 0;
    const b = this.buf;
    const take = (end: number, piece: Piece): void => {
      out.push(...this.flushNoise(), piece);
      p = end;
    };
    const skip = (): void => {
      this.noise.push(b[p]!);
      p++;
      if (this.noise.length >= MAX_NOISE) out.push(...this.flushNoise());
    };
    while (p < b.length) {
      const c = b[p]!;
      const avail = b.length - p;
      if (c === 0x7e) {
        if (avail < 3) break;
        const f0 = b[p + 1]!;
        if (f0 === 0x7e) {
          p++; // a doubled or shared flag
          continue;
        }
        if ((f0 & 0xf0) !== 0xa0) {
          // The closing flag of the frame just taken is no noise.
          if (p === this.heldFlag) p++;
          else skip();
          continue;
        }
        const close = p + (((f0 & 0x07) << 8) | b[p + 2]!) + 1;
        if (close >= b.length) break;
        if (b[close] !== 0x7e) {
          // The length does not land on a flag: a frame cut short or damaged in its length.
          const nextStart = this.nextStart(p + 1);
          take(nextStart, { kind: 'noise', raw: b.slice(p, nextStart), why: 'HDLC frame without its closing flag where its length says' });
          continue;
        }
        // The closing flag may open the next frame: leave it in the buffer.
        take(close, { kind: 'hdlc', raw: b.slice(p, close + 1) });
        this.heldFlag = close;
        continue;
      }
      if (c === 0x68) {
        if (avail < 4) break;
        const len = b[p + 1]!;
        if (b[p + 2] !== len || b[p + 3] !== 0x68 || len < 3) {
          skip();
          continue;
        }
        const end = p + len + 6;
        if (end > b.length) break;
        if (b[end - 1] !== 0x16) {
          const nextStart = this.nextStart(p + 1);
          take(nextStart, { kind: 'noise', raw: b.slice(p, nextStart), why: 'M-Bus long frame without its 16 stop byte' });
          continue;
        }
        take(end, { kind: 'mbus', raw: b.slice(p, end) });
        continue;
      }
      if (c === 0x10) {
        if (avail < 5) break;
        if (b[p + 4] === 0x16 && ((b[p + 1]! + b[p + 2]!) & 0xff) === b[p + 3]) {
          take(p + 5, { kind: 'mbus', raw: b.slice(p, p + 5) });
          continue;
        }
        skip();
        continue;
      }
      if (c === 0x0f || c === 0xdb || c === 0xdc || c === 0xe0) {
        const ext = apduExtent(b, p);
        if (ext === 'more') {
          if (final) {
            take(b.length, { kind: 'noise', raw: b.slice(p), why: 'APDU cut short by silence' });
            continue;
          }
          if (avail > MAX_BINARY) {
            skip();
            continue;
          }
          break;
        }
        if (ext === 'bad') {
          skip();
          continue;
        }
        if (p + ext > b.length) {
          if (final) {
            take(b.length, { kind: 'noise', raw: b.slice(p), why: 'APDU cut short by silence' });
            continue;
          }
          if (ext > MAX_BINARY * 4) {
            skip();
            continue;
          }
          break;
        }
        take(p + ext, { kind: 'apdu', raw: b.slice(p, p + ext) });
        continue;
      }
      if (c === 0x2f) {
        const t = this.telegramEnd(p);
        if (t === 'bad') {
          skip();
          continue;
        }
        if (t === 'more') {
          if (avail > MAX_TELEGRAM) {
            take(p + MAX_TELEGRAM, { kind: 'p1', text: latin1(b.subarray(p, p + MAX_TELEGRAM)), end: 'too-long' });
            continue;
          }
          break;
        }
        take(t.end, { kind: 'p1', text: latin1(b.subarray(p, t.end)), end: t.cut ? 'cut-by-start' : 'complete' });
        continue;
      }
      skip();
    }
    this.heldFlag = this.heldFlag >= p ? this.heldFlag - p : -1;
    this.buf = b.slice(p);
    if (this.buf.length > MAX_BINARY * 8) {
      // Nothing ever completed: give the oldest bytes up as noise rather than grow.
      const drop = this.buf.length - MAX_BINARY;
      out.push(...this.flushNoise(), { kind: 'noise', raw: this.buf.slice(0, drop), why: 'buffer bound reached' });
      this.buf = this.buf.slice(drop);
      this.heldFlag = -1;
    }
    return out;
  }

  /** Next index after `from` where a frame could start (7E, 68, `/` at a line start), or the end. */
  private nextStart(from: number): number {
    const b = this.buf;
    for (let q = from; q < b.length; q++) if (b[q] === 0x7e || b[q] === 0x68) return q;
    return b.length;
  }

  /** End of the telegram starting at `p`: after `!` [CRC] CR LF, or at a new `/` line. */
  private telegramEnd(p: number): { end: number; cut: boolean } | 'more' | 'bad' {
    const b = this.buf;
    let lineStart = true;
    let firstLine = true;
    for (let q = p + 1; q < b.length; q++) {
      const c = b[q]!;
      // Telegrams are 7-bit text: an 8-bit byte, or a control byte after the identification line
      // (some meters put one in their identification), means this `/` was noise.
      if (c > 0x7e || (c < 0x20 && c !== 0x0d && c !== 0x0a && c !== 0x09 && !firstLine)) return 'bad';
      if (c === 0x0a) firstLine = false;
      // A new telegram: `/` at a line start, or `/XXX5`-like anywhere (a line cut mid-way).
      if (c === 0x2f && (lineStart || identAt(b, q + 1))) return { end: q, cut: true };
      if (lineStart && c === 0x21) {
        // `!` then up to 4 hex digits, then CR LF (or LF); anything else ends the telegram there.
        let r = q + 1;
        while (r < b.length && r <= q + 4 && isHex(b[r]!)) r++;
        if (r < b.length && b[r] === 0x0d) r++;
        if (r >= b.length) return 'more';
        return { end: b[r] === 0x0a ? r + 1 : r, cut: false };
      }
      lineStart = c === 0x0a;
    }
    return 'more';
  }
}

/** Three letters and a digit: the start of a P1 identification after its `/`. */
function identAt(b: Uint8Array, q: number): boolean {
  if (q + 4 > b.length) return false;
  const letter = (c: number): boolean => (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
  return letter(b[q]!) && letter(b[q + 1]!) && letter(b[q + 2]!) && b[q + 3]! >= 0x30 && b[q + 3]! <= 0x39;
}

function isHex(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
}

function latin1(b: Uint8Array): string {
  let s = '';
  for (const c of b) s += String.fromCharCode(c);
  return s;
}
