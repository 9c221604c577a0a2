/**
 * The COSEM application of the virtual E450: association control (AARQ/AARE, RLRQ/RLRE) and the
 * xDLMS services (GET normal / next / with-list with block transfer, ACTION for the HLS
 * challenge), with glo-ciphering for the management client. Fed whole APDUs, answers whole
 * APDUs; the HDLC layer (server.ts) carries them.
 *
 * Clients (client SAP → association):
 * - 16 public: no authentication, ln-no-ciphering; reads a few objects; conformance without
 *   multiple-references (a client must fall back to one GET per attribute).
 * - 32 reading client: LLS password (default `00000000`), ln-no-ciphering; reads everything;
 *   GET-with-list. A wrong password rejects the association (authentication-failure), records
 *   event 46 and locks LLS logins for `lockoutMs` (default 60 s, as the E350 manual documents),
 *   during which even the right password is rejected.
 * - 1 management client: HLS-GMAC (mechanism 5), ln-ciphering, security suite 0, every xDLMS
 *   APDU ciphered in the form the client used (glo-ciphering in → glo-ciphering out,
 *   general-glo-ciphering in → general-glo-ciphering out; security control as the client sends
 *   it, 0x30 by default), the RLRE too (a ciphered InitiateResponse as its user-information); the
 *   client invocation counter must not go back (0-0:43.1.1.255 holds the smallest value accepted
 *   next).
 */
import { randomBytes } from 'node:crypto';
import {
  APPLICATION_CONTEXT,
  MECHANISM,
  decodeAarq,
  decodeRlrq,
  encodeAare,
  encodeRlre,
  type Aarq,
  type ApplicationContext,
  type Mechanism,
} from '../../engine/dlms/acse';
import { D, encodeData } from '../../engine/dlms/axdr';
import { bytesEqual, encodeLength, unhex, Writer } from '../../engine/dlms/bytes';
import { hasConformance } from '../../engine/dlms/conformance';
import { formatObis } from '../../engine/dlms/obis-code';
import { cipherApdu, decipherApdu, GENERAL_GLO_CIPHERING, hlsGmac, isCipheredTag, TAG_LENGTH, type Keys } from '../../engine/dlms/security';
import { invokeIdAndPriority, TAG, type AttributeRequest } from '../../engine/dlms/apdu';
import { decodeInitiateRequest, encodeInitiateResponse } from '../../engine/dlms/initiate';
import { encodeConfirmedServiceError, encodeExceptionResponse } from '../../engine/dlms/exception';
import { decodeGetRequest, encodeGetResponse } from '../../engine/dlms/get';
import { decodeActionRequest, encodeActionResponse } from '../../engine/dlms/action';
import { AssociationLn } from '../../engine/cosem/registry';
import { ByteSource, chain } from './bytes';
import { DAR } from './dar';
import type { AssociationInfo, E450Model, ReadContext, ReadResult } from './objects';
import { DEFAULT_AUTHENTICATION_KEY, DEFAULT_CLIENTS, DEFAULT_ENCRYPTION_KEY, DEFAULT_LLS_PASSWORD, type ClientConfig, type SecurityState } from './clients';

export interface ApplicationOptions {
  model: E450Model;
  security: SecurityState;
  clients?: readonly ClientConfig[];
  llsPassword?: string;
  lockoutMs?: number;
  /** The server's max receive (and send) PDU size (default 512). */
  maxPduSize?: number;
  systemTitle: Uint8Array;
  keys?: Keys;
  /** Attributes no client may read, as `OBIS/attribute` (`1-0:2.8.1*255/2`): read-write-denied. */
  deny?: readonly string[];
  /** Server logical device (for associated_partners_id). */
  serverSap?: number;
  random?: (n: number) => Uint8Array;
}

