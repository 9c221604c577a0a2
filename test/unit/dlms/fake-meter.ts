/**
 * A scripted HDLC + DLMS server for the client machine tests, built on the engine's own encoders.
 * `handle(apdu)` gives the answer APDU(s); the HDLC side segments answers to `maxInfo`, waits for
 * RR between segments, answers SNRM with UA and DISC with UA, and can damage or drop frames.
 */
import type { Action } from '../../../electron/engine/machine';
import { clientAddress, serverAddress, type HdlcAddress } from '../../../electron/engine/hdlc/address';
import { Deframer } from '../../../electron/engine/hdlc/deframer';
import { encodeFrame, type Control, type HdlcFrame } from '../../../electron/engine/hdlc/frame';
import { encodeParameters } from '../../../electron/engine/hdlc/params';
import { LLC_REQUEST, LLC_RESPONSE, Reassembler, segmentApdu } from '../../../electron/engine/hdlc/segmentation';

export interface FakeMeterOptions {
  clientSap?: number;
  logical?: number;
  physical?: number;
  /** Server max info length (both ways) announced in the UA. */
  maxInfo?: number;
  handle: (apdu: Uint8Array) => Uint8Array | undefined;
  /** Called with each frame the meter is about to send (0-based count); return 'drop', 'corrupt' or nothing. */
  fault?: (n: number, frame: Uint8Array) => 'drop' | 'corrupt' | undefined;
  /** Answer SNRM with DM. */
  refuse?: boolean;
}

export class FakeMeter {
  readonly received: HdlcFrame[] = [];
  readonly apdus: Uint8Array[] = [];
  private readonly deframer = new Deframer();
  private readonly reassembler = new Reassembler(LLC_REQUEST);
  private readonly me: HdlcAddress;
  private readonly client: HdlcAddress;
  private pending: { info: Uint8Array; segmented: boolean }[] = [];
  private vs = 0;
  private vr = 0;
  private sent = 0;
  private lastSent: Uint8Array | undefined;

  constructor(private readonly o: FakeMeterOptions) {
    this.me = serverAddress(o.logical ?? 1, o.physical ?? 17);
    this.client = clientAddress(o.clientSap ?? 16);
  }

  private frame(control: Control, info: Uint8Array = new Uint8Array(0), segmented = false): Uint8Array {
    return encodeFrame({ dest: this.client, src: this.me, control, segmented, info });
  }

  private emit(bytes: Uint8Array): Uint8Array[] {
    this.lastSent = bytes;
    const f = this.o.fault?.(this.sent++, bytes);
    if (f === 'drop') return [];
    if (f === 'corrupt') {
      const b = bytes.slice();
      b[Math.floor(b.length / 2)]! ^= 0x55;
      return [b];
    }
    return [bytes];
  }

  private nextSegment(): Uint8Array[] {
    const s = this.pending.shift();
    if (!s) return [];
    const b = this.frame({ kind: 'I', ns: this.vs, nr: this.vr, pf: true }, s.info, s.segmented);
    this.vs = (this.vs + 1) & 7;
    return this.emit(b);
  }

  /** Bytes from the client → bytes the meter answers. */
  feed(bytes: Uint8Array): Uint8Array[] {
    const out: Uint8Array[] = [];
    for (const item of this.deframer.push(bytes)) {
      if (item.kind !== 'frame') continue;
      const f = item.frame;
      this.received.push(f);
      const c = f.control;
      if (c.kind === 'SNRM') {
        this.vs = 0;
        this.vr = 0;
        if (this.o.refuse) out.push(...this.emit(this.frame({ kind: 'DM', pf: true })));
        else {
          const m = this.o.maxInfo ?? 128;
          out.push(...this.emit(this.frame({ kind: 'UA', pf: true }, encodeParameters({ maxInfoTx: m, maxInfoRx: m, windowTx: 1, windowRx: 1 }))));
        }
      } else if (c.kind === 'DISC') {
        out.push(...this.emit(this.frame({ kind: 'UA', pf: true })));
      } else if (c.kind === 'RR') {
        if (this.pending.length && c.nr === this.vs) out.push(...this.nextSegment());
        else if (this.lastSent) out.push(...this.emit(this.lastSent)); // repeat request
      } else if (c.kind === 'I') {
        if (c.ns !== this.vr) {
          // A repeated request: repeat our last answer.
          if (this.lastSent) out.push(...this.emit(this.lastSent));
          continue;
        }
        this.vr = (this.vr + 1) & 7;
        if (f.segmented) {
          this.reassembler.push(f.info, true);
          out.push(...this.emit(this.frame({ kind: 'RR', nr: this.vr, pf: true })));
          continue;
        }
        const apdu = this.reassembler.push(f.info, false)!;
        this.apdus.push(apdu);
        const answer = this.o.handle(apdu);
        if (!answer) continue;
        this.pending = segmentApdu(answer, this.o.maxInfo ?? 128, LLC_RESPONSE);
        out.push(...this.nextSegment());
      }
    }
    return out;
  }
}

export interface RunResult<E> {
  events: E[];
  sent: { bytes: Uint8Array; summary: string; redact?: [number, number][] }[];
  traces: string[];
  done: boolean;
  failed?: { code: string; detail?: string };
  now: number;
}

/**
 * Drive a machine against the fake meter until it is done, failed, or idle with nothing to wait
 * for. Time only moves when the machine asked to be woken.
 */
export function drive<E>(
  m: { start(now: number): Action<E>[]; receive(b: Uint8Array, now: number): Action<E>[]; tick(now: number): Action<E>[] },
  meter: FakeMeter,
  first: Action<E>[] | 'start' = 'start',
  state: RunResult<E> = { events: [], sent: [], traces: [], done: false, now: 0 },
  onEvent?: (e: E, now: number) => Action<E>[],
): RunResult<E> {
  let queue: Action<E>[] = first === 'start' ? m.start(state.now) : first;
  let wake: number | undefined;
  for (let guard = 0; guard < 10_000; guard++) {
    if (!queue.length) {
      if (state.done || state.failed || wake === undefined) break;
      state.now = Math.max(state.now, wake);
      wake = undefined;
      queue = m.tick(state.now);
      continue;
    }
    const a = queue.shift()!;
    switch (a.type) {
      case 'send': {
        state.sent.push({ bytes: a.bytes, summary: a.summary, ...(a.redact ? { redact: a.redact } : {}) });
        state.now += 5;
        for (const answer of meter.feed(a.bytes)) queue.push(...m.receive(answer, state.now));
        break;
      }
      case 'wakeAt':
        wake = a.at;
        break;
      case 'trace':
        state.traces.push(a.summary);
        break;
      case 'event':
        state.events.push(a.event);
        if (onEvent) queue.push(...onEvent(a.event, state.now));
        break;
      case 'done':
        state.done = true;
        break;
      case 'fail':
        state.failed = a.error.detail === undefined ? { code: a.error.code } : { code: a.error.code, detail: a.error.detail };
        break;
      default:
        break;
    }
  }
  return state;
}
