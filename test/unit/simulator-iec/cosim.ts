/**
 * A discrete-event co-simulation of the host machine (IecClient) and the meter machine (IecMeter)
 * on virtual time, with wire time and speed mismatch (bytes sent at one speed and received at
 * another arrive as garbage, as on a real UART). No timers: fast and repeatable.
 */
import type { Action } from '../../../electron/engine/machine';
import type { IecClient, IecEvent } from '../../../electron/engine/iec62056-21/client';
import type { IecMeter, MeterAction, MeterEvent } from '../../../electron/simulator/iec/meter';

interface Ev {
  at: number;
  seq: number;
  run: () => void;
}

export interface CosimResult {
  hostActions: Action<IecEvent>[];
  meterEvents: MeterEvent[];
  end: number;
  hostBaud: number;
  meterBaud: number;
  /** For each host message after the first: ms from the meter's last byte to the message's start. */
  hostReactions: number[];
}

export function cosim(client: IecClient, meter: IecMeter, opts: { echo?: boolean; limitMs?: number } = {}): CosimResult {
  const q: Ev[] = [];
  let seq = 0;
  let t = 0;
  /** Insert in time order (stable for equal times). */
  const at = (time: number, run: () => void) => {
    const ev = { at: Math.max(time, t), seq: seq++, run };
    let lo = 0;
    let hi = q.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (q[mid]!.at <= ev.at) lo = mid + 1;
      else hi = mid;
    }
    q.splice(lo, 0, ev);
  };
  let hostBaud = 300;
  let meterBaud = 300;
  /** The speed the meter's next bytes go out at (changes in order with its sends). */
  let meterTxBaud = 300;
  let hostTxFree = 0;
  let meterTxFree = 0;
  let hostWake = -1;
  let meterWake = -1;
  let finished = false;
  const hostActions: Action<IecEvent>[] = [];
  const hostReactions: number[] = [];
  /** When the meter's last byte reached the host. */
  let lastAtHost: number | undefined;
  const meterEvents: MeterEvent[] = [];
  const wire = (n: number, baud: number) => (n * 10 * 1000) / baud;
  const garble = (bytes: Uint8Array) => Uint8Array.from({ length: Math.max(1, bytes.length >> 1) }, (_, i) => 0x80 | ((bytes[i * 2]! * 37) & 0x7f));

  const CHUNK = 32;
  /** Bytes arrive chunk by chunk, each when its last character has crossed the wire. */
  const deliverToMeter = (bytes: Uint8Array, baud: number, start: number) => {
    for (let i = 0; i < bytes.length; i += CHUNK) {
      const part = bytes.subarray(i, i + CHUNK);
      at(start + wire(i + part.length, baud), () => meterDo(meter.receive(baud === meterBaud ? part : garble(part), t)));
    }
  };
  const deliverToHost = (bytes: Uint8Array, baud: number, start: number, echo = false) => {
    for (let i = 0; i < bytes.length; i += CHUNK) {
      const part = bytes.subarray(i, i + CHUNK);
      at(start + wire(i + part.length, baud), () => {
        if (finished) return;
        if (!echo) lastAtHost = t;
        hostDo(client.receive(baud === hostBaud ? part : garble(part), t));
      });
    }
  };

  function hostDo(actions: Action<IecEvent>[]): void {
    for (const a of actions) {
      hostActions.push(a);
      if (a.type === 'send') {
        // As the runtime's driver: not before the machine's own hold (its reaction time).
        const start = Math.max(t, hostTxFree, a.notBefore ?? 0);
        if (lastAtHost !== undefined) hostReactions.push(start - lastAtHost);
        hostTxFree = start + wire(a.bytes.length, hostBaud);
        deliverToMeter(a.bytes, hostBaud, start);
        if (opts.echo) deliverToHost(a.bytes, hostBaud, start, true);
      } else if (a.type === 'setLine') {
        at(Math.max(a.notBefore, hostTxFree), () => {
          hostBaud = a.line.baudRate;
          hostDo(client.lineChanged(t));
        });
      } else if (a.type === 'wakeAt') {
        hostWake = a.at;
        const w = a.at;
        at(w, () => {
          if (hostWake === w && !finished) hostDo(client.tick(t));
        });
      } else if (a.type === 'done' || a.type === 'fail') finished = true;
    }
  }

  function meterDo(actions: MeterAction[]): void {
    for (const a of actions) {
      if (a.type === 'send') {
        const start = Math.max(t, meterTxFree);
        meterTxFree = start + wire(a.bytes.length, meterTxBaud);
        deliverToHost(a.bytes, meterTxBaud, start);
      } else if (a.type === 'setLine') {
        // The meter changes speed once its own bytes are out.
        const when = Math.max(t, meterTxFree);
        const baud = a.line.baudRate;
        meterTxFree = when;
        meterTxBaud = baud;
        at(when, () => {
          meterBaud = baud;
        });
      } else if (a.type === 'wakeAt') {
        meterWake = a.at;
        const w = a.at;
        at(w, () => {
          if (meterWake === w) meterDo(meter.tick(t));
        });
      } else meterEvents.push(a.event);
    }
  }

  hostDo(client.start(0));
  const limit = opts.limitMs ?? 30 * 60_000;
  // After the host has ended, the meter still gets what was on the wire (e.g. B0) and its own
  // wake-ups for a little while.
  let endAt = Infinity;
  while (q.length) {
    if (finished && endAt === Infinity) endAt = t + 5000;
    const ev = q.shift()!;
    if (ev.at > endAt) break;
    t = ev.at;
    if (t > limit) throw new Error('co-simulation did not end');
    ev.run();
  }
  return { hostActions, meterEvents, end: t, hostBaud, meterBaud, hostReactions };
}