export type AppEvent =
  | { type: 'associated'; clientSap: number; mechanism: Mechanism }
  | { type: 'rejected'; clientSap: number; reason: string }
  | { type: 'authenticated'; clientSap: number }
  | { type: 'released'; clientSap: number }
  | { type: 'request'; clientSap: number; service: 'get-normal' | 'get-next' | 'get-with-list' | 'action'; detail: string }
  | { type: 'exception'; clientSap: number; reason: string };

export interface AppAnswer {
  apdu: Uint8Array;
  summary: string;
  /** The block number when the answer is a GET.response with datablock. */
  block?: number;
  events: AppEvent[];
}

interface BlockState {
  invokeId: number;
  source: ByteSource;
  block: number;
}

interface Association {
  client: ClientConfig;
  status: 'pending' | 'associated';
  conformance: number;
  clientMaxPdu: number;
  context: ApplicationContext;
  mechanism: Mechanism;
  clientSystemTitle?: Uint8Array;
  securityControl: number;
  /** The ciphering form of the client's last request: answers use the same form. */
  cipherKind: CipherKind;
  stoc?: Uint8Array;
  ctos?: Uint8Array;
  block?: BlockState;
}

/** glo-ciphering (service-specific tags) or general-glo-ciphering (0xDB, system title inside). */
type CipherKind = 'glo' | 'general-glo';
const cipherKindOf = (tag: number | undefined): CipherKind => (tag === GENERAL_GLO_CIPHERING ? 'general-glo' : 'glo');

const OID_PREFIX = [0x60, 0x85, 0x74, 0x05, 0x08];
const oid = (arc: 1 | 2, n: number) => Uint8Array.from([...OID_PREFIX, arc, n]);
/** Bytes a glo-ciphered APDU adds: tag, length (≤ 3), security control, counter, tag. */
const CIPHER_OVERHEAD = 1 + 3 + 1 + 4 + TAG_LENGTH;
/** Header of a GET.response with datablock: tag, type, invoke id, last, number (4), choice, length (≤ 3). */
const BLOCK_HEADER = 12;

export class CosemApplication {
  private assoc: Association | undefined;
  private readonly clients: readonly ClientConfig[];
  private readonly maxPdu: number;
  private readonly keys: Keys;
  private readonly random: (n: number) => Uint8Array;

  constructor(private readonly o: ApplicationOptions) {
    this.clients = o.clients ?? DEFAULT_CLIENTS;
    this.maxPdu = o.maxPduSize ?? 512;
    this.keys = o.keys ?? { encryptionKey: DEFAULT_ENCRYPTION_KEY, authenticationKey: DEFAULT_AUTHENTICATION_KEY };
    this.random = o.random ?? ((n) => new Uint8Array(randomBytes(n)));
  }

  /** The current association, if any (tests, diagnostics). */
  get current(): { clientSap: number; status: 'pending' | 'associated'; conformance: number } | undefined {
    return this.assoc && { clientSap: this.assoc.client.sap, status: this.assoc.status, conformance: this.assoc.conformance };
  }

  /** The link under the association went down (DISC, new SNRM, inactivity): it is released. */
  reset(): AppEvent[] {
    const a = this.assoc;
    this.assoc = undefined;
    return a ? [{ type: 'released', clientSap: a.client.sap }] : [];
  }

