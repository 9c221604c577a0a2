/**
 * The IEC 62056-21 client (HHU side) as a sans-IO state machine: fed bytes and absolute time,
 * it answers with actions (send, setLine, wakeAt, event, done, fail). Modes A, B, C and E:
 *
 *   request → identification → [option select → baud switch] → data readout
 *                                                             → programming: P0, P1, R1…, B0
 *                                                             → mode E: ACK 2 Z 2, 8N1, handover
 *
 * It never waits a fixed time: a message is handled the moment it is complete (LF of the
 * identification, the one byte after ETX), and the only waits are the standard's limits
 * (reaction time, inter-character time) as wakeAt deadlines measured from the wire time of what
 * was sent.
 *
 * Field behaviour handled on purpose (FIELD-NOTES.md):
 * - echo of the head (our own bytes first) is skipped; echo and nothing else → ECHO_ONLY;
 * - noise before `/` (0x00, 0x7F …) is skipped; a non-identification line → GARBLED;
 * - a meter that answers only the second request (wake-up) → `requestAttempts`;
 * - 7E1 carried on an 8N1 line (`parityInSoftware`, or detected from a 0xAF `/`): bit 7 is
 *   stripped, parity errors counted and reported as a warning;
 * - a meter that ignores the proposed baud rate: nothing valid arrives at the new speed, so the
 *   client goes back to 300 baud, waits until the line is quiet, and does the handshake again
 *   without a switch; a BAUD_NOT_ACCEPTED warning says so (once: a second failure is an error);
 * - a cut-off readout: the complete data sets received so far are emitted before failing.
 */
import { OmrError, type ErrorCode, type ErrorInfo, toErrorInfo } from '../../../shared/errors';
import type { MeterIdentity, Reading } from '../../../shared/types';
import type { Action, LineRequest, Machine } from '../machine';
import {
  ACK,
  EOT,
  ETX,
  LF,
  NAK,
  SOH,
  STX,
  add7E1,
  decodeCommand,
  decodeDataMessage,
  encodeCommandWithSpan,
  encodeOptionSelect,
  encodeRequest,
  latin1,
  modeCCharFor,
  MODE_C_BAUD,
  parseErrorAnswer,
  parseIdentification,
  strip7E1,
  visible,
} from './codec';
import { dataSetToReading, parseDataBlock, parseReadout } from './readout';

export type IecPurpose = 'identify' | 'readout' | 'programming' | 'modeE';

export interface IecClientOptions {
  /** Device address for `/?address!` (a shared bus); empty or absent: any meter. */
  address?: string;
  purpose: IecPurpose;
  /** Highest baud rate the host (head) may use. */
  maxBaud: number;
  /** Smart probe: it does the baud switch itself, the host line never changes speed. */
  fixedBaud?: boolean;
  /** Programming-mode password (P1). A secret: redacted in traces. */
  password?: string;
  /** Programming mode: addresses to read with R1 (`1.8.0`, `C.1.0` …). */
  reads?: string[];
  /** Longest wait for the first byte of an answer, after our message has left (ms). */
  reactionTimeoutMs?: number;
  /** Longest gap between two characters of a message (ms). */
  interCharTimeoutMs?: number;
  /** After the option select is handed to send, the line changes no earlier than this (ms). */
  baudSwitchDelayMs?: number;
  /** How many requests are sent before giving up (2: a meter that wakes on the first). */
  requestAttempts?: number;
  /** How many NAKs (either way) before NAK_LIMIT. */
  maxNak?: number;
  /** The line is 8N1 but carries 7E1: add and strip the parity bit here. */
  parityInSoftware?: boolean;
  /** Upper bound for one message (bytes); more is treated as garbage. */
  maxMessageBytes?: number;
}

export interface IecWarning {
  code: ErrorCode;
  detail: string;
}

export type IecEvent =
  | { type: 'identity'; identity: MeterIdentity }
  /** Readings as parsed: a whole data block (`complete`), or what was read before a failure. */
  | { type: 'readings'; readings: Reading[]; complete: boolean }
  /** Bytes received in the data phase so far (readout or programming answers). */
  | { type: 'progress'; bytes: number }
  | { type: 'warning'; warning: IecWarning }
  /** The line now runs at this speed (after a switch or a fallback). */
  | { type: 'baud'; baudRate: number }
  /** Mode E: the link is 8N1 at `baudRate`; the HDLC layer takes over. */
  | { type: 'handover'; baudRate: number; line: LineRequest };

