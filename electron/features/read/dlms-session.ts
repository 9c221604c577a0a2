/**
 * DLMS/COSEM sessions on an open link: an async API over the sans-IO {@link DlmsClient} run by a
 * {@link Driver}.
 *
 *   const s = new DlmsSession({ link, address, authentication });
 *   await s.connect();                 // SNRM/UA + AARQ/AARE (+ HLS-GMAC f(StoC)/f(CtoS))
 *   const results = await s.get([...]); // one result per attribute (GET-with-list, block transfer)
 *   await s.release();                 // RLRQ/RLRE + DISC/UA, also on cancel
 *
 * Secrets: the LLS password travels in the AARQ only, and the driver writes that frame to the
 * trace with the password bytes replaced by `**`. Keys never leave the client machine. The
 * invocation counter is not a secret: it is kept per meter, client and key in a small JSON file of
 * the data folder (features/settings/counters.ts) and read first with the public client
 * (dlms-counters.ts, {@link openAssociation}).
 */
import { OmrError, type ErrorCode, type ErrorInfo } from '../../../shared/errors';
import type { InvocationCounterStore } from '../settings/counters';
import { chooseCounter, counterCandidates, preReadCounter } from './dlms-counters';
import type { TraceEntry } from '../../../shared/types';
import type { ScalerUnit } from '../../engine/cosem/classes';
import { DlmsClient, type Authentication, type ClientSecurity, type DlmsClientEvent, type ResultItem } from '../../engine/dlms/client';
import { HdlcTransport, WrapperTransport, type DlmsTransport } from '../../engine/dlms/transport';
import { plainDataBlock, type DataBlock } from './profile-stream';
import type { AttributeRequest } from '../../engine/dlms/apdu';
import type { HdlcParameters } from '../../engine/hdlc/params';
import type { Link } from '../../link/types';
import { Driver } from '../../runtime/driver';

/** How the client reaches the meter's logical device. */
export interface DlmsAddress {
  /** Client SAP: 16 public client, 32 reading client (LLS), 1 management client (HLS). */
  clientSap: number;
  /** Server logical device (1 = management logical device). */
  serverLogical: number;
  /** Server physical address (HDLC lower address); undefined = a one-byte server address. */
  serverPhysical?: number;
  /** `hdlc` (optical port, HDLC over TCP) or `wrapper` (IEC 62056-47 over TCP). */
  framing?: 'hdlc' | 'wrapper';
  /** Reaction timeout of one exchange (ms). */
  responseTimeoutMs?: number;
  /** HDLC retransmissions before TIMEOUT_REACTION. */
  maxRetries?: number;
  hdlcParameters?: Partial<HdlcParameters>;
}

export const PUBLIC_CLIENT_SAP = 16;

export function makeTransport(a: DlmsAddress): DlmsTransport {
  if (a.framing === 'wrapper') {
    return new WrapperTransport({
      clientSap: a.clientSap,
      logicalDevice: a.serverLogical,
      ...(a.responseTimeoutMs ? { responseTimeoutMs: a.responseTimeoutMs } : {}),
    });
  }
  return new HdlcTransport({
    clientSap: a.clientSap,
    logicalDevice: a.serverLogical,
    ...(a.serverPhysical !== undefined ? { physicalAddress: a.serverPhysical } : {}),
    ...(a.responseTimeoutMs ? { responseTimeoutMs: a.responseTimeoutMs } : {}),
    ...(a.maxRetries !== undefined ? { maxRetries: a.maxRetries } : {}),
    ...(a.hdlcParameters ? { parameters: a.hdlcParameters } : {}),
  });
}

export interface AssociationInfo {
  conformance: number;
  serverMaxPduSize: number;
  serverSystemTitle?: string;
  mechanism: string;
}

export interface DlmsSessionOptions {
  link: Link;
  address: DlmsAddress;
  authentication: Authentication;
  security?: ClientSecurity;
  maxReceivePduSize?: number;
  onTrace?: (entry: TraceEntry) => void;
  /** Aborting it releases the association (RLRQ, DISC) and ends the session with CANCELLED. */
  signal?: AbortSignal;
  /** How long a release may take before the session is ended without it (ms, default 10 s). */
  releaseGraceMs?: number;
  /** HLS challenge source (tests). */
  random?: (n: number) => Uint8Array;
}

