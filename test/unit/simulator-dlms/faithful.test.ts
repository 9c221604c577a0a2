/**
 * The virtual E450 answers as a real meter does where independent clients notice: ciphered
 * answers in the form of the request (glo in → glo out, general-glo in → general-glo out), a
 * ciphered RLRE in a ciphered association, one meter state across connections (invocation
 * counters and LLS lock-out survive a new link), and per-client object visibility.
 */
import { describe, expect, it } from 'vitest';
import { decodeAare, decodeRlre, encodeAarq, encodeRlrq } from '../../../electron/engine/dlms/acse';
import { conformanceFromNames } from '../../../electron/engine/dlms/conformance';
import { decodeGetResponse, encodeGetRequest } from '../../../electron/engine/dlms/get';
import { decodeActionResponse, encodeActionRequest } from '../../../electron/engine/dlms/action';
import { decodeInitiateResponse, encodeInitiateRequest } from '../../../electron/engine/dlms/initiate';
import { D } from '../../../electron/engine/dlms/axdr';
import { cipherApdu, decipherApdu, GENERAL_GLO_CIPHERING, hlsGmac } from '../../../electron/engine/dlms/security';
import { parseObis } from '../../../electron/engine/dlms/obis-code';
import { CosemApplication } from '../../../electron/simulator/dlms/association';
import { DEFAULT_AUTHENTICATION_KEY, DEFAULT_ENCRYPTION_KEY } from '../../../electron/simulator/dlms/clients';
import { createDlmsMeterState, type DlmsMeterState } from '../../../electron/simulator/dlms/server';

const keys = { encryptionKey: DEFAULT_ENCRYPTION_KEY, authenticationKey: DEFAULT_AUTHENTICATION_KEY };
const CLIENT_ST = Uint8Array.from([0x4f, 0x4d, 0x52, 0, 0, 0, 0, 1]);
const CONF = conformanceFromNames(['block-transfer-with-get-or-read', 'multiple-references', 'get', 'selective-access', 'action']);

function app(state: DlmsMeterState): CosemApplication {
  return new CosemApplication({ model: state.model, security: state.security, systemTitle: state.systemTitle, random: (n) => new Uint8Array(n).fill(7) });
}

type Kind = 'glo' | 'general-glo';

/** An HLS-GMAC association of client 1 with the given ciphering form; returns the next counter. */
function hls(a: CosemApplication, state: DlmsMeterState, kind: Kind, ic: number, now = 0): { ic: number; aareTag: number } {
  const initiate = cipherApdu(encodeInitiateRequest({ dlmsVersion: 6, conformance: CONF, maxReceivePduSize: 1024 }), CLIENT_ST, ic++, keys, { kind });
  const ctos = new Uint8Array(16).fill(3);
  const aare = decodeAare(
    a.handle(
      1,
      encodeAarq({ context: 'ln-ciphering', mechanism: 'hls-gmac', callingApTitle: CLIENT_ST, authenticationValue: ctos, userInformation: initiate }),
      now,
    ).apdu,
  );
  expect(aare.result).toBe(0);
  const aareTag = aare.userInformation![0]!;
  const stoc = aare.respondingAuthenticationValue!;
  const f = hlsGmac(CLIENT_ST, ic, keys, stoc);
  const action = cipherApdu(
    encodeActionRequest({ invokeId: 1, classId: 15, obis: parseObis('0-0:40.0.0'), method: 1, parameters: D.octets(f) }),
    CLIENT_ST,
    ic++,
    keys,
    { kind },
  );
  const answer = a.handle(1, action, now).apdu;
  const d = decipherApdu(answer, keys, state.systemTitle);
  expect(answer[0]).toBe(kind === 'general-glo' ? GENERAL_GLO_CIPHERING : 0xcf); // glo-action-response
  expect(decodeActionResponse(d.plaintext).result).toBe(0);
  return { ic, aareTag };
}

describe('virtual E450: ciphering as the client does it', () => {
  for (const kind of ['glo', 'general-glo'] as const) {
    it(`${kind} requests get ${kind} answers, AARE and RLRE included`, () => {
      const state = createDlmsMeterState();
      const a = app(state);
      const h = hls(a, state, kind, 10);
      const aareTag = h.aareTag;
      let ic = h.ic;
      expect(aareTag).toBe(kind === 'general-glo' ? GENERAL_GLO_CIPHERING : 0x28); // glo-initiate-response
      const get = cipherApdu(
        encodeGetRequest({ type: 'normal', invokeId: 2, request: { classId: 1, obis: parseObis('0-0:96.1.0'), attribute: 2 } }),
        CLIENT_ST,
        ic++,
        keys,
        { kind },
      );
      const answer = a.handle(1, get, 0).apdu;
      expect(answer[0]).toBe(kind === 'general-glo' ? GENERAL_GLO_CIPHERING : 0xcc); // glo-get-response
      const r = decodeGetResponse(decipherApdu(answer, keys, state.systemTitle).plaintext);
      expect(r.type).toBe('normal');
      // Release: the RLRE carries a ciphered InitiateResponse in the same form.
      const rlre = decodeRlre(a.handle(1, encodeRlrq({ reason: 0 }), 0).apdu);
      expect(rlre.reason).toBe(0);
      const ui = rlre.userInformation!;
      expect(ui[0]).toBe(kind === 'general-glo' ? GENERAL_GLO_CIPHERING : 0x28);
      expect(decodeInitiateResponse(decipherApdu(ui, keys, state.systemTitle).plaintext).conformance).toBeGreaterThan(0);
      expect(a.current).toBeUndefined();
    });
  }

  it('an RLRQ whose ciphered user-information does not decipher is refused, the association kept', () => {
    const state = createDlmsMeterState();
    const a = app(state);
    const { ic } = hls(a, state, 'glo', 1);
    const bad = cipherApdu(encodeInitiateRequest({ dlmsVersion: 6, conformance: CONF, maxReceivePduSize: 1024 }), CLIENT_ST, ic, {
      ...keys,
      encryptionKey: new Uint8Array(16),
    });
    const answer = a.handle(1, encodeRlrq({ reason: 0, userInformation: bad }), 0);
    expect(answer.apdu[0]).toBe(0xd8); // exception-response
    expect(a.current?.status).toBe('associated');
  });

  it('a plain association releases with a plain RLRE', () => {
    const state = createDlmsMeterState();
    const a = app(state);
    const aare = decodeAare(
      a.handle(
        16,
        encodeAarq({
          context: 'ln-no-ciphering',
          mechanism: 'none',
          userInformation: encodeInitiateRequest({ dlmsVersion: 6, conformance: CONF, maxReceivePduSize: 1024 }),
        }),
        0,
      ).apdu,
    );
    expect(aare.result).toBe(0);
    expect(decodeRlre(a.handle(16, encodeRlrq({ reason: 0 }), 0).apdu).userInformation).toBeUndefined();
  });
});

