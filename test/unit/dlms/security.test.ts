import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { OmrError } from '../../../shared/errors';
import { hex, unhex } from '../../../electron/engine/dlms/bytes';
import { decodeAarq } from '../../../electron/engine/dlms/acse';
import { decodeData } from '../../../electron/engine/dlms/axdr';
import { CAPTURE_OBJECTS, formatValue, logicalNameText, SELF_DESCRIBING } from '../../../electron/engine/dlms/value-format';
import { Deframer } from '../../../electron/engine/hdlc/deframer';
import { cipherApdu, decipherApdu, decodeCipheredApdu, hlsGmac, protect, unprotect, verifyHlsGmac } from '../../../electron/engine/dlms/security';
import { decodeInitiateRequest, decodeInitiateResponse } from '../../../electron/engine/dlms/initiate';
import { decodeDataNotification } from '../../../electron/engine/dlms/notification';
import { GeneralBlockAssembler } from '../../../electron/engine/dlms/general-block';
import { E450_CYPRUS_PUSH } from '../hdlc/captures';

// Green Book test keys and system titles, as used by the DLMS UA examples and recorded in
// https://github.com/u9n/dlms-cosem/blob/master/tests/test_security.py and
// https://github.com/u9n/dlms-cosem/blob/master/tests/test_xdlms/test_initiate.py
const EK = unhex('000102030405060708090A0B0C0D0E0F');
const AK = unhex('D0D1D2D3D4D5D6D7D8D9DADBDCDDDEDF');
const KEYS = { encryptionKey: EK, authenticationKey: AK };
const SERVER_ST = unhex('4D4D4D0000BC614E');
const CLIENT_ST = unhex('4D4D4D0000000001');