/** What a run produced, rebuilt from the events (and the final action). */
export interface IecResult {
  identity?: MeterIdentity;
  readings: Reading[];
  warnings: IecWarning[];
  handover?: { baudRate: number; line: LineRequest };
  error?: ErrorInfo;
  done: boolean;
}

/** Fold a run's actions into its result. */
export function collectIecResult(actions: Iterable<Action<IecEvent>>, into?: IecResult): IecResult {
  const r: IecResult = into ?? { readings: [], warnings: [], done: false };
  for (const a of actions) {
    if (a.type === 'event') {
      const e = a.event;
      if (e.type === 'identity') r.identity = e.identity;
      else if (e.type === 'readings') r.readings.push(...e.readings);
      else if (e.type === 'warning') r.warnings.push(e.warning);
      else if (e.type === 'handover') r.handover = { baudRate: e.baudRate, line: e.line };
    } else if (a.type === 'done') r.done = true;
    else if (a.type === 'fail') r.error = toErrorInfo(a.error);
  }
  return r;
}

type Phase = 'new' | 'ident' | 'switching' | 'data' | 'fallbackSwitch' | 'drain' | 'modeE' | 'modeESwitch' | 'progP0' | 'prog' | 'finished';

interface Pending {
  kind: 'P1' | 'R1';
  bytes: Uint8Array;
  summary: string;
  redact?: [number, number][];
  address?: string;
}

const DEFAULTS = {
  reactionTimeoutMs: 1500,
  interCharTimeoutMs: 1500,
  baudSwitchDelayMs: 300,
  requestAttempts: 2,
  maxNak: 3,
  maxMessageBytes: 4 * 1024 * 1024,
};

/** Garbage bytes at the new speed (no STX among them) that prove the switch failed. */
const GARBAGE_AFTER_SWITCH = 8;
/** Longest wait for a meter that keeps talking at the old speed after a failed switch. */
const DRAIN_CAP_MS = 10 * 60_000;
const BITS_PER_CHAR = 10; // 7E1 and 8N1 alike: start + 8 + stop

export function wireTimeMs(chars: number, baud: number): number {
  return Math.ceil((chars * BITS_PER_CHAR * 1000) / baud);
}

export class IecClient implements Machine<IecEvent> {
  private readonly o: IecClientOptions & typeof DEFAULTS;
  private phase: Phase = 'new';
  private out: Action<IecEvent>[] = [];
  private baud = 300;
  private softParity: boolean;
  private requestText: string;
  // echo
  private echo: { bytes: Uint8Array; index: number } | undefined;
  private echoSeen = 0;
  // handshake
  private attempt = 0;
  private noSwitch = false;
  private fallbackDone = false;
  private switched = false;
  private identity: MeterIdentity | undefined;
  private targetBaud = 300;
  // message assembly
  private buf: number[] = [];
  private started = false;
  private awaitingBcc = false;
  private nonEcho = 0;
  private noise = 0;
  private parityErrors = 0;
  private deadline: number | undefined;
  private drainCap = 0;
  // data
  private dataBytes = 0;
  private readonly readings: Reading[] = [];
  // programming
  private pending: Pending | undefined;
  private nakCount = 0;
  private readIndex = 0;
  private blockText = '';
  private progStarted = false;
  // mode E
  private modeEOption = '';
  private modeEBuf: number[] = [];
  private modeEExtended = false;
  private deadlineDirty = false;

  constructor(options: IecClientOptions) {
    const o = { ...DEFAULTS, ...options };
    for (const k of Object.keys(DEFAULTS) as (keyof typeof DEFAULTS)[]) {
      if ((options as unknown as Record<string, unknown>)[k] === undefined) (o as Record<string, unknown>)[k] = DEFAULTS[k];
    }
    if (!Number.isFinite(o.maxBaud) || o.maxBaud < 300) throw new OmrError('INVALID_REQUEST', `maxBaud ${o.maxBaud} is below 300`);
    if (o.requestAttempts < 1) throw new OmrError('INVALID_REQUEST', 'requestAttempts must be at least 1');
    this.o = o;
    this.softParity = !!o.parityInSoftware;
    this.requestText = latin1(encodeRequest(o.address ?? '')).slice(0, -2);
  }

  // --- Machine ------------------------------------------------------------------------------------

  start(now: number): Action<IecEvent>[] {
    if (this.phase !== 'new') return [];
    this.sendRequest(now);
    return this.flush();
  }

