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

function matches(expected: (number | null)[], got: number[]): boolean {
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
  private last?: { request: number[]; actions: ReplayAction[] };
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
      if (this.last && this.buf.length >= this.last.request.length && matches(this.last.request, this.buf.slice(0, this.last.request.length)) && !(step && this.buf.length >= step.request.length && matches(step.request, this.buf.slice(0, step.request.length)))) {
        const request = this.buf.splice(0, this.last.request.length);
        actions.push(...this.adaptAll(this.last.actions, request));
        events.push({ type: 'repeated', step: this.next - 1 });
        continue;
      }
      if (!step) {
        if (!this.finished) events.push({ type: 'diverged', step: this.next, expected: '', got: hex(this.buf), expectedSummary: 'nothing: the recording has ended' });
        this.finished = true;
        this.buf = [];
        break;
      }
      const n = Math.min(this.buf.length, step.request.length);
      if (!matches(step.request.slice(0, n), this.buf.slice(0, n))) {
        events.push({ type: 'diverged', step: this.next, expected: hex(step.request), got: hex(this.buf), expectedSummary: step.summary });
        this.buf = [];
        break;
      }
      if (this.buf.length < step.request.length) {
        if (this.buf.length > this.maxBuffer) this.buf = [];
        break;
      }
      const request = this.buf.splice(0, step.request.length);
      actions.push(...this.adaptAll(step.actions, request));
      events.push({ type: 'answered', step: this.next, summary: step.summary });
      this.last = { request: step.request.map((x, i) => x ?? request[i]!), actions: step.actions };
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
