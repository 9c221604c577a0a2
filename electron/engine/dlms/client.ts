/**
 * A sans-IO DLMS/COSEM client (logical-name referencing) implementing the engine's Machine
 * interface: transport connect (HDLC SNRM/UA or the wrapper) → AARQ/AARE (none, LLS, HLS-GMAC with
 * the f(StoC)/f(CtoS) exchange) → a queue of GET jobs the caller adds while associated → release
 * (RLRQ, then the transport disconnect).
 *
 * Close variant of Machine: `get(requests, now)` is an extra entry point that returns the job id
 * with the actions to carry out (the driver's `push(actions)` takes them). Results come back as
 * events `{ type: 'result', id, results }`, one result per requested attribute, in order.
 * Block transfer is followed to the end; GET-with-list is used when the meter's conformance
 * allows it, with lists split to respect its max PDU size.
 *
 * The invocation counter (ciphered contexts) is an input kept per meter by the service layer;
 * the machine reports every counter it used (`invocationCounter` event and getter).
 */
import { randomBytes } from 'node:crypto';
import { errorInfo, OmrError } from '../../../shared/errors';
import type { Action, Machine } from '../machine';
import { aareRejection, decodeAare, decodeRlre, describeAarq, encodeAarqWithSecrets, encodeRlrq, type ApplicationContext, type Mechanism } from './acse';
import { hex } from './bytes';
import { DEFAULT_LN_CONFORMANCE, hasConformance } from './conformance';
import { formatObis, parseObis } from './obis-code';
import { AssociationLn, CURRENT_ASSOCIATION_LN } from '../cosem/registry';
import { cipherApdu, hlsGmac, isCipheredTag, verifyHlsGmac } from './security';
import { AssociationProtection } from './client-security';
import type { DlmsTransport, TransportOut } from './transport';
import { DEFAULT_EXCHANGE_TIMEOUT_MS, DEFAULT_MAX_ANSWER_BYTES, type DlmsClientEvent, type DlmsClientOptions, type ResultItem } from './client-options';
import { dataAccessError, TAG, type AttributeRequest, type GetDataResult } from './apdu';
import { decodeInitiateResponse, encodeInitiateRequest } from './initiate';
import { decodeConfirmedServiceError, serviceErrorOf } from './exception';
import { encodeGetRequest, planGetRequests } from './get';
import { stepGetAnswer } from './get-answer';
import { decodeActionResponse, encodeActionRequest } from './action';

export type { Authentication, ClientSecurity, DlmsClientEvent, DlmsClientOptions, ResultItem } from './client-options';
export { describeResult } from './client-options';

type State = 'init' | 'connecting' | 'associating' | 'authenticating' | 'ready' | 'busy' | 'releasing' | 'disconnecting' | 'done' | 'failed';

interface Job {
  id: number;
  requests: AttributeRequest[];
  results: (ResultItem | undefined)[];
  /** Chunks of request indexes still to ask for, one GET each. */
  chunks: number[][];
}

interface InFlight {
  job: Job;
  chunk: number[];
  invokeId: number;
  list: boolean;
  nextBlock: number;
  blocks: Uint8Array[];
  /** Bytes in `blocks`. */
  size: number;
}

type A = Action<DlmsClientEvent>;

export class DlmsClient implements Machine<DlmsClientEvent> {
  private state: State = 'init';
  private readonly transport: DlmsTransport;
  private readonly context: ApplicationContext;
  private invocationCounter: number | undefined;
  private lastUsedCounter: number | undefined;
  private serverSystemTitle: Uint8Array | undefined;
  private conformance = 0;
  private serverMaxPdu = 0xffff;
  private challenge: Uint8Array | undefined;
  private jobs: Job[] = [];
  private inFlight: InFlight | undefined;
  private nextJobId = 1;
  private invokeId = 0;
  private releaseRequested = false;
  private readonly protection: AssociationProtection;
  /** The link layer's own wake-up (retransmission, frame time), and the exchange deadline. */
  private transportWake = Infinity;
  private exchangeDeadline = Infinity;
  private exchangeWhat = '';
  private readonly exchangeTimeout: number;
  private readonly maxAnswerBytes: number;

