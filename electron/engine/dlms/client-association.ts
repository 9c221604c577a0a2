/**
 * The association part of the DLMS client: the AARQ it sends (none, LLS, HLS-GMAC challenge;
 * ciphered InitiateRequest in a ciphered context), the AARE it accepts or turns into an error,
 * HLS pass 3 (reply_to_HLS_authentication with f(StoC)) and pass 4 (the meter's f(CtoS) checked),
 * and the RLRQ that ends the association. The client keeps the state; these functions build and
 * check the APDUs.
 */
import { randomBytes } from 'node:crypto';
import { OmrError } from '../../../shared/errors';
import type { Action } from '../machine';
import { aareRejection, describeAarq, encodeAarqWithSecrets, encodeRlrq, type Aare, type ApplicationContext, type Mechanism } from './acse';
import { hex } from './bytes';
import { DEFAULT_LN_CONFORMANCE } from './conformance';
import { AssociationLn, CURRENT_ASSOCIATION_LN } from '../cosem/registry';
import { cipherApdu, hlsGmac, isCipheredTag, verifyHlsGmac } from './security';
import type { DlmsClientEvent, DlmsClientOptions } from './client-options';
import { TAG } from './apdu';
import { decodeInitiateResponse, encodeInitiateRequest } from './initiate';
import { decodeConfirmedServiceError } from './exception';
import { decodeActionResponse, encodeActionRequest } from './action';

type A = Action<DlmsClientEvent>;

/** What the association functions need from the client. */
export interface AssociationHost {
  readonly options: DlmsClientOptions;
  readonly context: ApplicationContext;
  /** The association is ciphered (keys given). */
  readonly ciphered: boolean;
  /** Take the next invocation counter (KEY_ERROR when none or exhausted). */
  useCounter(): number;
  nextInvokeId(): number;
  /** Open what the meter sent under the association's protection rules. */
  decipher(apdu: Uint8Array, what: string): { plain: Uint8Array; actions: A[] };
}

function initiateRequest(options: DlmsClientOptions): Uint8Array {
  return encodeInitiateRequest({ conformance: options.conformance ?? DEFAULT_LN_CONFORMANCE, maxReceivePduSize: options.maxReceivePduSize ?? 1024 });
}

export interface AarqOut {
  bytes: Uint8Array;
  /** Trace and invocation-counter events, in order, to emit before the bytes are sent. */
  actions: A[];
  /** The HLS challenge (CtoS) sent, to check the meter's f(CtoS) against. */
  challenge?: Uint8Array;
  /** The LLS password's place in the bytes (redacted in the trace). */
  redact?: [number, number][];
}

/** The AARQ: context, mechanism, calling AP title, authentication value, InitiateRequest. */
export function buildAarq(host: AssociationHost): AarqOut {
  const { options } = host;
  const sec = options.security;
  const auth = options.authentication;
  const initiate = initiateRequest(options);
  const events: A[] = [];
  let userInformation = initiate;
  if (sec) {
    const ic = host.useCounter();
    userInformation = cipherApdu(initiate, sec.systemTitle, ic, sec.keys, { securityControl: sec.securityControl ?? 0x30 });
    events.push({ type: 'event', event: { type: 'invocationCounter', used: ic } });
  }
  let authenticationValue: Uint8Array | undefined;
  let challenge: Uint8Array | undefined;
  if (auth.mechanism === 'lls') authenticationValue = auth.password;
  if (auth.mechanism === 'hls-gmac') {
    challenge = (options.random ?? ((n: number) => new Uint8Array(randomBytes(n))))(options.challengeLength ?? 16);
    authenticationValue = challenge;
  }
  const aarq = {
    context: host.context,
    mechanism: auth.mechanism as Mechanism,
    ...(sec ? { callingApTitle: sec.systemTitle } : {}),
    ...(authenticationValue ? { authenticationValue } : {}),
    userInformation,
  };
  const { bytes, secret } = encodeAarqWithSecrets(aarq);
  // The LLS password is a secret: redacted in the trace. (An HLS challenge is not secret.)
  const redact = auth.mechanism === 'lls' && secret ? [secret] : undefined;
  return { bytes, actions: [{ type: 'trace', summary: describeAarq(aarq) }, ...events], ...(challenge ? { challenge } : {}), ...(redact ? { redact } : {}) };
}

export type AareOutcome =
  | { kind: 'rejected'; actions: A[]; error: OmrError }
  | {
      kind: 'accepted';
      actions: A[];
      conformance: number;
      serverMaxPdu: number;
      /** HLS pass 3 to send (ACTION reply_to_HLS_authentication, plain; the client ciphers it). */
      hlsPass3?: Uint8Array;
    };

/**
 * Judge a decoded AARE. `serverSystemTitle` is the meter's system title as known now (the AARE's
 * responding AP title when it has one). Throws on a protocol breach (context, InitiateResponse).
 */
