/**
 * Plays a recorded trace back as a meter: fed the reader's bytes, it answers each request that
 * matches the next recorded one with the recorded answer (see script.ts for what must match),
 * re-sends the previous answer when the reader repeats its previous request (a retransmission),
 * and reports a divergence, with both sides, when the reader asks something the recording does
 * not hold. Sans-IO: it returns what to do; the runner does it.
 */
import { crcBytes } from '../../engine/hdlc/crc';
import type { ReplayAction, ReplayScript } from './script';

export type ReplayEvent =
  | { type: 'answered'; step: number; summary: string }
  | { type: 'repeated'; step: number }
  | { type: 'diverged'; step: number; expected: string; got: string; expectedSummary: string }
  | { type: 'finished'; steps: number };

const FLAG = 0x7e;
const hex = (b: ArrayLike<number | null>) => Array.from(b, (x) => (x === null ? '**' : x.toString(16).padStart(2, '0'))).join('');

interface FrameLayout {
  control: number;
  /** Index of the invoke-id byte of a GET/SET/ACTION request or response, when there is one. */
  invokeId?: number;
  hcs?: number;
  fcs: number;
  end: number;
}

/** Where the volatile fields of the HDLC frame starting at `at` are (undefined: not a frame). */
function frameLayout(b: ArrayLike<number | null>, at: number): FrameLayout | undefined {
  if (b[at] !== FLAG || b[at + 1] === null || b[at + 2] === null) return undefined;
  const f0 = b[at + 1]!;
  if ((f0 & 0xf0) !== 0xa0) return undefined;
  const length = ((f0 & 0x07) << 8) | b[at + 2]!;
  const end = at + length + 1;
  if (end >= b.length) return undefined;
  let p = at + 3;
  for (let addr = 0; addr < 2; addr++) {
    let n = 0;
    while (p < end && n < 4 && b[p] !== null && (b[p]! & 1) === 0) {
      p++;
      n++;
    }
    p++;
  }
  const control = p;
  const out: FrameLayout = { control, fcs: end - 2, end };
  if (control + 3 < end - 2) {
    out.hcs = control + 1;
    const info = control + 3;
    const apdu = b[info] === 0xe6 && (b[info + 1] === 0xe6 || b[info + 1] === 0xe7) ? info + 3 : info;
    const tag = b[apdu];
    if (tag !== null && tag !== undefined && [0xc0, 0xc1, 0xc3, 0xc4, 0xc5, 0xc7].includes(tag) && apdu + 2 < end - 2) out.invokeId = apdu + 2;
  }
  return out;
}

/** Mask of the control byte bits that must match: I-frames and S-frames carry sequence numbers. */
function controlMask(c: number): number {
  if ((c & 0x01) === 0) return 0x11;
  if ((c & 0x03) === 0x01) return 0x1f;
  return 0xff;
}

/** The index in `expected` of a redacted frame's control byte: after the two addresses. */
function redactedControl(expected: (number | null)[]): number {
  let i = expected.indexOf(null) + 1;
  for (let addr = 0; addr < 2 && i > 0; addr++) {
    while (i < expected.length && expected[i] !== null && (expected[i]! & 1) === 0) i++;
    i++;
  }
  return i;
}

/**
 * Match a recorded request with redacted stretches (`null`: any number of bytes) against a whole
 * received request: every byte outside the stretches in order, the sequence bits of an HDLC
 * control byte free. A small glob match, bounded by the two lengths.
 */
function globMatches(expected: (number | null)[], got: number[]): boolean {
  const control = expected[0] === FLAG ? redactedControl(expected) : -1;
  const same = (ei: number, g: number) => {
    const e = expected[ei]!;
    return ei === control ? (e & controlMask(e)) === (g & controlMask(e)) : e === g;
  };
  let ei = 0;
  let gi = 0;
  let star = -1;
  let resume = 0;
  while (gi < got.length) {
    if (ei < expected.length && expected[ei] !== null && same(ei, got[gi]!)) {
      ei++;
      gi++;
    } else if (ei < expected.length && expected[ei] === null) {
      star = ei++;
      resume = gi;
    } else if (star >= 0) {
      ei = star + 1;
      gi = ++resume;
    } else return false;
  }
  while (ei < expected.length && expected[ei] === null) ei++;
  return ei === expected.length;
}

/**
 * How many received bytes make the request when the recording does not say (it has redacted
 * stretches): an HDLC frame by its own length field, an IEC command or data message up to the
 * byte after ETX/EOT, a line up to CR LF. Undefined while incomplete.
 */
function requestLength(expected: (number | null)[], buf: number[]): number | undefined {
  if (!expected.includes(null)) return buf.length >= expected.length ? expected.length : undefined;
  if (buf[0] === FLAG) {
    if (buf.length < 3) return undefined;
    const n = (((buf[1]! & 0x07) << 8) | buf[2]!) + 2;
    return buf.length >= n ? n : undefined;
  }
  if (buf[0] === 0x01 || buf[0] === 0x02) {
    const end = buf.findIndex((b, i) => i > 0 && (b === 0x03 || b === 0x04));
    return end >= 0 && buf.length >= end + 2 ? end + 2 : undefined;
  }
  const lf = buf.findIndex((b, i) => i > 0 && b === 0x0a && buf[i - 1] === 0x0d);
  return lf >= 0 ? lf + 1 : undefined;
}

