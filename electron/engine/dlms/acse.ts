/**
 * ACSE APDUs (IEC 62056-5-3, 9.3 / Green Book 9.4.2): AARQ (0x60), AARE (0x61), RLRQ (0x62) and
 * RLRE (0x63), BER encoded. The xDLMS InitiateRequest/Response travels in user-information
 * (BE len 04 len …), ciphered as glo-initiate-request/response when the context is ciphered.
 */
import { OmrError } from '../../../shared/errors';
import { concat, decodeError, encodeLength, guardDecode, hex, Reader } from './bytes';
import { TAG } from './apdu';
import { decodeInitiateResponse, type InitiateResponse } from './initiate';
import { decodeConfirmedServiceError, type ConfirmedServiceError } from './exception';

/** Application context names: 2.16.756.5.8.1.x (joint-iso-ccitt country(16) ch(756) ...). */
export const APPLICATION_CONTEXT = {
  'ln-no-ciphering': 1,
  'sn-no-ciphering': 2,
  'ln-ciphering': 3,
  'sn-ciphering': 4,
} as const;
export type ApplicationContext = keyof typeof APPLICATION_CONTEXT;

/** Authentication mechanism names 2.16.756.5.8.2.x. */
export const MECHANISM = { none: 0, lls: 1, hls: 2, 'hls-md5': 3, 'hls-sha1': 4, 'hls-gmac': 5, 'hls-sha256': 6, 'hls-ecdsa': 7 } as const;
export type Mechanism = keyof typeof MECHANISM;

const OID_PREFIX = [0x60, 0x85, 0x74, 0x05, 0x08];

function tlv(tag: number, value: Uint8Array): Uint8Array {
  return concat(Uint8Array.of(tag), encodeLength(value.length), value);
}

function contextOid(ctx: ApplicationContext): Uint8Array {
  return Uint8Array.from([...OID_PREFIX, 0x01, APPLICATION_CONTEXT[ctx]]);
}

function mechanismOid(m: Mechanism): Uint8Array {
  return Uint8Array.from([...OID_PREFIX, 0x02, MECHANISM[m]]);
}

function parseOid(oid: Uint8Array, arc: 1 | 2): number | undefined {
  if (oid.length !== 7) return undefined;
  for (let i = 0; i < 5; i++) if (oid[i] !== OID_PREFIX[i]) return undefined;
  if (oid[5] !== arc) return undefined;
  return oid[6];
}

export interface Aarq {
  context: ApplicationContext;
  mechanism: Mechanism;
  /** Calling AP title: the client system title (8 bytes), required in ciphered contexts. */
  callingApTitle?: Uint8Array;
  /** LLS password, or the HLS CtoS challenge. A secret: see {@link encodeAarqWithSecrets}. */
  authenticationValue?: Uint8Array;
  /** The InitiateRequest, or the glo-initiate-request that wraps it, as bytes. */
  userInformation: Uint8Array;
}

/** Encode an AARQ and report where the authentication value sits (to redact it in traces). */
export function encodeAarqWithSecrets(q: Aarq): { bytes: Uint8Array; secret?: [number, number] } {
  const parts: Uint8Array[] = [tlv(0xa1, tlv(0x06, contextOid(q.context)))];
  if (q.callingApTitle) parts.push(tlv(0xa6, tlv(0x04, q.callingApTitle)));
  if (q.mechanism !== 'none') {
    parts.push(Uint8Array.of(0x8a, 0x02, 0x07, 0x80)); // sender-acse-requirements: authentication
    parts.push(tlv(0x8b, mechanismOid(q.mechanism)));
  }
  let secretAt: number | undefined;
  if (q.authenticationValue) {
    // calling-authentication-value [12] EXPLICIT Authentication-value, CHOICE charstring [0]
    const inner = tlv(0x80, q.authenticationValue);
    const before = parts.reduce((n, p) => n + p.length, 0);
    const outer = tlv(0xac, inner);
    secretAt = before + (outer.length - q.authenticationValue.length);
    parts.push(outer);
  }
  parts.push(tlv(0xbe, tlv(0x04, q.userInformation)));
  const body = concat(...parts);
  const head = concat(Uint8Array.of(0x60), encodeLength(body.length));
  const bytes = concat(head, body);
  if (secretAt === undefined || !q.authenticationValue) return { bytes };
  const start = head.length + secretAt;
  return { bytes, secret: [start, start + q.authenticationValue.length] };
}