  handle(clientSap: number, apdu: Uint8Array, now: number): AppAnswer {
    try {
      const tag = apdu[0];
      if (tag === 0x60) return this.onAarq(clientSap, apdu, now);
      if (tag === 0x62) return this.onRlrq(clientSap, apdu);
      const a = this.assoc;
      if (!a || a.client.sap !== clientSap) return this.exception(clientSap, 1, 1, 'no association');
      let plain = apdu;
      if (a.context === 'ln-ciphering') {
        if (!isCipheredTag(tag ?? -1)) return this.exception(clientSap, 1, 1, 'plain APDU in a ciphered association');
        let d;
        try {
          d = decipherApdu(apdu, this.keys, a.clientSystemTitle);
        } catch (e) {
          return this.exception(clientSap, 1, 5, `deciphering failed: ${(e as Error).message}`);
        }
        const ic = d.apdu.invocationCounter;
        if (ic < this.o.security.minClientCounter) return this.exception(clientSap, 1, 6, `stale invocation counter ${ic}`, this.o.security.minClientCounter);
        this.o.security.minClientCounter = ic + 1;
        a.securityControl = d.apdu.securityControl;
        a.cipherKind = cipherKindOf(d.apdu.tag);
        plain = d.plaintext;
      } else if (isCipheredTag(tag ?? -1)) return this.exception(clientSap, 1, 5, 'ciphered APDU in a plain association');
      const answer = this.service(a, plain, now);
      if (a.context === 'ln-ciphering' && answer.apdu[0] !== TAG.exceptionResponse) {
        const ic = this.o.security.serverCounter++;
        answer.apdu = cipherApdu(answer.apdu, this.o.systemTitle, ic, this.keys, { securityControl: a.securityControl, kind: a.cipherKind });
        answer.summary += ` (${a.cipherKind}-ciphered, IC ${ic})`;
      }
      return answer;
    } catch (e) {
      return this.exception(clientSap, 2, 2, `undecodable APDU: ${(e as Error).message}`);
    }
  }

  // ------------------------------------------------------------------------------ association

  private reject(clientSap: number, context: ApplicationContext, diagnostic: number, reason: string, userInformation?: Uint8Array): AppAnswer {
    return {
      apdu: encodeAare({ context, result: 1, diagnostic, ...(userInformation ? { userInformation } : {}) }),
      summary: `AARE rejected (${reason})`,
      events: [{ type: 'rejected', clientSap, reason }],
    };
  }

  private onAarq(clientSap: number, apdu: Uint8Array, now: number): AppAnswer {
    const events = this.reset();
    let q: Aarq;
    try {
      q = decodeAarq(apdu);
    } catch (e) {
      return this.reject(clientSap, 'ln-no-ciphering', 1, `undecodable AARQ: ${(e as Error).message}`);
    }
    const out = this.associate(clientSap, q, now);
    out.events.unshift(...events);
    return out;
  }

