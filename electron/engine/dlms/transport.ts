/**
 * Pluggable, sans-IO transports that carry whole xDLMS/ACSE APDUs for the client machine:
 *
 * - {@link HdlcTransport}: IEC 62056-46 HDLC (SNRM/UA with negotiation, I-frame sequencing,
 *   segmentation both ways with RR, retransmission of the last frame with the poll bit on a
 *   reaction timeout or a damaged frame, bounded; DISC/UA to end).
 * - {@link WrapperTransport}: IEC 62056-47 wrapper (TCP/UDP): 8-byte header version 1,
 *   source wPort, destination wPort, length. No link-level retransmission.
 *
 * A transport is fed bytes and time and answers with {@link TransportOut} items.
 */
import { OmrError } from '../../../shared/errors';
import { addressEquals, clientAddress, formatAddress, serverAddress, type HdlcAddress } from '../hdlc/address';
import { Deframer } from '../hdlc/deframer';
import { describeFrame, encodeFrame, type Control, type HdlcFrame } from '../hdlc/frame';
import { decodeParameters, DEFAULT_PARAMETERS, encodeParameters, negotiated, type HdlcParameters } from '../hdlc/params';
import { DEFAULT_MAX_APDU_BYTES, LLC_REQUEST, LLC_RESPONSE, Reassembler, segmentApdu } from '../hdlc/segmentation';
import { concat, hex, Reader, Writer } from './bytes';

export type TransportOut =
  | { kind: 'send'; bytes: Uint8Array; summary: string; redact?: [number, number][] }
  | { kind: 'apdu'; apdu: Uint8Array }
  | { kind: 'connected'; detail: string }
  | { kind: 'disconnected' }
  | { kind: 'error'; error: OmrError }
  | { kind: 'wakeAt'; at: number }
  | { kind: 'trace'; summary: string };

export interface DlmsTransport {
  connect(now: number): TransportOut[];
  /** Send one APDU; `redact` ranges are relative to the APDU. */
  send(apdu: Uint8Array, now: number, summary: string, redact?: [number, number][]): TransportOut[];
  receive(bytes: Uint8Array, now: number): TransportOut[];
  tick(now: number): TransportOut[];
  disconnect(now: number): TransportOut[];
  /** The largest APDU the peer accepts at this layer (undefined = no limit known). */
  readonly description: string;
}

// ------------------------------------------------------------------------------------------- HDLC

export interface HdlcTransportOptions {
  /** Client SAP (16 public client, 1 management …). */
  clientSap: number;
  /** Server logical device (1 = management logical device). */
  logicalDevice?: number;
  /** Server physical address (lower HDLC address); omitted = 1-byte server address. */
  physicalAddress?: number;
  /** Force the server address size. */
  addressSize?: 1 | 2 | 4;
  /** Proposed parameters (default 128/128, window 1). */
  parameters?: Partial<HdlcParameters>;
  /** Reaction timeout in ms (default 2000). */
  responseTimeoutMs?: number;
  /** Retransmissions of a frame before giving up (default 3). */
  maxRetries?: number;
  /**
   * The SNRM's own reaction timeout and retransmissions (default: the smaller of 900 ms and
   * `responseTimeoutMs`, 2 repeats): a meter answers a SNRM at once or not at all (a wrong server
   * address gets no UA), so HDLC_NO_UA comes within 3 s.
   */
  connectTimeoutMs?: number;
  connectRetries?: number;
  /**
   * Once the first byte of an answer has come, the whole frame must be there within this (ms,
   * default 5000: 2 KiB at 9600 baud, or 128 bytes at 300 baud); else SLOW_ANSWER.
   */
  frameTimeoutMs?: number;
  /** Ceiling of one APDU reassembled from segments (bytes, default 4 MiB); past it TOO_LARGE. */
  maxApduBytes?: number;
}

/** Server addresses meters usually answer at, named when a SNRM gets no UA. */
const USUAL_SERVER_ADDRESSES =
  'logical 1 physical 17 (Landis+Gyr, IDIS optical port), logical 1 as one byte (--server-physical 0: Gurux, many simulators), logical 0 or 1 with physical 16';

type HdlcState = 'idle' | 'connecting' | 'connected' | 'disconnecting' | 'closed';