function matches(expected: (number | null)[], got: number[]): boolean {
  if (expected.includes(null)) return globMatches(expected, got);
  const layout = expected[0] === FLAG ? frameLayout(expected, 0) : undefined;
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i];
    if (e === null || e === undefined) continue;
    const g = got[i]!;
    if (layout) {
      if (i === layout.control) {
        if ((e & controlMask(e)) !== (g & controlMask(e))) return false;
        continue;
      }
      if (i === layout.invokeId || i === layout.hcs || i === layout.hcs! + 1 || i === layout.fcs || i === layout.fcs + 1) continue;
    }
    if (e !== g) return false;
  }
  return true;
}

/** Whether what has come so far can still become the expected request. */
function prefixMatches(expected: (number | null)[], got: number[]): boolean {
  if (expected.includes(null)) {
    // Only the bytes before the first stretch are known to sit at fixed places.
    const fixed = expected.indexOf(null);
    return matches(expected.slice(0, Math.min(fixed, got.length)) as number[], got.slice(0, Math.min(fixed, got.length)));
  }
  const n = Math.min(expected.length, got.length);
  return matches(expected.slice(0, n), got.slice(0, n));
}

/** Give the answer's frames the sequence numbers and invoke-id the request calls for, then fix the checks. */
function adapt(answer: Uint8Array, request: number[]): Uint8Array {
  const req = frameLayout(request, 0);
  if (!req) return answer;
  const out = answer.slice();
  const rc = request[req.control]!;
  let p = 0;
  while (p < out.length) {
    const l = frameLayout(out, p);
    if (!l) {
      p++;
      continue;
    }
    const c = out[l.control]!;
    const requestIsI = (rc & 0x01) === 0;
    const requestIsS = (rc & 0x03) === 0x01;
    if ((c & 0x01) === 0) {
      // Answer I-frame: its N(S) is what the request's N(R) expects; its N(R) acknowledges the request.
      const ns = requestIsI || requestIsS ? (rc >> 5) & 7 : (c >> 1) & 7;
      const nr = requestIsI ? (((rc >> 1) & 7) + 1) & 7 : (c >> 5) & 7;
      out[l.control] = (nr << 5) | (c & 0x10) | (ns << 1);
    } else if ((c & 0x03) === 0x01 && requestIsI) {
      out[l.control] = (((((rc >> 1) & 7) + 1) & 7) << 5) | (c & 0x1f);
    }
    if (l.invokeId !== undefined && req.invokeId !== undefined) out[l.invokeId] = request[req.invokeId]!;
    if (l.hcs !== undefined) [out[l.hcs], out[l.hcs + 1]] = crcBytes(out, p + 1, l.hcs);
    [out[l.fcs], out[l.fcs + 1]] = crcBytes(out, p + 1, l.fcs);
    p = l.end + 1;
  }
  return out;
}

export class ReplayPlayer {
  private buf: number[] = [];
  private next = 0;
  private last?: { request: (number | null)[]; actions: ReplayAction[] };
  private finished = false;

  constructor(
    private readonly script: ReplayScript,
    /** A bound on buffered request bytes: a reader that sends more without a match has diverged. */
    private readonly maxBuffer = 4096,
  ) {}

  get step(): number {
    return this.next;
  }

  receive(bytes: Uint8Array): { actions: ReplayAction[]; events: ReplayEvent[] } {
    const actions: ReplayAction[] = [];
    const events: ReplayEvent[] = [];
    for (const b of bytes) this.buf.push(b);
    for (;;) {
      // Doubled or spare HDLC flags between frames carry nothing.
      while (this.buf.length > 1 && this.buf[0] === FLAG && this.buf[1] === FLAG) this.buf.shift();
      if (!this.buf.length) break;
      const step = this.script.steps[this.next];
      const lastLength = this.last ? requestLength(this.last.request, this.buf) : undefined;
      const stepLength = step ? requestLength(step.request, this.buf) : undefined;
      const isStep = step !== undefined && stepLength !== undefined && matches(step.request, this.buf.slice(0, stepLength));
      if (this.last && lastLength !== undefined && !isStep && matches(this.last.request, this.buf.slice(0, lastLength))) {
        const request = this.buf.splice(0, lastLength);
        actions.push(...this.adaptAll(this.last.actions, request));
        events.push({ type: 'repeated', step: this.next - 1 });
        continue;
      }
      if (!step) {
        if (!this.finished)
          events.push({ type: 'diverged', step: this.next, expected: '', got: hex(this.buf), expectedSummary: 'nothing: the recording has ended' });
        this.finished = true;
        this.buf = [];
        break;
      }
      if (stepLength === undefined ? !prefixMatches(step.request, this.buf) : !isStep) {
        events.push({ type: 'diverged', step: this.next, expected: hex(step.request), got: hex(this.buf), expectedSummary: step.summary });
        this.buf = [];
        break;
      }
      if (stepLength === undefined) {
        if (this.buf.length > this.maxBuffer) this.buf = [];
        break;
      }
      const request = this.buf.splice(0, stepLength);
      actions.push(...this.adaptAll(step.actions, request));
      events.push({ type: 'answered', step: this.next, summary: step.summary });
      this.last = { request: step.request, actions: step.actions };
      this.next++;
      if (this.next === this.script.steps.length) events.push({ type: 'finished', steps: this.next });
    }
    return { actions, events };
  }

  private adaptAll(actions: ReplayAction[], request: number[]): ReplayAction[] {
    return actions.map((a) => (a.type === 'send' ? { type: 'send', bytes: adapt(a.bytes, request) } : a));
  }
}

export { hex as replayHex };
