/**
 * Runs the DLMS server machine (server.ts) on a Link through the runtime's Driver: the meter end
 * of a virtual pair, a serial port on one end of a socat pty pair, or a TCP socket. The line is
 * expected at 8N1 (mode E after the IEC handshake, or direct HDLC); the runner does not change it.
 *
 * - Reaction time: every answer leaves `reactionMs` (default 20 ms) after the request has fully
 *   arrived.
 * - `pace`: bytes leave at the real speed of the line (n characters take n × 10 / baud seconds
 *   at 8N1), and a received chunk counts as arrived once its wire time has passed.
 * - Faults (the names of the IEC runner where they mean the same; the others are ignored here):
 *   `noise` (garbage before every frame), `flip` (the FCS of one frame is corrupted, once: the
 *   second information frame, usually the first GET answer; the client must ask again), `drop`
 *   (that frame is not sent at all, once), `silence` (never answers), `slow` (answers after
 *   `slowMs`, default 3 s), `unplug` (the link is closed in the middle of a long block
 *   transfer: halfway through the frame carrying block 2). With `repeatFaults`, `drop` and `flip`
 *   hit every information frame from the second on (a meter that keeps losing or damaging its
 *   answers).
 * - `framing: 'wrapper'`: the IEC 62056-47 wrapper instead of HDLC (DLMS over TCP).
 */
import type { Action, Machine } from '../../engine/machine';
import type { Link } from '../../link/types';
import { Driver, type Outgoing, type WireHooks } from '../../runtime/driver';
import { Listeners } from '../../runtime/listeners';
import type { Fault as IecFault } from '../iec/runner';
import { DlmsServer, type DlmsServerOptions, type ServerAction, type ServerEvent } from './server';
import { WrapperServer } from './wrapper';
import { concat } from '../../engine/dlms/bytes';

export type DlmsFault = 'noise' | 'flip' | 'drop' | 'silence' | 'slow' | 'unplug';

export interface DlmsSimulatorOptions extends DlmsServerOptions {
  pace?: boolean;
  /** Reaction time before each answer (ms, default 20). */
  reactionMs?: number;
  /** Reaction time with the `slow` fault (ms, default 3000). */
  slowMs?: number;
  /** Faults to inject; IEC-only faults (echo, wakeup, ignore-baud, parity) are ignored. */
  faults?: readonly (DlmsFault | IecFault)[];
  /** Clock (ms), for tests. */
  now?: () => number;
  /** `drop` and `flip` hit every information frame from the second on (repeats too), not only once. */
  repeatFaults?: boolean;
  /** HDLC (default) or the IEC 62056-47 wrapper. */
  framing?: 'hdlc' | 'wrapper';
  /** A server machine to run (default: a new one built from these options). */
  server?: DlmsServer | WrapperServer;
}

export type DlmsSimulatorEvent =
  | ServerEvent
  /** The runner closed the link (fault `unplug`). */
  | { type: 'unplugged' }
  /** The link was closed by the other end or by someone else. */
  | { type: 'link-closed' }
  | { type: 'error'; message: string };

export interface DlmsSimulator {
  readonly server: DlmsServer | WrapperServer;
  on(listener: (event: DlmsSimulatorEvent) => void): () => void;
  /** Detach from the link (the link stays open). */
  stop(): void;
}

const NOISE = Uint8Array.of(0x00, 0xff, 0x7e, 0x55, 0x00);

type ServerSend = Extract<ServerAction, { type: 'send' }>;
/** A send as the server made it, with when the request it answers had arrived. */
type Sent = ServerSend & { arrivedAt: number };

/** The server machine in the runtime's machine shape; what each send is stays beside it. */
function asMachine(server: DlmsServer | WrapperServer, sent: WeakMap<object, Sent>): Machine<DlmsSimulatorEvent> {
  const map = (actions: ServerAction[], arrivedAt: number): Action<DlmsSimulatorEvent>[] =>
    actions.map((a): Action<DlmsSimulatorEvent> => {
      if (a.type !== 'send') return a;
      const send = { type: 'send' as const, bytes: a.bytes, summary: a.summary };
      sent.set(send, { ...a, arrivedAt });
      return send;
    });
  return {
    start: (now) => map(server.start(), now),
    receive: (bytes, at) => map(server.receive(bytes, at), at),
    tick: (now) => map(server.tick(now), now),
    lineChanged: () => [],
    cancel: () => [],
    linkLost: () => [{ type: 'event', event: { type: 'link-closed' } }],
  };
}

export function startDlmsServer(link: Link, options: DlmsSimulatorOptions = {}): DlmsSimulator {
  const faults = new Set<string>(options.faults ?? []);
  const server = options.server ?? (options.framing === 'wrapper' ? new WrapperServer(options) : new DlmsServer(options));
  const once = options.repeatFaults !== true;
  const reactionMs = faults.has('slow') ? (options.slowMs ?? 3000) : (options.reactionMs ?? 20);
  const listeners = new Listeners<DlmsSimulatorEvent>();
  let informationFrames = 0;
  let flipped = false;
  let dropped = false;

  const sent = new WeakMap<object, Sent>();
  const wire: WireHooks<DlmsSimulatorEvent> = {
    transmit(send): Outgoing | undefined {
      const a = sent.get(send);
      if (!a || faults.has('silence')) return undefined;
      let bytes = a.bytes;
      if (a.frame === 'I' && !a.repeat) informationFrames++;
      // Once: the second new information frame. Repeated: every one from then on, repeats too.
      const target = a.frame === 'I' && (once ? !a.repeat && informationFrames === 2 : informationFrames >= 2);
      if (target && faults.has('drop') && !(once && dropped)) {
        dropped = true;
        return undefined;
      }
      if (target && faults.has('flip') && !(once && flipped)) {
        flipped = true;
        bytes = bytes.slice();
        bytes[bytes.length - 2] = bytes[bytes.length - 2]! ^ 0x10; // the FCS's second byte
      }
      if (faults.has('noise')) bytes = concat(NOISE, bytes);
      const out: Outgoing = { bytes, notBefore: a.arrivedAt + reactionMs };
      if (faults.has('unplug') && a.block !== undefined && a.block >= 2) out.cutAt = bytes.length >> 1;
      return out;
    },
    onCut: () => listeners.emit({ type: 'unplugged' }),
  };

  const driver = new Driver<DlmsSimulatorEvent>(link, asMachine(server, sent), {
    pace: options.pace === true,
    wire,
    ...(options.now ? { now: options.now } : {}),
    onEvent: (event) => listeners.emit(event),
  });
  driver.start().catch((e: Error) => {
    if ((e as { code?: string }).code !== 'LINK_LOST') listeners.emit({ type: 'error', message: e.message });
  });

  return {
    server,
    on: (listener) => listeners.on(listener),
    stop: () => driver.stop(),
  };
}
