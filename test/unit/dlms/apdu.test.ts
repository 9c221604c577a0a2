import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { OmrError } from '../../../shared/errors';
import { hex, unhex } from '../../../electron/engine/dlms/bytes';
import {
  aareRejection,
  decodeAare,
  decodeAarq,
  decodeRlre,
  decodeRlrq,
  encodeAare,
  encodeAarq,
  encodeAarqWithSecrets,
  encodeRlrq,
} from '../../../electron/engine/dlms/acse';
import { conformanceFromNames, conformanceNames, hasConformance } from '../../../electron/engine/dlms/conformance';
import { cosemDateTime } from '../../../electron/engine/dlms/datetime';
import { dataAccessError } from '../../../electron/engine/dlms/apdu';
import { decodeInitiateRequest, decodeInitiateResponse, encodeInitiateRequest, encodeInitiateResponse } from '../../../electron/engine/dlms/initiate';
import { decodeConfirmedServiceError, decodeExceptionResponse } from '../../../electron/engine/dlms/exception';
import { decodeGetRequest, decodeGetResponse, encodeGetRequest, encodeGetResponse, type GetResponse } from '../../../electron/engine/dlms/get';
import { decodeActionResponse, encodeActionRequest } from '../../../electron/engine/dlms/action';
import { entryAccess, rangeAccess } from '../../../electron/engine/dlms/selective-access';

// Most byte strings below are the examples of the DLMS UA Green Book as recorded in the
// u9n/dlms-cosem test suite: https://github.com/u9n/dlms-cosem/tree/master/tests (test_asce/,
// test_xdlms/). The path of each file is given next to the bytes.

describe('xDLMS InitiateRequest / InitiateResponse', () => {
  it('encodes the Green Book InitiateRequest (tests/test_xdlms/test_initiate.py)', () => {
    const bytes = unhex('01000000065F1F0400007E1F04B0');
    const q = decodeInitiateRequest(bytes);
    expect(q.conformance).toBe(0x007e1f);
    expect(q.maxReceivePduSize).toBe(1200);
    expect(q.dlmsVersion).toBe(6);
    expect(conformanceNames(q.conformance)).toEqual([
      'priority-mgmt-supported',
      'attribute0-supported-with-get',
      'block-transfer-with-get-or-read',
      'block-transfer-with-set-or-write',
      'block-transfer-with-action',
      'multiple-references',
      'get',
      'set',
      'selective-access',
      'event-notification',
      'action',
    ]);
    expect(hex(encodeInitiateRequest({ conformance: q.conformance, maxReceivePduSize: 1200 }))).toBe(hex(bytes));
  });

  it('decodes the InitiateResponse (tests/test_xdlms/test_initiate.py)', () => {
    const r = decodeInitiateResponse(unhex('0800065F1F040000501F01F40007'));
    expect(r).toEqual({ dlmsVersion: 6, conformance: 0x00501f, maxReceivePduSize: 500, vaaName: 7 });
    expect(hasConformance(r.conformance, 'block-transfer-with-get-or-read')).toBe(true);
    expect(hasConformance(r.conformance, 'multiple-references')).toBe(false);
    expect(hex(encodeInitiateResponse(r))).toBe('0800065f1f040000501f01f40007');
    expect(decodeInitiateResponse(unhex('0801000 65F1F0400001E1D04C80007'.replace(' ', ''))).qualityOfService).toBe(0);
  });

  it('conformance names round-trip', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffff }), (v) => {
        expect(conformanceFromNames(conformanceNames(v))).toBe(v);
      }),
    );
  });
});

