/**
 * Runs the DLMS server machine (server.ts) on a Link: the meter end of a virtual pair, a serial
 * port on one end of a socat pty pair, or a TCP socket. The line is expected at 8N1 (mode E after
 * the IEC handshake, or direct HDLC); the runner does not change it.
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
 *   transfer: halfway through the frame carrying block 2).
 */
import { bitsPerChar, type Link } from '../../link/types';
import type { Fault as IecFault } from '../iec/runner';
import { DlmsServer, type DlmsServerOptions, type ServerAction, type ServerEvent } from './server';
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
  /** A server machine to run (default: a new one built from these options). */
  server?: DlmsServer;
}

export type DlmsSimulatorEvent =
  | ServerEvent
  /** The runner closed the link (fault `unplug`). */
  | { type: 'unplugged' }
  /** The link was closed by the other end or by someone else. */
  | { type: 'link-closed' }
  | { type: 'error'; message: string };

export interface DlmsSimulator {
  readonly server: DlmsServer;
  on(listener: (event: DlmsSimulatorEvent) => void): () => void;
  /** Detach from the link (the link stays open). */
  stop(): void;
}

const NOISE = Uint8Array.of(0x00, 0xff, 0x7e, 0x55, 0x00);

export function startDlmsServer(link: Link, options: DlmsSimulatorOptions = {}): DlmsSimulator {
  const faults = new Set<string>(options.faults ?? []);
  const now = options.now ?? Date.now;
  const server = options.server ?? new DlmsServer(options);
  const reactionMs = faults.has('slow') ? (options.slowMs ?? 3000) : (options.reactionMs ?? 20);
  const listeners = new Set<(e: DlmsSimulatorEvent) => void>();
  const emit = (e: DlmsSimulatorEvent) => {
    for (const l of [...listeners]) l(e);
  };
  let stopped = false;
  let wakeTimer: NodeJS.Timeout | undefined;
  const timers = new Set<NodeJS.Timeout>();
  let queue: Promise<void> = Promise.resolve();
  let rxReadyAt = 0;
  let txFreeAt = 0;
  let informationFrames = 0;
  let flipped = false;
  let dropped = false;

  const later = (ms: number, fn: () => void) => {
    const t = setTimeout(() => {
      timers.delete(t);
      if (!stopped) fn();
    }, Math.max(0, ms));
    timers.add(t);
  };
  const sleep = (ms: number) => new Promise<void>((r) => (ms > 0 ? later(ms, r) : r()));
  const charMs = () => (bitsPerChar(link.line) * 1000) / link.line.baudRate;

  const run = (actions: ServerAction[], arrivedAt: number) => {
    for (const a of actions) {
      if (a.type === 'wakeAt') {
        if (wakeTimer) clearTimeout(wakeTimer);
        wakeTimer = setTimeout(() => {
          wakeTimer = undefined;
          if (!stopped) run(server.tick(now()), now());
        }, Math.max(0, Math.min(a.at - now(), 2_147_000_000)));
        continue;
      }
      if (a.type === 'trace') continue;
      if (a.type === 'event') {
        const event = a.event;
        queue = queue.then(() => {
          if (!stopped) emit(event);
        });
        continue;
      }
      queue = queue.then(() => (stopped ? undefined : perform(a, arrivedAt))).catch((e: unknown) => emit({ type: 'error', message: (e as Error).message }));
    }
  };

  async function perform(a: Extract<ServerAction, { type: 'send' }>, arrivedAt: number): Promise<void> {
    if (faults.has('silence')) return;
    let bytes = a.bytes;
    if (a.frame === 'I' && !a.repeat) informationFrames++;
    const target = a.frame === 'I' && !a.repeat && informationFrames === 2;
    if (target && faults.has('drop') && !dropped) {
      dropped = true;
      return;
    }
    if (target && faults.has('flip') && !flipped) {
      flipped = true;
      bytes = bytes.slice();
      bytes[bytes.length - 2] = bytes[bytes.length - 2]! ^ 0x10; // the FCS's second byte
    }
    if (faults.has('noise')) bytes = concat(NOISE, bytes);
    const unplugAt = faults.has('unplug') && a.block !== undefined && a.block >= 2 ? bytes.length >> 1 : -1;
    await sleep(arrivedAt + reactionMs - now());
    const start = Math.max(now(), txFreeAt);
    if (!options.pace && unplugAt < 0) {
      await link.write(bytes);
      return;
    }
    const chunk = options.pace ? Math.max(1, Math.min(64, Math.round(link.line.baudRate / 300))) : bytes.length;
    for (let i = 0; i < bytes.length; i += chunk) {
      if (stopped) return;
      if (unplugAt >= 0 && i + chunk > unplugAt) {
        const part = bytes.subarray(i, unplugAt);
        if (part.length) await link.write(part);
        stopped = true;
        cleanup();
        emit({ type: 'unplugged' });
        await link.close();
        return;
      }
      if (options.pace) await sleep(start + Math.min(bytes.length, i + chunk) * charMs() - now());
      await link.write(bytes.subarray(i, i + chunk));
    }
    txFreeAt = start + bytes.length * (options.pace ? charMs() : 0);
  }

  const offData = link.onData((bytes) => {
    if (stopped) return;
    if (options.pace) {
      rxReadyAt = Math.max(rxReadyAt, now()) + bytes.length * charMs();
      const at = rxReadyAt;
      later(at - now(), () => run(server.receive(bytes, at), at));
    } else {
      const at = now();
      run(server.receive(bytes, at), at);
    }
  });
  const offClose = link.onClose(() => {
    if (stopped) return;
    stopped = true;
    cleanup();
    emit({ type: 'link-closed' });
  });

  function cleanup(): void {
    offData();
    offClose();
    if (wakeTimer) clearTimeout(wakeTimer);
    for (const t of timers) clearTimeout(t);
    timers.clear();
  }

  return {
    server,
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
