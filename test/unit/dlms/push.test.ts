/**
 * Push listening from published real frames: the Landis+Gyr E450 IDIS push (three HDLC UI frames
 * carrying general-block-transfer blocks) and the TINETZ Kaifa push (general-glo-ciphering with a
 * published key) wrapped here in an HDLC frame. Wrong or missing keys give a typed error for that
 * push and the stream goes on.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OmrError } from '../../../shared/errors';
import { unhex } from '../../../electron/engine/dlms/bytes';
import { PushDecoder } from '../../../electron/engine/dlms/push';
import { cipherApdu } from '../../../electron/engine/dlms/security';
import { encodeFrame } from '../../../electron/engine/hdlc/frame';
import { E450_CYPRUS_PUSH } from '../hdlc/captures';

// https://github.com/fneur/smart-meter-tirol/blob/main/doc/EXAMPLE.md (key 10…1F, published there)
const TINETZ =
  'DB084B464D10100000238201092100295B9AEFC1546E644A2C9E32EDD42CBD0F1B945B194D086885C4D8DF86DD52CB5B448854A6D548D5D270739B2A169D05B013F9015070089D3C5FA45CA05E92309A645CC83D7DA40FBC8F4CF9C225AFA69A25FF0B2AC9C2744550ABA53CE9143FD10B0AD85FD30BD6B6DFFEE65F8204DC9C5067CA73B62E299A39D50AA730B2B9AE3836BC2F3490FB41BE5B6F930D84952976369DD7DABBB5A4354AECA1D2486CFF2EB0C6206380BA501D122AF75D716D3092C3960506A15E06FAB0EE5B7DFA3C2CDF0CAFD051B88E44B8B9FB8865F20CB89D1143CDC7EFEB07FB4C4898E764E9E3A32DDC3D1FB46961CE962B2C78050C96598C7E4D26658043F9CBCA78189BD01B139F8AE0F739';
const TINETZ_KEY = unhex('101112131415161718191A1B1C1D1E1F');

/** The TINETZ APDU in one HDLC UI frame (LLC header first), as a push on an HDLC port would come. */
function inHdlc(apdu: Uint8Array): Uint8Array {
  const info = new Uint8Array(apdu.length + 3);
  info.set([0xe6, 0xe7, 0x00]);
  info.set(apdu, 3);
  return encodeFrame({ dest: { upper: 0x10, size: 1 }, src: { upper: 1, size: 1 }, control: { kind: 'UI', pf: true }, segmented: false, info });
}

const NOW = Date.parse('2026-11-23T12:00:00Z');

