/**
 * What one IEC 62056-21 client run keeps across its states, and the plumbing every state uses:
 * the actions of the current call, the one pending deadline, the echo of what was sent, 7E1 in
 * software, and the result folded from the actions.
 */
import { OmrError, type ErrorCode } from '../../../shared/errors';
import type { LineRequest } from '../machine';
import { add7E1, encodeRequest, latin1, strip7E1 } from './codec';
import { collectIecResult, type IecAction, type IecEvent, type IecResult } from './events';
import { resolveOptions, wireTimeMs, type IecClientOptions, type ResolvedOptions } from './options';
import type { IecState } from './states';
import { minReactionMs, timingFor, type IecTiming } from './timing';

export class Session {
  readonly o: ResolvedOptions;
  state: IecState = { kind: 'new' };
  /** The speed the line runs at (or is changing to). */
  baud = 300;
  /** 7E1 is carried on an 8N1 line: the parity bit is added and stripped here. */
  softParity: boolean;
  /** Our request as text, without CR LF (to recognise its echo after noise). */
  readonly requestText: string;
  /** The meter ignored a switch once: the run stays at 300 baud (and never falls back again). */
  fellBack = false;
  /** Whole echoes of our own messages heard back. */
  echoSeen = 0;
  /** Characters with a wrong parity bit not yet reported. */
  parityErrors = 0;
  /** Programming mode: bytes received (answers, ACK, NAK) over the run, for progress. */
  progBytes = 0;
  /** Programming mode: NAKs in a row, either way; a good message resets it. */
  naks = 0;
  /** The reaction times waited by: the options' until the identification names the family. */
  timing: IecTiming;
  /** When the meter's last byte arrived: our next message starts no sooner than tr after it. */
  lastRxAt: number | undefined;
  /** When our last message starts on the wire (after its hold). */
  sentAt = 0;
  /** The meter's manufacturer flag, once the identification named it. */
  private family: string | undefined;

  private echo: { bytes: Uint8Array; index: number } | undefined;
  private out: IecAction[] = [];
  private deadline: number | undefined;
  /** A deadline was set in this call: one wakeAt goes out with the actions (the last set wins). */
  private deadlineDirty = false;
  private readonly acc: IecResult = { readings: [], warnings: [], done: false };

  constructor(options: IecClientOptions) {
    this.o = resolveOptions(options);
    this.softParity = !!this.o.parityInSoftware;
    this.timing = timingFor(undefined, this.baseTiming());
    this.requestText = latin1(encodeRequest(this.o.address ?? '')).slice(0, -2);
  }

  get finished(): boolean {
    return this.state.kind === 'finished';
  }

  /** The meter named its family (manufacturer flag): wait by that family's figures from now on. */
  meterFamily(manufacturer: string): void {
    this.family = manufacturer;
    this.timing = timingFor(manufacturer, this.baseTiming(), this.o.timings);
  }

  /**
   * The shortest time between the end of the meter's message and the start of ours: tr (200 ms),
   * or 20 ms for a meter whose flag asks for the reduced reaction time.
   */
  reactionHoldMs(): number {
    return this.family ? minReactionMs(this.family, this.timing) : this.timing.reactionMinMs;
  }

  private baseTiming() {
    return { reactionMaxMs: this.o.reactionTimeoutMs, interCharMaxMs: this.o.interCharTimeoutMs, baudSwitchMs: this.o.baudSwitchDelayMs };
  }

  become(state: IecState): void {
    this.state = state;
  }

  /** The result so far (the same as folding the emitted actions). */
  get result(): IecResult {
    return { ...this.acc, readings: [...this.acc.readings], warnings: [...this.acc.warnings] };
  }

  /** The actions of this call, with the wakeAt for a deadline set during it. */
  flush(): IecAction[] {
    if (this.deadlineDirty && this.deadline !== undefined && !this.finished) this.out.push({ type: 'wakeAt', at: this.deadline });
    this.deadlineDirty = false;
    const a = this.out;
    this.out = [];
    collectIecResult(a, this.acc);
    return a;
  }

  // --- actions ------------------------------------------------------------------------------------

  emit(event: IecEvent): void {
    this.out.push({ type: 'event', event });
  }

