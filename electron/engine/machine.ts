/**
 * The shape every sans-IO protocol machine of the engine shares. A machine is fed bytes and time
 * and answers with actions; a driver (electron/services/driver.ts) carries the actions out on a
 * link. The engine owns no timers and does no I/O: it asks to be woken up at an absolute time.
 */
import type { OmrError } from '../../shared/errors';

export interface LineRequest {
  baudRate: number;
  dataBits: 7 | 8;
  parity: 'none' | 'even' | 'odd';
}

export type Action<Event = never> =
  /**
   * Write these bytes, not before `notBefore` (absolute ms) when given: the protocol's shortest
   * reaction time after the other side's message. `summary` is for the trace; `redact` ranges are
   * hidden there.
   */
  | { type: 'send'; bytes: Uint8Array; summary: string; redact?: [start: number, end: number][]; notBefore?: number }
  /**
   * Change the line settings once everything sent so far has left the host and at least
   * `notBefore` (absolute ms) has come. The driver calls `lineChanged(now)` when done.
   */
  | { type: 'setLine'; line: LineRequest; notBefore: number }
  /**
   * Wake the machine with `tick(now)` at this absolute time. A newer wakeAt replaces the pending
   * one; arriving bytes do not cancel it, so a machine checks its own deadline in `tick` (a tick
   * may come when there is nothing to do).
   */
  | { type: 'wakeAt'; at: number }
  /** A decoded message, for the trace. */
  | { type: 'trace'; summary: string }
  /** Something the caller cares about (identity, readings, progress…). */
  | { type: 'event'; event: Event }
  /** The machine finished; no further actions will come. */
  | { type: 'done' }
  /** The machine failed; what was already emitted stays valid. */
  | { type: 'fail'; error: OmrError };

export interface Machine<Event> {
  start(now: number): Action<Event>[];
  receive(bytes: Uint8Array, now: number): Action<Event>[];
  tick(now: number): Action<Event>[];
  lineChanged(now: number): Action<Event>[];
  /** Ask the machine to end cleanly (close the association, sign off) as soon as it can. */
  cancel(now: number): Action<Event>[];
  /**
   * The link is gone (cable pulled, socket closed): emit what was received so far (e.g. the
   * complete lines of a cut-off readout). Only events and traces are carried out after this.
   */
  linkLost?(error: OmrError, now: number): Action<Event>[];
}
