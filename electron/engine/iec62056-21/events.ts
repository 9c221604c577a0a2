/** What the IEC 62056-21 client tells its caller, and the result folded from it. */
import { type ErrorCode, type ErrorInfo, toErrorInfo } from '../../../shared/errors';
import type { MeterIdentity, Reading, RegisterError } from '../../../shared/types';
import type { Action, LineRequest } from '../machine';

export interface IecWarning {
  code: ErrorCode;
  detail: string;
}

export type IecEvent =
  | { type: 'identity'; identity: MeterIdentity }
  /** Readings as parsed: a whole data block (`complete`), or what was read before a failure. */
  | { type: 'readings'; readings: Reading[]; complete: boolean }
  /**
   * A readout's data lines as each arrives, before the message's BCC is checked (`verified:
   * false`): they replace the provisional readings from index `from` on. The `readings` event of
   * the same data message (verified, or what was kept of a cut-off one) supersedes them all.
   */
  | { type: 'partialReadings'; from: number; readings: Reading[] }
  /** Programming mode: the meter answered a register with an error code (the read goes on). */
  | { type: 'registerError'; error: RegisterError }
  /** Bytes received in the data phase so far (readout or programming answers). */
  | { type: 'progress'; bytes: number }
  | { type: 'warning'; warning: IecWarning }
  /** The line now runs at this speed (after a switch or a fallback). */
  | { type: 'baud'; baudRate: number }
  /** Mode E: the link is 8N1 at `baudRate`; the HDLC layer takes over. */
  | { type: 'handover'; baudRate: number; line: LineRequest };

export type IecAction = Action<IecEvent>;

/** What a run produced, rebuilt from the events (and the final action). */
export interface IecResult {
  identity?: MeterIdentity;
  readings: Reading[];
  /** Registers the meter answered with an error code (programming mode). */
  registerErrors?: RegisterError[];
  warnings: IecWarning[];
  handover?: { baudRate: number; line: LineRequest };
  error?: ErrorInfo;
  done: boolean;
}

/** Fold a run's actions into its result. */
export function collectIecResult(actions: Iterable<IecAction>, into?: IecResult): IecResult {
  const r: IecResult = into ?? { readings: [], warnings: [], done: false };
  for (const a of actions) {
    if (a.type === 'event') {
      const e = a.event;
      if (e.type === 'identity') r.identity = e.identity;
      else if (e.type === 'readings') r.readings.push(...e.readings);
      else if (e.type === 'warning') r.warnings.push(e.warning);
      else if (e.type === 'registerError') (r.registerErrors ??= []).push(e.error);
      else if (e.type === 'handover') r.handover = { baudRate: e.baudRate, line: e.line };
    } else if (a.type === 'done') r.done = true;
    else if (a.type === 'fail') r.error = toErrorInfo(a.error);
  }
  return r;
}