  constructor(private readonly options: DlmsClientOptions) {
    this.transport = options.transport;
    this.context = options.security ? 'ln-ciphering' : 'ln-no-ciphering';
    if (options.authentication.mechanism === 'hls-gmac' && !options.security) throw new OmrError('INVALID_REQUEST', 'HLS-GMAC needs the security keys and system title');
    this.invocationCounter = options.security?.invocationCounter;
    this.protection = new AssociationProtection(options.security);
    this.exchangeTimeout = options.exchangeTimeoutMs ?? DEFAULT_EXCHANGE_TIMEOUT_MS;
    this.maxAnswerBytes = options.maxAnswerBytes ?? DEFAULT_MAX_ANSWER_BYTES;
  }

  /** The last invocation counter used in a ciphered APDU (undefined before the first). */
  get lastInvocationCounter(): number | undefined {
    return this.lastUsedCounter;
  }

  get associated(): boolean {
    return this.state === 'ready' || this.state === 'busy';
  }

  /** Negotiated conformance block (after the AARE). */
  get negotiatedConformance(): number {
    return this.conformance;
  }

  // ------------------------------------------------------------------------------ Machine API

  start(now: number): A[] {
    this.state = 'connecting';
    return this.guard(now, () => this.run(this.transport.connect(now), now));
  }

  receive(bytes: Uint8Array, now: number): A[] {
    if (this.state === 'done' || this.state === 'failed') return [];
    return this.guard(now, () => this.run(this.transport.receive(bytes, now), now));
  }

  tick(now: number): A[] {
    if (this.state === 'done' || this.state === 'failed') return [];
    return this.guard(now, () => {
      if (now >= this.exchangeDeadline && this.awaiting()) {
        const what = this.exchangeWhat;
        const blocks = this.inFlight?.blocks.length ? ` (${this.inFlight.blocks.length} data blocks, ${this.inFlight.size} bytes so far)` : '';
        return this.fail(new OmrError('OPERATION_DEADLINE', `${what}: no complete answer within ${this.exchangeTimeout} ms${blocks}`), now);
      }
      if (now >= this.transportWake) this.transportWake = Infinity; // the transport asks again if it still waits
      return this.run(this.transport.tick(now), now);
    });
  }

  /** An answer is awaited from the meter (association, HLS, a GET, a block). */
  private awaiting(): boolean {
    return this.state === 'associating' || this.state === 'authenticating' || (this.state === 'busy' && !!this.inFlight);
  }

  /** Start the deadline of one exchange (request → whole answer APDU). */
  private startExchange(now: number, what: string): void {
    this.exchangeDeadline = now + this.exchangeTimeout;
    this.exchangeWhat = what;
  }

  /**
   * A machine never throws: anything thrown becomes a 'fail' action. The one timer the driver
   * keeps is set to the earlier of the link layer's wake-up and the exchange deadline.
   */
  private guard(now: number, fn: () => A[]): A[] {
    let out: A[];
    try {
      out = fn();
    } catch (e) {
      out = this.fail(e, now);
    }
    return this.withWake(out);
  }

  private withWake(out: A[]): A[] {
    const kept: A[] = out.filter((a) => a.type !== 'wakeAt');
    if (this.state === 'done' || this.state === 'failed') return kept;
    if (!this.awaiting()) this.exchangeDeadline = Infinity;
    const at = Math.min(this.transportWake, this.exchangeDeadline);
    if (Number.isFinite(at)) kept.push({ type: 'wakeAt', at });
    return kept;
  }

  lineChanged(): A[] {
    return [];
  }

  /** The link is gone: every request still waiting gets the error as its result. */
  linkLost(error: OmrError): A[] {
    if (this.state === 'done' || this.state === 'failed') return [];
    const out: A[] = [];
    for (const job of this.jobs) {
      this.finishJobWithError(job, error);
      out.push(...this.resultEvent(job));
    }
    this.jobs = [];
    this.inFlight = undefined;
    this.state = 'failed';
    return out;
  }

  cancel(now: number): A[] {
    return this.release(now);
  }

