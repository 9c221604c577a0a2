/**
 * Runs the IEC 62056-21 meter machine on a Link (the meter end of a virtual pair, a serial port
 * on one end of a socat pty pair, or a TCP socket), with the wire's timing and injected faults.
 *
 * - `pace`: bytes leave at the real speed of the current line (n characters take
 *   n × bitsPerChar / baud seconds), and a received chunk counts as arrived only once its wire
 *   time has passed. Without pace, bytes move as fast as the link carries them.
 * - faults: `noise` (garbage before every answer), `drop` (one byte of the readout lost),
 *   `flip` (one bit of the readout flipped), `echo` (everything received is sent back, as a
 *   head that sees its own light; with `silence` that is "echo only"), `silence` (never
 *   answers), `slow` (reacts after 3 s), `unplug` (the link is closed in the middle of the
 *   readout), `wakeup` (the first request is ignored), `ignore-baud` (never switches speed),
 *   `parity` (the 7E1 characters go out with their parity bit as bit 7 on an 8N1 line, as an
 *   8N1 path shows them), `bad-parity` (the characters go out with odd parity: a misconfigured
 *   converter; the host counts parity errors).
 * - On mode E the runner lets go of the link and emits `handover`: the DLMS side takes over.
 */
import { add7E1 } from '../../engine/iec62056-21/codec';
import { addParity } from '../../link/parity';
import { bitsPerChar, type LineSettings, type Link } from '../../link/types';
import { IecMeter, type IecMeterOptions, type MeterAction, type MeterEvent } from './meter';
import { concat } from '../../engine/dlms/bytes';

export type Fault = 'noise' | 'drop' | 'flip' | 'echo' | 'silence' | 'slow' | 'unplug' | 'wakeup' | 'ignore-baud' | 'parity' | 'bad-parity';

export interface IecSimulatorOptions extends Omit<IecMeterOptions, 'ignoreBaud' | 'sleepy'> {
  pace?: boolean;
  faults?: Fault[];
  /** Clock (ms), for tests. */
  now?: () => number;
}

export type IecSimulatorEvent =
  | MeterEvent
  /** The link was handed over (mode E): nothing more is read or written by this runner. */
  | { type: 'released'; link: Link; baudRate: number }
  | { type: 'error'; message: string };

export interface IecSimulator {
  readonly meter: IecMeter;
  on(listener: (event: IecSimulatorEvent) => void): () => void;
  /** Detach from the link (the link stays open). */
  stop(): void;
}

const NOISE = Uint8Array.of(0x00, 0x7f, 0x7f, 0x00);