describe('push listening', () => {
  it('names the E450 IDIS push values from its push object list', () => {
    const r = new PushDecoder().push(unhex(E450_CYPRUS_PUSH), NOW);
    expect(r).toHaveLength(1);
    const n = r[0]!;
    expect(n.kind).toBe('notification');
    if (n.kind !== 'notification') return;
    const by = Object.fromEntries(n.readings.map((x) => [x.obis, x.value]));
    expect(by['0-0:42.0.0*255']).toBe('LGZ1020782546371');
    // Import T1 + T2 = total, export T1 + T2 = total, as the meter reported them.
    expect(Number(by['1-0:1.8.1*255']) + Number(by['1-0:1.8.2*255'])).toBe(Number(by['1-0:1.8.0*255']));
    expect(Number(by['1-0:2.8.1*255']) + Number(by['1-0:2.8.2*255'])).toBe(Number(by['1-0:2.8.0*255']));
    expect(n.meterTime).toMatch(/^2026-07-18T16:58/);
    expect(n.readings.every((x) => x.captureTime === n.meterTime)).toBe(true);
    expect(n.notes.join(' ')).toMatch(/no scaler/);
  });

  it('decrypts a general-glo-ciphering push with the key and applies each value’s scaler and unit', () => {
    const r = new PushDecoder({ keys: { encryptionKey: TINETZ_KEY } }).push(inHdlc(unhex(TINETZ)), NOW);
    const n = r[0]!;
    expect(n.kind).toBe('notification');
    if (n.kind !== 'notification') return;
    expect(n.readings.find((x) => x.obis === '1-0:1.8.0*255')).toMatchObject({ value: '9108', unit: 'Wh', scaler: 0 });
    expect(n.readings.find((x) => x.obis === '1-0:32.7.0*255')).toMatchObject({ value: '230.8', unit: 'V', scaler: -1, raw: '2308' });
    expect(n.readings.find((x) => x.obis === '0-0:96.1.0*255')?.value).toBe('1KFM0100000035');
    expect(n.notes.join(' ')).toMatch(/without checking the authentication tag/);
  });

  it('says so per push when the key is missing or wrong, and keeps going', () => {
    const d = new PushDecoder();
    const missing = d.push(inHdlc(unhex(TINETZ)), NOW);
    expect(missing[0]).toMatchObject({ kind: 'error', error: { code: 'KEY_ERROR' } });
    // The next (plain) push on the same stream is still decoded.
    expect(d.push(unhex(E450_CYPRUS_PUSH), NOW)[0]?.kind).toBe('notification');
    const wrong = new PushDecoder({ keys: { encryptionKey: unhex('000102030405060708090a0b0c0d0e0f') } }).push(inHdlc(unhex(TINETZ)), NOW);
    expect(wrong[0]?.kind).toBe('error');
  });

  it('refuses a push in clear when a key is set (per push: the next ciphered one is still decoded), unless allowPlain', () => {
    const d = new PushDecoder({ keys: { encryptionKey: TINETZ_KEY } });
    expect(d.push(unhex(E450_CYPRUS_PUSH), NOW)[0]).toMatchObject({ kind: 'error', error: { code: 'SECURITY' } });
    expect(d.push(inHdlc(unhex(TINETZ)), NOW)[0]?.kind).toBe('notification');
    expect(new PushDecoder({ keys: { encryptionKey: TINETZ_KEY }, allowPlain: true }).push(unhex(E450_CYPRUS_PUSH), NOW)[0]?.kind).toBe('notification');
  });

  it('refuses a ciphered push whose security control asks for no protection (SC 0x00) when a key is set, and a 0x30 push without the authentication key unless allowUnverified', () => {
    const key = unhex('000102030405060708090a0b0c0d0e0f');
    const ak = unhex('d0d1d2d3d4d5d6d7d8d9dadbdcdddedf');
    const st = unhex('4d4d4d0000000001');
    const plain = unhex('0f0000000100090431323334'); // data-notification, no date-time, an octet string
    const none = cipherApdu(plain, st, 7, { encryptionKey: key }, { securityControl: 0x00, kind: 'general-glo' });
    expect(new PushDecoder({ keys: { encryptionKey: key } }).push(inHdlc(none), NOW)[0]).toMatchObject({ kind: 'error', error: { code: 'SECURITY' } });
    const full = cipherApdu(plain, st, 8, { encryptionKey: key, authenticationKey: ak }, { securityControl: 0x30, kind: 'general-glo' });
    expect(new PushDecoder({ keys: { encryptionKey: key } }).push(inHdlc(full), NOW)[0]).toMatchObject({ kind: 'error', error: { code: 'KEY_ERROR' } });
    expect(new PushDecoder({ keys: { encryptionKey: key }, allowUnverified: true }).push(inHdlc(full), NOW)[0]?.kind).toBe('notification');
    expect(new PushDecoder({ keys: { encryptionKey: key, authenticationKey: ak } }).push(inHdlc(full), NOW)[0]?.kind).toBe('notification');
  });

  it('finds pushes split across reads and behind noise', () => {
    const bytes = unhex(E450_CYPRUS_PUSH);
    const d = new PushDecoder();
    const out = [...d.push(Uint8Array.of(0x00, 0xff, 0x13), NOW)];
    for (let i = 0; i < bytes.length; i += 7) out.push(...d.push(bytes.subarray(i, i + 7), NOW));
    expect(out.filter((x) => x.kind === 'notification')).toHaveLength(1);
  });

  it('mutated input gives only typed errors, never a throw', () => {
    const base = unhex(E450_CYPRUS_PUSH);
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(base.length - 1), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }), (flips) => {
        const b = base.slice();
        for (const [i, v] of flips) b[i] = v;
        try {
          for (const r of new PushDecoder().push(b, NOW)) if (r.kind === 'error') expect(typeof r.error.code).toBe('string');
        } catch (e) {
          expect(e).toBeInstanceOf(OmrError);
          throw e;
        }
      }),
      { numRuns: 200 },
    );
  });
});