  receive(bytes: Uint8Array, now: number): Action<IecEvent>[] {
    if (this.phase === 'finished' || this.phase === 'new' || bytes.length === 0) return [];
    let data = bytes;
    if (!this.softParity && this.phase === 'ident' && !this.started && bytes.includes(0xaf)) {
      // `/` with its parity bit set: a 7E1 meter heard through an 8N1 path.
      this.softParity = true;
      this.warn('PARITY_ERROR', 'the line is 8N1 but the meter speaks 7E1: the parity bit is handled in software');
    }
    if (this.softParity && this.phase !== 'modeESwitch') {
      const r = strip7E1(bytes);
      data = r.bytes;
      this.parityErrors += r.parityErrors;
    }
    for (let i = 0; i < data.length && !this.isFinished(); i++) this.filterEcho(data[i]!, now);
    if (this.phase === 'data' && this.started) this.emit({ type: 'progress', bytes: this.dataBytes });
    if (this.phase === 'prog' || this.phase === 'progP0') {
      if (this.started) this.emit({ type: 'progress', bytes: this.dataBytes });
    }
    return this.flush();
  }

  tick(now: number): Action<IecEvent>[] {
    if (this.phase === 'finished' || this.deadline === undefined) return this.flush();
    if (now < this.deadline) {
      this.out.push({ type: 'wakeAt', at: this.deadline });
      return this.flush();
    }
    this.deadline = undefined;
    this.onDeadline(now);
    return this.flush();
  }

  lineChanged(now: number): Action<IecEvent>[] {
    switch (this.phase) {
      case 'switching':
        this.emit({ type: 'baud', baudRate: this.baud });
        this.switched = true;
        this.resetMessage();
        this.setDeadline(now + this.o.reactionTimeoutMs);
        this.phase = this.o.purpose === 'programming' ? 'progP0' : 'data';
        break;
      case 'fallbackSwitch':
        this.emit({ type: 'baud', baudRate: this.baud });
        this.phase = 'drain';
        this.resetMessage();
        this.drainCap = now + DRAIN_CAP_MS;
        this.setDeadline(now + this.o.interCharTimeoutMs);
        break;
      case 'modeESwitch': {
        const line = this.lineFor(this.baud, true);
        this.emit({ type: 'handover', baudRate: this.baud, line });
        this.finish();
        break;
      }
      default:
        break;
    }
    return this.flush();
  }

  cancel(now: number): Action<IecEvent>[] {
    if (this.phase === 'finished') return [];
    if (this.phase === 'prog' || this.phase === 'progP0') {
      if (this.progStarted) this.sendBreak(now);
    } else if (this.phase === 'data' && this.started) {
      this.emitPartial(now);
    }
    this.fail(new OmrError('CANCELLED'));
    return this.flush();
  }

  linkLost(error: OmrError, now: number): Action<IecEvent>[] {
    if (this.phase === 'finished') return [];
    if (this.phase === 'data' && this.started) this.emitPartial(now);
    this.fail(error);
    return this.flush().filter((a) => a.type === 'event' || a.type === 'trace' || a.type === 'fail');
  }

  /** The result so far (the same as folding the emitted actions). */
  get result(): IecResult {
    return { ...this.resultAcc, readings: [...this.resultAcc.readings], warnings: [...this.resultAcc.warnings] };
  }

  private readonly resultAcc: IecResult = { readings: [], warnings: [], done: false };

  // --- plumbing -----------------------------------------------------------------------------------

  private isFinished(): boolean {
    return this.phase === 'finished';
  }

  private flush(): Action<IecEvent>[] {
    if (this.deadlineDirty && this.deadline !== undefined && this.phase !== 'finished') this.out.push({ type: 'wakeAt', at: this.deadline });
    this.deadlineDirty = false;
    const a = this.out;
    this.out = [];
    collectIecResult(a, this.resultAcc);
    return a;
  }

  private emit(event: IecEvent): void {
    this.out.push({ type: 'event', event });
  }

  private warn(code: ErrorCode, detail: string): void {
    this.emit({ type: 'warning', warning: { code, detail } });
  }

  private finish(): void {
    this.phase = 'finished';
    this.deadline = undefined;
    this.out.push({ type: 'done' });
  }

  private fail(error: OmrError): void {
    if (this.phase === 'finished') return;
    this.phase = 'finished';
    this.deadline = undefined;
    this.out.push({ type: 'fail', error });
  }

  /** One wakeAt per call at most: the last deadline set wins (see flush). */
  private setDeadline(at: number): void {
    this.deadline = at;
    this.deadlineDirty = true;
  }