  /** Release the association (RLRQ) and the link (DISC) once the current exchange is over. */
  release(now: number): A[] {
    if (this.state === 'done' || this.state === 'failed' || this.state === 'releasing' || this.state === 'disconnecting') return [];
    this.releaseRequested = true;
    for (const job of this.jobs) this.finishJobWithError(job, new OmrError('CANCELLED'));
    const out: A[] = this.jobs.flatMap((j) => this.resultEvent(j));
    this.jobs = [];
    if (this.state === 'ready') return this.withWake([...out, ...this.sendRelease(now)]);
    if (this.state === 'busy') return out; // released when the answer in flight arrives
    // Not associated yet: just drop the link.
    this.state = 'disconnecting';
    return this.withWake([...out, ...this.run(this.transport.disconnect(now), now)]);
  }

  /** Queue GET requests (one result per request). Returns the job id and the actions to carry out. */
  get(requests: AttributeRequest[], now: number): { id: number; actions: A[] } {
    const id = this.nextJobId++;
    for (const r of requests) if (typeof r.obis === 'string') parseObis(r.obis); // validate early (INVALID_REQUEST)
    const job: Job = { id, requests, results: requests.map(() => undefined), chunks: [] };
    if (this.releaseRequested || this.state === 'done' || this.state === 'failed') {
      this.finishJobWithError(job, new OmrError('CANCELLED', 'the association is being released'));
      return { id, actions: this.resultEvent(job) };
    }
    job.chunks = this.plan(requests);
    if (requests.length === 0) return { id, actions: this.resultEvent(job) };
    this.jobs.push(job);
    return { id, actions: this.state === 'ready' ? this.guard(now, () => this.pump(now)) : [] };
  }

  // ------------------------------------------------------------------------------- internals

  /** Split a job into GETs: lists when multiple-references is negotiated, within the PDU size. */
  private plan(requests: AttributeRequest[]): number[][] {
    return planGetRequests(requests, { withList: hasConformance(this.conformance, 'multiple-references'), serverMaxPdu: this.serverMaxPdu, ciphered: !!this.options.security });
  }

  private nextInvokeId(): number {
    this.invokeId = (this.invokeId % 15) + 1;
    return this.invokeId;
  }

  private resultEvent(job: Job): A[] {
    return [{ type: 'event', event: { type: 'result', id: job.id, results: job.results.map((r) => r ?? { ok: false, error: errorInfo('INTERNAL', 'no result') }) } }];
  }

  private finishJobWithError(job: Job, e: OmrError, indexes?: number[]): void {
    for (const i of indexes ?? job.requests.map((_, k) => k)) if (!job.results[i]) job.results[i] = { ok: false, error: e.info() };
  }

  /** Start the next GET when idle. */
  private pump(now: number): A[] {
    if (this.state !== 'ready') return [];
    if (this.releaseRequested) return this.sendRelease(now);
    const job = this.jobs[0];
    if (!job) return [];
    const chunk = job.chunks.shift();
    if (!chunk) {
      this.jobs.shift();
      return [...this.resultEvent(job), ...this.pump(now)];
    }
    const invokeId = this.nextInvokeId();
    const list = chunk.length > 1;
    const apdu = list
      ? encodeGetRequest({ type: 'with-list', invokeId, requests: chunk.map((i) => job.requests[i]!) })
      : encodeGetRequest({ type: 'normal', invokeId, request: job.requests[chunk[0]!]! });
    this.inFlight = { job, chunk, invokeId, list, nextBlock: 1, blocks: [], size: 0 };
    this.state = 'busy';
    const what = chunk.map((i) => `${formatObis(typeof job.requests[i]!.obis === 'string' ? parseObis(job.requests[i]!.obis as string) : (job.requests[i]!.obis as number[]))}/${job.requests[i]!.attribute}`).join(', ');
    this.startExchange(now, `GET ${what}`);
    return this.sendApdu(apdu, now, `GET${list ? ' with-list' : ''} ${what}`);
  }

  private sendApdu(plain: Uint8Array, now: number, summary: string, redact?: [number, number][]): A[] {
    let apdu = plain;
    const out: A[] = [];
    if (this.options.security && plain[0] !== 0x60 && plain[0] !== 0x62) {
      const ic = this.useCounter();
      apdu = cipherApdu(plain, this.options.security.systemTitle, ic, this.options.security.keys, { securityControl: this.options.security.securityControl ?? 0x30 });
      out.push({ type: 'event', event: { type: 'invocationCounter', used: ic } });
      summary = `${summary} (glo-ciphered, IC ${ic})`;
    }
    out.unshift({ type: 'trace', summary });
    return [...out, ...this.run(this.transport.send(apdu, now, summary, redact), now)];
  }

