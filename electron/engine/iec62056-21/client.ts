/**
 * The IEC 62056-21 client (HHU side) as a sans-IO state machine: fed bytes and absolute time,
 * it answers with actions (send, setLine, wakeAt, event, done, fail). Modes A, B, C and E.
 *
 * States (states.ts; each holds only its own data, the run's lasting facts are in session.ts):
 *
 *   new ─start→ ident ──identification──┬→ (identify) finished
 *                 ↑                     ├→ mode A, or no switch → data | progP0
 *                 │                     ├→ mode B / C with a switch → switching ─lineChanged→ data | progP0
 *                 │                     └→ (modeE) modeE ─ack or deadline→ modeESwitch ─lineChanged→ finished (handover)
 *                 │
 *               drain ←lineChanged─ fallbackSwitch ←─ data | progP0 after a switch: silence or garbage
 *
 *   data ─ETX BCC→ finished (readings)
 *   progP0 ─P0→ prog: P1 (password) → R1 per address → B0 → finished
 *
 * The table below says, for each state kind, which handler takes a received byte (after the
 * echo filter and 7E1 stripping), a deadline that has come (tick), a finished line change
 * (lineChanged), a cancel and a lost link. A state without a byte handler drops what arrives
 * (a meter still talking at the old speed while the line changes); cancel and linkLost always
 * end the run after the state's own handler (B0, or emitting a cut-off readout's data sets).
 * Handlers live with their concern: sign-on.ts, readout-phase.ts, programming.ts, mode-e.ts.
 *
 * It never waits a fixed time: a message is handled the moment it is complete (LF of the
 * identification, the one byte after ETX), and the only waits are the standard's limits
 * (reaction time, inter-character time) as wakeAt deadlines measured from the wire time of what
 * was sent. Its own answers (option select, P1, R1, B0, mode E's ACK) carry a `notBefore`: the
 * shortest reaction time after the meter's last byte, which the driver holds.
 *
 * Field behaviour handled on purpose:
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
import { OmrError } from '../../../shared/errors';
import type { Machine } from '../machine';
import type { IecAction, IecEvent, IecResult } from './events';
import type { IecClientOptions } from './options';
import { dataByte, dataDeadline, dataProgress, keepPartial } from './readout-phase';
import { handOver, modeEByte, modeEDeadline } from './mode-e';
import { p0Deadline, progByte, progCancel, progDeadline, progProgress } from './programming';
import { Session } from './session';
import { drainByte, drainDeadline, fellBack, identByte, identDeadline, sendRequest, switched } from './sign-on';
import type { IecState, StateKind, StateOf } from './states';

export type { IecPurpose, IecClientOptions } from './options';
export { wireTimeMs } from './options';
export type { IecWarning, IecEvent, IecResult } from './events';
export { collectIecResult } from './events';

/** What a state does with each input; an absent handler ignores that input. */
interface Handlers<S extends IecState> {
  byte?(run: Session, st: S, b: number, now: number): void;
  deadline?(run: Session, st: S, now: number): void;
  lineChanged?(run: Session, st: S, now: number): void;
  /** Before the run ends as CANCELLED. */
  cancel?(run: Session, st: S, now: number): void;
  /** Before the run ends with the link's error. */
  linkLost?(run: Session, st: S, now: number): void;
  /** Bytes of the data phase so far, for a progress event after each receive (undefined: none). */
  progress?(run: Session, st: S): number | undefined;
}

const TABLE: { [K in StateKind]: Handlers<StateOf<K>> } = {
  new: {},
  ident: { byte: identByte, deadline: identDeadline },
  switching: { lineChanged: switched },
  data: { byte: dataByte, deadline: dataDeadline, cancel: keepPartial, linkLost: keepPartial, progress: (_run, st) => dataProgress(st) },
  fallbackSwitch: { lineChanged: fellBack },
  drain: { byte: drainByte, deadline: drainDeadline },
  modeE: { byte: modeEByte, deadline: modeEDeadline },
  modeESwitch: { lineChanged: handOver },
  progP0: { byte: progByte, deadline: p0Deadline, progress: progProgress },
  prog: { byte: progByte, deadline: progDeadline, cancel: progCancel, progress: progProgress },
  finished: {},
};

/** The handlers of the state the run is in (TypeScript cannot pair TABLE[kind] with the state itself). */
const handlers = <S extends IecState>(st: S): Handlers<S> => TABLE[st.kind] as unknown as Handlers<S>;

export class IecClient implements Machine<IecEvent> {
  private readonly run: Session;

  constructor(options: IecClientOptions) {
    this.run = new Session(options);
  }

  start(now: number): IecAction[] {
    if (this.run.state.kind !== 'new') return [];
    sendRequest(this.run, 1, now);
    return this.run.flush();
  }

  receive(bytes: Uint8Array, now: number): IecAction[] {
    const run = this.run;
    const first = run.state;
    if (first.kind === 'finished' || first.kind === 'new' || bytes.length === 0) return [];
    if (!run.softParity && first.kind === 'ident' && !first.started && bytes.includes(0xaf)) {
      // `/` with its parity bit set: a 7E1 meter heard through an 8N1 path.
      run.softParity = true;
      run.warn('PARITY_ERROR', 'the line is 8N1 but the meter speaks 7E1: the parity bit is handled in software');
    }
    const data = run.fromWire(bytes);
    for (let i = 0; i < data.length && !run.finished; i++) {
      for (const b of run.unEcho(data[i]!)) {
        if (run.finished) break;
        run.lastRxAt = now;
        const st = run.state;
        handlers(st).byte?.(run, st, b, now);
      }
    }
    const st = run.state;
    const progress = handlers(st).progress?.(run, st);
    if (progress !== undefined) run.emit({ type: 'progress', bytes: progress });
    return run.flush();
  }

  tick(now: number): IecAction[] {
    const run = this.run;
    if (run.due(now)) {
      const st = run.state;
      handlers(st).deadline?.(run, st, now);
    }
    return run.flush();
  }

  lineChanged(now: number): IecAction[] {
    const st = this.run.state;
    handlers(st).lineChanged?.(this.run, st, now);
    return this.run.flush();
  }

  cancel(now: number): IecAction[] {
    const st = this.run.state;
    if (st.kind === 'finished') return [];
    handlers(st).cancel?.(this.run, st, now);
    this.run.fail(new OmrError('CANCELLED'));
    return this.run.flush();
  }

  linkLost(error: OmrError, now: number): IecAction[] {
    const st = this.run.state;
    if (st.kind === 'finished') return [];
    handlers(st).linkLost?.(this.run, st, now);
    this.run.fail(error);
    return this.run.flush().filter((a) => a.type === 'event' || a.type === 'trace' || a.type === 'fail');
  }

  /** The result so far (the same as folding the emitted actions). */
  get result(): IecResult {
    return this.run.result;
  }
}