  private associate(clientSap: number, q: Aarq, now: number): AppAnswer {
    const client = this.clients.find((c) => c.sap === clientSap);
    const ctx = q.context;
    if (!client) return this.reject(clientSap, ctx, 1, `unknown client SAP ${clientSap}`);
    const ciphered = client.mechanism === 'hls-gmac';
    const wantContext: ApplicationContext = ciphered ? 'ln-ciphering' : 'ln-no-ciphering';
    if (ctx !== wantContext) return this.reject(clientSap, ctx, 2, `application context ${ctx} (client ${clientSap} uses ${wantContext})`);
    if (q.mechanism !== client.mechanism) {
      return this.reject(clientSap, ctx, q.mechanism === 'none' ? 12 : 11, `mechanism ${q.mechanism} (client ${clientSap} uses ${client.mechanism})`);
    }
    const sec = this.o.security;
    if (client.mechanism === 'lls') {
      if (now < sec.lockedUntil) return this.reject(clientSap, ctx, 13, `locked out for ${Math.ceil((sec.lockedUntil - now) / 1000)} s after a wrong password`);
      const expected = new TextEncoder().encode(this.o.llsPassword ?? DEFAULT_LLS_PASSWORD);
      if (!q.authenticationValue || !bytesEqual(q.authenticationValue, expected)) {
        sec.failedLogins++;
        sec.lockedUntil = now + (this.o.lockoutMs ?? 60_000);
        this.o.model.record(46, now);
        return this.reject(clientSap, ctx, 13, 'wrong password');
      }
    }
    let initiateBytes = q.userInformation;
    const cipherKind = cipherKindOf(initiateBytes[0]);
    if (ciphered) {
      if (!q.callingApTitle || q.callingApTitle.length !== 8) return this.reject(clientSap, ctx, 3, 'no client system title');
      if (!q.authenticationValue || q.authenticationValue.length < 8 || q.authenticationValue.length > 64)
        return this.reject(clientSap, ctx, 13, 'no usable CtoS challenge');
      const serviceError = encodeConfirmedServiceError(1, 0, 6); // initiateError, application-reference: deciphering-error
      if (!isCipheredTag(initiateBytes[0] ?? -1)) return this.reject(clientSap, ctx, 1, 'plain InitiateRequest in a ciphered context', serviceError);
      try {
        const d = decipherApdu(initiateBytes, this.keys, q.callingApTitle);
        if (d.apdu.invocationCounter < sec.minClientCounter)
          return this.reject(clientSap, ctx, 1, `stale invocation counter ${d.apdu.invocationCounter} (expected ≥ ${sec.minClientCounter})`, serviceError);
        sec.minClientCounter = d.apdu.invocationCounter + 1;
        initiateBytes = d.plaintext;
      } catch (e) {
        return this.reject(clientSap, ctx, 1, `InitiateRequest not deciphered: ${(e as Error).message}`, serviceError);
      }
    }
    let initiate;
    try {
      initiate = decodeInitiateRequest(initiateBytes);
    } catch (e) {
      return this.reject(clientSap, ctx, 1, `undecodable InitiateRequest: ${(e as Error).message}`);
    }
    const initiateError = (error: number, why: string) => this.reject(clientSap, ctx, 1, why, encodeConfirmedServiceError(1, 6, error));
    if ((initiate.dlmsVersion ?? 6) < 6) return initiateError(1, `DLMS version ${initiate.dlmsVersion}`);
    const clientMaxPdu = initiate.maxReceivePduSize === 0 ? 0xffff : initiate.maxReceivePduSize;
    if (clientMaxPdu < 64) return initiateError(3, `client max PDU size ${initiate.maxReceivePduSize}`);
    const conformance = (initiate.conformance & client.conformance) >>> 0;
    if (!hasConformance(conformance, 'get')) return initiateError(2, 'no common conformance (GET)');
    const a: Association = {
      client,
      status: ciphered ? 'pending' : 'associated',
      conformance,
      clientMaxPdu,
      context: ctx,
      mechanism: client.mechanism,
      securityControl: 0x30,
      cipherKind,
      ...(ciphered ? { clientSystemTitle: q.callingApTitle!, ctos: q.authenticationValue!, stoc: this.random(16) } : {}),
    };
    this.assoc = a;
    let userInformation = encodeInitiateResponse({ dlmsVersion: 6, conformance, maxReceivePduSize: this.maxPdu, vaaName: 7 });
    if (ciphered)
      userInformation = cipherApdu(userInformation, this.o.systemTitle, sec.serverCounter++, this.keys, { securityControl: 0x30, kind: cipherKind });
    const apdu = encodeAare({
      context: ctx,
      result: 0,
      diagnostic: ciphered ? 14 : 0,
      ...(ciphered ? { respondingApTitle: this.o.systemTitle, respondingAuthenticationValue: a.stoc! } : {}),
      ...(client.mechanism !== 'none' ? { mechanism: client.mechanism } : {}),
      userInformation,
    });
    const events: AppEvent[] = ciphered ? [] : [{ type: 'associated', clientSap, mechanism: client.mechanism }];
    return { apdu, summary: `AARE accepted (client ${clientSap}, ${client.mechanism}${ciphered ? ', HLS pending' : ''})`, events };
  }

