/**
 * Test kit: the REAL simulator (electron/simulator), run through the runtime like every machine,
 * on the three kinds of link a reader meets: an in-process virtual pair, a TCP socket, and a
 * serial port on a socat pty pair (pty-meter.ts). Each helper gives the meter's events and a
 * wire tap of what the reader sent, and a stop for afterEach.
 */
import type { Server } from 'node:net';
import { HDLC_LINE, type Link } from '../../electron/link/types';
import { listenTcp } from '../../electron/link/tcp';
import { createVirtualPair, type VirtualPair } from '../../electron/link/virtual';
import { startDlmsServer, type DlmsSimulatorEvent, type DlmsSimulatorOptions } from '../../electron/simulator/dlms/runner';
import { createDlmsMeterState, type DlmsMeterState } from '../../electron/simulator/dlms/server';
import { startVirtualMeter, type VirtualMeter, type VirtualMeterEvent, type VirtualMeterOptions } from '../../electron/simulator/virtual-meter';
import { Listeners } from '../../electron/runtime/listeners';
import { tapWire, type WireTap } from './tap';

export type DlmsServerKitOptions = Omit<DlmsSimulatorOptions, 'state'> & { state?: DlmsMeterState; baudRate?: number };

export interface KitDlmsMeter {
  /** The meter's data set, object model and counters (shared by every connection). */
  readonly state: DlmsMeterState;
  readonly events: DlmsSimulatorEvent[];
  /** Listen to the meter's events as they happen. */
  on(listener: (event: DlmsSimulatorEvent) => void): () => void;
  readonly tap: WireTap;
}

/** The DLMS server (direct HDLC at 8N1, or the wrapper) on the meter end of a virtual pair. */
export async function dlmsOnVirtualPair(options: DlmsServerKitOptions = {}): Promise<KitDlmsMeter & { pair: VirtualPair; host: Link; stop(): Promise<void> }> {
  const pair = createVirtualPair();
  const line = HDLC_LINE(options.baudRate ?? 9600);
  await pair.host.setLine(line);
  await pair.meter.setLine(line);
  const state = options.state ?? createDlmsMeterState(options);
  const tap = tapWire(pair.meter, options.framing);
  const sim = startDlmsServer(pair.meter, { reactionMs: 0, ...options, state });
  const events: DlmsSimulatorEvent[] = [];
  sim.on((e) => events.push(e));
  return {
    pair,
    host: pair.host,
    state,
    events,
    on: (l) => sim.on(l),
    tap,
    async stop() {
      sim.stop();
      tap.detach();
      if (pair.host.isOpen) await pair.host.close();
    },
  };
}

/** The whole virtual E450 (IEC 62056-21, mode E, DLMS) on the meter end of a virtual pair. */
export function virtualMeterOnPair(options: VirtualMeterOptions = {}): {
  pair: VirtualPair;
  meter: VirtualMeter;
  events: VirtualMeterEvent[];
  tap: WireTap;
  stop(): Promise<void>;
} {
  const pair = createVirtualPair();
  const tap = tapWire(pair.meter);
  const meter = startVirtualMeter(pair.meter, { pace: false, ...options });
  const events: VirtualMeterEvent[] = [];
  meter.on((e) => events.push(e));
  return {
    pair,
    meter,
    events,
    tap,
    async stop() {
      meter.stop();
      tap.detach();
      if (pair.host.isOpen) await pair.host.close();
    },
  };
}

/** The DLMS server listening on 127.0.0.1 (HDLC over TCP, or the wrapper); one meter state for all connections. */
export async function dlmsOnTcp(options: DlmsServerKitOptions = {}): Promise<KitDlmsMeter & { port: number; stop(): Promise<void> }> {
  const state = options.state ?? createDlmsMeterState(options);
  const events: DlmsSimulatorEvent[] = [];
  const listeners = new Listeners<DlmsSimulatorEvent>();
  listeners.on((e) => events.push(e));
  const frames: WireTap['frames'] = [];
  const taps: WireTap[] = [];
  const links = new Set<Link>();
  const stops: (() => void)[] = [];
  const server: Server = await listenTcp(0, '127.0.0.1', (link) => {
    links.add(link);
    // A TCP link only records the line (synchronously): 8N1, so no 7E1 is done in software.
    void link.setLine(HDLC_LINE(options.baudRate ?? 9600));
    const t = tapWire(link, options.framing);
    taps.push(t);
    const sim = startDlmsServer(link, { reactionMs: 0, ...options, state });
    sim.on((e) => listeners.emit(e));
    stops.push(() => sim.stop());
    link.onClose(() => links.delete(link));
  });
  // One tap over every connection, in the order frames arrived.
  const all = (): WireTap['frames'] => {
    frames.length = 0;
    frames.push(...taps.flatMap((t) => t.frames));
    return frames;
  };
  const tap: WireTap = {
    get frames() {
      return all();
    },
    controls: (sap) => taps.flatMap((t) => t.controls(sap)),
    apdus: (sap) => taps.flatMap((t) => t.apdus(sap)),
    aarqs: () => taps.flatMap((t) => t.aarqs()),
    detach: () => taps.forEach((t) => t.detach()),
  };
  const addr = server.address();
  return {
    port: typeof addr === 'object' && addr ? addr.port : 0,
    state,
    events,
    on: (l) => listeners.on(l),
    tap,
    async stop() {
      for (const s of stops) s();
      tap.detach();
      await Promise.all([...links].map((l) => l.close().catch(() => undefined)));
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