describe('AARQ', () => {
  it('encodes the no-security AARQ byte for byte (tests/test_asce/test_aarq.py)', () => {
    const bytes = unhex('601DA109060760857405080101BE10040E01000000065F1F0400007E1F04B0');
    expect(hex(encodeAarq({ context: 'ln-no-ciphering', mechanism: 'none', userInformation: unhex('01000000065F1F0400007E1F04B0') }))).toBe(hex(bytes));
    const q = decodeAarq(bytes);
    expect(q.context).toBe('ln-no-ciphering');
    expect(q.mechanism).toBe('none');
  });

  it('encodes the LLS AARQ and marks the password for redaction', () => {
    const expected = '6036A1090607608574050801018A0207808B0760857405080201AC0A80083132333435363738BE10040E01000000065F1F0400007E1F04B0';
    const { bytes, secret } = encodeAarqWithSecrets({
      context: 'ln-no-ciphering',
      mechanism: 'lls',
      authenticationValue: new TextEncoder().encode('12345678'),
      userInformation: unhex('01000000065F1F0400007E1F04B0'),
    });
    expect(hex(bytes)).toBe(expected.toLowerCase());
    expect(secret).toBeDefined();
    expect(new TextDecoder().decode(bytes.slice(secret![0], secret![1]))).toBe('12345678');
  });

  it('parses the ciphered LLS AARQ with its calling AP title (tests/test_asce/test_aarq.py)', () => {
    const bytes = unhex(
      '6066a109060760857405080103a60a04084D4D4D0000BC614E8a0207808b0760857405080201ac0a80083132333435363738be34043221303001234567801302FF8A7874133D414CED25B42534D28DB0047720606B175BD52211BE6841DB204D39EE6FDB8E356855',
    );
    const q = decodeAarq(bytes);
    expect(q.context).toBe('ln-ciphering');
    expect(q.mechanism).toBe('lls');
    expect(hex(q.callingApTitle!)).toBe('4d4d4d0000bc614e');
    expect(new TextDecoder().decode(q.authenticationValue)).toBe('12345678');
    expect(q.userInformation[0]).toBe(0x21);
    expect(hex(encodeAarq(q))).toBe(hex(bytes));
  });

  it('encodes the HLS-GMAC mechanism name 2.16.756.5.8.2.5', () => {
    const b = encodeAarq({
      context: 'ln-ciphering',
      mechanism: 'hls-gmac',
      callingApTitle: unhex('4D4D4D0000000001'),
      authenticationValue: unhex('4B35366956616759'),
      userInformation: unhex('01'),
    });
    expect(hex(b)).toContain('8b0760857405080205');
    expect(hex(b)).toContain('a60a04084d4d4d0000000001');
    expect(hex(b)).toContain('ac0a80084b35366956616759');
  });
});