  /**
   * RLRQ → RLRE normal. In a ciphered association the RLRE carries a ciphered InitiateResponse
   * as its user-information (in the form of the RLRQ's own, else of the association's last
   * request), as a real meter answers; a ciphered RLRQ user-information that does not decipher or
   * whose counter went back is refused with an exception-response, the association kept.
   */
  private onRlrq(clientSap: number, apdu: Uint8Array): AppAnswer {
    let q;
    try {
      q = decodeRlrq(apdu);
    } catch (e) {
      return this.exception(clientSap, 2, 2, `undecodable RLRQ: ${(e as Error).message}`);
    }
    const a = this.assoc?.client.sap === clientSap ? this.assoc : undefined;
    const sec = this.o.security;
    let userInformation: Uint8Array | undefined;
    let kind: CipherKind | undefined;
    if (a && a.context === 'ln-ciphering') {
      kind = a.cipherKind;
      if (q.userInformation && isCipheredTag(q.userInformation[0] ?? -1)) {
        let d;
        try {
          d = decipherApdu(q.userInformation, this.keys, a.clientSystemTitle);
        } catch (e) {
          return this.exception(clientSap, 1, 5, `RLRQ user-information not deciphered: ${(e as Error).message}`);
        }
        if (d.apdu.invocationCounter < sec.minClientCounter)
          return this.exception(clientSap, 1, 6, `stale invocation counter ${d.apdu.invocationCounter} in the RLRQ`, sec.minClientCounter);
        sec.minClientCounter = d.apdu.invocationCounter + 1;
        kind = cipherKindOf(q.userInformation[0]);
      }
      const initiate = encodeInitiateResponse({ dlmsVersion: 6, conformance: a.conformance, maxReceivePduSize: this.maxPdu, vaaName: 7 });
      userInformation = cipherApdu(initiate, this.o.systemTitle, sec.serverCounter++, this.keys, { securityControl: 0x30, kind });
    }
    const events = a ? this.reset() : [];
    return {
      apdu: encodeRlre({ reason: 0, ...(userInformation ? { userInformation } : {}) }),
      summary: `RLRE normal${kind ? ` (${kind}-ciphered user-information)` : ''}`,
      events,
    };
  }

  private exception(clientSap: number, stateError: number, serviceError: number, reason: string, counter?: number): AppAnswer {
    return {
      apdu: encodeExceptionResponse(stateError, serviceError, counter),
      summary: `exception-response (${reason})`,
      events: [{ type: 'exception', clientSap, reason }],
    };
  }

  // ------------------------------------------------------------------------------------ xDLMS

