/**
 * The built-in demo meter: the simulator's virtual E450 attached to the meter end of a link.
 *
 * By default it starts as an IEC 62056-21 meter (300 baud 7E1). After a mode E option select
 * (`ACK 2 Z 2`) the IEC side hands the link over at 8N1 and the same meter continues as the DLMS
 * server on it (same data set: serial and registers agree between both protocols). When the
 * client ends the HDLC connection (DISC, or 120 s without a frame) the meter goes back to IEC
 * mode at 300 baud 7E1, as a real optical port does.
 *
 * With `directHdlc` the meter speaks HDLC/DLMS straight away at 8N1 (`hdlcBaudRate`, default
 * 9600) with no IEC handshake, and stays so.
 *
 * DLMS side (see electron/simulator/dlms): server address logical 1 / physical 17; client 16
 * public (no authentication), client 32 LLS password `00000000`, client 1 HLS-GMAC with the
 * simulator's default keys (encryption 000102…0F, authentication D0D1…DF).
 */
import type { SimFault } from '../../shared/target';
import { HDLC_LINE, IEC_INITIAL_LINE, type Link } from '../link/types';
import { Listeners } from '../runtime/listeners';
import { E450Data, type E450DataOptions } from './e450-data';
import { startIecSimulator, type IecSimulatorEvent } from './iec/runner';
import { startDlmsServer, type DlmsSimulatorEvent } from './dlms/runner';
import { createDlmsMeterState, type DlmsMeterState, type DlmsServerOptions } from './dlms/server';

export interface VirtualMeterOptions {
  /** Send at the real speed of the line (default true in the app: the demo feels like a meter). */
  pace?: boolean;
  /** The meter's IEC reaction time (ms). */
  reactionMs?: number;
  faults?: SimFault[];
  /** Speak HDLC/DLMS at once at 8N1, without the IEC 62056-21 handshake. */
  directHdlc?: boolean;
  /** Line speed of direct HDLC (default 9600). */
  hdlcBaudRate?: number;
  /** The DLMS reaction time (ms, default 20). */
  dlmsReactionMs?: number;
  /** The data set (seed, serial …) shared by both protocols. */
  data?: E450DataOptions;
  /** Faults of the DLMS side only (default: `faults`); e.g. `['silence']` for a meter whose DLMS side never answers. */
  dlmsFaults?: SimFault[];
  /** The meter's clock (ms), e.g. a meter running late; default the PC clock. */
  now?: () => number;
  /** DLMS server settings (addresses, password, lockout, keys, PDU and frame sizes …). */
  dlms?: Omit<DlmsServerOptions, 'state' | 'data'>;
  /**
   * The meter this link reaches, when it outlives the link (`omr simulate --tcp`: one meter per
   * process across connections: the same data set, invocation counters and LLS lock-out). Its data
   * set is used; `data` is then ignored. Default: a new meter for this link.
   */
  meter?: DlmsMeterState;
}

/** A meter that outlives its links: give it to each {@link startVirtualMeter} as `meter`. */
export function createVirtualMeterState(options: Pick<VirtualMeterOptions, 'data' | 'dlms'> = {}): DlmsMeterState {
  return createDlmsMeterState({ ...options.dlms, data: new E450Data(options.data) });
}

export type VirtualMeterEvent =
  { type: 'mode'; mode: 'iec' | 'dlms'; baudRate: number } | { type: 'iec'; event: IecSimulatorEvent } | { type: 'dlms'; event: DlmsSimulatorEvent };

export interface VirtualMeter {
  /** The meter's DLMS state (data set, object model, counters), shared by its sessions. */
  readonly state: DlmsMeterState;
  on(listener: (event: VirtualMeterEvent) => void): () => void;
  stop(): void;
}

export function startVirtualMeter(link: Link, options: VirtualMeterOptions = {}): VirtualMeter {
  const state = options.meter ?? createVirtualMeterState(options);
  const data = state.data;
  const listeners = new Listeners<VirtualMeterEvent>();
  const emit = (e: VirtualMeterEvent) => listeners.emit(e);
  const faults = options.faults ?? [];
  const clock = options.now ? { now: options.now } : {};
  const pace = options.pace ?? true;
  let current: { stop(): void } | undefined;
  let stopped = false;

  const startIec = () => {
    if (stopped || !link.isOpen) return;
    // Unpaced, the meter does not wait for the wire time of what it received: it must then react
    // later than a reader's default baud-switch delay (300 ms after the option select), as a real
    // meter does (200 ms after the 200 ms the option select takes at 300 baud).
    const iec = startIecSimulator(link, { pace, reactionMs: options.reactionMs ?? (pace ? 200 : 450), faults, data, ...clock });
    current = iec;
    const baudRate = link.line.baudRate;
    // Reported after the caller of startVirtualMeter has had a chance to subscribe.
    queueMicrotask(() => emit({ type: 'mode', mode: 'iec', baudRate }));
    iec.on((event) => {
      emit({ type: 'iec', event });
      if (event.type === 'released') startDlms(event.baudRate, true);
    });
  };

  const startDlms = (baudRate: number, backToIec: boolean) => {
    if (stopped || !link.isOpen) return;
    const dlms = startDlmsServer(link, {
      ...options.dlms,
      state,
      pace,
      reactionMs: options.dlmsReactionMs ?? 20,
      faults: options.dlmsFaults ?? faults,
      ...clock,
    });
    current = dlms;
    queueMicrotask(() => emit({ type: 'mode', mode: 'dlms', baudRate }));
    dlms.on((event) => {
      emit({ type: 'dlms', event });
      if (backToIec && event.type === 'disconnected') {
        // Mode E ends with the HDLC connection: back to 300 baud 7E1 and the IEC handshake.
        dlms.stop();
        current = undefined;
        link
          .setLine(IEC_INITIAL_LINE)
          .then(startIec)
          .catch(() => undefined);
      }
    });
  };

  if (options.directHdlc) {
    const baud = options.hdlcBaudRate ?? 9600;
    link
      .setLine(HDLC_LINE(baud))
      .then(() => startDlms(baud, false))
      .catch(() => undefined);
  } else startIec();

  return {
    state,
    on: (listener) => listeners.on(listener),
    stop() {
      stopped = true;
      current?.stop();
      current = undefined;
    },
  };
}
