/**
 * Security suite 0 (AES-GCM-128) of IEC 62056-5-3 / Green Book 9.2.7: ciphering of xDLMS APDUs
 * (glo-, ded-, general-glo- and general-ded-ciphering) and the HLS-GMAC authentication.
 *
 *   security control byte: bits 0-3 suite, bit 4 authentication, bit 5 encryption, bit 6 broadcast
 *   key, bit 7 compression (only bits 4/5 matter here; the suite bits are masked).
 *   IV   = system title of the sender (8 bytes) ‖ invocation counter (4 bytes, big-endian)
 *   AAD  = SC ‖ authentication key                  (encryption + authentication, 0x30)
 *        = SC ‖ authentication key ‖ plaintext      (authentication only, 0x10)
 *   tag  = the first 12 bytes of the GCM tag
 *
 * A tag mismatch is KEY_ERROR ("keys do not match"), never empty data. Keys never appear in an
 * error detail or a trace.
 */
import { createCipheriv, createDecipheriv } from 'node:crypto';
import { OmrError } from '../../../shared/errors';
import { concat, decodeError, guardDecode, hex, Reader, Writer } from './bytes';

export const TAG_LENGTH = 12;

/** Plain xDLMS tag → its glo-ciphered and ded-ciphered tags. */
export const GLO_TAGS: Record<number, number> = {
  0x01: 0x21, // initiate-request
  0x08: 0x28, // initiate-response
  0x0e: 0x2e, // confirmed-service-error
  0xc0: 0xc8, // get-request
  0xc1: 0xc9, // set-request
  0xc2: 0xca, // event-notification-request
  0xc3: 0xcb, // action-request
  0xc4: 0xcc, // get-response
  0xc5: 0xcd, // set-response
  0xc7: 0xcf, // action-response
};
export const DED_TAGS: Record<number, number> = {
  0xc0: 0xd0,
  0xc1: 0xd1,
  0xc2: 0xd2,
  0xc3: 0xd3,
  0xc4: 0xd4,
  0xc5: 0xd5,
  0xc7: 0xd7,
};
export const GENERAL_GLO_CIPHERING = 0xdb;
export const GENERAL_DED_CIPHERING = 0xdc;

const GLO_REVERSE = new Map(Object.entries(GLO_TAGS).map(([p, c]) => [c, Number(p)]));
const DED_REVERSE = new Map(Object.entries(DED_TAGS).map(([p, c]) => [c, Number(p)]));

export function isCipheredTag(tag: number): boolean {
  return GLO_REVERSE.has(tag) || DED_REVERSE.has(tag) || tag === GENERAL_GLO_CIPHERING || tag === GENERAL_DED_CIPHERING;
}

export interface SecurityControl {
  authenticated: boolean;
  encrypted: boolean;
  broadcastKey: boolean;
  compressed: boolean;
  suite: number;
}

export function decodeSecurityControl(b: number): SecurityControl {
  return { suite: b & 0x0f, authenticated: (b & 0x10) !== 0, encrypted: (b & 0x20) !== 0, broadcastKey: (b & 0x40) !== 0, compressed: (b & 0x80) !== 0 };
}

export function encodeSecurityControl(sc: Partial<SecurityControl>): number {
  return ((sc.suite ?? 0) & 0x0f) | (sc.authenticated ? 0x10 : 0) | (sc.encrypted ? 0x20 : 0) | (sc.broadcastKey ? 0x40 : 0) | (sc.compressed ? 0x80 : 0);
}

export interface Keys {
  /** Block cipher key (global unicast or dedicated), 16 bytes. */
  encryptionKey: Uint8Array;
  /** Authentication key, 16 bytes; may be unknown for encryption-only traffic. */
  authenticationKey?: Uint8Array;
}

function checkKey(k: Uint8Array | undefined, what: string): Uint8Array {
  if (!k || k.length !== 16) throw new OmrError('KEY_ERROR', `${what} must be 16 bytes`);
  return k;
}

function checkSystemTitle(st: Uint8Array): void {
  if (st.length !== 8) throw new OmrError('KEY_ERROR', `system title must be 8 bytes (got ${st.length})`);
}

export function makeIv(systemTitle: Uint8Array, invocationCounter: number): Uint8Array {
  checkSystemTitle(systemTitle);
  if (!Number.isInteger(invocationCounter) || invocationCounter < 0 || invocationCounter > 0xffffffff)
    throw new OmrError('INVALID_REQUEST', `invocation counter ${invocationCounter} out of range`);
  return concat(systemTitle, new Writer().u32(invocationCounter).finish());
}