  private useCounter(): number {
    if (this.invocationCounter === undefined) throw new OmrError('KEY_ERROR', 'no invocation counter');
    if (this.invocationCounter > 0xffffffff) throw new OmrError('KEY_ERROR', 'invocation counter exhausted');
    const ic = this.invocationCounter;
    this.invocationCounter = ic + 1;
    this.lastUsedCounter = ic;
    return ic;
  }

  private sendAarq(now: number): A[] {
    const sec = this.options.security;
    const auth = this.options.authentication;
    const initiate = encodeInitiateRequest({ conformance: this.options.conformance ?? DEFAULT_LN_CONFORMANCE, maxReceivePduSize: this.options.maxReceivePduSize ?? 1024 });
    const events: A[] = [];
    let userInformation = initiate;
    if (sec) {
      const ic = this.useCounter();
      userInformation = cipherApdu(initiate, sec.systemTitle, ic, sec.keys, { securityControl: sec.securityControl ?? 0x30 });
      events.push({ type: 'event', event: { type: 'invocationCounter', used: ic } });
    }
    let authenticationValue: Uint8Array | undefined;
    if (auth.mechanism === 'lls') authenticationValue = auth.password;
    if (auth.mechanism === 'hls-gmac') {
      this.challenge = (this.options.random ?? ((n: number) => new Uint8Array(randomBytes(n))))(this.options.challengeLength ?? 16);
      authenticationValue = this.challenge;
    }
    const aarq = {
      context: this.context,
      mechanism: auth.mechanism as Mechanism,
      ...(sec ? { callingApTitle: sec.systemTitle } : {}),
      ...(authenticationValue ? { authenticationValue } : {}),
      userInformation,
    };
    const { bytes, secret } = encodeAarqWithSecrets(aarq);
    this.state = 'associating';
    this.protection.reset();
    this.startExchange(now, 'AARQ');
    // The LLS password is a secret: redacted in the trace. (An HLS challenge is not secret.)
    const redact = auth.mechanism === 'lls' && secret ? [secret] : undefined;
    return [{ type: 'trace', summary: describeAarq(aarq) }, ...events, ...this.run(this.transport.send(bytes, now, 'AARQ', redact), now)];
  }

  private sendRelease(now: number): A[] {
    this.state = 'releasing';
    // In a ciphered association the RLRQ carries a ciphered InitiateRequest (meters refuse a
    // release in clear there: Gurux answers it with an exception-response).
    const sec = this.options.security;
    if (sec && this.invocationCounter !== undefined) {
      const initiate = encodeInitiateRequest({ conformance: this.options.conformance ?? DEFAULT_LN_CONFORMANCE, maxReceivePduSize: this.options.maxReceivePduSize ?? 1024 });
      const ic = this.useCounter();
      const userInformation = cipherApdu(initiate, sec.systemTitle, ic, sec.keys, { securityControl: sec.securityControl ?? 0x30 });
      return [{ type: 'trace', summary: `RLRQ normal (glo-ciphered user-information, IC ${ic})` }, { type: 'event', event: { type: 'invocationCounter', used: ic } }, ...this.run(this.transport.send(encodeRlrq({ reason: 0, userInformation }), now, 'RLRQ'), now)];
    }
    return [{ type: 'trace', summary: 'RLRQ normal' }, ...this.run(this.transport.send(encodeRlrq(), now, 'RLRQ'), now)];
  }