/**
 * Errors after which nothing more can be read in this association. DECODE_ERROR is not one: the
 * client gives it to the one object whose value did not decode, and ends the association on an
 * undecodable answer with PROTOCOL_VIOLATION instead.
 */
const SESSION_ENDING: ReadonlySet<ErrorCode> = new Set([
  'LINK_LOST',
  'TIMEOUT_REACTION',
  'SLOW_ANSWER',
  'GARBLED',
  'HDLC_FCS',
  'HDLC_REJECTED',
  'HDLC_NO_UA',
  'CANCELLED',
  'OPERATION_DEADLINE',
  'KEY_ERROR',
  'AUTH_REJECTED',
  'ASSOCIATION_REFUSED',
  'SECURITY',
  'PROTOCOL_VIOLATION',
  'TOO_LARGE',
  'INTERNAL',
]);
export function endsSession(code: ErrorCode): boolean {
  return SESSION_ENDING.has(code);
}

export class DlmsSession {
  readonly client: DlmsClient;
  private readonly driver: Driver<DlmsClientEvent>;
  /** scaler_unit of registers read in this session, by `obis/attribute-of-value`. */
  readonly scalers = new Map<string, ScalerUnit>();
  private pending = new Map<number, (r: ResultItem[]) => void>();
  /** The GET whose data blocks are handed over as they come (see {@link get}). */
  private blockListener: ((b: DataBlock) => void) | undefined;
  private started: Promise<void> | undefined;
  private associatedInfo: AssociationInfo | undefined;
  private onAssociated: ((i: AssociationInfo) => void) | undefined;
  private ended = false;
  private endError: OmrError | undefined;
  private released = false;
  private lastCounter: number | undefined;
  /** Damaged frames since the last complete answer (a TIMEOUT after these is reported as HDLC_FCS). */
  private damaged = 0;

  constructor(private readonly options: DlmsSessionOptions) {
    this.client = new DlmsClient({
      transport: this.watchBlocks(makeTransport(options.address)),
      authentication: options.authentication,
      ...(options.security ? { security: options.security } : {}),
      ...(options.maxReceivePduSize ? { maxReceivePduSize: options.maxReceivePduSize } : {}),
      ...(options.random ? { random: options.random } : {}),
    });
    this.driver = new Driver<DlmsClientEvent>(options.link, this.client, {
      onEvent: (e) => this.onEvent(e),
      onTrace: (t) => {
        if (t.dir === 'info' && t.summary.startsWith('HDLC: damaged frame')) this.damaged++;
        options.onTrace?.(t);
      },
      ...(options.signal ? { signal: options.signal } : {}),
      cancelGraceMs: options.releaseGraceMs ?? 10_000,
    });
  }

  /** The transport, with the plain GET data blocks it delivers shown to {@link blockListener}. */
  private watchBlocks(inner: DlmsTransport): DlmsTransport {
    const watch = (out: ReturnType<DlmsTransport['receive']>) => {
      const listener = this.blockListener;
      if (listener) {
        for (const o of out) {
          const b = o.kind === 'apdu' ? plainDataBlock(o.apdu) : undefined;
          if (b) listener(b);
        }
      }
      return out;
    };
    return {
      connect: (now) => inner.connect(now),
      send: (apdu, now, summary, redact) => inner.send(apdu, now, summary, redact),
      receive: (bytes, now) => watch(inner.receive(bytes, now)),
      tick: (now) => inner.tick(now),
      disconnect: (now) => inner.disconnect(now),
      get description() {
        return inner.description;
      },
    };
  }

  /** The association facts, once connected. */
  get info(): AssociationInfo | undefined {
    return this.associatedInfo;
  }

  /** The error that ended the session (undefined while it runs or after a clean release). */
  get failure(): OmrError | undefined {
    return this.endError;
  }

  get isOpen(): boolean {
    return !this.ended && this.associatedInfo !== undefined;
  }

  /** The last invocation counter used (ciphered contexts). */
  get lastInvocationCounter(): number | undefined {
    return this.lastCounter;
  }