describe('virtual E450: one meter across connections', () => {
  it('a counter used on one connection is refused on the next', () => {
    const state = createDlmsMeterState();
    const { ic } = hls(app(state), state, 'glo', 50);
    // A new link, a new application, the same meter: the old counter is stale.
    const again = app(state);
    const initiate = cipherApdu(encodeInitiateRequest({ dlmsVersion: 6, conformance: CONF, maxReceivePduSize: 1024 }), CLIENT_ST, ic - 1, keys);
    const aare = decodeAare(
      again.handle(
        1,
        encodeAarq({
          context: 'ln-ciphering',
          mechanism: 'hls-gmac',
          callingApTitle: CLIENT_ST,
          authenticationValue: new Uint8Array(16),
          userInformation: initiate,
        }),
        0,
      ).apdu,
    );
    expect(aare.result).toBe(1);
    expect(state.security.minClientCounter).toBe(ic);
  });

  it('an LLS lock-out after a wrong password holds on a new connection', () => {
    const state = createDlmsMeterState();
    const aarq = (pw: string) =>
      encodeAarq({
        context: 'ln-no-ciphering',
        mechanism: 'lls',
        authenticationValue: new TextEncoder().encode(pw),
        userInformation: encodeInitiateRequest({ dlmsVersion: 6, conformance: CONF, maxReceivePduSize: 1024 }),
      });
    expect(decodeAare(app(state).handle(32, aarq('wrong'), 1000).apdu).result).toBe(1);
    expect(decodeAare(app(state).handle(32, aarq('00000000'), 2000).apdu).result).toBe(1);
    expect(decodeAare(app(state).handle(32, aarq('00000000'), 62_000).apdu).result).toBe(0);
  });
});

describe('virtual E450: what each client sees', () => {
  const assoc = (a: CosemApplication, sap: number, pw?: string) => {
    const ui = encodeInitiateRequest({ dlmsVersion: 6, conformance: CONF, maxReceivePduSize: 1024 });
    const q = pw
      ? encodeAarq({ context: 'ln-no-ciphering', mechanism: 'lls', authenticationValue: new TextEncoder().encode(pw), userInformation: ui })
      : encodeAarq({ context: 'ln-no-ciphering', mechanism: 'none', userInformation: ui });
    expect(decodeAare(a.handle(sap, q, 0).apdu).result).toBe(0);
  };
  const read = (a: CosemApplication, sap: number, classId: number, obis: string) => {
    const r = decodeGetResponse(
      a.handle(sap, encodeGetRequest({ type: 'normal', invokeId: 1, request: { classId, obis: parseObis(obis), attribute: 2 } }), 0).apdu,
    );
    if (r.type !== 'normal') throw new Error(r.type);
    return r.result.ok ? 'ok' : r.result.dar;
  };

  it('the public client reads the logical device name, clock, invocation counter, serial (and firmware); no energy, profile or event', () => {
    const state = createDlmsMeterState();
    const a = app(state);
    assoc(a, 16);
    expect(['0-0:42.0.0', '0-0:96.1.0', '0-0:43.1.1'].map((o) => read(a, 16, 1, o))).toEqual(['ok', 'ok', 'ok']);
    expect(read(a, 16, 8, '0-0:1.0.0')).toBe('ok');
    expect(read(a, 16, 3, '1-0:1.8.0')).not.toBe('ok');
    expect(read(a, 16, 7, '1-0:99.1.0')).not.toBe('ok');
    expect(read(a, 16, 7, '0-0:99.98.0')).not.toBe('ok');
    // Its object list holds only what it may see.
    const r = decodeGetResponse(
      a.handle(16, encodeGetRequest({ type: 'normal', invokeId: 2, request: { classId: 15, obis: parseObis('0-0:40.0.0'), attribute: 2 } }), 0).apdu,
    );
    const listed = r.type === 'normal' && r.result.ok && r.result.value.type === 'array' ? r.result.value.value.length : -1;
    expect(listed).toBe(state.model.objects.filter((o) => o.public).length);
    expect(listed).toBeLessThan(state.model.objects.length);
  });

  it('the reading client reads billing, instantaneous values, profiles and events', () => {
    const state = createDlmsMeterState();
    const a = app(state);
    assoc(a, 32, '00000000');
    expect(read(a, 32, 3, '1-0:1.8.0')).toBe('ok');
    expect(read(a, 32, 3, '1-0:32.7.0')).toBe('ok');
    expect(read(a, 32, 1, '0-0:96.1.0')).toBe('ok');
  });
});