  private fail(e: unknown, now: number, disconnect = true): A[] {
    let error = e instanceof OmrError ? e : new OmrError('INTERNAL', (e as Error)?.message ?? String(e));
    // An answer that cannot be decoded as a whole ends the association: the meter broke the
    // protocol. (An object's value that cannot be decoded is that object's DECODE_ERROR only.)
    if (error.code === 'DECODE_ERROR') error = new OmrError('PROTOCOL_VIOLATION', `undecodable answer: ${error.detail ?? error.message}`, { cause: error });
    const out: A[] = [];
    if (this.inFlight) {
      this.finishJobWithError(this.inFlight.job, error);
      this.inFlight.job.chunks = [];
    }
    for (const job of this.jobs) {
      this.finishJobWithError(job, error);
      out.push(...this.resultEvent(job));
    }
    this.jobs = [];
    this.inFlight = undefined;
    const wasConnected = this.state !== 'connecting' && this.state !== 'init';
    this.state = 'failed';
    if (disconnect && wasConnected) {
      // Say goodbye to the link (DISC) on a best-effort basis before failing.
      for (const t of this.transport.disconnect(now)) if (t.kind === 'send') out.push({ type: 'send', bytes: t.bytes, summary: t.summary });
    }
    out.push({ type: 'fail', error });
    return out;
  }

  /** Turn transport output into machine actions, handling the APDUs. */
  private run(items: TransportOut[], now: number): A[] {
    const out: A[] = [];
    for (const t of items) {
      if (this.state === 'done' || this.state === 'failed') break;
      switch (t.kind) {
        case 'send':
          out.push(t.redact ? { type: 'send', bytes: t.bytes, summary: t.summary, redact: t.redact } : { type: 'send', bytes: t.bytes, summary: t.summary });
          break;
        case 'wakeAt':
          this.transportWake = t.at;
          out.push({ type: 'wakeAt', at: t.at });
          break;
        case 'trace':
          out.push({ type: 'trace', summary: t.summary });
          break;
        case 'connected':
          out.push({ type: 'trace', summary: `link up: ${t.detail}` });
          if (this.state === 'connecting') out.push(...this.sendAarq(now));
          break;
        case 'disconnected':
          if (this.state === 'disconnecting' || this.state === 'releasing') {
            this.state = 'done';
            out.push({ type: 'event', event: { type: 'released' } }, { type: 'done' });
          } else out.push(...this.fail(new OmrError('LINK_LOST', 'the link was closed'), now, false));
          break;
        case 'error':
          if (this.state === 'releasing' || this.state === 'disconnecting') {
            // No answer to RLRQ/DISC: the session is over anyway.
            out.push({ type: 'trace', summary: `release: ${t.error.message}` });
            if (this.state === 'releasing') {
              this.state = 'disconnecting';
              out.push(...this.run(this.transport.disconnect(now), now));
            } else {
              this.state = 'done';
              out.push({ type: 'event', event: { type: 'released' } }, { type: 'done' });
            }
          } else out.push(...this.fail(t.error, now, t.error.code !== 'HDLC_REJECTED' && t.error.code !== 'HDLC_NO_UA'));
          break;
        case 'apdu':
          try {
            out.push(...this.onApdu(t.apdu, now));
          } catch (e) {
            out.push(...this.fail(e, now));
          }
          break;
      }
    }
    return out;
  }

  /** The plain APDU inside what the meter sent, under the association's protection rules. */
  private decipher(apdu: Uint8Array, what: string): { plain: Uint8Array; actions: A[] } {
    const o = this.protection.open(apdu, this.serverSystemTitle, what);
    const actions: A[] = o.trace ? [{ type: 'trace', summary: o.trace }] : [];
    if (o.unverified) actions.push({ type: 'event', event: { type: 'unverified', note: o.unverified } });
    return { plain: o.plain, actions };
  }