export function encodeAarq(q: Aarq): Uint8Array {
  return encodeAarqWithSecrets(q).bytes;
}

/** BER elements of a constructed body: tag → value. */
function readElements(body: Uint8Array): Map<number, Uint8Array> {
  const r = new Reader(body);
  const out = new Map<number, Uint8Array>();
  while (!r.done) {
    const tag = r.u8('BER tag');
    if ((tag & 0x1f) === 0x1f) throw decodeError('multi-byte BER tags are not used by ACSE');
    const len = r.length('BER length');
    out.set(tag, r.bytes(len, `BER element 0x${tag.toString(16)}`));
  }
  return out;
}

function unwrap(bytes: Uint8Array, tag: number, what: string): Uint8Array {
  const r = new Reader(bytes);
  const t = r.u8(what);
  if (t !== tag) throw decodeError(`${what}: tag 0x${t.toString(16)} where 0x${tag.toString(16)} was expected`);
  const v = r.bytes(r.length(what), what);
  return v;
}

function readApdu(bytes: Uint8Array, tag: number, what: string): Map<number, Uint8Array> {
  const r = new Reader(bytes);
  if (r.u8(what) !== tag) throw decodeError(`not an ${what}`);
  const len = r.length(`${what} length`);
  const body = r.bytes(len, what);
  return readElements(body);
}

export function decodeAarq(bytes: Uint8Array): Aarq {
  return guardDecode('AARQ', () => {
    const el = readApdu(bytes, 0x60, 'AARQ');
    const ctxEl = el.get(0xa1);
    if (!ctxEl) throw decodeError('AARQ without application context name');
    const ctxNum = parseOid(unwrap(ctxEl, 0x06, 'application context name'), 1);
    const context = (Object.entries(APPLICATION_CONTEXT).find(([, v]) => v === ctxNum)?.[0] ?? undefined) as ApplicationContext | undefined;
    if (!context) throw decodeError('unknown application context name');
    const mechEl = el.get(0x8b);
    const mechNum = mechEl ? parseOid(mechEl, 2) : 0;
    const mechanism = (Object.entries(MECHANISM).find(([, v]) => v === mechNum)?.[0] ?? undefined) as Mechanism | undefined;
    if (!mechanism) throw decodeError('unknown authentication mechanism');
    const ui = el.get(0xbe);
    if (!ui) throw decodeError('AARQ without user-information');
    const out: Aarq = { context, mechanism, userInformation: unwrap(ui, 0x04, 'user-information') };
    const ap = el.get(0xa6);
    if (ap) out.callingApTitle = unwrap(ap, 0x04, 'calling AP title');
    const av = el.get(0xac);
    if (av) out.authenticationValue = unwrap(av, 0x80, 'calling authentication value');
    return out;
  });
}

export const ACSE_SERVICE_USER_DIAGNOSTICS: Record<number, string> = {
  0: 'null',
  1: 'no-reason-given',
  2: 'application-context-name-not-supported',
  3: 'calling-AP-title-not-recognized',
  4: 'calling-AP-invocation-identifier-not-recognized',
  5: 'calling-AE-qualifier-not-recognized',
  6: 'calling-AE-invocation-identifier-not-recognized',
  7: 'called-AP-title-not-recognized',
  8: 'called-AP-invocation-identifier-not-recognized',
  9: 'called-AE-qualifier-not-recognized',
  10: 'called-AE-invocation-identifier-not-recognized',
  11: 'authentication-mechanism-name-not-recognised',
  12: 'authentication-mechanism-name-required',
  13: 'authentication-failure',
  14: 'authentication-required',
};
export const ACSE_SERVICE_PROVIDER_DIAGNOSTICS: Record<number, string> = { 0: 'null', 1: 'no-reason-given', 2: 'no-common-acse-version' };
const RESULTS: Record<number, string> = { 0: 'accepted', 1: 'rejected-permanent', 2: 'rejected-transient' };

export interface Aare {
  context: ApplicationContext | undefined;
  result: number;
  resultName: string;
  diagnosticSource: 'acse-service-user' | 'acse-service-provider';
  diagnostic: number;
  diagnosticName: string;
  respondingApTitle?: Uint8Array;
  mechanism?: Mechanism;
  /** HLS: the server-to-client challenge (StoC). */
  respondingAuthenticationValue?: Uint8Array;
  /** Raw user-information (InitiateResponse, glo-initiate-response or confirmed-service-error). */
  userInformation?: Uint8Array;
  /** Decoded when user-information is a plain InitiateResponse. */
  initiateResponse?: InitiateResponse;
  /** Decoded when user-information is a confirmed-service-error. */
  serviceError?: ConfirmedServiceError;
}