describe('AARE', () => {
  it('accepted, no security (tests/test_asce/test_aare.py)', () => {
    const a = decodeAare(unhex('6129A109060760857405080101A203020100A305A103020100BE10040E0800065F1F040000501F01F40007'));
    expect(a.result).toBe(0);
    expect(a.resultName).toBe('accepted');
    expect(a.diagnosticName).toBe('null');
    expect(a.initiateResponse).toEqual({ dlmsVersion: 6, conformance: 0x00501f, maxReceivePduSize: 500, vaaName: 7 });
  });

  it('the AARE of the captured I-frame: server max PDU 0x04C8 = 1224', () => {
    const a = decodeAare(unhex('6129A109060760857405080101A203020100A305A103020100BE10040E0800065F1F0400001E1D04C80007'));
    expect(a.initiateResponse?.maxReceivePduSize).toBe(1224);
    expect(conformanceNames(a.initiateResponse!.conformance)).toEqual([
      'block-transfer-with-get-or-read',
      'block-transfer-with-set-or-write',
      'block-transfer-with-action',
      'multiple-references',
      'get',
      'set',
      'selective-access',
      'action',
    ]);
  });

  it('rejected: application context not supported → ASSOCIATION_REFUSED saying so, without the lock-out warning', () => {
    const a = decodeAare(unhex('6129A109060760857405080101A203020101A305A103020102BE10040E0800065F1F040000501F01F40007'));
    expect(a.resultName).toBe('rejected-permanent');
    const e = aareRejection(a);
    expect(e.code).toBe('ASSOCIATION_REFUSED');
    expect(e.detail).toMatch(/^application context not supported: .*; rejected-permanent, acse-service-user: application-context-name-not-supported$/);
    expect(e.info().remedy).not.toMatch(/lock/i);
  });

  it('each result-source-diagnostic says which reason it is; only an authentication failure warns of lock-out', () => {
    const rej = (diagnostic: number, source: 'acse-service-user' | 'acse-service-provider' = 'acse-service-user') =>
      decodeAare(encodeAare({ context: 'ln-no-ciphering', result: 1, diagnosticSource: source, diagnostic }));
    const wrongPassword = aareRejection(rej(13), 'lls');
    expect(wrongPassword.code).toBe('AUTH_REJECTED');
    expect(wrongPassword.info().remedy).toMatch(/lock out/);
    const noPassword = aareRejection(rej(11), 'lls');
    expect(noPassword.code).toBe('ASSOCIATION_REFUSED');
    expect(noPassword.detail).toMatch(/this client does not accept a password/);
    expect(aareRejection(rej(1), 'none').detail).toMatch(/no reason/);
    expect(aareRejection(rej(0), 'none').detail).toMatch(/no reason/);
    expect(aareRejection(rej(14), 'none').detail).toMatch(/needs authentication/);
    expect(aareRejection(rej(12), 'none').detail).toMatch(/needs authentication/);
    expect(aareRejection(rej(3), 'hls-gmac').detail).toMatch(/system title/);
    expect(aareRejection(rej(2, 'acse-service-provider'), 'none').detail).toMatch(/ACSE version/);
    for (const d of [0, 1, 2, 3, 11, 12, 14]) {
      const e = aareRejection(rej(d), 'lls');
      expect(e.code).toBe('ASSOCIATION_REFUSED');
      expect(e.info().remedy).not.toMatch(/lock/i);
      expect(e.info('fr').remedy).not.toMatch(/bloqu/i);
    }
  });

  it('rejected with an initiate error in user-information', () => {
    const a = decodeAare(unhex('611FA109060760857405080101A203020101A305A103020101BE0604040E010601'));
    expect(a.serviceError?.text).toBe('confirmed-service-error: initiateError, initiate: dlms-version-too-low');
    expect(aareRejection(a).detail).toContain('dlms-version-too-low');
  });

  it('HLS accepted with authentication-required and the StoC challenge', () => {
    const a = decodeAare(
      unhex('6142A109060760857405080101A203020100A305A10302010E88020780890760857405080205AA0A8008503677524A323146BE10040E0800065F1F040000501F01F40007'),
    );
    expect(a.result).toBe(0);
    expect(a.diagnosticName).toBe('authentication-required');
    expect(a.mechanism).toBe('hls-gmac');
    expect(hex(a.respondingAuthenticationValue!)).toBe('503677524a323146');
  });

  it('an LLS password refusal reads as authentication-failure', () => {
    const b = encodeAare({ context: 'ln-no-ciphering', result: 1, diagnostic: 13, userInformation: unhex('0E010601') });
    const e = aareRejection(decodeAare(b));
    expect(e.code).toBe('AUTH_REJECTED');
    expect(e.detail).toMatch(/authentication-failure/);
  });

  it('garbage gives DECODE_ERROR only', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 120 }), (b) => {
        for (const f of [decodeAare, decodeAarq, decodeRlre, decodeRlrq]) {
          try {
            f(Uint8Array.from([0x60 + (f === decodeAare ? 1 : f === decodeRlrq ? 2 : f === decodeRlre ? 3 : 0), ...b]));
          } catch (e) {
            expect(e).toBeInstanceOf(OmrError);
          }
        }
      }),
      { numRuns: 1000 },
    );
  });
});

describe('RLRQ / RLRE', () => {
  it('normal release (tests/test_asce/test_rlrq.py, test_rlre.py)', () => {
    expect(hex(encodeRlrq())).toBe('6203800100');
    expect(decodeRlre(unhex('6303800100'))).toEqual({ reason: 0 });
    const r = decodeRlre(unhex('6316800100BE11040F080100065F1F0400001E1D04C80007'));
    expect(r.reason).toBe(0);
    expect(decodeInitiateResponse(r.userInformation!).qualityOfService).toBe(0);
  });
});

