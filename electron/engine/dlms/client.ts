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
 *
 * About 470 lines on purpose: the machine's states and its handling of each answer stay in one
 * file, so an exchange reads in order; the association steps (client-association.ts), the
 * protection checks (client-security.ts), the GET job queue (client-jobs.ts), GET answers
 * (get-answer.ts) and the options (client-options.ts) live beside it.
 */
import { OmrError } from '../../../shared/errors';
import type { Action, Machine } from '../machine';
import { decodeAare, decodeRlre, type ApplicationContext } from './acse';
import { hex } from './bytes';
import { hasConformance } from './conformance';
import { cipherApdu, isCipheredTag } from './security';
import { AssociationProtection } from './client-security';
import type { DlmsTransport, TransportOut } from './transport';
import { DEFAULT_EXCHANGE_TIMEOUT_MS, DEFAULT_MAX_ANSWER_BYTES, type DlmsClientEvent, type DlmsClientOptions } from './client-options';
import { TAG, type AttributeRequest } from './apdu';
import { serviceErrorOf } from './exception';
import { encodeGetRequest, planGetRequests } from './get';
import { stepGetAnswer } from './get-answer';
import { buildAarq, buildRelease, checkHlsReply, readAare, type AssociationHost } from './client-association';
import { describeChunk, failJob, GetJobs, resultEvent, storeResults, type InFlight } from './client-jobs';

export type { Authentication, ClientSecurity, DlmsClientEvent, DlmsClientOptions, ResultItem } from './client-options';
export { describeResult } from './client-options';

