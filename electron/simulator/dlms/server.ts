/**
 * The DLMS/COSEM server of the virtual E450 as a sans-IO machine: fed bytes and time, it answers
 * with the bytes to send (the runner, runner.ts, does the timing, pacing and faults).
 *
 * HDLC (IEC 62056-46, frame format type 3), server side:
 * - server address logical 1, physical 17 by default; the 1-byte (logical only), 2-byte and
 *   4-byte forms are all accepted, and answers use the form the client used. A command frame to
 *   another server address is answered with DM (frames whose source is not a 1-byte client
 *   address, such as an echo of our own frames, are ignored).
 * - SNRM → UA with the negotiated parameters: the client's proposal, capped by the server's max
 *   information field (default 128 bytes, both ways, so that long answers really are
 *   segmented); window 1. A SNRM while connected restarts the link (and ends the association).
 * - I-frames with N(S)/N(R); a repeated I-frame (N(S) already received) or an RR whose N(R)
 *   asks again for our last frame is answered by repeating that frame; a segmented request is
 *   acknowledged with RR per segment; a long answer is segmented and each further segment waits
 *   for the client's RR.
 * - DISC → UA (DM when not connected); I/RR outside a connection → DM; frames with a bad
 *   HCS/FCS are dropped (the client repeats); no frame for `inactivityTimeoutMs` (default
 *   120 s) → back to the disconnected state.
 *
 * Above HDLC: association.ts (ACSE and xDLMS) over objects.ts (the E450 object model).
 */
import { decodeParameters, encodeParameters, type HdlcParameters } from '../../engine/hdlc/params';
import { clientAddress, formatAddress, serverAddress, type HdlcAddress } from '../../engine/hdlc/address';
import { Deframer } from '../../engine/hdlc/deframer';
import { describeFrame, encodeFrame, type Control, type HdlcFrame } from '../../engine/hdlc/frame';
import { LLC_REQUEST, LLC_RESPONSE, Reassembler, segmentApdu } from '../../engine/hdlc/segmentation';
import { encodeExceptionResponse } from '../../engine/dlms/exception';
import { E450Data, type E450DataOptions } from '../e450-data';
import { CosemApplication, type AppEvent, type ApplicationOptions } from './association';
import { defaultSystemTitle, SecurityState } from './clients';
import { E450Model } from './objects';

/** What one virtual meter keeps between HDLC connections (and between mode E sessions). */
export interface DlmsMeterState {
  data: E450Data;
  model: E450Model;
  security: SecurityState;
  systemTitle: Uint8Array;
}

export interface DlmsMeterStateOptions {
  data?: E450Data | E450DataOptions;
  /** Server system title (8 bytes); default `LGZ` + 5 bytes of the serial number. */
  systemTitle?: Uint8Array;
  /** Smallest invocation counter accepted first from the management client (default 1). */
  clientInvocationCounter?: number;
  /** First invocation counter of the server (default 1000). */
  serverInvocationCounter?: number;
  /** Load profile depth in days (default 90). */
  profileDays?: number;
}

export function createDlmsMeterState(o: DlmsMeterStateOptions = {}): DlmsMeterState {
  const data = o.data instanceof E450Data ? o.data : new E450Data(o.data);
  const systemTitle = o.systemTitle ?? defaultSystemTitle(data.identification.manufacturer, data.serial);
  const security = new SecurityState({ clientCounter: o.clientInvocationCounter, serverCounter: o.serverInvocationCounter });
  const model = new E450Model(data, { systemTitle, profileDays: o.profileDays, invocationCounter: () => security.minClientCounter });
  return { data, model, security, systemTitle };
}

export interface DlmsServerOptions extends Omit<ApplicationOptions, 'model' | 'security' | 'systemTitle'>, DlmsMeterStateOptions {
  /** A meter state shared with earlier servers (same counters, lockout, recorded events). */
  state?: DlmsMeterState;
  /** Server upper HDLC address: the logical device (default 1, management logical device). */
  logicalDevice?: number;
  /** Server lower HDLC address: the physical device (default 17). */
  physicalAddress?: number;
  /** Server max information field length, both directions (default 128). */
  maxInfo?: number;
  inactivityTimeoutMs?: number;
}

export type ServerEvent =
  | AppEvent
  | { type: 'connected'; clientSap: number; address: string; maxInfoTx: number; maxInfoRx: number }
  | { type: 'disconnected'; reason: 'disc' | 'inactivity' | 'snrm' }
  | { type: 'frame-error'; detail: string }
  | { type: 'refused'; detail: string };

export type FrameKind = Control['kind'];

export type ServerAction =
  | {
      type: 'send';
      bytes: Uint8Array;
      summary: string;
      frame: FrameKind;
      /** The frame carries (part of) GET.response block `block`. */
      block?: number;
      /** A repeat of a frame already sent. */
      repeat?: boolean;
    }
  | { type: 'wakeAt'; at: number }
  | { type: 'event'; event: ServerEvent }
  | { type: 'trace'; summary: string };