  private onApdu(raw: Uint8Array, now: number): A[] {
    const tag = raw[0];
    if (this.state === 'associating') {
      if (tag !== 0x61) throw new OmrError('PROTOCOL_VIOLATION', `AARE expected, got APDU 0x${(tag ?? 0).toString(16)}`);
      return this.onAare(raw, now);
    }
    if (this.state === 'releasing') {
      if (tag === 0x63) {
        // An RLRE is the end of the association even when its fields do not decode (Gurux's
        // example server sends BER lengths longer than the RLRE in a ciphered association).
        let summary: string;
        try {
          summary = `RLRE reason ${decodeRlre(raw).reason ?? 'none'}`;
        } catch (e) {
          summary = `RLRE not decoded (${e instanceof OmrError ? (e.detail ?? e.code) : String(e)}), taken as the release`;
        }
        this.state = 'disconnecting';
        return [{ type: 'trace', summary }, ...this.run(this.transport.disconnect(now), now)];
      }
      if (tag === TAG.exceptionResponse || tag === TAG.confirmedServiceError || (tag !== undefined && isCipheredTag(tag) && !this.inFlight)) {
        // The meter refused the RLRQ: the association ends with the link all the same, at once.
        this.state = 'disconnecting';
        return [{ type: 'trace', summary: `RLRQ refused (APDU 0x${(tag ?? 0).toString(16)}): disconnecting` }, ...this.run(this.transport.disconnect(now), now)];
      }
      // An answer to a request in flight before the release: ignore it and keep releasing.
      return [{ type: 'trace', summary: `release: ignored APDU 0x${(tag ?? 0).toString(16)}` }];
    }
    const { plain, actions } = this.decipher(raw, this.state === 'authenticating' ? 'HLS ACTION.response' : 'answer');
    const ptag = plain[0];
    if (this.state === 'authenticating') {
      if (ptag === TAG.actionResponse) return [...actions, ...this.onHlsReply(plain, now)];
      return [...actions, ...this.fail(serviceErrorOf(plain) ?? new OmrError('PROTOCOL_VIOLATION', `unexpected APDU 0x${(ptag ?? 0).toString(16)} during HLS`), now)];
    }
    if (this.state === 'busy' && this.inFlight) return [...actions, ...this.onGetAnswer(plain, now)];
    return [...actions, { type: 'trace', summary: `ignored APDU 0x${(ptag ?? 0).toString(16)}` }];
  }

  private onAare(raw: Uint8Array, now: number): A[] {
    const a = decodeAare(raw);
    const out: A[] = [{ type: 'trace', summary: `AARE ${a.resultName} (${a.diagnosticSource}: ${a.diagnosticName})` }];
    if (a.respondingApTitle) this.serverSystemTitle = a.respondingApTitle;
    if (a.result !== 0) {
      if (a.userInformation && !a.serviceError && isCipheredTag(a.userInformation[0] ?? -1) && this.options.security) {
        try {
          const d = this.decipher(a.userInformation, 'AARE user-information');
          const se = d.plain[0] === TAG.confirmedServiceError ? decodeConfirmedServiceError(d.plain) : undefined;
          if (se) a.serviceError = se;
        } catch {
          // keep the plain rejection
        }
      }
      return [...out, ...this.fail(aareRejection(a, this.options.authentication.mechanism), now)];
    }
    if (a.context !== undefined && a.context !== this.context) {
      throw new OmrError(this.protection.ciphered ? 'SECURITY' : 'PROTOCOL_VIOLATION', `the AARE accepts application context ${a.context} where ${this.context} was asked for`);
    }
    // In a ciphered context the InitiateResponse must come ciphered (glo-initiate-response) with
    // the association's security control: a plain one is SECURITY (see client-security.ts).
    if (!a.userInformation) throw new OmrError('PROTOCOL_VIOLATION', 'AARE without InitiateResponse');
    const d = this.decipher(a.userInformation, 'AARE InitiateResponse');
    out.push(...d.actions);
    if (d.plain[0] !== TAG.initiateResponse) throw new OmrError('PROTOCOL_VIOLATION', `AARE accepted with APDU 0x${(d.plain[0] ?? 0).toString(16)} where the InitiateResponse belongs`);
    const initiate = decodeInitiateResponse(d.plain);
    this.conformance = initiate.conformance;
    this.serverMaxPdu = initiate.maxReceivePduSize || 0xffff;
    const auth = this.options.authentication;
    if (auth.mechanism === 'hls-gmac') {
      const stoc = a.respondingAuthenticationValue;
      if (!stoc || !this.serverSystemTitle) return [...out, ...this.fail(new OmrError('AUTH_REJECTED', 'HLS: the meter sent no challenge or no system title'), now)];
      const sec = this.options.security!;
      const ic = this.useCounter();
      const f = hlsGmac(sec.systemTitle, ic, sec.keys, stoc);
      out.push({ type: 'event', event: { type: 'invocationCounter', used: ic } });
      this.state = 'authenticating';
      this.startExchange(now, 'HLS pass 3 (reply_to_HLS_authentication)');
      const action = encodeActionRequest({ invokeId: this.nextInvokeId(), classId: AssociationLn.id, obis: CURRENT_ASSOCIATION_LN, method: AssociationLn.method.reply_to_HLS_authentication, parameters: { type: 'octet-string', value: hex(f) } });
      return [...out, ...this.sendApdu(action, now, 'ACTION reply_to_HLS_authentication f(StoC)')];
    }
    return [...out, ...this.becomeReady(now)];
  }