  private lineFor(baudRate: number, eightN1 = false): LineRequest {
    return eightN1 || this.softParity ? { baudRate, dataBits: 8, parity: 'none' } : { baudRate, dataBits: 7, parity: 'even' };
  }

  /** Send bytes (7-bit characters); returns the time their last bit leaves the wire (estimate). */
  private send(bytes: Uint8Array, summary: string, now: number, redact?: [number, number][], expectEcho = true): number {
    const wire = this.softParity && this.phase !== 'modeESwitch' ? add7E1(bytes) : bytes;
    const action: Action<IecEvent> = { type: 'send', bytes: wire, summary };
    if (redact && redact.length) action.redact = redact;
    this.out.push(action);
    this.echo = expectEcho ? { bytes, index: 0 } : undefined;
    return now + wireTimeMs(bytes.length, this.baud);
  }

  private resetMessage(): void {
    this.buf = [];
    this.started = false;
    this.awaitingBcc = false;
    this.noise = 0;
    this.nonEcho = 0;
  }

  private checkParity(what: string): void {
    if (this.parityErrors > 0) {
      this.warn('PARITY_ERROR', `${this.parityErrors} character(s) with a wrong parity bit in ${what}`);
      this.parityErrors = 0;
    }
  }

  // --- echo ---------------------------------------------------------------------------------------

  private filterEcho(b: number, now: number): void {
    const e = this.echo;
    if (e) {
      if (b === e.bytes[e.index]) {
        e.index++;
        if (e.index === e.bytes.length) {
          this.echo = undefined;
          this.echoSeen++;
        }
        return;
      }
      // Not (or no longer) our echo: what was held back as echo was the meter's answer.
      this.echo = undefined;
      for (let i = 0; i < e.index && !this.isFinished(); i++) this.onByte(e.bytes[i]!, now);
      if (this.isFinished()) return;
    }
    this.onByte(b, now);
  }

  private onByte(b: number, now: number): void {
    switch (this.phase) {
      case 'ident':
        return this.identByte(b, now);
      case 'data':
        return this.dataByte(b, now);
      case 'progP0':
      case 'prog':
        return this.progByte(b, now);
      case 'drain':
        return this.drainByte(b, now);
      case 'modeE':
        return this.modeEByte(b, now);
      default:
        // Bytes while a line change is pending (e.g. a meter talking at the old speed): noted.
        this.noise++;
        return;
    }
  }

  // --- request / identification ---------------------------------------------------------------------

  private sendRequest(now: number): void {
    this.attempt++;
    this.phase = 'ident';
    this.resetMessage();
    const bytes = encodeRequest(this.o.address ?? '');
    const leaves = this.send(bytes, this.attempt > 1 ? `${this.requestText} (attempt ${this.attempt})` : this.requestText, now);
    this.setDeadline(leaves + this.o.reactionTimeoutMs);
  }

  private identByte(b: number, now: number): void {
    this.nonEcho++;
    if (!this.started) {
      if (b === 0x2f) {
        this.started = true;
        this.buf = [b];
        this.setDeadline(now + this.o.interCharTimeoutMs);
      } else this.noise++;
      return;
    }
    if (b === 0x2f) {
      // A new `/`: what came before was noise.
      this.noise += this.buf.length;
      this.buf = [b];
    } else this.buf.push(b);
    this.setDeadline(now + this.o.interCharTimeoutMs);
    if (b === LF) return this.identLine(now);
    if (this.buf.length > 128) {
      this.noise += this.buf.length;
      this.buf = [];
      this.started = false;
    }
  }

  private identLine(now: number): void {
    let text = latin1(Uint8Array.from(this.buf));
    text = text.replace(/\r?\n$/, '');
    this.buf = [];
    this.started = false;
    if (text === this.requestText) {
      // Our own request, heard back after some noise.
      this.echoSeen++;
      this.nonEcho = 0;
      this.out.push({ type: 'trace', summary: 'echo of the request' });
      return;
    }
    let identity: MeterIdentity;
    try {
      identity = parseIdentification(text);
    } catch (e) {
      const err = e instanceof OmrError ? e : new OmrError('GARBLED', String(e));
      this.out.push({ type: 'trace', summary: `not an identification: ${visible(text)}` });
      if (this.attempt < this.o.requestAttempts) return this.sendRequest(now);
      return this.fail(err);
    }
    this.out.push({ type: 'trace', summary: `identification ${identity.raw}` });
    this.checkParity('the identification');
    this.identity = identity;
    this.emit({ type: 'identity', identity });
    this.afterIdentification(identity, now);
  }