type State = 'init' | 'connecting' | 'associating' | 'authenticating' | 'ready' | 'busy' | 'releasing' | 'disconnecting' | 'done' | 'failed';

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
  private readonly jobs = new GetJobs();
  private inFlight: InFlight | undefined;
  private releaseRequested = false;
  private readonly protection: AssociationProtection;
  /** The link layer's own wake-up (retransmission, frame time), and the exchange deadline. */
  private transportWake = Infinity;
  private exchangeDeadline = Infinity;
  private exchangeWhat = '';
  private readonly exchangeTimeout: number;
  private readonly maxAnswerBytes: number;
  /** What the association steps (client-association.ts) use of this client. */
  private readonly host: AssociationHost;

  constructor(private readonly options: DlmsClientOptions) {
    this.transport = options.transport;
    this.context = options.security ? 'ln-ciphering' : 'ln-no-ciphering';
    if (options.authentication.mechanism === 'hls-gmac' && !options.security)
      throw new OmrError('INVALID_REQUEST', 'HLS-GMAC needs the security keys and system title');
    this.invocationCounter = options.security?.invocationCounter;
    this.protection = new AssociationProtection(options.security);
    this.exchangeTimeout = options.exchangeTimeoutMs ?? DEFAULT_EXCHANGE_TIMEOUT_MS;
    this.maxAnswerBytes = options.maxAnswerBytes ?? DEFAULT_MAX_ANSWER_BYTES;
    this.host = {
      options,
      context: this.context,
      ciphered: this.protection.ciphered,
      useCounter: () => this.useCounter(),
      nextInvokeId: () => this.jobs.nextInvokeId(),
      decipher: (apdu, what) => this.decipher(apdu, what),
    };
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
    const out = this.jobs.failAll(error);
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
    const out = this.jobs.failAll(new OmrError('CANCELLED'));
    if (this.state === 'ready') return this.withWake([...out, ...this.sendRelease(now)]);
    if (this.state === 'busy') return out; // released when the answer in flight arrives
    // Not associated yet: just drop the link.
    this.state = 'disconnecting';
    return this.withWake([...out, ...this.run(this.transport.disconnect(now), now)]);
  }

  /** Queue GET requests (one result per request). Returns the job id and the actions to carry out. */
  get(requests: AttributeRequest[], now: number): { id: number; actions: A[] } {
    const job = this.jobs.create(requests); // validated early (INVALID_REQUEST)
    if (this.releaseRequested || this.state === 'done' || this.state === 'failed') {
      failJob(job, new OmrError('CANCELLED', 'the association is being released'));
      return { id: job.id, actions: resultEvent(job) };
    }
    job.chunks = this.plan(requests);
    if (requests.length === 0) return { id: job.id, actions: resultEvent(job) };
    this.jobs.push(job);
    return { id: job.id, actions: this.state === 'ready' ? this.guard(now, () => this.pump(now)) : [] };
  }

  // ------------------------------------------------------------------------------- internals

  /** Split a job into GETs: lists when multiple-references is negotiated, within the PDU size. */
  private plan(requests: AttributeRequest[]): number[][] {
    return planGetRequests(requests, {
      withList: hasConformance(this.conformance, 'multiple-references'),
      serverMaxPdu: this.serverMaxPdu,
      ciphered: !!this.options.security,
    });
  }

  /** Start the next GET when idle. */
  private pump(now: number): A[] {
    if (this.state !== 'ready') return [];
    if (this.releaseRequested) return this.sendRelease(now);
    const job = this.jobs.first;
    if (!job) return [];
    const chunk = job.chunks.shift();
    if (!chunk) return [...this.jobs.shift(), ...this.pump(now)];
    const invokeId = this.jobs.nextInvokeId();
    const list = chunk.length > 1;
    const apdu = list
      ? encodeGetRequest({ type: 'with-list', invokeId, requests: chunk.map((i) => job.requests[i]!) })
      : encodeGetRequest({ type: 'normal', invokeId, request: job.requests[chunk[0]!]! });
    this.inFlight = { job, chunk, invokeId, list, nextBlock: 1, blocks: [], size: 0 };
    this.state = 'busy';
    const what = describeChunk(job, chunk);
    this.startExchange(now, `GET ${what}`);
    return this.sendApdu(apdu, now, `GET${list ? ' with-list' : ''} ${what}`);
  }

  private sendApdu(plain: Uint8Array, now: number, summary: string, redact?: [number, number][]): A[] {
    let apdu = plain;
    const out: A[] = [];
    if (this.options.security && plain[0] !== 0x60 && plain[0] !== 0x62) {
      const ic = this.useCounter();
      apdu = cipherApdu(plain, this.options.security.systemTitle, ic, this.options.security.keys, {
        securityControl: this.options.security.securityControl ?? 0x30,
      });
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
    const q = buildAarq(this.host);
    this.challenge = q.challenge;
    this.state = 'associating';
    this.protection.reset();
    this.startExchange(now, 'AARQ');
    return [...q.actions, ...this.run(this.transport.send(q.bytes, now, 'AARQ', q.redact), now)];
  }

  private sendRelease(now: number): A[] {
    this.state = 'releasing';
    const r = buildRelease(this.host, this.invocationCounter !== undefined);
    return [...r.actions, ...this.run(this.transport.send(r.bytes, now, 'RLRQ'), now)];
  }

  private fail(e: unknown, now: number, disconnect = true): A[] {
    let error = e instanceof OmrError ? e : new OmrError('INTERNAL', (e as Error)?.message ?? String(e));
    // An answer that cannot be decoded as a whole ends the association: the meter broke the
    // protocol. (An object's value that cannot be decoded is that object's DECODE_ERROR only.)
    if (error.code === 'DECODE_ERROR') error = new OmrError('PROTOCOL_VIOLATION', `undecodable answer: ${error.detail ?? error.message}`, { cause: error });
    if (this.inFlight) {
      failJob(this.inFlight.job, error);
      this.inFlight.job.chunks = [];
    }
    const out = this.jobs.failAll(error);
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
        return [
          { type: 'trace', summary: `RLRQ refused (APDU 0x${(tag ?? 0).toString(16)}): disconnecting` },
          ...this.run(this.transport.disconnect(now), now),
        ];
      }
      // An answer to a request in flight before the release: ignore it and keep releasing.
      return [{ type: 'trace', summary: `release: ignored APDU 0x${(tag ?? 0).toString(16)}` }];
    }
    const { plain, actions } = this.decipher(raw, this.state === 'authenticating' ? 'HLS ACTION.response' : 'answer');
    const ptag = plain[0];
    if (this.state === 'authenticating') {
      if (ptag === TAG.actionResponse) return [...actions, ...this.onHlsReply(plain, now)];
      return [
        ...actions,
        ...this.fail(serviceErrorOf(plain) ?? new OmrError('PROTOCOL_VIOLATION', `unexpected APDU 0x${(ptag ?? 0).toString(16)} during HLS`), now),
      ];
    }
    if (this.state === 'busy' && this.inFlight) return [...actions, ...this.onGetAnswer(plain, now)];
    return [...actions, { type: 'trace', summary: `ignored APDU 0x${(ptag ?? 0).toString(16)}` }];
  }

  private onAare(raw: Uint8Array, now: number): A[] {
    const a = decodeAare(raw);
    if (a.respondingApTitle) this.serverSystemTitle = a.respondingApTitle;
    const r = readAare(a, this.host, this.serverSystemTitle);
    if (r.kind === 'rejected') return [...r.actions, ...this.fail(r.error, now)];
    this.conformance = r.conformance;
    this.serverMaxPdu = r.serverMaxPdu;
    if (r.hlsPass3) {
      this.state = 'authenticating';
      this.startExchange(now, 'HLS pass 3 (reply_to_HLS_authentication)');
      return [...r.actions, ...this.sendApdu(r.hlsPass3, now, 'ACTION reply_to_HLS_authentication f(StoC)')];
    }
    return [...r.actions, ...this.becomeReady(now)];
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
    this.jobs.replan((r) => this.plan(r), this.inFlight?.job);
    return [{ type: 'event', event: ev }, ...this.pump(now)];
  }

  private onHlsReply(plain: Uint8Array, now: number): A[] {
    const error = checkHlsReply(plain, this.options, this.serverSystemTitle!, this.challenge!, this.protection.suite);
    if (error) return this.fail(error, now);
    return [{ type: 'trace', summary: 'HLS-GMAC: the meter proved the key' }, ...this.becomeReady(now)];
  }

  private onGetAnswer(plain: Uint8Array, now: number): A[] {
    const f = this.inFlight!;
    const err = serviceErrorOf(plain);
    if (err) {
      failJob(f.job, err, f.chunk);
      return this.completeChunk(now);
    }
    const step = stepGetAnswer(plain, f, this.maxAnswerBytes);
    switch (step.kind) {
      case 'fatal':
        return this.fail(step.error, now);
      case 'error':
        failJob(f.job, step.error, f.chunk);
        return this.completeChunk(now);
      case 'split':
        // Only the object at fault should fail: each attribute of the list is asked on its own.
        f.job.chunks.unshift(...f.chunk.map((i) => [i]));
        return [
          { type: 'trace', summary: `GET.response with-list not usable (${step.why}): asking each of its ${f.chunk.length} attributes on its own` },
          ...this.completeChunk(now),
        ];
      case 'results':
        storeResults(f, step.results);
        return [...(step.trace ? [{ type: 'trace', summary: step.trace } as A] : []), ...this.completeChunk(now)];
      case 'next':
        if (this.releaseRequested) {
          failJob(f.job, new OmrError('CANCELLED'), f.chunk);
          return this.completeChunk(now);
        }
        this.startExchange(now, `${this.exchangeWhat.replace(/ \(block \d+\)$/, '')} (block ${step.blockNumber + 1})`);
        return this.sendApdu(
          encodeGetRequest({ type: 'next', invokeId: f.invokeId, blockNumber: step.blockNumber }),
          now,
          `GET next (block ${step.blockNumber} received)`,
        );
    }
  }

  private completeChunk(now: number): A[] {
    this.inFlight = undefined;
    this.state = 'ready';
    return this.pump(now);
  }
}