interface Outgoing {
  info: Uint8Array;
  segmented: boolean;
  summary: string;
  block?: number;
}

export class DlmsServer {
  readonly state: DlmsMeterState;
  readonly app: CosemApplication;
  private readonly logical: number;
  private readonly physical: number;
  private readonly maxInfo: number;
  private readonly inactivityMs: number;
  private readonly deframer = new Deframer();
  private readonly reassembler = new Reassembler(LLC_REQUEST);
  private connected = false;
  private peer: HdlcAddress | undefined;
  /** Our address in the form the client used. */
  private me: HdlcAddress;
  private params: HdlcParameters = { maxInfoTx: 128, maxInfoRx: 128, windowTx: 1, windowRx: 1 };
  private vs = 0;
  private vr = 0;
  private pending: Outgoing[] = [];
  private last: Extract<ServerAction, { type: 'send' }> | undefined;
  private deadline = Infinity;

  constructor(o: DlmsServerOptions = {}) {
    this.state = o.state ?? createDlmsMeterState(o);
    this.logical = o.logicalDevice ?? 1;
    this.physical = o.physicalAddress ?? 17;
    this.maxInfo = o.maxInfo ?? 128;
    this.inactivityMs = o.inactivityTimeoutMs ?? 120_000;
    this.me = serverAddress(this.logical, this.physical);
    this.app = new CosemApplication({
      ...o,
      model: this.state.model,
      security: this.state.security,
      systemTitle: this.state.systemTitle,
      serverSap: this.logical,
    });
  }

  /** True while an HDLC connection is up. */
  get isConnected(): boolean {
    return this.connected;
  }

  /** Negotiated HDLC parameters, from the server's side (tx = server → client). */
  get parameters(): HdlcParameters {
    return { ...this.params };
  }

  start(): ServerAction[] {
    return [];
  }

  receive(bytes: Uint8Array, now: number): ServerAction[] {
    const out: ServerAction[] = [];
    for (const item of this.deframer.push(bytes)) {
      if (item.kind === 'error') {
        out.push({ type: 'event', event: { type: 'frame-error', detail: item.error.detail ?? item.error.message } });
        continue;
      }
      out.push(...this.onFrame(item.frame, now));
    }
    if (this.connected) out.push({ type: 'wakeAt', at: this.deadline });
    return out;
  }

  tick(now: number): ServerAction[] {
    if (!this.connected || now < this.deadline) return this.connected ? [{ type: 'wakeAt', at: this.deadline }] : [];
    return [{ type: 'trace', summary: `HDLC: no frame for ${this.inactivityMs} ms, disconnected` }, ...this.drop('inactivity')];
  }

  private addressed(d: HdlcAddress): boolean {
    if (d.upper !== this.logical) return false;
    return d.size === 1 || d.lower === this.physical;
  }

  private frameTo(dest: HdlcAddress, src: HdlcAddress, control: Control, info: Uint8Array = new Uint8Array(0), segmented = false): HdlcFrame {
    return { dest, src, control, segmented, info };
  }

  private send(f: HdlcFrame, extra: { block?: number; summary?: string } = {}, remember = true): ServerAction {
    const a: Extract<ServerAction, { type: 'send' }> = {
      type: 'send',
      bytes: encodeFrame(f),
      summary: extra.summary ? `${describeFrame(f)}: ${extra.summary}` : describeFrame(f),
      frame: f.control.kind,
      ...(extra.block !== undefined ? { block: extra.block } : {}),
    };
    if (remember) this.last = a;
    return a;
  }

  private reply(control: Control, info?: Uint8Array, segmented = false, extra: { block?: number; summary?: string } = {}): ServerAction {
    return this.send(this.frameTo(this.peer!, this.me, control, info, segmented), extra);
  }

  private repeatLast(why: string): ServerAction[] {
    if (!this.last) return [this.reply({ kind: 'RR', nr: this.vr, pf: true })];
    return [
      { type: 'trace', summary: `HDLC: ${why}, repeating ${this.last.summary}` },
      { ...this.last, repeat: true },
    ];
  }

  private drop(reason: 'disc' | 'inactivity' | 'snrm'): ServerAction[] {
    this.connected = false;
    this.deadline = Infinity;
    this.pending = [];
    this.reassembler.reset();
    const out: ServerAction[] = this.app.reset().map((event) => ({ type: 'event', event }));
    out.push({ type: 'event', event: { type: 'disconnected', reason } });
    return out;
  }