describe('GET', () => {
  it('GET.request normal for the invocation counter 0-0:43.1.0 (tests/test_xdlms/test_get.py)', () => {
    const bytes = unhex('c001c100010000 2b0100ff0200'.replace(' ', ''));
    const q = encodeGetRequest({ type: 'normal', invokeId: 1, request: { classId: 1, obis: '0-0:43.1.0*255', attribute: 2 } });
    expect(hex(q)).toBe(hex(bytes));
    expect(decodeGetRequest(bytes)).toEqual({ type: 'normal', invokeId: 1, request: { classId: 1, obis: [0, 0, 43, 1, 0, 255], attribute: 2 } });
  });

  it('GET.request next and with-list', () => {
    expect(hex(encodeGetRequest({ type: 'next', invokeId: 1, blockNumber: 3 }))).toBe('c002c100000003');
    const list = unhex('c003c10200010000 2a0000ff0200 00080000010000ff0200'.replace(/ /g, ''));
    const q = decodeGetRequest(list);
    expect(q).toEqual({
      type: 'with-list',
      invokeId: 1,
      requests: [
        { classId: 1, obis: [0, 0, 42, 0, 0, 255], attribute: 2 },
        { classId: 8, obis: [0, 0, 1, 0, 0, 255], attribute: 2 },
      ],
    });
    expect(hex(encodeGetRequest(q))).toBe(hex(list));
  });

  it('range selective access on a load profile (tests/test_xdlms/test_selective_access.py)', () => {
    const expected =
      'c001c1000701006301 00ff0201 01 0204 0204 1200080906 0000010000ff 0f02 120000 090c07e2020cff000000 00800000 090c07e3020cff00000000800000 0100'.replace(
        / /g,
        '',
      );
    const q = encodeGetRequest({
      type: 'normal',
      invokeId: 1,
      request: {
        classId: 7,
        obis: '1-0:99.1.0*255',
        attribute: 2,
        access: rangeAccess({
          from: cosemDateTime({ year: 2018, month: 2, day: 12, hour: 0, minute: 0, second: 0, hundredths: 0, clockStatus: 0 }),
          to: cosemDateTime({ year: 2019, month: 2, day: 12, hour: 0, minute: 0, second: 0, hundredths: 0, clockStatus: 0 }),
        }),
      },
    });
    expect(hex(q)).toBe(expected);
  });

  it('entry selective access', () => {
    const q = encodeGetRequest({ type: 'normal', invokeId: 2, request: { classId: 7, obis: '0-0:99.98.0*255', attribute: 2, access: entryAccess(1, 10) } });
    expect(hex(q)).toBe('c001c2000700006362 00ff0201 02 0204 0600000001 060000000a 120001 120000'.replace(/ /g, ''));
  });

  it('GET.response normal with data (tests/test_xdlms/test_get.py)', () => {
    expect(decodeGetResponse(unhex('c401c1000600001391'))).toEqual({
      type: 'normal',
      invokeId: 1,
      result: { ok: true, value: { type: 'double-long-unsigned', value: 5009 } },
    });
  });

  it('GET.response data-access-results map to the app codes', () => {
    const r = decodeGetResponse(unhex('c401c10104'));
    expect(r).toEqual({ type: 'normal', invokeId: 1, result: { ok: false, dar: 4, name: 'object-undefined' } });
    expect(dataAccessError(4, '1-0:1.8.0*255').code).toBe('OBJECT_UNDEFINED');
    expect(dataAccessError(3).code).toBe('READ_DENIED');
    const other = dataAccessError(1);
    expect(other.code).toBe('DLMS_ERROR');
    expect(other.detail).toBe('hardware-fault');
    expect(dataAccessError(250).detail).toBe('other-reason');
  });

  it('GET.response with-datablock (tests/test_xdlms/test_get.py, first block header)', () => {
    // Header of the first block as published; the block content after its first bytes is filler.
    const start = unhex('018205a00204090c07e30c130402000000ffc400110606000005ed0600000654');
    const block = new Uint8Array(0x49e).map((_, i) => start[i % start.length]!);
    const bytes = unhex('c402c10000000001' + '0082049e' + hex(block));
    const r = decodeGetResponse(bytes);
    expect(r.type).toBe('with-datablock');
    if (r.type !== 'with-datablock') return;
    expect(r.lastBlock).toBe(false);
    expect(r.blockNumber).toBe(1);
    expect(r.raw.length).toBe(0x49e);
    expect(hex(r.raw.slice(0, 4))).toBe('018205a0');
  });

  it('GET.response with-list mixing data and errors', () => {
    const p: GetResponse = {
      type: 'with-list',
      invokeId: 3,
      results: [
        { ok: true, value: { type: 'octet-string', value: '4c475a' } },
        { ok: false, dar: 3, name: 'read-write-denied' },
      ],
    };
    const b = encodeGetResponse(p);
    expect(hex(b)).toBe('c403c302 00 09034c475a 01 03'.replace(/ /g, ''));
    expect(decodeGetResponse(b)).toEqual(p);
  });

  it('GET codecs round-trip and never throw anything but OmrError', () => {
    const resArb = fc.oneof(
      fc.integer({ min: 0, max: 0xffffffff }).map((v) => ({ ok: true as const, value: { type: 'double-long-unsigned' as const, value: v } })),
      fc
        .constantFrom(1, 3, 4, 250)
        .map((dar) => ({ ok: false as const, dar, name: ['', 'hardware-fault', '', 'read-write-denied', 'object-undefined'][dar] ?? 'other-reason' })),
    );
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 15 }),
        fc.array(resArb, { maxLength: 10 }),
        fc.boolean(),
        fc.nat(),
        fc.uint8Array({ maxLength: 50 }),
        (id, results, last, bn, raw) => {
          const a: GetResponse = { type: 'with-list', invokeId: id, results };
          expect(decodeGetResponse(encodeGetResponse(a))).toEqual(a);
          const b: GetResponse = { type: 'with-datablock', invokeId: id, lastBlock: last, blockNumber: bn % 0xffffffff, raw };
          expect(decodeGetResponse(encodeGetResponse(b))).toEqual(b);
        },
      ),
    );
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), (b) => {
        for (const f of [decodeGetResponse, decodeGetRequest, decodeActionResponse, decodeExceptionResponse, decodeConfirmedServiceError]) {
          try {
            f(
              Uint8Array.from([
                [0xc4, 0xc0, 0xc7, 0xd8, 0x0e][
                  [decodeGetResponse, decodeGetRequest, decodeActionResponse, decodeExceptionResponse, decodeConfirmedServiceError].indexOf(f)
                ]!,
                ...b,
              ]),
            );
          } catch (e) {
            expect(e).toBeInstanceOf(OmrError);
          }
        }
      }),
      { numRuns: 1000 },
    );
  });
});