export class HdlcTransport implements DlmsTransport {
  readonly client: HdlcAddress;
  readonly server: HdlcAddress;
  private readonly proposed: HdlcParameters;
  private params: HdlcParameters = { ...DEFAULT_PARAMETERS };
  private state: HdlcState = 'idle';
  private readonly deframer = new Deframer();
  private readonly reassembler: Reassembler;
  private vs = 0; // our next N(S)
  private vr = 0; // next N(S) expected from the server
  private outgoing: { info: Uint8Array; segmented: boolean; redact?: [number, number][] }[] = [];
  /** The frame to repeat on a timeout; undefined when nothing is awaited. */
  private last: { bytes: Uint8Array; summary: string; redact?: [number, number][] } | undefined;
  private deadline = Infinity;
  private retries = 0;
  private readonly timeout: number;
  private readonly maxRetries: number;
  private readonly connectTimeout: number;
  private readonly connectRetries: number;
  private readonly frameTimeout: number;
  /** Bytes received since the frame now awaited was sent, and when the first of them came. */
  private rxBytes = 0;
  private rxStartedAt: number | undefined;
  private lastRxAt = -Infinity;
  /** Damaged frames and sequence disagreements since the frame now awaited was sent. */
  private damaged = 0;
  /** RR frames whose N(R) acknowledged nothing, and stale I-frames, in a row. */
  private sequenceErrors = 0;

  constructor(private readonly options: HdlcTransportOptions) {
    this.client = clientAddress(options.clientSap);
    this.server = serverAddress(options.logicalDevice ?? 1, options.physicalAddress, options.addressSize);
    this.proposed = { ...DEFAULT_PARAMETERS, ...options.parameters };
    this.timeout = options.responseTimeoutMs ?? 2000;
    this.maxRetries = options.maxRetries ?? 3;
    this.connectTimeout = options.connectTimeoutMs ?? Math.min(900, this.timeout);
    this.connectRetries = options.connectRetries ?? Math.min(2, this.maxRetries);
    this.frameTimeout = options.frameTimeoutMs ?? 5000;
    this.reassembler = new Reassembler(LLC_RESPONSE, options.maxApduBytes ?? DEFAULT_MAX_APDU_BYTES);
  }

  /** Reaction timeout and retransmissions of the frame now awaited (the SNRM has its own). */
  private get waitMs(): number {
    return this.state === 'connecting' ? this.connectTimeout : this.timeout;
  }

  private get retryLimit(): number {
    return this.state === 'connecting' ? this.connectRetries : this.maxRetries;
  }

  get description(): string {
    return `HDLC client ${formatAddress(this.client)} → server ${formatAddress(this.server)}`;
  }

  /** Negotiated parameters (after the UA). */
  get parameters(): HdlcParameters {
    return { ...this.params };
  }

  private frame(control: Control, info: Uint8Array = new Uint8Array(0), segmented = false): HdlcFrame {
    return { dest: this.server, src: this.client, control, segmented, info };
  }

  private transmit(f: HdlcFrame, now: number, await_ = true, redact?: [number, number][]): TransportOut[] {
    const bytes = encodeFrame(f);
    const summary = describeFrame(f);
    this.last = await_ ? { bytes, summary, redact } : undefined;
    this.retries = 0;
    this.rxBytes = 0;
    this.rxStartedAt = undefined;
    this.damaged = 0;
    this.deadline = await_ ? now + this.waitMs : Infinity;
    const out: TransportOut[] = [{ kind: 'send', bytes, summary, ...(redact ? { redact } : {}) }];
    if (await_) out.push({ kind: 'wakeAt', at: this.deadline });
    return out;
  }

  connect(now: number): TransportOut[] {
    this.state = 'connecting';
    this.vs = 0;
    this.vr = 0;
    this.reassembler.reset();
    this.deframer.reset();
    return this.transmit(this.frame({ kind: 'SNRM', pf: true }, encodeParameters(this.proposed)), now);
  }

  send(apdu: Uint8Array, now: number, _summary: string, redact?: [number, number][]): TransportOut[] {
    if (this.state !== 'connected') return [{ kind: 'error', error: new OmrError('INTERNAL', 'HDLC link not connected') }];
    const segs = segmentApdu(apdu, this.params.maxInfoTx, LLC_REQUEST);
    // Redaction ranges shift by the LLC header and split across segments.
    let offset = -LLC_REQUEST.length;
    this.outgoing = segs.map((s) => {
      const start = offset;
      offset += s.info.length;
      const r = (redact ?? []).map(([a, b]): [number, number] => [Math.max(a - start, 0), Math.min(b - start, s.info.length)]).filter(([a, b]) => a < b);
      return r.length ? { ...s, redact: r } : { ...s };
    });
    return this.sendNextSegment(now);
  }