/**
 * Protect a plaintext under security control `sc`. Returns the ciphered information
 * (ciphertext ‖ tag, or plaintext ‖ tag for authentication only, or ciphertext alone).
 */
export function protect(sc: number, systemTitle: Uint8Array, invocationCounter: number, keys: Keys, plaintext: Uint8Array): Uint8Array {
  const { authenticated, encrypted } = decodeSecurityControl(sc);
  const iv = makeIv(systemTitle, invocationCounter);
  const ek = checkKey(keys.encryptionKey, 'encryption key');
  if (!authenticated && !encrypted) return plaintext;
  const cipher = createCipheriv('aes-128-gcm', ek, iv);
  if (authenticated) {
    const ak = checkKey(keys.authenticationKey, 'authentication key');
    cipher.setAAD(encrypted ? concat(Uint8Array.of(sc), ak) : concat(Uint8Array.of(sc), ak, plaintext));
  }
  let body: Uint8Array;
  if (encrypted) body = concat(cipher.update(plaintext), cipher.final());
  else {
    cipher.final();
    body = plaintext;
  }
  if (!authenticated) return body;
  const tag = cipher.getAuthTag().subarray(0, TAG_LENGTH);
  return concat(body, tag);
}

export interface Unprotected {
  plaintext: Uint8Array;
  /** False when the tag was not checked (authentication key unknown); say so to the user. */
  authenticated: boolean;
  /** Why the tag was not checked, when it was not. */
  note?: string;
}

/**
 * Undo {@link protect}. A wrong tag is KEY_ERROR. With `allowUnverified`, a 0x30 frame whose
 * authentication key is unknown is decrypted without checking its tag (the result says so).
 */
export function unprotect(
  sc: number,
  systemTitle: Uint8Array,
  invocationCounter: number,
  keys: Keys,
  ciphered: Uint8Array,
  options: { allowUnverified?: boolean } = {},
): Unprotected {
  const { authenticated, encrypted } = decodeSecurityControl(sc);
  const iv = makeIv(systemTitle, invocationCounter);
  if (!authenticated && !encrypted) return { plaintext: ciphered, authenticated: false, note: 'not protected' };
  const ek = checkKey(keys.encryptionKey, 'encryption key');
  if (!authenticated) return { plaintext: ctrDecrypt(ek, iv, ciphered), authenticated: false, note: 'encryption only: no authentication tag' };
  if (ciphered.length < TAG_LENGTH) throw decodeError('ciphered APDU shorter than its authentication tag');
  const body = ciphered.subarray(0, ciphered.length - TAG_LENGTH);
  const tag = ciphered.subarray(ciphered.length - TAG_LENGTH);
  if (!keys.authenticationKey) {
    if (encrypted && options.allowUnverified) {
      return { plaintext: ctrDecrypt(ek, iv, body), authenticated: false, note: 'authentication key unknown: tag not checked' };
    }
    throw new OmrError('KEY_ERROR', 'authentication key missing');
  }
  const ak = checkKey(keys.authenticationKey, 'authentication key');
  const decipher = createDecipheriv('aes-128-gcm', ek, iv, { authTagLength: TAG_LENGTH });
  decipher.setAuthTag(tag);
  try {
    if (encrypted) {
      decipher.setAAD(concat(Uint8Array.of(sc), ak));
      const plaintext = concat(decipher.update(body), decipher.final());
      return { plaintext, authenticated: true };
    }
    decipher.setAAD(concat(Uint8Array.of(sc), ak, body));
    decipher.final();
    return { plaintext: new Uint8Array(body), authenticated: true };
  } catch {
    throw new OmrError('KEY_ERROR', 'authentication tag mismatch: keys do not match');
  }
}

/** GCM's keystream is AES-CTR starting at IV ‖ 00000002: decrypt without the tag. */
function ctrDecrypt(key: Uint8Array, iv: Uint8Array, body: Uint8Array): Uint8Array {
  const counter = concat(iv, Uint8Array.of(0, 0, 0, 2));
  const d = createDecipheriv('aes-128-ctr', key, counter);
  return concat(d.update(body), d.final());
}

// ------------------------------------------------------------------------------ ciphered APDUs

export interface CipheredApdu {
  /** The ciphered APDU tag (0x21, 0xC8, 0xDB …). */
  tag: number;
  /** general-glo/ded-ciphering only: the sender's system title carried in the APDU. */
  systemTitle?: Uint8Array;
  securityControl: number;
  invocationCounter: number;
  /** Ciphertext (‖ tag). */
  ciphered: Uint8Array;
}