  private afterIdentification(id: MeterIdentity, now: number): void {
    const purpose = this.o.purpose;
    if (purpose === 'identify') return this.finish();
    if (purpose === 'modeE') {
      if (!id.modeE) return this.fail(new OmrError('MODE_NOT_OFFERED', `the meter does not announce mode E (identification ${id.raw})`));
      return this.startModeE(id, now);
    }
    if (purpose === 'programming' && id.mode !== 'C') {
      return this.fail(new OmrError('MODE_NOT_OFFERED', `programming mode needs protocol mode C; the meter announces mode ${id.mode}`));
    }
    if (id.mode === 'A') {
      // The meter sends its data at once, at 300 baud.
      this.phase = 'data';
      this.resetMessage();
      this.setDeadline(now + this.o.reactionTimeoutMs + wireTimeMs(1, this.baud));
      return;
    }
    if (id.mode === 'B') {
      // The meter switches by itself to the announced rate; follow it (unless the probe does).
      this.resetMessage();
      if (this.o.fixedBaud || this.noSwitch || id.maxBaud === this.baud) {
        this.phase = 'data';
        this.setDeadline(now + this.o.reactionTimeoutMs);
        return;
      }
      return this.switchTo(id.maxBaud, now, now);
    }
    // Mode C: option select.
    const target = this.noSwitch ? 300 : Math.min(id.maxBaud, this.o.maxBaud);
    const baudChar = modeCCharFor(target);
    const mode = purpose === 'programming' ? '1' : '0';
    const bytes = encodeOptionSelect({ protocol: '0', baudChar, mode });
    const leaves = this.send(bytes, `ACK 0${baudChar}${mode} (${purpose === 'programming' ? 'programming' : 'readout'} at ${MODE_C_BAUD[baudChar]} baud)`, now);
    this.resetMessage();
    const newBaud = MODE_C_BAUD[baudChar]!;
    if (this.o.fixedBaud || newBaud === this.baud) {
      this.phase = purpose === 'programming' ? 'progP0' : 'data';
      this.setDeadline(leaves + this.o.reactionTimeoutMs);
      return;
    }
    this.switchTo(newBaud, now, now + this.o.baudSwitchDelayMs);
  }

  private switchTo(baud: number, _now: number, notBefore: number): void {
    this.phase = 'switching';
    this.targetBaud = baud;
    this.baud = baud;
    this.deadline = undefined;
    this.out.push({ type: 'setLine', line: this.lineFor(baud), notBefore });
  }

  // --- data readout ------------------------------------------------------------------------------------

  private dataByte(b: number, now: number): void {
    if (!this.started) {
      if (b === STX) {
        this.started = true;
        this.buf = [b];
        this.dataBytes = 1;
        this.setDeadline(now + this.o.interCharTimeoutMs);
        return;
      }
      this.noise++;
      if (this.canFallback() && this.noise >= GARBAGE_AFTER_SWITCH) this.fallback(now, `${this.noise} unreadable bytes at ${this.baud} baud`);
      return;
    }
    this.buf.push(b);
    this.dataBytes++;
    if (this.awaitingBcc) return this.dataComplete(now);
    if (b === ETX || b === EOT) this.awaitingBcc = true;
    if (this.buf.length > this.o.maxMessageBytes) {
      this.emitPartial(now);
      return this.fail(new OmrError('GARBLED', `data message longer than ${this.o.maxMessageBytes} bytes without an end`));
    }
    this.setDeadline(now + this.o.interCharTimeoutMs);
  }

  private dataComplete(now: number): void {
    const msg = Uint8Array.from(this.buf);
    this.buf = [];
    this.started = false;
    const readAt = new Date(now).toISOString();
    try {
      const { text } = decodeDataMessage(msg);
      const readings = parseReadout(text, { readAt, source: 'readout' });
      this.readings.push(...readings);
      this.out.push({ type: 'trace', summary: `data message: ${readings.length} data sets, ${msg.length} bytes, BCC ok` });
      this.checkParity('the data message');
      this.emit({ type: 'readings', readings, complete: true });
      this.finish();
    } catch (e) {
      const err = e instanceof OmrError ? e : new OmrError('DECODE_ERROR', String(e));
      const readings = parseReadout(latin1(msg, 1, msg.length - 2), { readAt, source: 'readout' });
      this.checkParity('the data message');
      this.emit({ type: 'readings', readings, complete: false });
      this.fail(err);
    }
  }