  private sendNextSegment(now: number): TransportOut[] {
    const seg = this.outgoing.shift();
    if (!seg) return [];
    const f = this.frame({ kind: 'I', ns: this.vs, nr: this.vr, pf: true }, seg.info, seg.segmented);
    this.vs = (this.vs + 1) & 7;
    // Position of the information field inside the frame: flag, format (2), addresses, control, HCS (2).
    const infoAt = 1 + 2 + this.server.size + this.client.size + 1 + 2;
    // A frame that carries a secret (an LLS password) is redacted from its format field to its
    // FCS except the addresses and control: the length fields, the HCS and FCS and the BER lengths
    // around the password derive from it (with the FCS, an 8-digit password falls to a few
    // thousand candidates).
    const length = encodeFrame(f).length;
    const redact: [number, number][] | undefined = seg.redact?.length
      ? [
          [1, 3],
          [infoAt - 2, length - 1],
        ]
      : undefined;
    return this.transmit(f, now, true, redact);
  }

  disconnect(now: number): TransportOut[] {
    if (this.state === 'idle' || this.state === 'closed') {
      this.state = 'closed';
      return [{ kind: 'disconnected' }];
    }
    this.state = 'disconnecting';
    this.outgoing = [];
    return this.transmit(this.frame({ kind: 'DISC', pf: true }), now);
  }

  tick(now: number): TransportOut[] {
    if (!this.last) return [];
    // A timer may fire a little early: keep the deadline asked for, never drop it.
    if (now < this.deadline) return [{ kind: 'wakeAt', at: this.deadline }];
    // An answer has begun and bytes are still coming: repeating our frame would talk over it. It
    // gets the frame time to finish; a trickle that never makes a frame is SLOW_ANSWER, not
    // silence. A frame begun and then stalled (a damaged length field, a cut) is not an answer
    // under way: it takes the usual path (repeat, then HDLC_FCS).
    if (this.deframer.buffered > 0 && this.rxStartedAt !== undefined && this.state !== 'disconnecting') {
      const frameEnd = this.rxStartedAt + this.frameTimeout;
      const extended = this.deadline >= frameEnd;
      const quiet = now - this.lastRxAt;
      if (quiet < (extended ? this.timeout : this.timeout / 2)) {
        if (now < frameEnd) {
          this.deadline = frameEnd;
          return [{ kind: 'wakeAt', at: frameEnd }];
        }
        const detail = `${this.rxBytes} byte(s) in ${now - this.rxStartedAt} ms after ${this.last.summary}, still coming, and no complete frame (frame time ${this.frameTimeout} ms)`;
        this.last = undefined;
        this.deadline = Infinity;
        return [{ kind: 'error', error: new OmrError('SLOW_ANSWER', detail) }];
      }
    }
    if (this.retries >= this.retryLimit) {
      this.last = undefined;
      this.deadline = Infinity;
      if (this.state === 'disconnecting') {
        this.state = 'closed';
        return [{ kind: 'trace', summary: 'HDLC: no answer to DISC, link considered closed' }, { kind: 'disconnected' }];
      }
      if (this.state === 'connecting') {
        const detail = `no UA to the SNRM at server address ${formatAddress(this.server)} (client ${this.options.clientSap}) after ${this.connectRetries + 1} tries of ${this.connectTimeout} ms; usual addresses: ${USUAL_SERVER_ADDRESSES}`;
        return [{ kind: 'error', error: new OmrError('HDLC_NO_UA', detail) }];
      }
      return [{ kind: 'error', error: this.silenceError() }];
    }
    return this.retransmit(now, 'reaction timeout');
  }

  /** What the last try ended in: silence, or bytes that never made a frame for us. */
  private silenceError(): OmrError {
    const tries = `${this.maxRetries + 1} tries of ${this.timeout} ms`;
    if (this.damaged > 0) return new OmrError('HDLC_FCS', `${this.damaged} damaged frame(s) and no valid answer after ${tries}`);
    if (this.rxBytes > 0) return new OmrError('GARBLED', `${this.rxBytes} byte(s) received but no HDLC frame for this client after ${tries}`);
    return new OmrError('TIMEOUT_REACTION', `no HDLC answer after ${tries}`);
  }

  private retransmit(now: number, why: string): TransportOut[] {
    if (!this.last) return [];
    this.retries++;
    this.rxBytes = 0;
    this.rxStartedAt = undefined;
    this.deadline = now + this.waitMs;
    return [
      { kind: 'trace', summary: `HDLC: ${why}, repeating ${this.last.summary} (${this.retries}/${this.retryLimit})` },
      { kind: 'send', bytes: this.last.bytes, summary: `${this.last.summary} (repeat)`, ...(this.last.redact ? { redact: this.last.redact } : {}) },
      { kind: 'wakeAt', at: this.deadline },
    ];
  }