export function readAare(a: Aare, host: AssociationHost, serverSystemTitle: Uint8Array | undefined): AareOutcome {
  const { options } = host;
  const out: A[] = [{ type: 'trace', summary: `AARE ${a.resultName} (${a.diagnosticSource}: ${a.diagnosticName})` }];
  if (a.result !== 0) {
    if (a.userInformation && !a.serviceError && isCipheredTag(a.userInformation[0] ?? -1) && options.security) {
      try {
        const d = host.decipher(a.userInformation, 'AARE user-information');
        const se = d.plain[0] === TAG.confirmedServiceError ? decodeConfirmedServiceError(d.plain) : undefined;
        if (se) a.serviceError = se;
      } catch {
        // keep the plain rejection
      }
    }
    return { kind: 'rejected', actions: out, error: aareRejection(a, options.authentication.mechanism) };
  }
  if (a.context !== undefined && a.context !== host.context) {
    throw new OmrError(
      host.ciphered ? 'SECURITY' : 'PROTOCOL_VIOLATION',
      `the AARE accepts application context ${a.context} where ${host.context} was asked for`,
    );
  }
  // In a ciphered context the InitiateResponse must come ciphered (glo-initiate-response) with
  // the association's security control: a plain one is SECURITY (see client-security.ts).
  if (!a.userInformation) throw new OmrError('PROTOCOL_VIOLATION', 'AARE without InitiateResponse');
  const d = host.decipher(a.userInformation, 'AARE InitiateResponse');
  out.push(...d.actions);
  if (d.plain[0] !== TAG.initiateResponse)
    throw new OmrError('PROTOCOL_VIOLATION', `AARE accepted with APDU 0x${(d.plain[0] ?? 0).toString(16)} where the InitiateResponse belongs`);
  const initiate = decodeInitiateResponse(d.plain);
  const accepted = { conformance: initiate.conformance, serverMaxPdu: initiate.maxReceivePduSize || 0xffff };
  if (options.authentication.mechanism !== 'hls-gmac') return { kind: 'accepted', actions: out, ...accepted };
  const stoc = a.respondingAuthenticationValue;
  if (!stoc || !serverSystemTitle)
    return { kind: 'rejected', actions: out, error: new OmrError('AUTH_REJECTED', 'HLS: the meter sent no challenge or no system title') };
  const sec = options.security!;
  const ic = host.useCounter();
  const f = hlsGmac(sec.systemTitle, ic, sec.keys, stoc);
  out.push({ type: 'event', event: { type: 'invocationCounter', used: ic } });
  const hlsPass3 = encodeActionRequest({
    invokeId: host.nextInvokeId(),
    classId: AssociationLn.id,
    obis: CURRENT_ASSOCIATION_LN,
    method: AssociationLn.method.reply_to_HLS_authentication,
    parameters: { type: 'octet-string', value: hex(f) },
  });
  return { kind: 'accepted', actions: out, ...accepted, hlsPass3 };
}

/**
 * HLS pass 4: the meter's ACTION.response must carry f(CtoS), checked with the client's challenge.
 * Returns the error to fail with, or undefined when the meter proved the key (a tag that does not
 * check throws).
 */
export function checkHlsReply(
  plain: Uint8Array,
  options: DlmsClientOptions,
  serverSystemTitle: Uint8Array,
  challenge: Uint8Array,
  suite: number,
): OmrError | undefined {
  const r = decodeActionResponse(plain);
  if (r.result !== 0) return new OmrError('AUTH_REJECTED', `HLS: ${r.resultName}`);
  const data = r.returnData;
  if (!data || !data.ok || data.value.type !== 'octet-string') return new OmrError('SECURITY', 'HLS: the meter returned no f(CtoS) octet string');
  const bytes = Uint8Array.from((data.value.value.match(/../g) ?? []).map((h) => parseInt(h, 16)));
  verifyHlsGmac(bytes, serverSystemTitle, options.security!.keys, challenge, suite);
  return undefined;
}

/**
 * The RLRQ. In a ciphered association it carries a ciphered InitiateRequest (meters refuse a
 * release in clear there: Gurux answers it with an exception-response).
 */
export function buildRelease(host: AssociationHost, haveCounter: boolean): { bytes: Uint8Array; actions: A[] } {
  const sec = host.options.security;
  if (sec && haveCounter) {
    const ic = host.useCounter();
    const userInformation = cipherApdu(initiateRequest(host.options), sec.systemTitle, ic, sec.keys, { securityControl: sec.securityControl ?? 0x30 });
    return {
      bytes: encodeRlrq({ reason: 0, userInformation }),
      actions: [
        { type: 'trace', summary: `RLRQ normal (glo-ciphered user-information, IC ${ic})` },
        { type: 'event', event: { type: 'invocationCounter', used: ic } },
      ],
    };
  }
  return { bytes: encodeRlrq(), actions: [{ type: 'trace', summary: 'RLRQ normal' }] };
}