  /** Emit the complete data sets of a cut-off data message. */
  private emitPartial(now: number): void {
    if (this.buf.length <= 1) return;
    const text = latin1(Uint8Array.from(this.buf), 1);
    const readAt = new Date(now).toISOString();
    const readings = parseDataBlock(text).sets.filter((s) => s.address !== '').map((s) => dataSetToReading(s, { readAt, source: 'readout' }));
    this.readings.push(...readings);
    this.emit({ type: 'readings', readings, complete: false });
  }

  private canFallback(): boolean {
    return this.switched && !this.fallbackDone && !this.o.fixedBaud && this.baud !== 300;
  }

  private fallback(_now: number, why: string): void {
    this.fallbackDone = true;
    this.noSwitch = true;
    this.warn('BAUD_NOT_ACCEPTED', `${why}: the meter did not take the proposed ${this.baud} baud; reading again at 300 baud without a switch`);
    this.phase = 'fallbackSwitch';
    this.baud = 300;
    this.deadline = undefined;
    this.resetMessage();
    this.out.push({ type: 'setLine', line: this.lineFor(300), notBefore: _now });
  }

  private drainByte(b: number, now: number): void {
    // A meter that ignored the switch may still be sending its readout at 300 baud: let it end.
    this.buf.push(b);
    if (this.buf.length > 4) this.buf.shift();
    const n = this.buf.length;
    if (n >= 2 && (this.buf[n - 2] === ETX || this.buf[n - 2] === EOT)) {
      this.attempt = 0;
      return this.sendRequest(now);
    }
    this.setDeadline(Math.min(this.drainCap, now + this.o.interCharTimeoutMs));
  }

  // --- mode E -----------------------------------------------------------------------------------------

  private startModeE(id: MeterIdentity, now: number): void {
    const target = this.noSwitch ? 300 : Math.min(id.maxBaud, this.o.maxBaud);
    const baudChar = modeCCharFor(target);
    const bytes = encodeOptionSelect({ protocol: '2', baudChar, mode: '2' });
    this.modeEOption = latin1(bytes);
    this.targetBaud = MODE_C_BAUD[baudChar]!;
    const leaves = this.send(bytes, `ACK 2${baudChar}2 (mode E at ${this.targetBaud} baud)`, now);
    this.phase = 'modeE';
    this.modeEBuf = [];
    // Some meters acknowledge with the same bytes at the old speed, some do not: wait for that
    // acknowledgement at most the time it would take (baud-switch delay + its wire time).
    this.setDeadline(Math.max(leaves, now + this.o.baudSwitchDelayMs) + wireTimeMs(bytes.length, this.baud));
  }

  private modeEByte(b: number, now: number): void {
    if (this.modeEBuf.length === 0 && b !== ACK) return;
    this.modeEBuf.push(b);
    if (b === LF) {
      const text = latin1(Uint8Array.from(this.modeEBuf));
      this.modeEBuf = [];
      if (text === this.modeEOption) {
        this.out.push({ type: 'trace', summary: 'mode E acknowledged by the meter' });
        return this.modeESwitch(now);
      }
    } else if (this.modeEBuf.length > 8) this.modeEBuf = [];
  }

  private modeESwitch(now: number): void {
    this.phase = 'modeESwitch';
    this.deadline = undefined;
    this.baud = this.o.fixedBaud ? this.baud : this.targetBaud;
    this.out.push({ type: 'setLine', line: this.lineFor(this.baud, true), notBefore: now });
  }

  // --- programming mode -----------------------------------------------------------------------------------

  private progByte(b: number, now: number): void {
    if (!this.started) {
      if (b === ACK || b === NAK) {
        this.dataBytes++;
        return b === ACK ? this.progAck(now) : this.progNak(now);
      }
      if (b === STX || b === SOH) {
        this.started = true;
        this.buf = [b];
        this.dataBytes++;
        this.setDeadline(now + this.o.interCharTimeoutMs);
        return;
      }
      this.noise++;
      if (this.phase === 'progP0' && this.canFallback() && this.noise >= GARBAGE_AFTER_SWITCH) this.fallback(now, `${this.noise} unreadable bytes at ${this.baud} baud`);
      return;
    }
    this.buf.push(b);
    this.dataBytes++;
    if (this.awaitingBcc) return this.progMessage(now);
    if (b === ETX || b === EOT) this.awaitingBcc = true;
    if (this.buf.length > this.o.maxMessageBytes) {
      this.sendBreak(now);
      return this.fail(new OmrError('GARBLED', `message longer than ${this.o.maxMessageBytes} bytes without an end`));
    }
    this.setDeadline(now + this.o.interCharTimeoutMs);
  }

