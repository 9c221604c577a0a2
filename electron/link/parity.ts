/**
 * 7E1 in software. A 7E1 character on the wire (start, 7 data bits, even parity, stop) is bit for
 * bit the same as an 8N1 byte whose bit 7 is the parity bit. Every link therefore stays 8-bit
 * transparent at the OS level and does the IEC 62056-21 framing here: this lets a serial port
 * switch from 7E1 to 8N1 (mode E) by changing nothing but the speed, and makes raw TCP heads and
 * ser2net set to 8N1 work the same way.
 */
import type { LineSettings } from './types';

function ones(b: number): number {
  let n = 0;
  for (let x = b & 0x7f; x; x &= x - 1) n++;
  return n;
}

/** Set bit 7 of each byte to the parity bit of its low 7 bits. */
export function addParity(bytes: Uint8Array, parity: 'even' | 'odd'): Uint8Array {
  const out = new Uint8Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]! & 0x7f;
    const odd = ones(b) & 1;
    const bit = parity === 'even' ? odd : odd ^ 1;
    out[i] = b | (bit << 7);
  }
  return out;
}

/** Strip bit 7 and count the characters whose parity bit is wrong. */
export function stripParity(bytes: Uint8Array, parity: 'even' | 'odd'): { bytes: Uint8Array; parityErrors: number } {
  const out = new Uint8Array(bytes.length);
  let parityErrors = 0;
  for (let i = 0; i < bytes.length; i++) {
    const raw = bytes[i]!;
    const b = raw & 0x7f;
    const expected = parity === 'even' ? ones(b) & 1 : (ones(b) & 1) ^ 1;
    if (raw >> 7 !== expected) parityErrors++;
    out[i] = b;
  }
  return { bytes: out, parityErrors };
}

/** Whether these line settings are emulated in software on an 8N1 transport. */
export function softwareParity(line: LineSettings): 'even' | 'odd' | undefined {
  return line.dataBits === 7 && line.parity !== 'none' ? line.parity : undefined;
}

export type ParityCheck = 'unknown' | 'checked' | 'stripped';

/**
 * Decides whether the parity bits that arrive can be judged. A far side that checks and strips
 * the parity itself (ser2net or a network head set to 7E1) delivers bytes whose bit 7 is always
 * 0: every character of odd weight then looks like a parity error though nothing is wrong. Until
 * a byte with bit 7 set has been seen, parity errors are held back; the first such byte proves
 * the path carries the parity bit (a healthy `/` arrives as 0xAF) and releases them. After
 * `STRIPPED_AFTER` received characters without bit 7, the far side is taken to strip the bit
 * and nothing is counted.
 */
export class ParityJudge {
  static readonly STRIPPED_AFTER = 16;
  state: ParityCheck = 'unknown';
  private seen = 0;
  private held = 0;

  /** Returns the parity errors to report for this chunk (`errors` as counted by stripParity). */
  judge(raw: Uint8Array, errors: number): number {
    if (this.state === 'checked') return errors;
    if (this.state === 'stripped') {
      if (!raw.some((b) => b & 0x80)) return 0;
      // A byte with bit 7 after all: the path is 8-bit after all (reconnected, reconfigured).
      this.state = 'checked';
      return errors;
    }
    if (raw.some((b) => b & 0x80)) {
      this.state = 'checked';
      const all = this.held + errors;
      this.held = 0;
      return all;
    }
    this.seen += raw.length;
    this.held += errors;
    if (this.seen >= ParityJudge.STRIPPED_AFTER) {
      this.state = 'stripped';
      this.held = 0;
    }
    return 0;
  }
}
