/**
 * The trace as frames and lines: received bytes arrive in chunks (one byte at a time at 300
 * baud), so consecutive received chunks are joined until a frame or line is complete: an HDLC
 * frame by its length field, an IEC 62056-21 line by CR LF, a data block by ETX or EOT and its
 * BCC, a lone ACK or NAK. Sent entries are whole already; notes stay as they are.
 */
import type { TraceEntry } from '../../shared/types';

export interface TraceFrame {
  /** Time of the first chunk. */
  t: string;
  dir: TraceEntry['dir'];
  hex: string;
  /** The summaries of the entries joined (notes, decoded identification lines…). */
  summary: string;
  /** Entries joined into this frame. */
  parts: number;
  /** Bytes seen without an end (the trace stopped, or the direction changed first). */
  incomplete: boolean;
}

/** Upper bound of one joined frame (a longer run is cut into several rows). */
const MAX_FRAME_BYTES = 8192;

function bytesOf(hex: string): number[] {
  const out: number[] = [];
  for (let i = 0; i + 1 < hex.length; i += 2) {
    const h = hex.slice(i, i + 2);
    out.push(h === '**' ? 0x2a : parseInt(h, 16));
  }
  return out;
}

/** How many bytes of `b` make one complete frame or line, or 0 when it is not complete yet. */
export function completeLength(b: number[]): number {
  if (!b.length) return 0;
  const first = b[0]!;
  if (first === 0x7e) {
    if (b.length < 3) return 0;
    const len = ((b[1]! & 0x07) << 8) | b[2]!;
    // Flag, `len` bytes of frame, flag.
    return b.length >= len + 2 ? len + 2 : 0;
  }
  if (first === 0x06 || first === 0x15) return 1;
  for (let i = 0; i < b.length; i++) {
    if ((b[i] === 0x03 || b[i] === 0x04) && (first === 0x02 || first === 0x01)) return i + 2 <= b.length ? i + 2 : 0;
    if (b[i] === 0x0a && i > 0 && b[i - 1] === 0x0d && first !== 0x02 && first !== 0x01) return i + 1;
  }
  return 0;
}

export function traceFrames(trace: readonly TraceEntry[]): TraceFrame[] {
  const out: TraceFrame[] = [];
  let pending: { t: string; bytes: number[]; summaries: string[]; parts: number; hex: string } | undefined;
  const flush = (incomplete: boolean) => {
    if (!pending) return;
    out.push({
      t: pending.t,
      dir: 'rx',
      hex: pending.hex,
      summary: [...new Set(pending.summaries.filter(Boolean))].join(' · '),
      parts: pending.parts,
      incomplete,
    });
    pending = undefined;
  };
  for (const e of trace) {
    if (e.dir !== 'rx' || !e.hex) {
      flush(true);
      out.push({ t: e.t, dir: e.dir, hex: e.hex, summary: e.summary, parts: 1, incomplete: false });
      continue;
    }
    pending ??= { t: e.t, bytes: [], summaries: [], parts: 0, hex: '' };
    pending.bytes.push(...bytesOf(e.hex));
    pending.hex += e.hex;
    pending.summaries.push(e.summary);
    pending.parts++;
    // Several frames in one chunk, or a frame and the start of the next.
    for (;;) {
      const n = completeLength(pending.bytes);
      if (!n && pending.bytes.length < MAX_FRAME_BYTES) break;
      const take = n || pending.bytes.length;
      const rest = pending.bytes.slice(take);
      const restHex = pending.hex.slice(take * 2);
      const head = { ...pending, bytes: pending.bytes.slice(0, take), hex: pending.hex.slice(0, take * 2) };
      pending = head;
      flush(!n);
      if (!rest.length) break;
      pending = { t: e.t, bytes: rest, summaries: [], parts: 1, hex: restHex };
    }
  }
  flush(true);
  return out;
}