export function decodeAare(bytes: Uint8Array): Aare {
  return guardDecode('AARE', () => {
    const el = readApdu(bytes, 0x61, 'AARE');
    const ctxEl = el.get(0xa1);
    const ctxNum = ctxEl ? parseOid(unwrap(ctxEl, 0x06, 'application context name'), 1) : undefined;
    const context = Object.entries(APPLICATION_CONTEXT).find(([, v]) => v === ctxNum)?.[0] as ApplicationContext | undefined;
    const resEl = el.get(0xa2);
    if (!resEl) throw decodeError('AARE without result');
    const resInt = unwrap(resEl, 0x02, 'result');
    if (resInt.length !== 1) throw decodeError('AARE result is not one byte');
    const result = resInt[0]!;
    const diagEl = el.get(0xa3);
    if (!diagEl) throw decodeError('AARE without result-source-diagnostic');
    const dr = new Reader(diagEl);
    const srcTag = dr.u8('diagnostic source');
    if (srcTag !== 0xa1 && srcTag !== 0xa2) throw decodeError(`result-source-diagnostic choice 0x${srcTag.toString(16)}`);
    const inner = unwrap(dr.bytes(dr.length('diagnostic'), 'diagnostic'), 0x02, 'diagnostic');
    if (inner.length !== 1) throw decodeError('diagnostic is not one byte');
    const diagnostic = inner[0]!;
    const diagnosticSource = srcTag === 0xa1 ? 'acse-service-user' : 'acse-service-provider';
    const table = srcTag === 0xa1 ? ACSE_SERVICE_USER_DIAGNOSTICS : ACSE_SERVICE_PROVIDER_DIAGNOSTICS;
    const out: Aare = {
      context,
      result,
      resultName: RESULTS[result] ?? `result ${result}`,
      diagnosticSource,
      diagnostic,
      diagnosticName: table[diagnostic] ?? `diagnostic ${diagnostic}`,
    };
    const ap = el.get(0xa4);
    if (ap) out.respondingApTitle = unwrap(ap, 0x04, 'responding AP title');
    const mech = el.get(0x89);
    if (mech) {
      const n = parseOid(mech, 2);
      out.mechanism = Object.entries(MECHANISM).find(([, v]) => v === n)?.[0] as Mechanism | undefined;
    }
    const av = el.get(0xaa);
    if (av) out.respondingAuthenticationValue = unwrap(av, 0x80, 'responding authentication value');
    const ui = el.get(0xbe);
    if (ui) {
      const info = unwrap(ui, 0x04, 'user-information');
      out.userInformation = info;
      if (info[0] === TAG.initiateResponse) out.initiateResponse = decodeInitiateResponse(info);
      else if (info[0] === TAG.confirmedServiceError) out.serviceError = decodeConfirmedServiceError(info);
    }
    return out;
  });
}

export interface AareInput {
  context: ApplicationContext;
  result: number;
  diagnosticSource?: 'acse-service-user' | 'acse-service-provider';
  diagnostic: number;
  respondingApTitle?: Uint8Array;
  mechanism?: Mechanism;
  respondingAuthenticationValue?: Uint8Array;
  userInformation?: Uint8Array;
}

/** Encode an AARE (used by the simulator and tests). */
export function encodeAare(a: AareInput): Uint8Array {
  const parts: Uint8Array[] = [
    tlv(0xa1, tlv(0x06, contextOid(a.context))),
    tlv(0xa2, Uint8Array.of(0x02, 0x01, a.result)),
    tlv(0xa3, tlv(a.diagnosticSource === 'acse-service-provider' ? 0xa2 : 0xa1, Uint8Array.of(0x02, 0x01, a.diagnostic))),
  ];
  if (a.respondingApTitle) parts.push(tlv(0xa4, tlv(0x04, a.respondingApTitle)));
  if (a.mechanism && a.mechanism !== 'none') {
    parts.push(Uint8Array.of(0x88, 0x02, 0x07, 0x80));
    parts.push(tlv(0x89, mechanismOid(a.mechanism)));
  }
  if (a.respondingAuthenticationValue) parts.push(tlv(0xaa, tlv(0x80, a.respondingAuthenticationValue)));
  if (a.userInformation) parts.push(tlv(0xbe, tlv(0x04, a.userInformation)));
  return tlv(0x61, concat(...parts));
}