export function startIecSimulator(link: Link, options: IecSimulatorOptions = {}): IecSimulator {
  const faults = new Set(options.faults ?? []);
  const now = options.now ?? Date.now;
  const meter = new IecMeter({
    ...options,
    reactionMs: faults.has('slow') ? 3000 : options.reactionMs,
    ignoreBaud: faults.has('ignore-baud'),
    sleepy: faults.has('wakeup'),
  });
  const listeners = new Set<(e: IecSimulatorEvent) => void>();
  const emit = (e: IecSimulatorEvent) => {
    for (const l of [...listeners]) l(e);
  };
  let stopped = false;
  let wakeTimer: NodeJS.Timeout | undefined;
  const timers = new Set<NodeJS.Timeout>();
  let queue: Promise<void> = Promise.resolve();
  /** When the last received byte has fully arrived (pace). */
  let rxReadyAt = 0;
  /** When the last byte we sent leaves the wire (pace). */
  let txFreeAt = 0;
  /** The line the meter believes it runs (for pace and for the parity fault). */
  let line: LineSettings = { ...link.line };
  // 'bad-parity': a converter set to odd parity — every odd-weight character arrives with a
  // parity error. Both faults drive an 8N1 wire and add the parity bit here.
  const badParity = faults.has('bad-parity');
  const parityFault = faults.has('parity') || badParity;
  const withParity = (b: Uint8Array): Uint8Array => (badParity ? addParity(b, 'odd') : add7E1(b));

  const later = (ms: number, fn: () => void) => {
    const t = setTimeout(() => {
      timers.delete(t);
      if (!stopped) fn();
    }, Math.max(0, ms));
    timers.add(t);
  };
  const sleep = (ms: number) => new Promise<void>((r) => (ms > 0 ? later(ms, r) : r()));
  const charMs = () => (bitsPerChar(line) * 1000) / line.baudRate;

  const run = (actions: MeterAction[]) => {
    for (const a of actions) {
      if (a.type === 'wakeAt') {
        if (wakeTimer) clearTimeout(wakeTimer);
        wakeTimer = setTimeout(() => {
          wakeTimer = undefined;
          if (!stopped) run(meter.tick(now()));
        }, Math.max(0, a.at - now()));
        continue;
      }
      if (a.type === 'event') {
        // Events are reported in order with the writes before them.
        queue = queue.then(() => {
          if (stopped) return;
          if (a.event.type === 'handover') {
            stopped = true;
            cleanup();
            emit(a.event);
            emit({ type: 'released', link, baudRate: a.event.baudRate });
          } else emit(a.event);
        });
        continue;
      }
      queue = queue.then(() => (stopped ? undefined : perform(a))).catch((e: unknown) => emit({ type: 'error', message: (e as Error).message }));
    }
  };

  async function perform(a: Exclude<MeterAction, { type: 'wakeAt' } | { type: 'event' }>): Promise<void> {
    if (a.type === 'setLine') {
      if (options.pace) await sleep(txFreeAt - now());
      line = { ...line, ...a.line };
      // With the parity fault the wire stays 8N1 and parity bits are added here.
      await link.setLine(parityFault ? { baudRate: a.line.baudRate, dataBits: 8, parity: 'none' } : a.line);
      return;
    }
    if (faults.has('silence')) return;
    let bytes = a.bytes;
    if (faults.has('noise') && a.what !== 'ack') bytes = concat(NOISE, bytes);
    if (a.what === 'readout' && bytes.length > 8) {
      const mid = bytes.length >> 1;
      if (faults.has('flip')) {
        bytes = bytes.slice();
        bytes[mid] = bytes[mid]! ^ 0x04;
      }
      if (faults.has('drop')) bytes = concat(bytes.subarray(0, mid), bytes.subarray(mid + 1));
    }
    const unplugAt = faults.has('unplug') && a.what === 'readout' ? bytes.length >> 1 : -1;
    if (parityFault && line.dataBits === 7) bytes = withParity(bytes);
    if (!options.pace && unplugAt < 0) {
      await link.write(bytes);
      return;
    }
    // Paced (or cut): write in small chunks, each when its wire time has come.
    const chunk = options.pace ? Math.max(1, Math.min(64, Math.round(line.baudRate / 300))) : bytes.length;
    const start = Math.max(now(), txFreeAt);
    for (let i = 0; i < bytes.length; i += chunk) {
      if (stopped) return;
      if (unplugAt >= 0 && i + chunk > unplugAt) {
        const part = bytes.subarray(i, unplugAt);
        if (part.length) await link.write(part);
        stopped = true;
        cleanup();
        await link.close();
        return;
      }
      // A chunk reaches the other end when its last character has crossed the wire.
      const due = start + Math.min(bytes.length, i + chunk) * charMs();
      if (options.pace) await sleep(due - now());
      await link.write(bytes.subarray(i, i + chunk));
    }
    txFreeAt = start + bytes.length * (options.pace ? charMs() : 0);
  }

  // With the parity fault the meter's wire is 8N1 and the 7E1 parity bit is ours to add.
  if (parityFault) queue = queue.then(() => link.setLine({ dataBits: 8, parity: 'none' })).catch(() => undefined);

  const offData = link.onData((raw) => {
    if (stopped) return;
    const bytes = parityFault ? raw.map((b) => b & 0x7f) : raw;
    if (faults.has('echo')) queue = queue.then(() => (stopped ? undefined : link.write(parityFault && line.dataBits === 7 ? withParity(bytes) : bytes).catch(() => undefined)));
    if (options.pace) {
      rxReadyAt = Math.max(rxReadyAt, now()) + bytes.length * charMs();
      const at = rxReadyAt;
      later(at - now(), () => run(meter.receive(bytes, at)));
    } else run(meter.receive(bytes, now()));
  });
  const offClose = link.onClose(() => {
    stopped = true;
    cleanup();
  });

  function cleanup(): void {
    offData();
    offClose();
    if (wakeTimer) clearTimeout(wakeTimer);
    for (const t of timers) clearTimeout(t);
    timers.clear();
  }

  return {
    meter,
    on(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    stop() {
      stopped = true;
      cleanup();
    },
  };
}