  private service(a: Association, plain: Uint8Array, now: number): AppAnswer {
    const sap = a.client.sap;
    if (plain[0] === TAG.actionRequest) return this.onAction(a, plain);
    if (a.status === 'pending') return this.exception(sap, 1, 1, 'HLS authentication not completed');
    if (plain[0] !== TAG.getRequest)
      return this.exception(sap, plain[0] === TAG.setRequest ? 1 : 2, 2, `service 0x${(plain[0] ?? 0).toString(16)} not supported`);
    const q = decodeGetRequest(plain);
    const limit = Math.min(a.clientMaxPdu, this.maxPdu) - (a.context === 'ln-ciphering' ? CIPHER_OVERHEAD : 0);
    const blocksAllowed = hasConformance(a.conformance, 'block-transfer-with-get-or-read');
    if (q.type === 'next') {
      const b = a.block;
      const events: AppEvent[] = [{ type: 'request', clientSap: sap, service: 'get-next', detail: `block ${q.blockNumber}` }];
      if (!b)
        return {
          apdu: encodeGetResponse({
            type: 'with-datablock-error',
            invokeId: q.invokeId,
            lastBlock: true,
            blockNumber: q.blockNumber,
            dar: DAR.noLongGetInProgress,
            name: '',
          }),
          summary: 'GET.response no-long-get-in-progress',
          events,
        };
      if (q.blockNumber !== b.block || q.invokeId !== b.invokeId) {
        a.block = undefined;
        return {
          apdu: encodeGetResponse({
            type: 'with-datablock-error',
            invokeId: q.invokeId,
            lastBlock: true,
            blockNumber: q.blockNumber,
            dar: DAR.dataBlockNumberInvalid,
            name: '',
          }),
          summary: `GET.response data-block-number-invalid (${q.blockNumber}, expected ${b.block})`,
          events,
        };
      }
      return { ...this.nextBlock(a, limit), events };
    }
    a.block = undefined; // a new request ends any long GET in progress
    const ctx: ReadContext = { now, role: a.client.role, association: this.info(a) };
    if (q.type === 'normal') {
      const what = `${formatObis(q.request.obis as number[])}/${q.request.attribute}`;
      const events: AppEvent[] = [{ type: 'request', clientSap: sap, service: 'get-normal', detail: what }];
      const r = this.read(a, q.request, ctx);
      if (!r.ok)
        return {
          apdu: encodeGetResponse({ type: 'normal', invokeId: q.invokeId, result: { ok: false, dar: r.dar, name: '' } }),
          summary: `GET.response ${what} dar ${r.dar}`,
          events,
        };
      const source = 'lazy' in r ? new ByteSource(r.lazy) : ByteSource.of(encodeData(r.value));
      const room = limit - 4;
      if (source.fill(room + 1) <= room) {
        const w = new Writer().u8(TAG.getResponse).u8(1).u8(invokeIdAndPriority(q.invokeId)).u8(0).bytes(source.take(room));
        return { apdu: w.finish(), summary: `GET.response ${what}`, events };
      }
      if (!blocksAllowed)
        return {
          apdu: encodeGetResponse({ type: 'normal', invokeId: q.invokeId, result: { ok: false, dar: DAR.dataBlockUnavailable, name: '' } }),
          summary: `GET.response ${what}: too long without block transfer`,
          events,
        };
      a.block = { invokeId: q.invokeId, source, block: 0 };
      return { ...this.nextBlock(a, limit), events };
    }
    // with-list
    const detail = q.requests.map((r) => `${formatObis(r.obis as number[])}/${r.attribute}`).join(', ');
    const events: AppEvent[] = [{ type: 'request', clientSap: sap, service: 'get-with-list', detail }];
    if (!hasConformance(a.conformance, 'multiple-references')) return { ...this.exception(sap, 1, 2, 'GET-with-list without multiple-references'), events };
    const parts: Iterable<Uint8Array>[] = [[encodeLength(q.requests.length)]];
    for (const req of q.requests) {
      const r = this.read(a, req, ctx);
      if (!r.ok) parts.push([Uint8Array.of(1, r.dar)]);
      else parts.push([Uint8Array.of(0)], 'lazy' in r ? r.lazy : [encodeData(r.value)]);
    }
    const source = new ByteSource(chain(...parts));
    const room = limit - 3;
    if (source.fill(room + 1) <= room) {
      const w = new Writer().u8(TAG.getResponse).u8(3).u8(invokeIdAndPriority(q.invokeId)).bytes(source.take(room));
      return { apdu: w.finish(), summary: `GET.response with-list (${q.requests.length})`, events };
    }
    if (!blocksAllowed) return { ...this.exception(sap, 1, 4, 'GET-with-list answer too long without block transfer'), events };
    a.block = { invokeId: q.invokeId, source, block: 0 };
    return { ...this.nextBlock(a, limit), events };
  }

  private nextBlock(a: Association, limit: number): Omit<AppAnswer, 'events'> {
    const b = a.block!;
    const raw = b.source.take(Math.max(16, limit - BLOCK_HEADER));
    const last = b.source.exhausted;
    b.block++;
    if (last) a.block = undefined;
    return {
      apdu: encodeGetResponse({ type: 'with-datablock', invokeId: b.invokeId, lastBlock: last, blockNumber: b.block, raw }),
      summary: `GET.response block ${b.block}${last ? ' (last)' : ''}, ${raw.length} B`,
      block: b.block,
    };
  }