  private onEvent(e: DlmsClientEvent): void {
    switch (e.type) {
      case 'associated': {
        const info: AssociationInfo = {
          conformance: e.conformance,
          serverMaxPduSize: e.serverMaxPduSize,
          mechanism: e.mechanism,
          ...(e.serverSystemTitle ? { serverSystemTitle: e.serverSystemTitle } : {}),
        };
        this.associatedInfo = info;
        this.onAssociated?.(info);
        break;
      }
      case 'result': {
        const resolve = this.pending.get(e.id);
        this.pending.delete(e.id);
        if (e.results.some((r) => r.ok)) this.damaged = 0;
        resolve?.(e.results);
        break;
      }
      case 'invocationCounter':
        this.lastCounter = e.used;
        break;
      case 'released':
        this.released = true;
        break;
      case 'unverified':
        this.options.onTrace?.({ t: new Date().toISOString(), dir: 'info', hex: '', summary: `warning: ${e.note}` });
        break;
    }
  }

  /** A TIMEOUT_REACTION right after damaged frames is a damaged line: HDLC_FCS says so. */
  private refine(e: OmrError): OmrError {
    if (e.code === 'TIMEOUT_REACTION' && this.damaged > 0)
      return new OmrError('HDLC_FCS', `${this.damaged} damaged frame${this.damaged > 1 ? 's' : ''}, then no valid answer`);
    return e;
  }

  private watchEnd(): Promise<void> {
    this.started ??= this.driver.start().then(
      () => {
        this.ended = true;
      },
      (e: unknown) => {
        this.ended = true;
        this.endError = this.refine(e instanceof OmrError ? e : new OmrError('INTERNAL', String(e)));
        // Requests still waiting (should not happen: the machine answers each) end with the error.
        for (const [, resolve] of this.pending) resolve([{ ok: false, error: this.endError.info() }]);
        this.pending.clear();
      },
    );
    return this.started;
  }

  /** Connect the link layer and associate. Rejects with AUTH_REJECTED, HDLC_REJECTED, TIMEOUT_REACTION… */
  connect(): Promise<AssociationInfo> {
    if (this.associatedInfo) return Promise.resolve(this.associatedInfo);
    return new Promise<AssociationInfo>((resolve, reject) => {
      this.onAssociated = resolve;
      void this.watchEnd().then(() => reject(this.endError ?? new OmrError('CANCELLED', 'the session ended before the association')));
    });
  }

  /**
   * Read attributes: one result per request, in order. Per-object failures (READ_DENIED,
   * OBJECT_UNDEFINED…) are results; when the session itself ends, every result still waiting
   * carries that error (see {@link failure}). `onBlock` sees each data block of a block-transfer
   * answer as it arrives (unciphered contexts; the whole value is still the result).
   */
  get(requests: AttributeRequest[], o: { onBlock?: (b: DataBlock) => void } = {}): Promise<ResultItem[]> {
    if (this.ended) {
      const e = this.endError ?? new OmrError('CANCELLED', 'the association was released');
      return Promise.resolve(requests.map(() => ({ ok: false as const, error: e.info() })));
    }
    // Data blocks are the answer to this GET only when no other GET is queued or under way.
    if (o.onBlock && this.pending.size) throw new OmrError('INTERNAL', 'a streamed GET must be the only one under way');
    return new Promise<ResultItem[]>((resolve) => {
      const { id, actions } = this.client.get(requests, Date.now());
      if (o.onBlock) this.blockListener = o.onBlock;
      this.pending.set(id, (results) => {
        if (o.onBlock) this.blockListener = undefined;
        resolve(results.map((r) => (r.ok ? r : { ok: false, error: this.refineInfo(r.error) })));
      });
      this.driver.push(actions);
    });
  }

  private refineInfo(e: ErrorInfo): ErrorInfo {
    if (e.code === 'TIMEOUT_REACTION' && this.damaged > 0) return this.refine(new OmrError(e.code, e.detail)).info();
    return e;
  }

  /**
   * End the association (RLRQ then DISC) and wait for it; never throws. `clean` is false when
   * the link was already gone or the meter did not answer in time.
   */
  async release(): Promise<{ clean: boolean }> {
    if (!this.started) return { clean: true };
    if (!this.ended) this.driver.cancel();
    await this.started;
    return { clean: this.released };
  }
}

// ------------------------------------------------------------------------- invocation counters

export { InvocationCounterStore } from '../settings/counters';

/** The security material of a ciphered association: keys and the client's system title. */
export interface DlmsKeys {
  systemTitle: Uint8Array;
  encryptionKey: Uint8Array;
  authenticationKey: Uint8Array;
}

