/**
 * Rate and time left of a long read from its progress events: rows (or objects) and bytes per
 * second since the first event, and the time the rest should take at that rate.
 */
import type { Progress } from '../../shared/types';

export interface Rate {
  /** Rows (profile) or objects per second. */
  perSecond?: number;
  bytesPerSecond?: number;
  /** Seconds left at this rate, when the total (or the expected rows) is known. */
  secondsLeft?: number;
}

export class RateMeter {
  private start?: { at: number; done: number; bytes: number; op: string };

  /** Feed each progress event with its arrival time (ms). */
  rate(p: Progress, at: number): Rate {
    const done = p.rows ?? p.done;
    if (!this.start || this.start.op !== p.operationId || done < this.start.done) this.start = { at, done, bytes: p.bytes ?? 0, op: p.operationId };
    const s = (at - this.start.at) / 1000;
    // Under two seconds of data a rate says nothing yet.
    if (s < 2) return {};
    const perSecond = (done - this.start.done) / s;
    const bytesPerSecond = p.bytes !== undefined ? (p.bytes - this.start.bytes) / s : undefined;
    const target = p.rowsExpected ?? p.total;
    const secondsLeft = target !== undefined && perSecond > 0 && target >= done ? (target - done) / perSecond : undefined;
    return {
      ...(perSecond > 0 ? { perSecond } : {}),
      ...(bytesPerSecond && bytesPerSecond > 0 ? { bytesPerSecond } : {}),
      ...(secondsLeft !== undefined ? { secondsLeft } : {}),
    };
  }
}