export function decodeCipheredApdu(b: Uint8Array): CipheredApdu {
  return guardDecode('ciphered APDU', () => {
    const r = new Reader(b);
    const tag = r.u8('tag');
    if (!isCipheredTag(tag)) throw decodeError(`0x${tag.toString(16)} is not a ciphered APDU`);
    let systemTitle: Uint8Array | undefined;
    if (tag === GENERAL_GLO_CIPHERING || tag === GENERAL_DED_CIPHERING) systemTitle = r.bytes(r.length('system title length'), 'system title');
    const len = r.length('ciphered length');
    const content = new Reader(r.bytes(len, 'ciphered content'));
    if (!r.done) throw decodeError(`${r.remaining} byte(s) after the ciphered APDU`);
    const securityControl = content.u8('security control');
    const invocationCounter = content.u32('invocation counter');
    const ciphered = content.rest();
    return systemTitle ? { tag, systemTitle, securityControl, invocationCounter, ciphered } : { tag, securityControl, invocationCounter, ciphered };
  });
}

export function encodeCipheredApdu(c: CipheredApdu): Uint8Array {
  const w = new Writer().u8(c.tag);
  if (c.tag === GENERAL_GLO_CIPHERING || c.tag === GENERAL_DED_CIPHERING) {
    if (!c.systemTitle) throw new OmrError('INVALID_REQUEST', 'general ciphering needs a system title');
    w.length(c.systemTitle.length).bytes(c.systemTitle);
  }
  w.length(5 + c.ciphered.length)
    .u8(c.securityControl)
    .u32(c.invocationCounter)
    .bytes(c.ciphered);
  return w.finish();
}

export interface CipherOptions {
  /** Security control byte; default 0x30 (authenticated and encrypted, suite 0). */
  securityControl?: number;
  /** 'glo' (global key, default), 'ded' (dedicated key), or the general-ciphering forms. */
  kind?: 'glo' | 'ded' | 'general-glo' | 'general-ded';
}

/** Cipher a plain xDLMS APDU with the sender's system title and invocation counter. */
export function cipherApdu(plain: Uint8Array, systemTitle: Uint8Array, invocationCounter: number, keys: Keys, options: CipherOptions = {}): Uint8Array {
  const sc = options.securityControl ?? 0x30;
  const kind = options.kind ?? 'glo';
  const ciphered = protect(sc, systemTitle, invocationCounter, keys, plain);
  let tag: number | undefined;
  if (kind === 'general-glo') tag = GENERAL_GLO_CIPHERING;
  else if (kind === 'general-ded') tag = GENERAL_DED_CIPHERING;
  else tag = (kind === 'ded' ? DED_TAGS : GLO_TAGS)[plain[0] ?? -1];
  if (tag === undefined) throw new OmrError('INVALID_REQUEST', `APDU 0x${(plain[0] ?? 0).toString(16)} has no ${kind}-ciphered form`);
  return encodeCipheredApdu({ tag, systemTitle: kind.startsWith('general') ? systemTitle : undefined, securityControl: sc, invocationCounter, ciphered });
}

export interface DecipherOptions {
  /** Decrypt a 0x30 APDU without checking its tag when the authentication key is unknown. */
  allowUnverified?: boolean;
  /**
   * The security control byte the association agreed on: an APDU with any other (plain,
   * encryption only, another suite) is refused with SECURITY before anything is deciphered.
   */
  requiredSecurityControl?: number;
}

/** The protection a security control byte asks for, in words (trace and error details). */
export function describeSecurityControl(b: number): string {
  const sc = decodeSecurityControl(b);
  const mode =
    sc.encrypted && sc.authenticated
      ? 'authenticated and encrypted'
      : sc.encrypted
        ? 'encryption only'
        : sc.authenticated
          ? 'authentication only'
          : 'no protection';
  return `${mode}, suite ${sc.suite}${sc.broadcastKey ? ', broadcast key' : ''}${sc.compressed ? ', compressed' : ''}`;
}

export interface Deciphered extends Unprotected {
  apdu: CipheredApdu;
  /** The system title used for the IV. */
  systemTitle: Uint8Array;
}

/**
 * Decipher a ciphered APDU. `senderSystemTitle` is the peer's system title (from the AARE); the
 * general-ciphering forms carry their own. The plaintext is a whole xDLMS APDU; for glo/ded
 * forms its tag is checked against the ciphered tag.
 */
