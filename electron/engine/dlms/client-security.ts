/**
 * The protection rules of a ciphered association, as the client applies them to what the meter
 * sends once the AARE has set up the context:
 *
 * - every xDLMS APDU must be ciphered with the security control the association uses (the
 *   client's own policy, e.g. 0x30 authenticated and encrypted, suite 0); a plain APDU, an
 *   encryption-only or unauthenticated one, or another suite is SECURITY, never data. The one
 *   exception is the exception-response, which has no ciphered form: it is taken as an error only;
 * - the meter's invocation counter must increase from one APDU to the next within the association
 *   (a repeat or a step back is a replay: SECURITY);
 * - a tag that does not check is KEY_ERROR.
 *
 * An unciphered association (no keys) takes plain APDUs, and a ciphered APDU there is KEY_ERROR.
 */
import { OmrError } from '../../../shared/errors';
import { TAG } from './apdu';
import type { ClientSecurity } from './client-options';
import { decipherApdu, describeSecurityControl, isCipheredTag } from './security';

export interface Opened {
  plain: Uint8Array;
  trace?: string;
  /** Set when the tag was not checked (allowUnverified with no authentication key). */
  unverified?: string;
}

export class AssociationProtection {
  /** The meter's last invocation counter in this association. */
  private lastServerCounter: number | undefined;

  constructor(private readonly security: ClientSecurity | undefined) {}

  /** The security control every ciphered APDU of this association carries. */
  get securityControl(): number {
    return this.security?.securityControl ?? 0x30;
  }

  /** The security suite of the association (the low nibble of the security control). */
  get suite(): number {
    return this.securityControl & 0x0f;
  }

  get ciphered(): boolean {
    return this.security !== undefined;
  }

  /** A new association: the meter's counter sequence starts again. */
  reset(): void {
    this.lastServerCounter = undefined;
  }

  /**
   * The plain APDU inside what the meter sent, after the rules above. `what` names the APDU for
   * the error details (e.g. "GET.response", "AARE user-information").
   */
  open(apdu: Uint8Array, serverSystemTitle: Uint8Array | undefined, what: string): Opened {
    const tag = apdu[0] ?? -1;
    const sec = this.security;
    if (!isCipheredTag(tag)) {
      if (!sec || tag === TAG.exceptionResponse) return { plain: apdu };
      throw new OmrError(
        'SECURITY',
        `${what} in clear (0x${tag.toString(16).padStart(2, '0')}) in an association ciphered with ${describeSecurityControl(this.securityControl)}: refused`,
      );
    }
    if (!sec) throw new OmrError('KEY_ERROR', 'the meter sent a ciphered APDU but no keys are set');
    const d = decipherApdu(apdu, sec.keys, serverSystemTitle, { allowUnverified: sec.allowUnverified === true, requiredSecurityControl: this.securityControl });
    const ic = d.apdu.invocationCounter;
    if (this.lastServerCounter !== undefined && ic <= this.lastServerCounter) {
      throw new OmrError(
        'SECURITY',
        `${what} with the meter's invocation counter ${ic} after ${this.lastServerCounter} in this association: a replay, refused`,
      );
    }
    this.lastServerCounter = ic;
    const trace = `deciphered 0x${tag.toString(16)} → 0x${(d.plaintext[0] ?? 0).toString(16)} (IC ${ic}${d.authenticated ? '' : ', not authenticated'})`;
    return { plain: d.plaintext, trace, ...(!d.authenticated && d.note ? { unverified: d.note } : {}) };
  }
}