  private read(a: Association, req: AttributeRequest, ctx: ReadContext): ReadResult {
    const model = this.o.model;
    const obj = model.find(req.obis as number[]);
    if (!obj) return { ok: false, dar: DAR.objectUndefined };
    if (obj.classId !== req.classId) return { ok: false, dar: DAR.objectClassInconsistent };
    if (req.attribute < 1 || req.attribute > obj.attributeCount) return { ok: false, dar: DAR.objectUndefined };
    if (model.attributeAccess(a.client.role, obj, req.attribute) === 0) return { ok: false, dar: DAR.readWriteDenied };
    if (this.o.deny?.includes(`${formatObis(obj.ln)}/${req.attribute}`)) return { ok: false, dar: DAR.readWriteDenied };
    if (req.access) {
      const ok = hasConformance(a.conformance, 'selective-access') && (obj.selectors?.[req.attribute] ?? []).includes(req.access.selector);
      if (!ok) return { ok: false, dar: DAR.otherReason };
    }
    return obj.read(req.attribute, ctx, req.access);
  }

  private info(a: Association): AssociationInfo {
    return {
      clientSap: a.client.sap,
      serverSap: this.o.serverSap ?? 1,
      contextOid: oid(1, APPLICATION_CONTEXT[a.context]),
      ...(a.mechanism !== 'none' ? { mechanismOid: oid(2, MECHANISM[a.mechanism]) } : {}),
      conformance: a.conformance,
      clientMaxPdu: a.clientMaxPdu,
      serverMaxPdu: this.maxPdu,
      status: a.status === 'associated' ? 2 : 1,
      ...(a.clientSystemTitle ? { clientSystemTitle: a.clientSystemTitle } : {}),
    };
  }

  private onAction(a: Association, plain: Uint8Array): AppAnswer {
    const q = decodeActionRequest(plain);
    const sap = a.client.sap;
    const what = `${formatObis(q.obis as number[])}/m${q.method}`;
    const events: AppEvent[] = [{ type: 'request', clientSap: sap, service: 'action', detail: what }];
    const answer = (result: number, summary: string, returnData?: Uint8Array): AppAnswer => ({
      apdu: encodeActionResponse({ invokeId: q.invokeId, result, ...(returnData ? { returnData: { ok: true, value: D.octets(returnData) } } : {}) }),
      summary,
      events,
    });
    if (!hasConformance(a.conformance, 'action')) return { ...this.exception(sap, 1, 2, 'ACTION not in the negotiated conformance'), events };
    const obj = this.o.model.find(q.obis as number[]);
    if (!obj) return answer(DAR.objectUndefined, `ACTION.response ${what} object-undefined`);
    if (obj.classId !== q.classId) return answer(DAR.objectClassInconsistent, `ACTION.response ${what} object-class-inconsistent`);
    const isHls =
      q.classId === AssociationLn.id && formatObis(q.obis as number[]) === '0-0:40.0.0*255' && q.method === AssociationLn.method.reply_to_HLS_authentication;
    if (!isHls || a.status !== 'pending' || this.o.model.methodAccess(a.client.role, obj, q.method) === 0)
      return answer(DAR.readWriteDenied, `ACTION.response ${what} read-write-denied`);
    // reply_to_HLS_authentication: f(StoC) = SC ‖ IC ‖ GMAC(client system title ‖ IC, StoC).
    const f = q.parameters?.type === 'octet-string' ? unhex(q.parameters.value) : new Uint8Array(0);
    let ok = false;
    if (f.length === 1 + 4 + TAG_LENGTH) {
      const ic = ((f[1]! << 24) >>> 0) + ((f[2]! << 16) | (f[3]! << 8) | f[4]!);
      const expected = hlsGmac(a.clientSystemTitle!, ic, this.keys, a.stoc!, f[0]!);
      ok = bytesEqual(expected, f);
    }
    if (!ok) {
      this.assoc = undefined;
      events.push({ type: 'rejected', clientSap: sap, reason: 'HLS: f(StoC) does not match' });
      return answer(DAR.otherReason, 'ACTION.response HLS failed');
    }
    a.status = 'associated';
    events.push({ type: 'authenticated', clientSap: sap }, { type: 'associated', clientSap: sap, mechanism: 'hls-gmac' });
    const reply = hlsGmac(this.o.systemTitle, this.o.security.serverCounter++, this.keys, a.ctos!);
    return answer(0, 'ACTION.response HLS f(CtoS)', reply);
  }
}
