/**
 * The client against a hostile meter (test/kit/hostile-meter.ts), in virtual time: every
 * misbehaviour ends by itself with its own typed error and a true message, what was read is kept,
 * and a meter that knows no key never passes HLS-GMAC nor gets a value stored.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../../shared/errors';
import type { AttributeRequest } from '../../../electron/engine/dlms/apdu';
import { hlsGmac, verifyHlsGmac } from '../../../electron/engine/dlms/security';
import { AssociationProtection } from '../../../electron/engine/dlms/client-security';
import { cipherApdu } from '../../../electron/engine/dlms/security';
import { encodeGetResponse } from '../../../electron/engine/dlms/get';
import { Reassembler } from '../../../electron/engine/hdlc/segmentation';
import { GeneralBlockAssembler, encodeGeneralBlock } from '../../../electron/engine/dlms/general-block';
import { decodeGetListBlocks } from '../../../electron/engine/dlms/get';
import { unhex } from '../../../electron/engine/dlms/bytes';
import { hostileMeter, hostileValue, type Misbehaviour } from '../../kit/hostile-meter';
import { driveHostile } from './hostile-drive';

const KEYS = { encryptionKey: unhex('000102030405060708090A0B0C0D0E0F'), authenticationKey: unhex('D0D1D2D3D4D5D6D7D8D9DADBDCDDDEDF') };
const CLIENT_ST = unhex('4D4D4D0000000001');
const METER_ST = unhex('484F535400000001');
const hls = { authentication: { mechanism: 'hls-gmac' as const }, security: { systemTitle: CLIENT_ST, keys: KEYS, invocationCounter: 1 }, clientSap: 1 };

const reg = (obis: string, attribute = 2): AttributeRequest => ({ classId: 3, obis, attribute });
const LIST = ['1-0:1.8.0*255', '1-0:2.8.0*255', '1-0:32.7.0*255', '1-0:31.7.0*255'].map((o) => reg(o));

function run(misbehaviour: Misbehaviour, extra: Partial<Parameters<typeof driveHostile>[1]> = {}, meter: Partial<Parameters<typeof hostileMeter>[0]> = {}) {
  return driveHostile(hostileMeter({ misbehaviour, keys: KEYS, systemTitle: METER_ST, ...meter }), { gets: [LIST], ...extra });
}

describe('the table: each misbehaviour ends by itself, typed, within 30 s', () => {
  it('a GET answered with another invoke-id: PROTOCOL_VIOLATION (no wait forever)', () => {
    const r = run('wrong-invoke-id');
    expect(r.failed).toMatchObject({ code: 'PROTOCOL_VIOLATION', detail: expect.stringMatching(/invoke-id/) });
    expect(r.now).toBeLessThan(30_000);
    // The GET waiting gets the error as its result: nothing is lost silently.
    expect(r.results[0]!.every((x) => !x.ok && x.error.code === 'PROTOCOL_VIOLATION')).toBe(true);
  });

  it('every I-frame answered with an RR that acknowledges nothing: bounded repeats, then PROTOCOL_VIOLATION', () => {
    const r = run('rr-acks-nothing');
    expect(r.failed).toMatchObject({ code: 'PROTOCOL_VIOLATION', detail: expect.stringMatching(/RR N\(R\)=\d acknowledges none/) });
    expect(r.now).toBeLessThan(30_000);
    expect(r.sent).toBeLessThan(2_000);
  });

  it('data blocks that never end: TOO_LARGE at the ceiling, the transfer is not kept', () => {
    const r = run('endless-blocks', { maxAnswerBytes: 64 * 1024 });
    expect(r.failed).toMatchObject({ code: 'TOO_LARGE', detail: expect.stringMatching(/last-block still not set/) });
    expect(r.now).toBeLessThan(30_000);
  });

  it('an I-frame with a stale N(S): PROTOCOL_VIOLATION, not "did not answer in time"', () => {
    const r = run('stale-ns');
    expect(r.failed).toMatchObject({ code: 'PROTOCOL_VIOLATION', detail: expect.stringMatching(/N\(S\)=\d where \d was expected/) });
    expect(r.now).toBeLessThan(30_000);
  });

  it('an answer trickled one byte every 1.5 s: SLOW_ANSWER, not "no HDLC answer"', () => {
    const r = run('trickle');
    expect(r.failed?.code).toBe('SLOW_ANSWER');
    expect(r.failed?.detail).toMatch(/still coming/);
    expect(r.now).toBeLessThan(30_000);
  });

  it('4 garbage bytes after one object: that object is DECODE_ERROR, every other reading is kept', () => {
    const r = run('trailing-bytes', {}, { badObis: '1-0:2.8.0' });
    expect(r.failed).toBeUndefined();
    expect(r.done).toBe(true);
    const [res] = r.results;
    expect(res!.map((x) => (x.ok ? 'ok' : x.error.code))).toEqual(['ok', 'DECODE_ERROR', 'ok', 'ok']);
    LIST.forEach((q, i) => {
      if (i !== 1) expect(res![i]).toEqual({ ok: true, value: hostileValue(q) });
    });
  });

  it('a GET-with-list answered with one result too few: asked again one by one, every value read (was an INTERNAL TypeError)', () => {
    const r = run('short-list');
    expect(r.failed).toBeUndefined();
    expect(r.results[0]).toEqual(LIST.map((q) => ({ ok: true, value: hostileValue(q) })));
  });
});

describe('security rules', () => {
  it('the impostor (no key: plain InitiateResponse, junk f(CtoS), clear GETs) is refused with SECURITY, nothing stored', () => {
    const r = run('impostor', hls);
    expect(r.failed?.code).toBe('SECURITY');
    expect(r.associated).toBe(false);
    expect(r.results.flat().some((x) => x.ok)).toBe(false);
  });

  it('a genuine meter passes (control): HLS-GMAC, ciphered answers, values read, released', () => {
    const r = run('none', hls);
    expect(r.failed).toBeUndefined();
    expect(r.associated).toBe(true);
    expect(r.results[0]).toEqual(LIST.map((q) => ({ ok: true, value: hostileValue(q) })));
    expect(r.done).toBe(true);
  });

  it('downgrade: after a ciphered AARE, a GET answered in clear is SECURITY and not kept', () => {
    const r = run('downgrade', hls);
    expect(r.associated).toBe(true);
    expect(r.failed).toMatchObject({ code: 'SECURITY', detail: expect.stringMatching(/in clear/) });
    expect(r.results.flat().some((x) => x.ok)).toBe(false);
  });

  it("replay: the meter's invocation counter must increase within the association", () => {
    const r = run('replay', hls);
    expect(r.failed).toMatchObject({ code: 'SECURITY', detail: expect.stringMatching(/replay/) });
    expect(r.results.flat().some((x) => x.ok)).toBe(false);
  });

  it('HLS pass 4: an empty f(CtoS) is SECURITY (was INTERNAL)', () => {
    expect(run('hls-empty', hls).failed?.code).toBe('SECURITY');
  });

  it("HLS pass 4: f(CtoS) computed and sent with SC 0x30 is refused (the check uses the suite's 0x10, never the meter's byte)", () => {
    const r = run('hls-wrong-sc', hls);
    expect(r.failed).toMatchObject({ code: 'SECURITY', detail: expect.stringMatching(/security control 0x30/) });
    const ctos = new Uint8Array(16).fill(0x42);
    expect(() => verifyHlsGmac(hlsGmac(METER_ST, 5, KEYS, ctos, 0x30), METER_ST, KEYS, ctos)).toThrow(expect.objectContaining({ code: 'SECURITY' }));
    expect(() => verifyHlsGmac(new Uint8Array(0), METER_ST, KEYS, ctos)).toThrow(expect.objectContaining({ code: 'SECURITY' }));
    expect(() => verifyHlsGmac(hlsGmac(METER_ST, 5, KEYS, ctos).subarray(0, 13), METER_ST, KEYS, ctos)).toThrow(expect.objectContaining({ code: 'SECURITY' }));
    expect(verifyHlsGmac(hlsGmac(METER_ST, 5, KEYS, ctos), METER_ST, KEYS, ctos)).toEqual({ invocationCounter: 5 });
  });

  it("an APDU with another security control than the association's (encryption only, none) is SECURITY", () => {
    const p = new AssociationProtection({ systemTitle: CLIENT_ST, keys: KEYS, invocationCounter: 1 });
    const plain = encodeGetResponse({ type: 'normal', invokeId: 1, result: { ok: true, value: { type: 'unsigned', value: 1 } } });
    for (const sc of [0x00, 0x10, 0x20, 0x31]) {
      expect(() => p.open(cipherApdu(plain, METER_ST, 10 + sc, KEYS, { securityControl: sc }), METER_ST, 'GET.response')).toThrow(
        expect.objectContaining({ code: 'SECURITY' }),
      );
    }
    expect(p.open(cipherApdu(plain, METER_ST, 200, KEYS), METER_ST, 'GET.response').plain).toEqual(plain);
    // allowUnverified is off unless asked: without the authentication key, a 0x30 APDU is refused.
    const noAk = new AssociationProtection({ systemTitle: CLIENT_ST, keys: { encryptionKey: KEYS.encryptionKey }, invocationCounter: 1 });
    expect(() => noAk.open(cipherApdu(plain, METER_ST, 300, KEYS), METER_ST, 'GET.response')).toThrow(expect.objectContaining({ code: 'KEY_ERROR' }));
  });

  it('a refused release (confirmed-service-error) sends DISC at once instead of waiting', () => {
    const r = run('release-refused', { gets: [] });
    expect(r.done).toBe(true);
    expect(r.now - r.releaseAt!).toBeLessThan(100);
    expect(r.traces.some((t) => /RLRQ refused/.test(t))).toBe(true);
  });
});

describe('bounds', () => {
  it('HDLC segments, general blocks and block-list results are bounded', () => {
    const re = new Reassembler(undefined, 1000);
    expect(() => {
      for (let i = 0; i < 20; i++) re.push(new Uint8Array(100), true);
    }).toThrow(expect.objectContaining({ code: 'TOO_LARGE' }));
    expect(re.held).toBe(0);
    const gbt = new GeneralBlockAssembler(1000);
    expect(() => {
      for (let i = 1; i < 20; i++)
        gbt.push(encodeGeneralBlock({ lastBlock: false, streaming: false, window: 1, blockNumber: i, blockNumberAck: 0, data: new Uint8Array(100) }));
    }).toThrow(expect.objectContaining({ code: 'TOO_LARGE' }));
    // A list count past the bytes that remain, or bytes after the list: DECODE_ERROR, never a loop or a TypeError.
    expect(() => decodeGetListBlocks(unhex('84ffffffff00'))).toThrow(expect.objectContaining({ code: 'DECODE_ERROR' }));
    expect(() => decodeGetListBlocks(unhex('010011050000'))).toThrow(expect.objectContaining({ code: 'DECODE_ERROR' }));
  });
});

describe('property: random server behaviour', () => {
  it('ends within its deadline, bounded, with a typed error or success; nothing read is lost or wrong', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 31 - 1 }), fc.boolean(), fc.integer({ min: 1, max: 6 }), (seed, ciphered, n) => {
        let x = seed;
        const random = () => (x = (Math.imul(x, 48271) >>> 0) % 2147483647) / 2147483647;
        const gets = Array.from({ length: n }, (_, i) => [reg(`1-0:${i + 1}.8.0*255`), reg(`1-0:${i + 1}.8.1*255`)]);
        const r = driveHostile(hostileMeter({ misbehaviour: 'random', random, keys: KEYS, systemTitle: METER_ST, trickleMs: 1500, blockBytes: 4000 }), {
          gets,
          maxAnswerBytes: 256 * 1024,
          limitMs: 3_600_000,
          ...(ciphered ? hls : {}),
        });
        // Ends by itself (a failure, or done after the release), long before the virtual hour.
        expect(r.done || r.failed !== undefined).toBe(true);
        expect(r.now).toBeLessThan(10 * 60_000);
        if (r.failed) expect(ERROR_CODES).toContain(r.failed.code);
        expect(r.failed?.code).not.toBe('INTERNAL');
        // Every GET got one result per attribute; each value kept is the meter's true value.
        if (r.associated) {
          expect(r.results.length).toBe(gets.length);
          r.results.forEach((res, k) => {
            expect(res.length).toBe(gets[k]!.length);
            res.forEach((item, i) => {
              if (item.ok) expect(item.value).toEqual(hostileValue(gets[k]![i]!));
              else expect(ERROR_CODES).toContain(item.error.code);
            });
          });
        }
        // Bounded: what the client sent stays small whatever the meter does.
        expect(r.sent).toBeLessThan(200_000);
      }),
      { numRuns: 150 },
    );
  });
});