  private progMessage(now: number): void {
    const msg = Uint8Array.from(this.buf);
    this.resetMessage();
    if (msg[0] === SOH) {
      let cmd;
      try {
        cmd = decodeCommand(msg);
      } catch (e) {
        return this.askRepeat(now, e);
      }
      this.checkParity('a command message');
      if (cmd.command === 'B') {
        this.out.push({ type: 'trace', summary: 'B0 from the meter (break)' });
        const err = this.pending?.kind === 'P1' ? new OmrError('AUTH_REJECTED', 'the meter broke off after the password (B0)') : new OmrError('METER_ERROR', 'the meter broke off the programming session (B0)');
        return this.fail(err);
      }
      if (this.phase === 'progP0' && cmd.command === 'P' && cmd.type === '0') {
        this.progStarted = true;
        this.out.push({ type: 'trace', summary: `P0 operand ${cmd.data ?? ''}` });
        this.phase = 'prog';
        this.nakCount = 0;
        if (this.o.password !== undefined) return this.sendPassword(now);
        return this.nextRead(now);
      }
      this.out.push({ type: 'trace', summary: `unexpected command ${cmd.command}${cmd.type}` });
      return this.askRepeat(now, new OmrError('DECODE_ERROR', `unexpected command ${cmd.command}${cmd.type}`));
    }
    // STX … ETX|EOT BCC: an answer (or an error answer).
    let text: string;
    let end: number;
    try {
      const d = decodeDataMessage(msg);
      text = d.text;
      end = d.end;
    } catch (e) {
      return this.askRepeat(now, e);
    }
    this.checkParity('an answer');
    if (this.phase === 'progP0') return this.askRepeat(now, new OmrError('DECODE_ERROR', 'data before P0'));
    this.nakCount = 0;
    if (end === EOT) {
      // A partial block: acknowledge to get the next one.
      this.blockText += text;
      this.send(Uint8Array.of(ACK), 'ACK (next block)', now);
      this.setDeadline(now + wireTimeMs(1, this.baud) + this.o.reactionTimeoutMs);
      return;
    }
    text = this.blockText + text;
    this.blockText = '';
    const error = parseErrorAnswer(text);
    const p = this.pending;
    if (p?.kind === 'P1') {
      this.sendBreak(now);
      return this.fail(new OmrError('AUTH_REJECTED', error ? `password refused (${error})` : `unexpected answer to the password: ${visible(text).slice(0, 40)}`));
    }
    if (p?.kind === 'R1') {
      if (error) {
        this.warn('METER_ERROR', `${p.address}: ${error}`);
      } else {
        const readAt = new Date(now).toISOString();
        const sets = parseDataBlock(text).sets;
        const readings = sets.map((s) => dataSetToReading(s.address === '' ? { ...s, address: p.address ?? '' } : s, { readAt, source: 'programming' }));
        this.readings.push(...readings);
        this.emit({ type: 'readings', readings, complete: true });
      }
      this.readIndex++;
      return this.nextRead(now);
    }
  }

  private progAck(now: number): void {
    const p = this.pending;
    if (this.phase === 'prog' && p?.kind === 'P1') {
      this.out.push({ type: 'trace', summary: 'password accepted' });
      this.nakCount = 0;
      return this.nextRead(now);
    }
    // An ACK that answers nothing: ignore.
    this.noise++;
  }

  private progNak(now: number): void {
    const p = this.pending;
    if (!p) {
      this.noise++;
      return;
    }
    this.nakCount++;
    if (this.nakCount > this.o.maxNak) {
      this.sendBreak(now);
      return this.fail(new OmrError('NAK_LIMIT', `${this.nakCount} NAKs for ${p.kind === 'P1' ? 'the password' : p.address}`));
    }
    const leaves = this.send(p.bytes, `${p.summary} (repeat ${this.nakCount})`, now, p.redact);
    this.setDeadline(leaves + this.o.reactionTimeoutMs);
  }

  /** A damaged message from the meter: NAK it (bounded). */
  private askRepeat(now: number, e: unknown): void {
    const err = e instanceof OmrError ? e : new OmrError('DECODE_ERROR', String(e));
    this.nakCount++;
    if (this.nakCount > this.o.maxNak) {
      if (this.progStarted) this.sendBreak(now);
      return this.fail(err.code === 'BCC_MISMATCH' || err.code === 'DECODE_ERROR' ? err : new OmrError('NAK_LIMIT', err.message));
    }
    this.out.push({ type: 'trace', summary: `${err.code}: ${err.detail ?? ''}; asking for a repeat` });
    const leaves = this.send(Uint8Array.of(NAK), 'NAK', now);
    this.setDeadline(leaves + this.o.reactionTimeoutMs);
  }