describe('ACTION, exception-response, confirmed-service-error', () => {
  it('ACTION.request reply_to_HLS_authentication on the association object', () => {
    const b = encodeActionRequest({
      invokeId: 1,
      classId: 15,
      obis: '0-0:40.0.0*255',
      method: 1,
      parameters: { type: 'octet-string', value: '10000000011a52fe7dd3e72748973c1e28' },
    });
    expect(hex(b)).toBe('c301c1000f0000280000ff0101 0911 10000000011a52fe7dd3e72748973c1e28'.replace(/ /g, ''));
  });
  it('ACTION.response with return data (tests/test_xdlms/test_action.py)', () => {
    const r = decodeActionResponse(unhex('c701c00001000911 1000001afde8857b728a3499106aa665d1'.replace(' ', '')));
    expect(r.invokeId).toBe(0);
    expect(r.result).toBe(0);
    expect(r.returnData).toEqual({ ok: true, value: { type: 'octet-string', value: '1000001afde8857b728a3499106aa665d1' } });
    expect(decodeActionResponse(unhex('c701c0000101fa'))).toEqual({
      invokeId: 0,
      result: 0,
      resultName: 'success',
      returnData: { ok: false, dar: 250, name: 'other-reason' },
    });
  });
  it('exception-response', () => {
    expect(decodeExceptionResponse(unhex('d80102')).text).toBe('exception-response: service-not-allowed, service-not-supported');
    const ic = decodeExceptionResponse(unhex('d8010600000010'));
    expect(ic.invocationCounter).toBe(16);
  });
  it('confirmed-service-error', () => {
    expect(decodeConfirmedServiceError(unhex('0e050401')).text).toBe('confirmed-service-error: read, definition: object-undefined');
  });
});