export function decipherApdu(bytes: Uint8Array, keys: Keys, senderSystemTitle?: Uint8Array, options: DecipherOptions = {}): Deciphered {
  const apdu = decodeCipheredApdu(bytes);
  if (options.requiredSecurityControl !== undefined && apdu.securityControl !== options.requiredSecurityControl) {
    throw new OmrError(
      'SECURITY',
      `security control 0x${hex(Uint8Array.of(apdu.securityControl))} where the association agreed on 0x${hex(Uint8Array.of(options.requiredSecurityControl))} (${describeSecurityControl(apdu.securityControl)})`,
    );
  }
  const st = apdu.systemTitle ?? senderSystemTitle;
  if (!st) throw new OmrError('KEY_ERROR', 'system title of the sender unknown');
  const out = unprotect(apdu.securityControl, st, apdu.invocationCounter, keys, apdu.ciphered, options);
  const expected = GLO_REVERSE.get(apdu.tag) ?? DED_REVERSE.get(apdu.tag);
  if (expected !== undefined && out.plaintext[0] !== expected) {
    if (out.authenticated) throw decodeError(`deciphered APDU 0x${(out.plaintext[0] ?? 0).toString(16)} inside 0x${apdu.tag.toString(16)}`);
    // Unverified decryption with a wrong key gives noise: that is a key problem.
    throw new OmrError('KEY_ERROR', 'deciphered data is not the expected APDU: keys do not match');
  }
  return { ...out, apdu, systemTitle: st };
}

// ------------------------------------------------------------------------------------ HLS-GMAC

/**
 * f(challenge) for HLS mechanism 5: SC (0x10) ‖ IC ‖ GMAC, where GMAC is the 12-byte tag of
 * AES-GCM with IV = own system title ‖ IC and AAD = SC ‖ AK ‖ challenge, nothing encrypted.
 */
export function hlsGmac(systemTitle: Uint8Array, invocationCounter: number, keys: Keys, challenge: Uint8Array, sc = 0x10): Uint8Array {
  const tag = protect(sc, systemTitle, invocationCounter, keys, challenge).subarray(challenge.length);
  return concat(Uint8Array.of(sc), new Writer().u32(invocationCounter).finish(), tag);
}

/**
 * Check the server's f(CtoS) reply: SC ‖ IC ‖ GMAC, computed with the security control of the
 * association's suite (authentication only: 0x10 | suite), never with the byte the meter sent.
 * Another SC byte, another length or an empty reply is SECURITY; a GMAC mismatch is AUTH_REJECTED.
 */
export function verifyHlsGmac(
  reply: Uint8Array,
  serverSystemTitle: Uint8Array,
  keys: Keys,
  clientChallenge: Uint8Array,
  suite = 0,
): { invocationCounter: number } {
  if (reply.length !== 1 + 4 + TAG_LENGTH)
    throw new OmrError('SECURITY', `HLS f(CtoS) of ${reply.length} bytes where SC, invocation counter and a ${TAG_LENGTH}-byte tag (17 bytes) belong`);
  const sc = encodeSecurityControl({ authenticated: true, suite });
  if (reply[0] !== sc)
    throw new OmrError(
      'SECURITY',
      `HLS f(CtoS) with security control 0x${hex(reply.subarray(0, 1))} where 0x${hex(Uint8Array.of(sc))} (${describeSecurityControl(sc)}) belongs`,
    );
  const ic = ((reply[1]! << 24) >>> 0) + ((reply[2]! << 16) | (reply[3]! << 8) | reply[4]!);
  const expected = hlsGmac(serverSystemTitle, ic, keys, clientChallenge, sc);
  let diff = 0;
  for (let i = 0; i < expected.length; i++) diff |= expected[i]! ^ reply[i]!;
  if (diff !== 0) throw new OmrError('AUTH_REJECTED', 'HLS-GMAC: the meter’s answer to our challenge does not match (authentication key?)');
  return { invocationCounter: ic };
}

/** Trace text for ciphered bytes (never keys). */
export function describeCiphered(c: CipheredApdu): string {
  const sc = decodeSecurityControl(c.securityControl);
  const mode = sc.encrypted && sc.authenticated ? 'auth+enc' : sc.encrypted ? 'enc' : sc.authenticated ? 'auth' : 'none';
  return `ciphered 0x${c.tag.toString(16)} ${mode} IC=${c.invocationCounter}${c.systemTitle ? ` ST=${hex(c.systemTitle)}` : ''} ${c.ciphered.length} B`;
}