/** What a service-user diagnostic means for the technician, given the mechanism that was asked for. */
function diagnosticMeaning(diagnostic: number, asked: Mechanism | undefined): string | undefined {
  switch (diagnostic) {
    case 0:
    case 1:
      return 'the meter gave no reason (often: this client is not allowed here, or another association is still open)';
    case 2:
      return 'application context not supported: the meter wants the other ciphering choice for this client (ciphered with keys, or not ciphered)';
    case 3:
      return 'the client system title is not recognised by the meter';
    case 11:
      return asked === 'lls'
        ? 'authentication mechanism not recognised: this client does not accept a password (use the client this meter gives a password, or the public client without one)'
        : `authentication mechanism not recognised: this client does not accept ${asked ?? 'this mechanism'}`;
    case 12:
    case 14:
      return 'this client needs authentication: give its password (LLS) or its keys (HLS)';
    case 13:
      return asked === 'lls' ? 'wrong password' : 'authentication failure (wrong password or key)';
    default:
      return undefined;
  }
}

/**
 * The error for a rejected association, from its result-source-diagnostic: AUTH_REJECTED (with its
 * lock-out warning) only for an authentication failure; ASSOCIATION_REFUSED, saying which reason,
 * for every other. The initiate error is added when the server sent one.
 */
export function aareRejection(a: Aare, asked?: Mechanism): OmrError {
  const user = a.diagnosticSource === 'acse-service-user';
  const meaning = user
    ? diagnosticMeaning(a.diagnostic, asked)
    : a.diagnostic === 2
      ? 'the meter speaks another ACSE version'
      : 'the meter’s ACSE layer refused without a reason';
  // The meter could not decipher our InitiateRequest: a wrong key or a spent invocation counter.
  const deciphering = !!a.serviceError && /deciphering-error/.test(a.serviceError.text);
  const authFailure = (user && a.diagnostic === 13) || deciphering;
  const base = `${a.resultName}, ${a.diagnosticSource}: ${a.diagnosticName}`;
  let detail = authFailure ? base : `${meaning ? `${meaning}; ` : ''}${base}`;
  if (a.serviceError) detail += `; ${a.serviceError.text}`;
  return new OmrError(authFailure ? 'AUTH_REJECTED' : 'ASSOCIATION_REFUSED', detail);
}

export const RELEASE_REQUEST_REASONS: Record<number, string> = { 0: 'normal', 1: 'urgent', 30: 'user-defined' };
export const RELEASE_RESPONSE_REASONS: Record<number, string> = { 0: 'normal', 1: 'not-finished', 30: 'user-defined' };

export interface Release {
  reason?: number;
  userInformation?: Uint8Array;
}

function encodeRelease(tag: 0x62 | 0x63, r: Release): Uint8Array {
  const parts: Uint8Array[] = [];
  if (r.reason !== undefined) parts.push(Uint8Array.of(0x80, 0x01, r.reason));
  if (r.userInformation) parts.push(tlv(0xbe, tlv(0x04, r.userInformation)));
  return tlv(tag, concat(...parts));
}

function decodeRelease(bytes: Uint8Array, tag: 0x62 | 0x63, what: string): Release {
  return guardDecode(what, () => {
    const el = readApdu(bytes, tag, what);
    const out: Release = {};
    const reason = el.get(0x80);
    if (reason) {
      if (reason.length !== 1) throw decodeError(`${what} reason is not one byte`);
      out.reason = reason[0];
    }
    const ui = el.get(0xbe);
    if (ui) out.userInformation = unwrap(ui, 0x04, 'user-information');
    return out;
  });
}

export const encodeRlrq = (r: Release = { reason: 0 }): Uint8Array => encodeRelease(0x62, r);
export const encodeRlre = (r: Release = { reason: 0 }): Uint8Array => encodeRelease(0x63, r);
export const decodeRlrq = (b: Uint8Array): Release => decodeRelease(b, 0x62, 'RLRQ');
export const decodeRlre = (b: Uint8Array): Release => decodeRelease(b, 0x63, 'RLRE');

/** Trace summary of an AARQ without its secret. */
export function describeAarq(q: Aarq): string {
  return `AARQ ${q.context} mechanism=${q.mechanism}${q.callingApTitle ? ` calling-AP-title=${hex(q.callingApTitle)}` : ''}${q.authenticationValue ? ' auth-value=**' : ''}`;
}