  private becomeReady(now: number): A[] {
    this.state = 'ready';
    const ev: DlmsClientEvent = {
      type: 'associated',
      conformance: this.conformance,
      serverMaxPduSize: this.serverMaxPdu,
      mechanism: this.options.authentication.mechanism,
      ...(this.serverSystemTitle ? { serverSystemTitle: hex(this.serverSystemTitle) } : {}),
    };
    // Jobs queued before the association are re-planned with the negotiated conformance.
    for (const job of this.jobs) if (!this.inFlight || this.inFlight.job !== job) job.chunks = this.plan(job.requests);
    return [{ type: 'event', event: ev }, ...this.pump(now)];
  }

  private onHlsReply(plain: Uint8Array, now: number): A[] {
    const r = decodeActionResponse(plain);
    if (r.result !== 0) return this.fail(new OmrError('AUTH_REJECTED', `HLS: ${r.resultName}`), now);
    const data = r.returnData;
    if (!data || !data.ok || data.value.type !== 'octet-string') return this.fail(new OmrError('SECURITY', 'HLS: the meter returned no f(CtoS) octet string'), now);
    const bytes = Uint8Array.from((data.value.value.match(/../g) ?? []).map((h) => parseInt(h, 16)));
    verifyHlsGmac(bytes, this.serverSystemTitle!, this.options.security!.keys, this.challenge!, this.protection.suite);
    return [{ type: 'trace', summary: 'HLS-GMAC: the meter proved the key' }, ...this.becomeReady(now)];
  }

  private onGetAnswer(plain: Uint8Array, now: number): A[] {
    const f = this.inFlight!;
    const err = serviceErrorOf(plain);
    if (err) {
      this.finishJobWithError(f.job, err, f.chunk);
      return this.completeChunk(now);
    }
    const step = stepGetAnswer(plain, f, this.maxAnswerBytes);
    switch (step.kind) {
      case 'fatal':
        return this.fail(step.error, now);
      case 'error':
        this.finishJobWithError(f.job, step.error, f.chunk);
        return this.completeChunk(now);
      case 'split':
        // Only the object at fault should fail: each attribute of the list is asked on its own.
        f.job.chunks.unshift(...f.chunk.map((i) => [i]));
        return [{ type: 'trace', summary: `GET.response with-list not usable (${step.why}): asking each of its ${f.chunk.length} attributes on its own` }, ...this.completeChunk(now)];
      case 'results':
        this.store(f, step.results);
        return [...(step.trace ? [{ type: 'trace', summary: step.trace } as A] : []), ...this.completeChunk(now)];
      case 'next':
        if (this.releaseRequested) {
          this.finishJobWithError(f.job, new OmrError('CANCELLED'), f.chunk);
          return this.completeChunk(now);
        }
        this.startExchange(now, `${this.exchangeWhat.replace(/ \(block \d+\)$/, '')} (block ${step.blockNumber + 1})`);
        return this.sendApdu(encodeGetRequest({ type: 'next', invokeId: f.invokeId, blockNumber: step.blockNumber }), now, `GET next (block ${step.blockNumber} received)`);
    }
  }

  private store(f: InFlight, results: GetDataResult[]): void {
    results.forEach((res, k) => {
      const i = f.chunk[k];
      if (i === undefined) return;
      const req = f.job.requests[i]!;
      const what = `${typeof req.obis === 'string' ? req.obis : formatObis(req.obis)} attribute ${req.attribute}`;
      f.job.results[i] = res.ok ? { ok: true, value: res.value } : { ok: false, error: dataAccessError(res.dar, what).info() };
    });
  }

  private completeChunk(now: number): A[] {
    this.inFlight = undefined;
    this.state = 'ready';
    return this.pump(now);
  }
}