  receive(bytes: Uint8Array, now: number): TransportOut[] {
    const out: TransportOut[] = [];
    if (this.last && bytes.length) {
      this.rxBytes += bytes.length;
      this.rxStartedAt ??= now;
      this.lastRxAt = now;
    }
    for (const item of this.deframer.push(bytes)) {
      if (this.state === 'closed') break;
      if (item.kind === 'error') {
        this.damaged++;
        out.push({ kind: 'trace', summary: `HDLC: damaged frame dropped (${item.error.detail ?? item.error.code})` });
        if (this.last && this.retries < this.retryLimit) out.push(...this.retransmit(now, 'damaged frame'));
        continue;
      }
      // A whole frame came: the next one has its own frame time.
      this.rxStartedAt = this.deframer.buffered > 0 ? now : undefined;
      out.push(...this.onFrame(item.frame, now));
      if (out.some((o) => o.kind === 'error')) break;
    }
    return out;
  }

  /**
   * A sequence number disagreement: repeated up to the retry limit, then PROTOCOL_VIOLATION (a
   * meter that keeps acknowledging nothing, or keeps sending a frame we already have, would
   * otherwise be answered forever).
   */
  private sequenceError(detail: string, repeat: () => TransportOut[]): TransportOut[] {
    this.sequenceErrors++;
    if (this.sequenceErrors > this.maxRetries) {
      this.last = undefined;
      this.deadline = Infinity;
      this.state = 'closed';
      return [{ kind: 'error', error: new OmrError('PROTOCOL_VIOLATION', `${detail}, ${this.sequenceErrors} times in a row`) }];
    }
    return repeat();
  }

  private onFrame(f: HdlcFrame, now: number): TransportOut[] {
    if (!addressEquals(f.dest, this.client) || !addressEquals(f.src, this.server)) {
      return [{ kind: 'trace', summary: `HDLC: ignored ${describeFrame(f)} (not for this client; echo?)` }];
    }
    const c = f.control;
    const done = () => {
      this.last = undefined;
      this.deadline = Infinity;
    };
    switch (c.kind) {
      case 'UA':
        if (this.state === 'connecting') {
          done();
          const ua = decodeParameters(f.info);
          this.params = negotiated(this.proposed, ua);
          this.state = 'connected';
          return [
            {
              kind: 'connected',
              detail: `max info tx ${this.params.maxInfoTx} rx ${this.params.maxInfoRx}, window ${this.params.windowTx}/${this.params.windowRx}`,
            },
          ];
        }
        if (this.state === 'disconnecting') {
          done();
          this.state = 'closed';
          return [{ kind: 'disconnected' }];
        }
        return [{ kind: 'trace', summary: 'HDLC: unexpected UA ignored' }];
      case 'DM':
        done();
        if (this.state === 'disconnecting') {
          this.state = 'closed';
          return [{ kind: 'disconnected' }];
        }
        this.state = 'closed';
        return [{ kind: 'error', error: new OmrError('HDLC_REJECTED', 'DM: the meter refused or dropped the connection') }];
      case 'FRMR':
        done();
        this.state = 'closed';
        return [{ kind: 'error', error: new OmrError('HDLC_REJECTED', `FRMR ${hex(f.info)}`) }];
      case 'RR':
      case 'RNR':
        if (this.state !== 'connected') return [];
        if (c.kind === 'RR' && this.outgoing.length && c.nr === this.vs) {
          this.sequenceErrors = 0;
          return this.sendNextSegment(now);
        }
        if (c.kind === 'RR' && this.last && c.nr !== this.vs) {
          // The server did not get our last frame: repeat it (a bounded number of times).
          const nr = c.nr;
          return this.sequenceError(`RR N(R)=${nr} acknowledges none of our frames (V(S)=${this.vs})`, () =>
            this.retransmit(now, `RR N(R)=${nr} asks for a repeat`),
          );
        }
        return [{ kind: 'trace', summary: `HDLC: ${c.kind} N(R)=${c.nr}` }];
      case 'I': {
        if (this.state !== 'connected') return [{ kind: 'trace', summary: 'HDLC: I-frame outside a connection ignored' }];
        if (c.ns !== this.vr) {
          // A repeat of a frame we already have (our RR was lost): acknowledge again, a bounded
          // number of times; the deadline of the frame awaited is kept.
          const ns = c.ns;
          return this.sequenceError(`I-frame N(S)=${ns} where ${this.vr} was expected`, () => {
            const deadline = this.deadline;
            const retries = this.retries;
            const last = this.last;
            const out = this.transmit(this.frame({ kind: 'RR', nr: this.vr, pf: true }), now, true);
            if (last && deadline !== Infinity) {
              this.deadline = deadline;
              this.retries = retries;
            }
            return [
              { kind: 'trace', summary: `HDLC: duplicate I-frame N(S)=${ns} (expected ${this.vr})` },
              ...out.filter((o) => o.kind !== 'wakeAt'),
              { kind: 'wakeAt', at: this.deadline },
            ];
          });
        }
        this.sequenceErrors = 0;
        this.vr = (this.vr + 1) & 7;
        try {
          if (f.segmented) {
            this.reassembler.push(f.info, true);
            return this.transmit(this.frame({ kind: 'RR', nr: this.vr, pf: true }), now, true);
          }
          done();
          const apdu = this.reassembler.push(f.info, false)!;
          return [{ kind: 'apdu', apdu }];
        } catch (e) {
          done();
          return [{ kind: 'error', error: e instanceof OmrError ? e : new OmrError('DECODE_ERROR', String(e)) }];
        }
      }
      case 'UI':
        return [{ kind: 'trace', summary: 'HDLC: UI frame ignored' }];
      default:
        return [{ kind: 'trace', summary: `HDLC: ${c.kind} ignored` }];
    }
  }
}