export interface OpenAssociationOptions {
  link: Link;
  address: DlmsAddress;
  auth: 'none' | 'lls' | 'hls-gmac';
  /** LLS password (a secret: redacted in the trace). */
  password?: string;
  keys?: DlmsKeys;
  counters?: InvocationCounterStore;
  /** A name under which this meter's counter may already be stored (serial number or system title). */
  meterKey?: string;
  /** The key id the counter is stored under (default: the store's HMAC of the keys). */
  keyId?: string;
  /** The invocation counter object read with the public client (default: 0-0:43.1.<client SAP>, 0-0:43.1.0). */
  counterObis?: string;
  onTrace?: (entry: TraceEntry) => void;
  /** Something worth telling the technician (not an error). */
  onNote?: (text: string) => void;
  signal?: AbortSignal;
  releaseGraceMs?: number;
  random?: (n: number) => Uint8Array;
  /**
   * Runs between the public pre-read and the main association (HLS): over mode E the meter goes
   * back to IEC 62056-21 after the DISC, so the handshake is done again here.
   */
  between?: () => Promise<void>;
}

export interface OpenedAssociation {
  session: DlmsSession;
  /** Serial number read with the public client (HLS pre-read), when it was. */
  serial?: string;
  /** Call when done with the session: stores the invocation counter (HLS). */
  finish(): void;
}

/**
 * Create and connect a session with the chosen client. For HLS-GMAC without a known counter,
 * the public client first reads the serial number and the invocation counter (then releases).
 * AUTH_REJECTED is never retried.
 */
export async function openAssociation(o: OpenAssociationOptions): Promise<OpenedAssociation> {
  const common = {
    link: o.link,
    ...(o.onTrace ? { onTrace: o.onTrace } : {}),
    ...(o.signal ? { signal: o.signal } : {}),
    ...(o.releaseGraceMs ? { releaseGraceMs: o.releaseGraceMs } : {}),
  };
  if (o.auth !== 'hls-gmac') {
    if (o.auth === 'lls' && !o.password) throw new OmrError('INVALID_REQUEST', 'LLS needs a password');
    const authentication: Authentication = o.auth === 'lls' ? { mechanism: 'lls', password: new TextEncoder().encode(o.password) } : { mechanism: 'none' };
    const session = new DlmsSession({ ...common, address: o.address, authentication });
    await session.connect();
    return { session, finish: () => undefined };
  }
  const keys = o.keys;
  if (!keys) throw new OmrError('INVALID_REQUEST', 'HLS-GMAC needs the keys and the client system title (key file)');
  const candidates = counterCandidates(o.address.clientSap, o.counterObis);
  const scope = o.counters ? { clientSap: o.address.clientSap, keyId: o.keyId ?? o.counters.keyId(keys) } : undefined;
  let counter = o.meterKey && scope ? o.counters?.get(o.meterKey, scope) : undefined;
  let serial: string | undefined;
  if (counter === undefined) {
    const pub = new DlmsSession({ ...common, address: { ...o.address, clientSap: PUBLIC_CLIENT_SAP }, authentication: { mechanism: 'none' } });
    try {
      await pub.connect();
      const pre = await preReadCounter(pub, candidates);
      if (pub.failure) throw pub.failure;
      serial = pre.serial;
      const stored = scope
        ? ((serial ? o.counters?.get(serial, scope) : undefined) ?? (o.meterKey ? o.counters?.get(o.meterKey, scope) : undefined))
        : undefined;
      const chosen = chooseCounter(pre, stored);
      counter = chosen.counter;
      o.onNote?.(chosen.note);
    } finally {
      await pub.release();
    }
    if (o.signal?.aborted) throw new OmrError('CANCELLED');
    await o.between?.();
  }
  const session = new DlmsSession({
    ...common,
    address: o.address,
    authentication: { mechanism: 'hls-gmac' },
    security: {
      systemTitle: keys.systemTitle,
      keys: { encryptionKey: keys.encryptionKey, authenticationKey: keys.authenticationKey },
      invocationCounter: counter,
    },
    ...(o.random ? { random: o.random } : {}),
  });
  const finish = () => {
    const used = session.lastInvocationCounter;
    if (used === undefined || !o.counters || !scope) return;
    const title = session.info?.serverSystemTitle;
    o.counters.remember({ ...(title ? { systemTitle: title } : {}), aliases: [serial, o.meterKey] }, scope, used + 1);
  };
  try {
    await session.connect();
  } catch (e) {
    finish(); // counters used by a refused association are spent too
    throw e;
  }
  return { session, ...(serial ? { serial } : {}), finish };
}