  private onFrame(f: HdlcFrame, now: number): ServerAction[] {
    // Client addresses are one byte; anything else is not a client talking to us (an echo…).
    if (f.src.size !== 1) return [{ type: 'trace', summary: `HDLC: ignored ${describeFrame(f)}` }];
    const c = f.control;
    const command = c.kind === 'SNRM' || c.kind === 'DISC' || c.kind === 'I' || c.kind === 'RR' || c.kind === 'RNR';
    if (!this.addressed(f.dest)) {
      if (!command) return [];
      const detail = `frame for server ${formatAddress(f.dest)} (this meter is ${this.logical}/${this.physical})`;
      return [{ type: 'event', event: { type: 'refused', detail } }, this.send(this.frameTo(f.src, f.dest, { kind: 'DM', pf: true }), {}, false)];
    }
    const fromPeer = this.connected && this.peer !== undefined && this.peer.upper === f.src.upper;
    if (c.kind === 'SNRM') return this.onSnrm(f, now);
    if (!fromPeer) {
      if (!command) return [];
      return [this.send(this.frameTo(f.src, f.dest, { kind: 'DM', pf: true }), {}, false)];
    }
    this.deadline = now + this.inactivityMs;
    switch (c.kind) {
      case 'DISC': {
        const ua = this.reply({ kind: 'UA', pf: true });
        return [ua, ...this.drop('disc')];
      }
      case 'I': {
        if (c.ns !== this.vr) return this.repeatLast(`I-frame N(S)=${c.ns} received again (expected ${this.vr})`);
        this.vr = (this.vr + 1) & 7;
        if (f.segmented) {
          this.reassembler.push(f.info, true);
          return [this.reply({ kind: 'RR', nr: this.vr, pf: true })];
        }
        let apdu: Uint8Array;
        try {
          apdu = this.reassembler.push(f.info, false)!;
        } catch {
          return this.answer({ apdu: encodeExceptionResponse(2, 2), summary: 'exception-response (no LLC header)', events: [] });
        }
        return this.answer(this.app.handle(f.src.upper, apdu, now));
      }
      case 'RR':
        if (this.pending.length && c.nr === this.vs) return this.nextSegment();
        if (c.nr !== this.vs && this.last) return this.repeatLast(`RR N(R)=${c.nr} asks again`);
        return [this.reply({ kind: 'RR', nr: this.vr, pf: true })];
      default:
        return [{ type: 'trace', summary: `HDLC: ${c.kind} ignored` }];
    }
  }

  private onSnrm(f: HdlcFrame, now: number): ServerAction[] {
    const out: ServerAction[] = this.connected ? this.drop('snrm') : [];
    let proposed: HdlcParameters;
    try {
      proposed = decodeParameters(f.info);
    } catch {
      return [...out, this.send(this.frameTo(f.src, f.dest, { kind: 'FRMR', pf: true }), {}, false)];
    }
    // The client's tx is what we receive, its rx what we send; both capped by our buffer.
    this.params = {
      maxInfoTx: Math.max(1, Math.min(proposed.maxInfoRx, this.maxInfo)),
      maxInfoRx: Math.max(1, Math.min(proposed.maxInfoTx, this.maxInfo)),
      windowTx: 1,
      windowRx: 1,
    };
    this.connected = true;
    this.peer = clientAddress(f.src.upper);
    this.me = f.dest;
    this.vs = 0;
    this.vr = 0;
    this.pending = [];
    this.reassembler.reset();
    this.deadline = now + this.inactivityMs;
    const ua = this.reply({ kind: 'UA', pf: true }, encodeParameters(this.params));
    out.push(
      {
        type: 'event',
        event: {
          type: 'connected',
          clientSap: f.src.upper,
          address: formatAddress(f.dest),
          maxInfoTx: this.params.maxInfoTx,
          maxInfoRx: this.params.maxInfoRx,
        },
      },
      ua,
    );
    return out;
  }

  private answer(a: { apdu: Uint8Array; summary: string; block?: number; events: AppEvent[] }): ServerAction[] {
    const out: ServerAction[] = a.events.map((event) => ({ type: 'event', event }));
    const segs = segmentApdu(a.apdu, this.params.maxInfoTx, LLC_RESPONSE);
    this.pending = segs.map((s, i) => ({
      ...s,
      summary: segs.length > 1 ? `${a.summary} [${i + 1}/${segs.length}]` : a.summary,
      ...(a.block !== undefined ? { block: a.block } : {}),
    }));
    out.push(...this.nextSegment());
    return out;
  }

  private nextSegment(): ServerAction[] {
    const s = this.pending.shift();
    if (!s) return [];
    const a = this.reply({ kind: 'I', ns: this.vs, nr: this.vr, pf: true }, s.info, s.segmented, {
      summary: s.summary,
      ...(s.block !== undefined ? { block: s.block } : {}),
    });
    this.vs = (this.vs + 1) & 7;
    return [a];
  }
}