// ---------------------------------------------------------------------------------------- wrapper

export interface WrapperTransportOptions {
  clientSap: number;
  /** Server wPort: the logical device (1 = management). */
  logicalDevice?: number;
  responseTimeoutMs?: number;
}

export function encodeWrapper(source: number, dest: number, apdu: Uint8Array): Uint8Array {
  return concat(new Writer().u16(1).u16(source).u16(dest).u16(apdu.length).finish(), apdu);
}

export class WrapperTransport implements DlmsTransport {
  private buf: Uint8Array = new Uint8Array(0);
  private deadline = Infinity;
  private readonly timeout: number;
  private readonly server: number;

  constructor(private readonly options: WrapperTransportOptions) {
    this.timeout = options.responseTimeoutMs ?? 5000;
    this.server = options.logicalDevice ?? 1;
  }

  get description(): string {
    return `wrapper wPort ${this.options.clientSap} → ${this.server}`;
  }

  connect(): TransportOut[] {
    this.buf = new Uint8Array(0);
    return [{ kind: 'connected', detail: 'wrapper (no link layer)' }];
  }

  send(apdu: Uint8Array, now: number, summary: string, redact?: [number, number][]): TransportOut[] {
    if (apdu.length > 0xffff) return [{ kind: 'error', error: new OmrError('INVALID_REQUEST', 'APDU too long for the wrapper') }];
    this.deadline = now + this.timeout;
    const r = redact?.map(([a, b]): [number, number] => [a + 8, b + 8]);
    return [
      { kind: 'send', bytes: encodeWrapper(this.options.clientSap, this.server, apdu), summary: `wrapper ${summary}`, ...(r ? { redact: r } : {}) },
      { kind: 'wakeAt', at: this.deadline },
    ];
  }

  receive(bytes: Uint8Array): TransportOut[] {
    this.buf = concat(this.buf, bytes);
    const out: TransportOut[] = [];
    while (this.buf.length >= 8) {
      const r = new Reader(this.buf);
      const version = r.u16();
      const source = r.u16();
      const dest = r.u16();
      const len = r.u16();
      if (version !== 1) {
        this.buf = new Uint8Array(0);
        out.push({ kind: 'error', error: new OmrError('DECODE_ERROR', `wrapper version ${version}`) });
        break;
      }
      if (this.buf.length < 8 + len) break;
      const apdu = this.buf.slice(8, 8 + len);
      this.buf = this.buf.slice(8 + len);
      if (source !== this.server || dest !== this.options.clientSap) {
        out.push({ kind: 'trace', summary: `wrapper: ignored APDU for wPort ${dest} from ${source}` });
        continue;
      }
      this.deadline = Infinity;
      out.push({ kind: 'apdu', apdu });
    }
    return out;
  }

  tick(now: number): TransportOut[] {
    if (this.deadline === Infinity) return [];
    if (now < this.deadline) return [{ kind: 'wakeAt', at: this.deadline }];
    this.deadline = Infinity;
    if (this.buf.length > 0)
      return [
        { kind: 'error', error: new OmrError('SLOW_ANSWER', `${this.buf.length} byte(s) of an answer within ${this.timeout} ms, and not the whole APDU`) },
      ];
    return [{ kind: 'error', error: new OmrError('TIMEOUT_REACTION', `no answer within ${this.timeout} ms`) }];
  }

  disconnect(): TransportOut[] {
    this.deadline = Infinity;
    return [{ kind: 'disconnected' }];
  }
}
