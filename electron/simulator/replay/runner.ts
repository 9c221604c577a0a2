/**
 * Runs a {@link ReplayPlayer} on the meter end of a link: answers in order, makes the recorded
 * line changes once the answer before them has left, and reports every step and divergence.
 * With `pace`, each answer leaves at the wire speed of the current line.
 */
import { HDLC_LINE, IEC_INITIAL_LINE, bitsPerChar, type Link } from '../../link/types';
import { ReplayPlayer, type ReplayEvent } from './player';
import type { ReplayScript } from './script';

export interface ReplayMeter {
  on(listener: (e: ReplayEvent) => void): () => void;
  stop(): void;
}

export function startReplayMeter(link: Link, script: ReplayScript, options: { pace?: boolean } = {}): ReplayMeter {
  const player = new ReplayPlayer(script);
  const listeners = new Set<(e: ReplayEvent) => void>();
  let stopped = false;
  let queue: Promise<void> = Promise.resolve();
  const timers = new Set<NodeJS.Timeout>();
  const wait = (ms: number) =>
    new Promise<void>((resolve) => {
      const t = setTimeout(() => {
        timers.delete(t);
        resolve();
      }, ms);
      timers.add(t);
    });
  // A recording that starts with an HDLC frame was made on a direct HDLC line.
  const first = script.steps[0]!.request[0];
  queue = queue.then(() => link.setLine(first === 0x7e ? HDLC_LINE(9600) : IEC_INITIAL_LINE)).catch(() => undefined);

  const offData = link.onData((bytes) => {
    if (stopped) return;
    const { actions, events } = player.receive(bytes);
    for (const e of events) for (const l of [...listeners]) l(e);
    for (const a of actions) {
      queue = queue
        .then(async () => {
          if (stopped) return;
          if (a.type === 'line') return link.setLine(a.line);
          if (options.pace) await wait((a.bytes.length * bitsPerChar(link.line) * 1000) / link.line.baudRate);
          if (!stopped) await link.write(a.bytes);
        })
        .catch(() => undefined);
    }
  });
  const offClose = link.onClose(() => stop());
  function stop(): void {
    stopped = true;
    offData();
    offClose();
    for (const t of timers) clearTimeout(t);
    timers.clear();
  }
  return {
    on(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    stop,
  };
}