  warn(code: ErrorCode, detail: string): void {
    this.emit({ type: 'warning', warning: { code, detail } });
  }

  trace(summary: string): void {
    this.out.push({ type: 'trace', summary });
  }

  finish(): void {
    this.state = { kind: 'finished' };
    this.deadline = undefined;
    this.out.push({ type: 'done' });
  }

  fail(error: OmrError): void {
    if (this.finished) return;
    this.state = { kind: 'finished' };
    this.deadline = undefined;
    this.out.push({ type: 'fail', error });
  }

  /** Change the line to `baudRate` (7E1, or 8N1 for mode E / parity in software) once `notBefore` has come. */
  setLine(baudRate: number, notBefore: number, eightN1 = false): void {
    this.out.push({ type: 'setLine', line: this.lineFor(baudRate, eightN1), notBefore });
  }

  lineFor(baudRate: number, eightN1 = false): LineRequest {
    return eightN1 || this.softParity ? { baudRate, dataBits: 8, parity: 'none' } : { baudRate, dataBits: 7, parity: 'even' };
  }

  /**
   * Send bytes (7-bit characters) and expect their echo (unless `expectEcho` is false); returns
   * the time their last bit leaves the wire (estimate). They start no sooner than the shortest
   * reaction time after the meter's last byte (`sentAt` says when).
   */
  send(bytes: Uint8Array, summary: string, now: number, redact?: [number, number][], expectEcho = true): number {
    const wire = this.parityHere() ? add7E1(bytes) : bytes;
    const action: IecAction = { type: 'send', bytes: wire, summary };
    if (redact && redact.length) action.redact = redact;
    // Never answer sooner than the shortest reaction time after the meter's last byte: a meter
    // may still be turning its line round and miss the start of what comes earlier.
    const start = this.lastRxAt === undefined ? now : Math.max(now, this.lastRxAt + this.reactionHoldMs());
    if (start > now) action.notBefore = start;
    this.out.push(action);
    this.echo = expectEcho ? { bytes, index: 0 } : undefined;
    this.sentAt = start;
    return start + wireTimeMs(bytes.length, this.baud);
  }

  // --- deadline -----------------------------------------------------------------------------------

  /** One wakeAt per call at most: the last deadline set wins (see flush). */
  setDeadline(at: number): void {
    this.deadline = at;
    this.deadlineDirty = true;
  }

  clearDeadline(): void {
    this.deadline = undefined;
  }

  /**
   * Whether the deadline has come at `now` (it is then cleared). A tick before it asks to be
   * woken again at the deadline.
   */
  due(now: number): boolean {
    if (this.finished || this.deadline === undefined) return false;
    if (now < this.deadline) {
      this.out.push({ type: 'wakeAt', at: this.deadline });
      return false;
    }
    this.deadline = undefined;
    return true;
  }

  // --- bytes in -----------------------------------------------------------------------------------

  /** Received bytes as 7-bit characters (parity stripped and counted when done here). */
  fromWire(bytes: Uint8Array): Uint8Array {
    if (!this.parityHere()) return bytes;
    const r = strip7E1(bytes);
    this.parityErrors += r.parityErrors;
    return r.bytes;
  }

  /**
   * Pass one received byte through the echo filter: the bytes the state is to handle (none while
   * the byte matches our echo; the held-back bytes and this one when the echo turns out not to be
   * one — they were the meter's answer).
   */
  unEcho(b: number): number[] {
    const e = this.echo;
    if (!e) return [b];
    if (b === e.bytes[e.index]) {
      e.index++;
      if (e.index === e.bytes.length) {
        this.echo = undefined;
        this.echoSeen++;
      }
      return [];
    }
    this.echo = undefined;
    return [...e.bytes.subarray(0, e.index), b];
  }

  /** Report the parity errors counted since the last report. */
  checkParity(what: string): void {
    if (this.parityErrors > 0) {
      this.warn('PARITY_ERROR', `${this.parityErrors} character(s) with a wrong parity bit in ${what}`);
      this.parityErrors = 0;
    }
  }

  /** 7E1 in software applies, except while the line goes 8N1 for mode E. */
  private parityHere(): boolean {
    return this.softParity && this.state.kind !== 'modeESwitch';
  }
}