  private sendPassword(now: number): void {
    const pw = this.o.password ?? '';
    const { bytes, dataStart, dataEnd } = encodeCommandWithSpan({ command: 'P', type: '1', data: `(${pw})` });
    // The password bytes and the BCC (which is computed from them) are secret.
    const redact: [number, number][] = [
      [dataStart + 1, dataEnd - 1],
      [bytes.length - 1, bytes.length],
    ];
    this.pending = { kind: 'P1', bytes, summary: 'P1 (password)', redact };
    const leaves = this.send(bytes, 'P1 (password)', now, redact);
    this.setDeadline(leaves + this.o.reactionTimeoutMs);
  }

  private nextRead(now: number): void {
    const reads = this.o.reads ?? [];
    if (this.readIndex >= reads.length) {
      this.sendBreak(now);
      return this.finish();
    }
    const address = reads[this.readIndex]!;
    let enc;
    try {
      enc = encodeCommandWithSpan({ command: 'R', type: '1', data: `${address}()` });
    } catch (e) {
      this.warn('INVALID_REQUEST', `${address}: ${(e as Error).message}`);
      this.readIndex++;
      return this.nextRead(now);
    }
    this.pending = { kind: 'R1', bytes: enc.bytes, summary: `R1 ${address}`, address };
    this.nakCount = 0;
    const leaves = this.send(enc.bytes, `R1 ${address}`, now);
    this.setDeadline(leaves + this.o.reactionTimeoutMs);
  }

  private sendBreak(now: number): void {
    this.pending = undefined;
    this.send(encodeCommandWithSpan({ command: 'B', type: '0' }).bytes, 'B0 (end of programming mode)', now, undefined, false);
  }

  // --- deadlines --------------------------------------------------------------------------------------

  private onDeadline(now: number): void {
    switch (this.phase) {
      case 'ident': {
        const more = this.attempt < this.o.requestAttempts;
        if (this.started) {
          if (more) return this.sendRequest(now);
          return this.fail(new OmrError('TIMEOUT_INTERCHAR', `identification cut off after ${this.buf.length} bytes`));
        }
        if (this.nonEcho === 0) {
          if (more) return this.sendRequest(now);
          if (this.echoSeen > 0) return this.fail(new OmrError('ECHO_ONLY', `only the echo of the request came back (${this.attempt} request(s))`));
          return this.fail(new OmrError('NO_ECHO_NO_ANSWER', `${this.attempt} request(s), no byte received`));
        }
        if (more) return this.sendRequest(now);
        return this.fail(new OmrError('GARBLED', `${this.noise} byte(s) received, no identification`));
      }
      case 'data':
        if (this.started) {
          this.emitPartial(now);
          return this.fail(new OmrError('TIMEOUT_INTERCHAR', `data message cut off after ${this.buf.length} bytes`));
        }
        if (this.canFallback()) return this.fallback(now, this.noise ? `${this.noise} unreadable bytes` : 'no answer');
        if (this.noise > 0) return this.fail(new OmrError('GARBLED', `${this.noise} byte(s) received, no data message`));
        return this.fail(new OmrError('TIMEOUT_REACTION', 'no data message after the identification'));
      case 'progP0':
        if (!this.started && this.canFallback()) return this.fallback(now, this.noise ? `${this.noise} unreadable bytes` : 'no answer');
        this.sendBreak(now);
        return this.fail(new OmrError(this.started ? 'TIMEOUT_INTERCHAR' : 'TIMEOUT_REACTION', 'no P0 message after the option select'));
      case 'prog':
        this.sendBreak(now);
        return this.fail(new OmrError(this.started ? 'TIMEOUT_INTERCHAR' : 'TIMEOUT_REACTION', this.pending?.kind === 'R1' ? `no answer to R1 ${this.pending.address}` : 'no answer in programming mode'));
      case 'drain':
        this.attempt = 0;
        return this.sendRequest(now);
      case 'modeE':
        if (this.modeEBuf.length > 0 && !this.modeEExtended) {
          // An acknowledgement is arriving: give it the rest of its wire time, once.
          this.modeEExtended = true;
          this.setDeadline(now + wireTimeMs(this.modeEOption.length, this.baud));
          return;
        }
        return this.modeESwitch(now);
      default:
        return;
    }
  }
}
