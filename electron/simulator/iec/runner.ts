/**
 * Runs the IEC 62056-21 meter machine on a Link (the meter end of a virtual pair, a serial port
 * on one end of a socat pty pair, or a TCP socket) through the runtime's Driver, with the wire's
 * timing and injected faults.
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
 *   converter; the host counts parity errors), `strict-reaction` (the meter's receiver is off
 *   until the shortest reaction time after its own message has ended: characters arriving
 *   sooner are lost, and a `tooSoon` event says by how much).
 * - On mode E the runner lets go of the link and emits `handover`: the DLMS side takes over.
 */
import { add7E1 } from '../../engine/iec62056-21/codec';
import type { Action, LineRequest, Machine } from '../../engine/machine';
import { addParity } from '../../link/parity';
import { minReactionMs } from '../../engine/iec62056-21/timing';
import { bitsPerChar, type LineSettings, type Link } from '../../link/types';
import { Driver, type Outgoing, type WireHooks } from '../../runtime/driver';
import { Listeners } from '../../runtime/listeners';
import { IecMeter, type IecMeterOptions, type MeterAction, type MeterEvent } from './meter';
import { concat } from '../../engine/dlms/bytes';

export type Fault = 'noise' | 'drop' | 'flip' | 'echo' | 'silence' | 'slow' | 'unplug' | 'wakeup' | 'ignore-baud' | 'parity' | 'bad-parity' | 'strict-reaction';

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
  /** `strict-reaction`: host characters came this soon (ms) after the meter's message ended, and were lost. */
  | { type: 'tooSoon'; gapMs: number; minMs: number }
  | { type: 'error'; message: string };

export interface IecSimulator {
  readonly meter: IecMeter;
  on(listener: (event: IecSimulatorEvent) => void): () => void;
  /** Detach from the link (the link stays open). */
  stop(): void;
}

const NOISE = Uint8Array.of(0x00, 0x7f, 0x7f, 0x00);
/** `strict-reaction`: host bytes this long after the previous ones begin a new message. */
const STRICT_GAP_MS = 100;
/** `strict-reaction`: timers may fire a little early; a message this much short of tr is not judged too soon. */
const STRICT_TOLERANCE_MS = 5;

type What = Extract<MeterAction, { type: 'send' }>['what'];

/** The meter machine in the runtime's machine shape; what each send is stays beside it. */
function asMachine(meter: IecMeter, what: WeakMap<object, What>, start: Action<MeterEvent>[]): Machine<MeterEvent> {
  const map = (actions: MeterAction[]): Action<MeterEvent>[] =>
    actions.map((a): Action<MeterEvent> => {
      if (a.type === 'setLine') return { type: 'setLine', line: a.line, notBefore: 0 };
      if (a.type !== 'send') return a;
      const send = { type: 'send' as const, bytes: a.bytes, summary: a.what };
      what.set(send, a.what);
      return send;
    });
  return {
    start: () => start,
    receive: (bytes, now) => map(meter.receive(bytes, now)),
    tick: (now) => map(meter.tick(now)),
    lineChanged: () => [],
    cancel: () => [],
  };
}