describe('security suite 0 with the Green Book vectors', () => {
  it('glo-get-request: C8 1E 30 01234567 …', () => {
    // Green Book "Table 40 – Example: glo-get-request xDLMS APDU" (GET clock time, 0-0:1.0.0 attr 2)
    const plain = unhex('C0010000080000010000FF0200');
    const ciphered = cipherApdu(plain, SERVER_ST, 0x01234567, KEYS);
    expect(hex(ciphered)).toBe('c81e3001234567411312ff935a47566827c467bc7d825c3be4a77c3fcc056b6b');
    const back = decipherApdu(ciphered, KEYS, SERVER_ST);
    expect(back.authenticated).toBe(true);
    expect(hex(back.plaintext)).toBe(hex(plain));
  });

  it('glo-initiate-request inside the ciphered AARQ deciphers to an InitiateRequest with a dedicated key', () => {
    const aarq = decodeAarq(
      unhex(
        '6066a109060760857405080103a60a04084D4D4D0000BC614E8a0207808b0760857405080201ac0a80083132333435363738be34043221303001234567801302FF8A7874133D414CED25B42534D28DB0047720606B175BD52211BE6841DB204D39EE6FDB8E356855',
      ),
    );
    const d = decipherApdu(aarq.userInformation, KEYS, aarq.callingApTitle);
    const q = decodeInitiateRequest(d.plaintext);
    expect(hex(q.dedicatedKey!)).toBe('00112233445566778899aabbccddeeff');
    expect(q.maxReceivePduSize).toBe(1200);
    expect(q.conformance).toBe(0x007e1f);
    // And our encoder gives the same bytes from the same plaintext.
    expect(hex(cipherApdu(d.plaintext, SERVER_ST, 0x01234567, KEYS))).toBe(hex(aarq.userInformation));
  });

  it('glo-initiate-response (RLRE user-information, tests/test_asce/test_rlre.py)', () => {
    const d = decipherApdu(unhex('281F3001234567891214A0845E475714383F65BC19745CA235906525E4F3E1C893'), KEYS, SERVER_ST);
    expect(decodeInitiateResponse(d.plaintext)).toEqual({ dlmsVersion: 6, conformance: 0x007c1f, maxReceivePduSize: 1024, vaaName: 7 });
  });

  it('a wrong key is KEY_ERROR, never empty data', () => {
    const bad = { encryptionKey: EK, authenticationKey: unhex('D0D1D2D3D4D5D6D7D8D9DADBDCDDDE00') };
    expect(() => decipherApdu(unhex('c81e3001234567411312ff935a47566827c467bc7d825c3be4a77c3fcc056b6b'), bad, SERVER_ST)).toThrow(/keys do not match/);
    try {
      decipherApdu(unhex('c81e3001234567411312ff935a47566827c467bc7d825c3be4a77c3fcc056b6b'), { encryptionKey: AK, authenticationKey: AK }, SERVER_ST);
      expect.unreachable();
    } catch (e) {
      expect((e as OmrError).code).toBe('KEY_ERROR');
      expect((e as OmrError).message).not.toContain('d0d1');
    }
  });

  it('decrypts a 0x30 frame without its authentication key when allowed, and says so', () => {
    const ct = unhex('c81e3001234567411312ff935a47566827c467bc7d825c3be4a77c3fcc056b6b');
    expect(() => decipherApdu(ct, { encryptionKey: EK }, SERVER_ST)).toThrow(OmrError);
    const d = decipherApdu(ct, { encryptionKey: EK }, SERVER_ST, { allowUnverified: true });
    expect(d.authenticated).toBe(false);
    expect(d.note).toMatch(/tag not checked/);
    expect(hex(d.plaintext)).toBe('c0010000080000010000ff0200');
  });

  it('HLS-GMAC f(StoC) matches the published tag and is checked', () => {
    const f = hlsGmac(CLIENT_ST, 1, KEYS, unhex('503677524A323146'));
    expect(hex(f)).toBe('10000000011a52fe7dd3e72748973c1e28');
    expect(verifyHlsGmac(f, CLIENT_ST, KEYS, unhex('503677524A323146'))).toEqual({ invocationCounter: 1 });
    const tampered = f.slice();
    tampered[16]! ^= 1;
    expect(() => verifyHlsGmac(tampered, CLIENT_ST, KEYS, unhex('503677524A323146'))).toThrow(expect.objectContaining({ code: 'AUTH_REJECTED' }));
  });

  it('protect/unprotect round-trip for 0x10, 0x20, 0x30 and any suite bits', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(0x10, 0x20, 0x30, 0x31, 0x21),
        fc.uint8Array({ minLength: 8, maxLength: 8 }),
        fc.integer({ min: 0, max: 0xffffffff }),
        fc.uint8Array({ maxLength: 100 }),
        (sc, st, ic, pt) => {
          const c = protect(sc, st, ic, KEYS, pt);
          const u = unprotect(sc, st, ic, KEYS, c);
          expect(hex(u.plaintext)).toBe(hex(pt));
          expect(u.authenticated).toBe((sc & 0x10) !== 0);
          if (sc & 0x10) {
            const t = c.slice();
            t[t.length - 1]! ^= 0x80;
            expect(() => unprotect(sc, st, ic, KEYS, t)).toThrow(expect.objectContaining({ code: 'KEY_ERROR' }));
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('random ciphered APDUs give only OmrError', () => {
    fc.assert(
      fc.property(fc.constantFrom(0x21, 0x28, 0xc8, 0xcc, 0xd4, 0xdb, 0xdc), fc.uint8Array({ maxLength: 80 }), (tag, b) => {
        try {
          decipherApdu(Uint8Array.from([tag, ...b]), KEYS, SERVER_ST, { allowUnverified: true });
        } catch (e) {
          expect(e).toBeInstanceOf(OmrError);
        }
      }),
      { numRuns: 1000 },
    );
  });
});

describe('published pushes', () => {
  it('TINETZ (Kaifa KFM) general-glo-ciphering, SC 0x21 encryption only, key 10…1F', () => {
    // https://github.com/fneur/smart-meter-tirol/blob/main/doc/EXAMPLE.md: the concatenated
    // DLMS message of two M-Bus segments, its key and the decrypted bytes are published there.
    const apdu = unhex(
      'DB084B464D10100000238201092100295B9AEFC1546E644A2C9E32EDD42CBD0F1B945B194D086885C4D8DF86DD52CB5B448854A6D548D5D270739B2A169D05B013F9015070089D3C5FA45CA05E92309A645CC83D7DA40FBC8F4CF9C225AFA69A25FF0B2AC9C2744550ABA53CE9143FD10B0AD85FD30BD6B6DFFEE65F8204DC9C5067CA73B62E299A39D50AA730B2B9AE3836BC2F3490FB41BE5B6F930D84952976369DD7DABBB5A4354AECA1D2486CFF2EB0C6206380BA501D122AF75D716D3092C3960506A15E06FAB0EE5B7DFA3C2CDF0CAFD051B88E44B8B9FB8865F20CB89D1143CDC7EFEB07FB4C4898E764E9E3A32DDC3D1FB46961CE962B2C78050C96598C7E4D26658043F9CBCA78189BD01B139F8AE0F739',
    );
    const c = decodeCipheredApdu(apdu);
    expect(hex(c.systemTitle!)).toBe('4b464d1010000023');
    expect(c.securityControl).toBe(0x21);
    expect(c.invocationCounter).toBe(0x00295b9a);
    const d = decipherApdu(apdu, { encryptionKey: unhex('101112131415161718191A1B1C1D1E1F') });
    expect(d.authenticated).toBe(false);
    expect(hex(d.plaintext).slice(0, 64)).toBe('0f0029b2dc0c07e50713010f2e2300ff8880020c09060000010000ff090c07e5');
    const n = decodeDataNotification(d.plaintext);
    expect(n.longInvokeId).toBe(0x0029b2dc);
    expect(n.dateTime).toMatchObject({ year: 2021, month: 7, day: 19, hour: 15, minute: 46, second: 35, deviation: -120, clockStatus: 0x80 });
    const body = n.body;
    expect(body.type).toBe('structure');
    if (body.type !== 'structure') return;
    expect(body.value).toHaveLength(12);
    // structure {obis, value, {scaler, unit}}: active energy import 1-0:1.8.0 = 0x2394 Wh (scaler 0, unit 30)
    expect(formatValue(body.value[8]!, SELF_DESCRIBING)).toBe('{1-0:1.8.0*255, 9108, {0, 30}}');
    expect(formatValue(body.value[8]!)).toBe('{0100010800ff, 9108, {0, 30}}');
    // The clock's logical name labels the date-time that follows it.
    expect(logicalNameText(body.value[0]!)).toBe('0-0:1.0.0*255');
    expect(formatValue(body.value[0]!)).toBe('0000010000ff');
    expect(formatValue(body.value[1]!)).toBe('2021-07-19 15:46:35.00 dev -120 st 0x80');
    expect(formatValue(body.value[2]!, SELF_DESCRIBING)).toBe('{0-0:96.1.0*255, "1KFM0100000035"}');
    expect(formatValue(body.value[4]!, SELF_DESCRIBING)).toBe('{1-0:32.7.0*255, 2308, {-1, 35}}');
  });

  it('Landis+Gyr E450 push in three general-block-transfer blocks', () => {
    // https://github.com/esphome/esphome/pull/16942 (see test/unit/hdlc/captures.ts)
    const g = new GeneralBlockAssembler();
    let apdu: Uint8Array | undefined;
    for (const it of new Deframer().push(unhex(E450_CYPRUS_PUSH))) {
      if (it.kind !== 'frame') throw it.error;
      const info = it.frame.info[0] === 0xe6 ? it.frame.info.slice(3) : it.frame.info;
      apdu = g.push(info) ?? apdu;
    }
    const n = decodeDataNotification(apdu!);
    expect(n.longInvokeId).toBe(0x007c83d3);
    expect(n.dateTime).toEqual({
      year: 2026,
      month: 7,
      day: 18,
      dayOfWeek: 6,
      hour: 16,
      minute: 58,
      second: 0,
      hundredths: null,
      deviation: null,
      clockStatus: 0,
    });
    expect(n.body.type).toBe('structure');
    if (n.body.type !== 'structure') return;
    const [objects, ...values] = n.body.value;
    expect(formatValue(objects!, CAPTURE_OBJECTS).startsWith('[{40, 0-9:25.9.0*255, 2, 0}, {1, 0-0:42.0.0*255, 2, 0}')).toBe(true);
    expect(values.map((v) => formatValue(v))).toEqual([
      '"LGZ1020782546371"',
      '"1299652"',
      '5241544532000000',
      '3546968',
      '3589758',
      '102067',
      '2586837',
      '7136726',
      '2688904',
      '313101',
      '2561113',
      '1',
    ]);
    // Total import = T1 + T2 and total export = T1 + T2, as a meter must report them.
    expect(3546968 + 3589758).toBe(7136726);
    expect(102067 + 2586837).toBe(2688904);
  });

  it('A-XDR decoding of the E450 values keeps their types', () => {
    expect(decodeData(unhex('0600361F58'))).toEqual({ type: 'double-long-unsigned', value: 3546968 });
    expect(decodeData(unhex('1601'))).toEqual({ type: 'enum', value: 1 });
  });
});