export function startIecSimulator(link: Link, options: IecSimulatorOptions = {}): IecSimulator {
  const faults = new Set(options.faults ?? []);
  const meter = new IecMeter({
    ...options,
    reactionMs: faults.has('slow') ? 3000 : options.reactionMs,
    beyondStandard: faults.has('slow') || options.beyondStandard,
    ignoreBaud: faults.has('ignore-baud'),
    sleepy: faults.has('wakeup'),
  });
  const listeners = new Listeners<IecSimulatorEvent>();
  /** The line the meter believes it runs (for the parity faults). */
  let line: Pick<LineSettings, 'baudRate' | 'dataBits' | 'parity'> = { ...link.line };
  // 'bad-parity': a converter set to odd parity — every odd-weight character arrives with a
  // parity error. Both faults drive an 8N1 wire and add the parity bit here.
  const badParity = faults.has('bad-parity');
  const parityFault = faults.has('parity') || badParity;
  const withParity = (b: Uint8Array): Uint8Array => (badParity ? addParity(b, 'odd') : add7E1(b));
  // 'strict-reaction': when the meter's last message leaves the wire (its writes are paced, or
  // immediate), and whether the host's current message began too soon after it.
  const strict = faults.has('strict-reaction');
  const now = options.now ?? Date.now;
  let sentEnd = Number.NEGATIVE_INFINITY;
  let hostQuietSince = Number.NEGATIVE_INFINITY;
  let losing = false;
  const charMs = (): number => (options.pace ? (bitsPerChar(link.line) * 1000) / link.line.baudRate : 0);

  const wire: WireHooks<MeterEvent> = {
    transmit(send): Outgoing | undefined {
      if (faults.has('silence')) return undefined;
      const kind = what.get(send);
      let bytes = send.bytes;
      if (faults.has('noise') && kind !== 'ack') bytes = concat(NOISE, bytes);
      if (kind === 'readout' && bytes.length > 8) {
        const mid = bytes.length >> 1;
        if (faults.has('flip')) {
          bytes = bytes.slice();
          bytes[mid] = bytes[mid]! ^ 0x04;
        }
        if (faults.has('drop')) bytes = concat(bytes.subarray(0, mid), bytes.subarray(mid + 1));
      }
      const cutAt = faults.has('unplug') && kind === 'readout' ? bytes.length >> 1 : undefined;
      if (parityFault && line.dataBits === 7) bytes = withParity(bytes);
      if (strict) sentEnd = Math.max(now(), sentEnd) + bytes.length * charMs();
      return cutAt === undefined ? { bytes } : { bytes, cutAt };
    },
    receive(raw) {
      let bytes = parityFault ? raw.map((b) => b & 0x7f) : raw;
      if (strict) {
        // A message starts when the host has been quiet a while; all of it is lost when it started too soon.
        const t = now();
        const starts = t - hostQuietSince > STRICT_GAP_MS;
        hostQuietSince = t;
        if (starts) {
          const gapMs = t - sentEnd;
          const minMs = minReactionMs(meter.data.identification.manufacturer, meter.timing);
          losing = gapMs < minMs - STRICT_TOLERANCE_MS;
          if (losing) listeners.emit({ type: 'tooSoon', gapMs: Math.round(gapMs), minMs });
        }
        if (losing) bytes = new Uint8Array(0);
      }
      if (!faults.has('echo')) return { bytes };
      return { bytes, echo: parityFault && line.dataBits === 7 ? withParity(bytes) : bytes };
    },
    setLine(request: LineRequest) {
      line = { ...request };
      // With the parity faults the wire stays 8N1 and parity bits are added here.
      return parityFault ? { baudRate: request.baudRate, dataBits: 8, parity: 'none' } : request;
    },
  };

  const what = new WeakMap<object, What>();
  // With the parity faults the meter's wire is 8N1 from the start.
  const start: Action<MeterEvent>[] = parityFault
    ? [{ type: 'setLine', line: { baudRate: link.line.baudRate, dataBits: link.line.dataBits, parity: link.line.parity }, notBefore: 0 }]
    : [];
  const driver = new Driver<MeterEvent>(link, asMachine(meter, what, start), {
    pace: options.pace === true,
    wire,
    ...(options.now ? { now: options.now } : {}),
    onEvent(event) {
      // Events come in order with the writes before them.
      if (event.type !== 'handover') return listeners.emit(event);
      driver.stop();
      listeners.emit(event);
      listeners.emit({ type: 'released', link, baudRate: event.baudRate });
    },
  });
  driver.start().catch((e: Error) => {
    if ((e as { code?: string }).code !== 'LINK_LOST') listeners.emit({ type: 'error', message: e.message });
  });

  return {
    meter,
    on: (listener) => listeners.on(listener),
    stop: () => driver.stop(),
  };
}
